//! Tables generated at compile time by `build.rs` from `data/` (see
//! [`crate::table`] for the layout): `names()` for PERSON, `cities()` and
//! `orgs()` for LOCATION and ORGANIZATION.

include!(concat!(env!("OUT_DIR"), "/tables.rs"));
