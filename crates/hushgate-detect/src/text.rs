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
}
