//! Hushgate's OpenAI-compatible gateway.
//!
//! Apps point an OpenAI SDK at the gateway instead of the provider. For each
//! request the gateway:
//!
//! 1. authenticates the `Authorization: Bearer` key against the store
//!    (keys are kept hashed) and finds its tenant;
//! 2. reads the body within `[server] max_body_bytes`, as UTF-8 JSON;
//! 3. resolves the model alias the tenant may use, injects the alias's
//!    system prompt and defaults;
//! 4. enforces the key's requests/tokens per minute and monthly budget;
//! 5. scans every text a provider would read ([`fields`]) and, before an
//!    external provider, replaces each finding by a placeholder kept in a
//!    per-request [`Vault`](hushgate_redact::Vault) (nothing is changed for
//!    a provider marked `self_hosted`);
//! 6. forwards, and restores the originals in the answer: whole, or event
//!    by event for streams ([`stream`]), holding back only what could still
//!    be a placeholder.
//!
//! Invariants: a failure of detection, storage or the vault blocks the
//! request (fail closed) with an OpenAI-shaped error; no request or answer
//! text, key or detected value is logged, put into an error or a metric
//! label; no answer is buffered whole when streaming.

pub mod decide;
pub mod error;
pub mod fields;
pub mod metrics;
mod server;
pub mod stream;
mod trail;

pub use error::ApiError;
pub use metrics::Metrics;
pub use server::{Gateway, StartError, Startup};
