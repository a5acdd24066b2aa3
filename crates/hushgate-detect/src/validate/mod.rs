//! Checksums and format validators, as pure functions over ASCII digits and
//! letters. Each one is small, documented with its source and unit-tested.

pub mod checksum;
pub mod crypto;
pub mod entropy;
