//! Hushgate's storage: API keys, tenants, monthly usage, encrypted vault blobs, rate limits
//! shared by every replica, and the hash-chained audit trail.
//!
//! # Two backends, one type
//!
//! [`Store::connect`] picks the backend from the URL: `sqlite://path` (the embedded default:
//! one file, WAL, busy timeout) or `postgres://…` (several stateless gateway replicas sharing
//! state). Migrations for each backend are embedded in the binary and run on connect.
//!
//! The interface is one concrete type, [`Store`], that dispatches on an internal enum of
//! `sqlx` pools rather than a `dyn` trait: the two backends differ in a handful of statements
//! (migrations, transaction modes), every other statement is shared text with `$N`
//! placeholders, and an enum keeps calls statically dispatched, lets one `match` expand the same
//! generic `sqlx` code per backend, and makes a missing backend arm a compile error. Callers
//! (gateway, CLI) hold a `Store` (cheap to clone) and never see a pool.
//!
//! # The audit trail
//!
//! [`AuditWriter`] appends [`AuditRecord`]s with group commit: concurrent appends are batched
//! into one transaction, and each append future resolves only after its batch committed, so a
//! request's decision record is durable before the request is forwarded. Every tenant has its
//! own hash chain; checkpoints of each chain's head are signed with an Ed25519 key.
//! [`AuditKeys::load`] reads that key and the server secret for keyed hashes as the config's
//! `[audit]` table says (creating a missing key file with fresh random bytes, mode 0600).
//! [`Store::verify_audit`] walks every chain and every signature and names the first bad
//! record; [`Store::purge_audit`] deletes old records behind a signed anchor so the rest stays
//! verifiable. An audit record holds labels, counts, keyed hashes and numbers — its only field
//! that can hold text is the explicitly redacted prompt, off unless a tenant asks for it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hushgate_store::Error> {
//! use hushgate_store::{AuditKeys, AuditOptions, AuditRecord, AuditWriter, Label, Store};
//! use hushgate_types::EntityType;
//!
//! let cfg = hushgate_config::Config::embedded_default();
//! let store = Store::connect(&cfg.storage.url).await?;
//! let (_info, key) = store.create_key("default", Some("billing app")).await?;
//! let who = store.authenticate(key.expose()).await?.ok_or(hushgate_store::Error::Closed)?;
//!
//! // Signing key and server secret as `[audit]` says; missing files are created (mode 0600).
//! let keys = AuditKeys::load(&cfg.audit)?;
//! let audit = AuditWriter::start(
//!     store.clone(),
//!     keys.signer.clone(),
//!     AuditOptions::from_config(&cfg.audit),
//! );
//! let mut rec = AuditRecord::new(
//!     Label::new(&who.tenant)?,
//!     Label::new("req-7f3a")?,
//!     Label::new("/v1/chat/completions")?,
//!     Label::new("pseudonymize")?,
//! );
//! rec.key_id = Some(who.id.clone());
//! rec.findings.insert(EntityType::UsSsn, 1);
//! // The detected value itself never enters the record: only its keyed hash.
//! let detected = "078-05-1120";
//! rec.value_hashes.push(keys.secret.correlation_key(&who.tenant).hash(&EntityType::UsSsn, detected));
//! audit.append(rec).await?; // durable from here on
//!
//! store.verify_audit(&keys.verifying).await?;
//! # Ok(()) }
//! ```

mod audit;
mod correlate;
mod db;
mod error;
mod keys;
mod label;
mod limits;
mod secrets;
mod usage;
mod util;
mod vault;

pub use audit::{
    Appended, AuditFilter, AuditOptions, AuditRecord, AuditSigner, AuditStats, AuditWriter,
    ChainReport, ExportFormat, FORWARDED_STATUS, OUTCOME_DECISION, PurgeReport, RecordFields,
    StatsRow, StoredRecord, Tamper, TamperKind, TokenUsage, VerifyReport, VerifyingKeys,
    hash_record,
};
pub use correlate::{CorrelationKey, ValueHash};
pub use db::{Backend, Store, StoreOptions, Synchronous};
pub use error::Error;
pub use keys::{ApiKey, KeyId, KeyInfo};
pub use label::{Label, RedactedPrompt};
pub use limits::{Limiter, RateDecision};
pub use secrets::{AuditKeys, Missing, ServerSecret};
pub use usage::{BudgetDecision, Usage, month_period};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
