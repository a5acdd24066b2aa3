//! Hushgate's policy engine: may *this* data go to *that* provider under *our* obligations?
//!
//! The question is not "does the provider train on it?". OpenAI's API does not train on API
//! data by default, yet it processes and may retain it for 30 days; zero data retention and a
//! BAA exist only on request and only for some endpoints; a SaaS built on OpenAI puts the
//! vendor's agreement, not yours, in control. This crate decides from data:
//!
//! - **data classes** ([`class`]): findings' entity types map to PHI, PII, PCI, SECRET or a
//!   custom class; PHI needs a HIPAA tenant and a health context ([`clinical`] detects one);
//! - **regimes as rule files** (`rules/*.toml`, [`rules`]): `baseline` for everyone, then
//!   `hipaa`, `gdpr`, `ccpa`, `pci`, `none`, each rule citing what it encodes, run by one small
//!   interpreter ([`Policy::decide`]);
//! - **the provider-terms catalog** (`data/providers.toml`, [`catalog`]): training, retention,
//!   ZDR, BAA, DPA, regions per provider and endpoint, each fact with a source URL and the date
//!   it was checked; your contract facts override it per route and per tenant;
//! - **decisions** ([`Decision`]): per candidate route `allow`, `pseudonymize`,
//!   `route_private` or `block`, with machine-readable [`Reason`]s, then the chosen route;
//! - **the review** ([`review`]): every tenant × route × class, the rule and the facts relied
//!   on, the gaps and what to do, rendered as Markdown or self-contained HTML.
//!
//! It does no IO (data files are embedded, text is passed in), reads no clock (the review takes
//! today's date) and knows nothing of HTTP. Any error is a reason to block: fail closed.
//!
//! # Worked example
//!
//! A clinic (HIPAA) without a BAA with OpenAI asks for OpenAI with a clinical note; a shop
//! (no regime) sends the same kinds of data.
//!
//! ```
//! use hushgate_policy::{clinical, Action, Endpoint, Policy, Request};
//! use hushgate_types::EntityType;
//!
//! let policy = Policy::from_toml_str(r#"
//!     [[providers]]
//!     name = "openai"                     # published terms: the built-in catalog entry
//!     contract = { baa_signed = false }   # what this account has
//!
//!     [[providers]]
//!     name = "private"
//!     catalog = "self-hosted"
//!
//!     [[tenants]]
//!     name = "clinic"
//!     regimes = ["hipaa"]
//!     private_route = "private"
//!
//!     [[tenants]]
//!     name = "shop"
//!     regimes = ["none"]
//! "#, "inline").unwrap();
//!
//! let note = "Pt Jane Roe, MRN 0012345, diagnosed with T2DM; key sk-live-...";
//! let found = [EntityType::Person, EntityType::MedicalRecordNumber, EntityType::ApiKey];
//! let clinical = clinical::has_clinical_context(note);
//!
//! let d = policy.decide(
//!     &Request::new("clinic", "openai").entities(found.clone()).clinical_context(clinical),
//! ).unwrap();
//! assert_eq!(d.action, Action::RoutePrivate);
//! assert_eq!(d.route.as_deref(), Some("private"));
//! assert_eq!(d.pseudonymize, [EntityType::ApiKey]); // secrets never reach a model
//! let why = serde_json::to_value(&d.reasons[0]).unwrap();
//! assert_eq!(why["rule"], "hipaa.baa_required");
//! assert_eq!(why["detail"], "BAA not signed");
//!
//! // With the private model down, the clinic's PHI is blocked, never sent to OpenAI.
//! let d = policy.decide(
//!     &Request::new("clinic", "openai").entities(found.clone()).clinical_context(clinical)
//!         .down(["private"]),
//! ).unwrap();
//! assert_eq!(d.action, Action::Block);
//!
//! // The shop has no regime: its data goes as it is, except the API key.
//! let d = policy.decide(&Request::new("shop", "openai").entities(found)).unwrap();
//! assert_eq!((d.action, d.route.as_deref()), (Action::Pseudonymize, Some("openai")));
//! assert_eq!(d.pseudonymize, [EntityType::ApiKey]);
//!
//! // The documented decision for the whole configuration:
//! let today = "2026-11-24".parse().unwrap();
//! let review = hushgate_policy::review::review(&policy, &hushgate_policy::review::ReviewOptions::new(today));
//! let md = hushgate_policy::review::render_markdown(&review);
//! assert!(md.contains("tenant `clinic` sends PHI to `openai` without a signed BAA"));
//! # let _ = Endpoint::Chat;
//! ```

pub mod catalog;
pub mod class;
pub mod clinical;
mod config;
mod date;
mod decision;
mod error;
mod policy;
pub mod review;
pub mod rules;
mod terms;

pub use catalog::{Catalog, ContractFacts, Endpoint, ProviderTerms};
pub use class::{Classified, DataClass};
pub use config::{ClinicalMode, CustomClass, PolicyConfig, ProviderRoute, TenantPolicy};
pub use date::{Date, ParseDateError};
pub use decision::{Decision, Reason, Request, RouteVerdict, RuleOutcome};
pub use error::Error;
pub use policy::Policy;
pub use rules::{Action, Regime, RuleBook};
pub use terms::{Evidence, EvidenceSource};
