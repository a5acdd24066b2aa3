use serde::Serialize;

use crate::EntityType;

/// A half-open byte range `[start, end)` into the scanned text.
///
/// Both ends always fall on UTF-8 character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// One detected sensitive value: where it is, what it is, how sure we are and
/// which recognizer said so.
///
/// A finding holds offsets only, never the value itself, so it can be logged,
/// counted and audited without leaking what it points at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub entity_type: EntityType,
    /// Byte offset of the first byte, on a character boundary.
    pub start: usize,
    /// Byte offset one past the last byte, on a character boundary.
    pub end: usize,
    /// Confidence in `0.0..=1.0`.
    pub score: f32,
    /// Name of the recognizer that produced this finding.
    pub recognizer: &'static str,
}

impl Finding {
    pub fn new(
        entity_type: EntityType,
        start: usize,
        end: usize,
        score: f32,
        recognizer: &'static str,
    ) -> Finding {
        Finding {
            entity_type,
            start,
            end,
            score,
            recognizer,
        }
    }

    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}
