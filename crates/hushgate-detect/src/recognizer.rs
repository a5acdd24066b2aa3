//! The two ways a recognizer plugs into the engine.
//!
//! * A [`PatternRecognizer`] contributes regular expressions to the engine's
//!   single multi-pattern automaton and validates each match it owns
//!   (checksums, ranges, context). Structured types live here.
//! * A [`TextRecognizer`] sees the whole text once, after the automaton pass,
//!   together with the structured findings. Gazetteer NER lives here, and a
//!   learned NER model can be added the same way without touching callers.

use hushgate_types::Finding;

use crate::context::ContextIndex;

/// One regular expression a [`PatternRecognizer`] adds to the shared automaton.
///
/// Patterns are compiled together into one `regex_automata::meta::Regex` and
/// searched leftmost-first in a single pass: at a given start position, the
/// pattern registered first wins. Keep patterns *shapes* (a run of digits and
/// separators, a token with a known prefix) and do the precise checks in
/// [`PatternRecognizer::on_match`], in code.
///
/// Write ASCII word boundaries as `(?-u:\b)`: Unicode `\b` forces the slow
/// engines on non-ASCII text.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The regular expression (regex-automata syntax).
    pub regex: String,
    /// A number the recognizer uses to tell its own patterns apart.
    pub tag: u16,
}

impl Pattern {
    pub fn new(tag: u16, regex: impl Into<String>) -> Pattern {
        Pattern {
            regex: regex.into(),
            tag,
        }
    }
}

/// A match of one pattern, handed to the recognizer that owns it.
#[derive(Clone, Copy)]
pub struct Match<'t> {
    /// The whole scanned text.
    pub text: &'t str,
    /// Byte offset where the match starts.
    pub start: usize,
    /// Byte offset where the match ends.
    pub end: usize,
    /// The [`Pattern::tag`] that matched.
    pub tag: u16,
    /// Context words found in the text, for score adjustment.
    pub context: &'t ContextIndex,
}

impl<'t> Match<'t> {
    /// The matched text.
    pub fn as_str(&self) -> &'t str {
        // Matches from the automaton always fall on char boundaries.
        self.text.get(self.start..self.end).unwrap_or("")
    }
}

/// A recognizer driven by the shared automaton. See the module docs.
pub trait PatternRecognizer: Send + Sync {
    /// A short stable name, reported in findings (`"credit_card"`).
    fn name(&self) -> &'static str;

    /// The patterns this recognizer adds to the automaton.
    fn patterns(&self) -> Vec<Pattern>;

    /// Context words (lowercase) this recognizer wants to look up, each with the
    /// key it is filed under, e.g. `("ssn", "ssn")`, `("social security", "ssn")`.
    fn context_words(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// Validates one match and pushes zero or more findings (possibly for a
    /// sub-range of the match). Must not panic on any input.
    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>);
}

/// What a [`TextRecognizer`] may look at besides the text.
pub struct TextContext<'a> {
    /// Findings of the pattern recognizers, sorted by start, unresolved.
    pub structured: &'a [Finding],
    /// Context words found in the text.
    pub context: &'a ContextIndex,
}

/// A recognizer that reads the whole text once. See the module docs.
pub trait TextRecognizer: Send + Sync {
    /// A short stable name, reported in findings (`"gazetteer_ner"`).
    fn name(&self) -> &'static str;

    /// Context words (lowercase) this recognizer wants to look up.
    fn context_words(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// Pushes findings for `text`. Must not panic on any input.
    fn recognize(&self, text: &str, cx: &TextContext<'_>, out: &mut Vec<Finding>);
}
