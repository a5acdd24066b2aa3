//! Hushgate's policy engine: may *this* data go to *that* provider under *our* obligations?
//!
//! This first slice holds the vocabulary: data classes and how entity types map to them
//! ([`class`]), and a detector of clinical context ([`clinical`]). No IO.

pub mod class;
pub mod clinical;
mod date;
mod error;

pub use class::{Classified, DataClass};
pub use date::{Date, ParseDateError};
pub use error::Error;
