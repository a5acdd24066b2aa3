//! Small text helpers shared by recognizers and callers.

/// Converts byte offsets into Unicode code-point offsets (Python `str`
/// indices), for the JSONL contract. `offsets` must be sorted ascending and on
/// char boundaries; runs in one pass over the text.
pub fn byte_to_char_offsets(text: &str, offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut chars = 0usize;
    let mut pos = 0usize;
    for &target in offsets {
        let target = target.min(text.len());
        if target < pos {
            // Unsorted input: fall back to counting from the start.
            out.push(text.get(..target).map_or(0, |s| s.chars().count()));
            continue;
        }
        chars += text.get(pos..target).map_or(0, |s| s.chars().count());
        pos = target;
        out.push(chars);
    }
    out
}

/// The largest char boundary `<= i`.
pub fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary `>= i`.
pub fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The start of the line holding byte `at` (just after the last `\n`
/// before it, or 0), if it is at most `window` bytes back; `None` when the
/// line starts further back. Recognizers read line context through this so
/// that each match costs at most `window` bytes, not the whole line (one
/// multi-megabyte line would otherwise be quadratic).
pub(crate) fn line_start_within(text: &[u8], at: usize, window: usize) -> Option<usize> {
    let at = at.min(text.len());
    let lo = at.saturating_sub(window);
    match memchr::memrchr(b'\n', &text[lo..at]) {
        Some(i) => Some(lo + i + 1),
        None => (lo == 0).then_some(0),
    }
}

/// Like [`line_start_within`], with `\r` also ending a line (HL7 v2
/// segments end in a bare `\r`).
pub(crate) fn segment_start_within(text: &[u8], at: usize, window: usize) -> Option<usize> {
    let at = at.min(text.len());
    let lo = at.saturating_sub(window);
    match memchr::memrchr2(b'\n', b'\r', &text[lo..at]) {
        Some(i) => Some(lo + i + 1),
        None => (lo == 0).then_some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_point_offsets() {
        let t = "😀 Renée x";
        let b = t.find('x').unwrap();
        assert_eq!(byte_to_char_offsets(t, &[0, 5, b]), vec![0, 2, 8]);
        assert_eq!(floor_char_boundary(t, 2), 0);
        assert_eq!(ceil_char_boundary(t, 2), 4);
    }

    #[test]
    fn line_starts_within_a_window() {
        let t = b"ab\ncdef\rgh";
        assert_eq!(line_start_within(t, 1, 8), Some(0));
        assert_eq!(line_start_within(t, 6, 8), Some(3));
        assert_eq!(line_start_within(t, 10, 8), Some(3));
        assert_eq!(line_start_within(t, 10, 6), None);
        assert_eq!(segment_start_within(t, 10, 6), Some(8));
        assert_eq!(line_start_within(t, 99, 99), Some(3));
    }
}
