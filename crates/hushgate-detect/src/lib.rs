//! Hushgate's detection engine: finds PII, PHI, card data and secrets in text.
//!
//! * One pass: every recognizer's patterns are compiled into one
//!   multi-pattern automaton (`regex-automata`'s meta regex, linear time);
//!   context words are found by one Aho-Corasick pass.
//! * Each match is validated in code (Luhn, mod-97, mod-11, DEA, ABA,
//!   Base58Check, bech32, phone metadata, entropy) and scored, Presidio-style,
//!   with context words raising or lowering the score.
//! * Names, places and organisations come from gazetteers plus context, through
//!   the pluggable [`TextRecognizer`] trait.
//! * Offsets are byte offsets on character boundaries; findings never hold the
//!   value itself.
//!
//! ```
//! use hushgate_detect::Engine;
//! let engine = Engine::new()?;
//! for f in engine.scan("mail bob@example.com") {
//!     println!("{} at {}..{} ({:.2}, {})", f.entity_type, f.start, f.end, f.score, f.recognizer);
//! }
//! # Ok::<(), hushgate_detect::BuildError>(())
//! ```
//!
//! Building an engine can fail (a bad custom pattern); scanning cannot.

mod context;
mod custom;
mod engine;
mod error;
mod generated;
mod options;
mod recognizer;
pub mod recognizers;
mod resolve;
mod table;
pub mod text;
pub mod validate;

pub use context::ContextIndex;
pub use engine::{Engine, EngineBuilder};
pub use error::BuildError;
pub use hushgate_types::{EntityType, Finding, Span};
pub use options::{CustomPattern, DenyList, DetectOptions};
pub use recognizer::{Match, Pattern, PatternRecognizer, TextContext, TextRecognizer};
pub use resolve::resolve;
