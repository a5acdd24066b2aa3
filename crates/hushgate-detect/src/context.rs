//! Context words, found in one pass over the text.
//!
//! Presidio-style context: words such as "ssn", "routing" or "date of birth"
//! near a candidate raise (or, for words like "order" or "invoice", lower) its
//! score. Every recognizer's words are compiled into one Aho-Corasick automaton
//! that runs once per scan; recognizers then ask "is key K within N bytes
//! before this span?" with a binary search.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::error::BuildError;
use crate::recognizers::numbers::TableMemo;

/// The compiled context lexicon, shared by every scan.
#[derive(Debug, Clone)]
pub(crate) struct ContextLexicon {
    ac: Option<AhoCorasick>,
    keys: Arc<Keys>,
}

/// Key names, and for each distinct word the keys it is filed under (two
/// recognizers may file the same word under different keys).
#[derive(Debug, Default)]
struct Keys {
    names: Vec<&'static str>,
    of_word: Vec<Vec<u16>>,
}

impl ContextLexicon {
    pub(crate) fn new(words: &[(&'static str, &'static str)]) -> Result<Self, BuildError> {
        let mut keys = Keys::default();
        let mut pats: Vec<String> = Vec::with_capacity(words.len());
        for &(word, key) in words {
            let kid = match keys.names.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    keys.names.push(key);
                    keys.names.len() - 1
                }
            };
            let kid = u16::try_from(kid).map_err(|_| BuildError::TooManyContextKeys)?;
            let word = word.to_ascii_lowercase();
            let wid = match pats.iter().position(|p| *p == word) {
                Some(i) => i,
                None => {
                    pats.push(word);
                    keys.of_word.push(Vec::new());
                    pats.len() - 1
                }
            };
            if !keys.of_word[wid].contains(&kid) {
                keys.of_word[wid].push(kid);
            }
        }
        let ac = if pats.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    // A DFA scans ~1.5x faster than the contiguous NFA that
                    // is chosen by default above 100 patterns.
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&pats)
                    .map_err(|e| BuildError::Context(e.to_string()))?,
            )
        };
        Ok(ContextLexicon {
            ac,
            keys: Arc::new(keys),
        })
    }

    pub(crate) fn index(&self, text: &str) -> ContextIndex {
        let mut hits = Vec::new();
        if let Some(ac) = &self.ac {
            let bytes = text.as_bytes();
            for m in ac.find_iter(text) {
                // Whole words only: "ssn" must not fire inside "lessness".
                let before_ok = m.start() == 0 || !bytes[m.start() - 1].is_ascii_alphanumeric();
                let after_ok = m.end() == bytes.len() || !bytes[m.end()].is_ascii_alphanumeric();
                if before_ok && after_ok {
                    hits.push(ContextHit {
                        start: m.start(),
                        end: m.end(),
                        word: m.pattern().as_u32(),
                    });
                }
            }
        }
        ContextIndex {
            hits,
            keys: Arc::clone(&self.keys),
            tables: TableMemo::default(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ContextHit {
    start: usize,
    end: usize,
    word: u32,
}

/// Context words found in one text, sorted by position.
#[derive(Debug, Clone, Default)]
pub struct ContextIndex {
    hits: Vec<ContextHit>,
    keys: Arc<Keys>,
    /// Table look-backs remembered between the matches of this scan.
    pub(crate) tables: TableMemo,
}

impl ContextIndex {
    fn key_id(&self, key: &str) -> Option<u16> {
        self.keys
            .names
            .iter()
            .position(|k| *k == key)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// Is a word filed under `key` within `before` bytes before `start`, or
    /// within `after` bytes after `end`?
    pub fn near(&self, key: &str, start: usize, end: usize, before: usize, after: usize) -> bool {
        self.nearest_before(key, start, before).is_some() || self.within(key, end, end + after)
    }

    /// Is a word filed under `key` within `before` bytes before `start`?
    pub fn before(&self, key: &str, start: usize, before: usize) -> bool {
        self.nearest_before(key, start, before).is_some()
    }

    /// The end offset of the closest word filed under `key` that ends at or
    /// before `start` and no further than `window` bytes away.
    pub fn nearest_before(&self, key: &str, start: usize, window: usize) -> Option<usize> {
        let id = self.key_id(key)?;
        let lo = start.saturating_sub(window);
        // Hits are sorted by start; look at those starting before `start`.
        let upto = self.hits.partition_point(|h| h.start < start);
        self.hits[..upto]
            .iter()
            .rev()
            .take_while(|h| h.end + window >= start || h.start >= lo)
            .find(|h| self.has_key(h, id) && h.end <= start && h.end >= lo)
            .map(|h| h.end)
    }

    /// Does a word filed under `key` start within `[from, to)`?
    pub fn within(&self, key: &str, from: usize, to: usize) -> bool {
        let Some(id) = self.key_id(key) else {
            return false;
        };
        let first = self.hits.partition_point(|h| h.start < from);
        self.hits[first..]
            .iter()
            .take_while(|h| h.start < to)
            .any(|h| self.has_key(h, id))
    }

    fn has_key(&self, h: &ContextHit, id: u16) -> bool {
        self.keys
            .of_word
            .get(h.word as usize)
            .is_some_and(|ks| ks.contains(&id))
    }

    /// Number of context words found.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_words_case_insensitively() {
        let lex = ContextLexicon::new(&[
            ("ssn", "ssn"),
            ("social security", "ssn"),
            ("SSN", "id_number"),
        ])
        .unwrap();
        let text = "Her Social Security no. is 123; SSN: 456; lessness 789";
        let idx = lex.index(text);
        assert_eq!(idx.len(), 2);
        let pos = text.find("123").unwrap();
        assert!(idx.before("ssn", pos, 20));
        assert!(!idx.before("ssn", pos, 5));
        let pos = text.find("789").unwrap();
        assert!(!idx.before("ssn", pos, 10));
        assert!(!idx.before("unknown", pos, 1000));
        // The same word filed under two keys answers for both.
        let pos = text.find("456").unwrap();
        assert!(idx.before("ssn", pos, 8) && idx.before("id_number", pos, 8));
    }
}
