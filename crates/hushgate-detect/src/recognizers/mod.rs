//! The built-in recognizers, one module per family.
//!
//! Registration order is priority order in the shared automaton: when two
//! patterns match at the same start, the one registered first wins. So the
//! most specific shapes come first (prefixed secrets, e-mail, URL), generic
//! digit runs last.

use std::sync::Arc;

use crate::options::DetectOptions;
use crate::recognizer::{PatternRecognizer, TextRecognizer};

pub mod crypto;
pub mod datetime;
pub mod email;
pub mod ner;
pub mod network;
pub mod numbers;
pub mod places;
pub mod secrets;

/// Pattern recognizers in priority order.
pub(crate) fn pattern_recognizers(o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    let mut v: Vec<Arc<dyn PatternRecognizer>> = Vec::new();
    v.extend(secrets::recognizers(o));
    v.extend(email::recognizers(o));
    v.extend(network::recognizers(o));
    v.extend(crypto::recognizers(o));
    v.extend(datetime::recognizers(o));
    v.extend(numbers::recognizers(o));
    v
}

/// Whole-text recognizers, run after the pattern pass.
pub(crate) fn text_recognizers(o: &DetectOptions) -> Vec<Arc<dyn TextRecognizer>> {
    let mut v = ner::recognizers(o);
    v.extend(places::recognizers(o));
    v
}
