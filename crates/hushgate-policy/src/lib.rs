//! Hushgate's policy engine: may *this* data go to *that* provider under *our* obligations?
//!
//! - data classes and how entity types map to them ([`class`]), a clinical-context detector
//!   ([`clinical`]);
//! - regimes as rule files (`rules/*.toml`, [`rules`]);
//! - the provider-terms catalog (`data/providers.toml`, [`catalog`]), every fact with a
//!   source and a checked date.
//!
//! No IO: the data files are embedded.

pub mod catalog;
pub mod class;
pub mod clinical;
mod date;
mod error;
pub mod rules;

pub use catalog::{Catalog, ContractFacts, Endpoint, ProviderTerms};
pub use class::{Classified, DataClass};
pub use date::{Date, ParseDateError};
pub use error::Error;
pub use rules::{Action, Regime, RuleBook};
