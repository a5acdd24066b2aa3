//! Shared vocabulary of Hushgate: what a finding is, what it is called and
//! whose it is.
//!
//! Every other crate speaks these types; this crate does no IO and depends on
//! nothing but `serde`.
//!
//! ```
//! use hushgate_types::{EntityType, Finding};
//! let f = Finding::new(EntityType::EmailAddress, 6, 21, 0.99, "email");
//! assert_eq!(f.entity_type.as_str(), "EMAIL_ADDRESS");
//! assert_eq!(f.len(), 15);
//! ```

mod entity;
mod finding;
mod tenant;

pub use entity::{EntityType, ParseEntityTypeError};
pub use finding::{Finding, Span};
pub use tenant::{ParseTenantIdError, TenantId};
