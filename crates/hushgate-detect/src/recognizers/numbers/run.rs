//! A matched "digit run" taken apart: optional `+`, digit groups (some in
//! parentheses) with the separator before each, and an optional extension.

/// What separates a group from the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sep {
    /// First group of the candidate.
    Start,
    Space,
    Dash,
    Dot,
    Slash,
    /// A line break (possibly next to a space, dash or dot): in wrapped text
    /// it may stand for a separator or for nothing.
    Newline,
    /// Nothing, after a closing parenthesis: `(0)1`, `(415)555-0132`.
    Glued,
}

impl Sep {
    /// Separators where a run may be split into independent candidates.
    pub(super) fn is_break(self) -> bool {
        matches!(self, Sep::Space | Sep::Newline)
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Group {
    /// Absolute byte offsets, parentheses included.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) paren: bool,
    pub(super) sep: Sep,
    /// Number of digits.
    pub(super) len: usize,
}

#[derive(Debug)]
pub(super) struct Run {
    /// Absolute offset of the match (the `+` when there is one).
    pub(super) start: usize,
    pub(super) plus: bool,
    pub(super) groups: Vec<Group>,
    /// Absolute span of an extension such as `ext. 4778` or `x204`
    /// (keyword to last digit), and its digit count.
    pub(super) ext: Option<(usize, usize)>,
}

/// Longest candidate worth looking at, in digits.
pub(super) const MAX_DIGITS: usize = 40;

/// The digits of `groups`, without separators or parentheses.
pub(super) struct Digits {
    buf: [u8; MAX_DIGITS],
    len: usize,
}

impl Digits {
    pub(super) fn collect(text: &[u8], groups: &[Group], skip_zero_paren: bool) -> Option<Digits> {
        let mut d = Digits {
            buf: [0; MAX_DIGITS],
            len: 0,
        };
        for g in groups {
            if skip_zero_paren && g.paren && g.len == 1 && text.get(g.start + 1) == Some(&b'0') {
                continue;
            }
            for &b in text.get(g.start..g.end)? {
                if b.is_ascii_digit() {
                    *d.buf.get_mut(d.len)? = b;
                    d.len += 1;
                }
            }
        }
        Some(d)
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The digits after the first `n`.
    pub(super) fn skip(&self, n: usize) -> Digits {
        let mut d = Digits {
            buf: [0; MAX_DIGITS],
            len: 0,
        };
        let rest = self.as_bytes().get(n..).unwrap_or(&[]);
        d.buf[..rest.len()].copy_from_slice(rest);
        d.len = rest.len();
        d
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

fn is_nbsp(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&0xC2) && b.get(i + 1) == Some(&0xA0)
}

/// Parses a match of the run pattern starting at absolute offset `base`.
pub(super) fn parse(s: &str, base: usize) -> Option<Run> {
    let b = s.as_bytes();
    let mut i = 0;
    let plus = b.first() == Some(&b'+');
    if plus {
        i += 1;
        if b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    let mut groups = Vec::new();
    let mut sep = Sep::Start;
    loop {
        let st = i;
        let paren = b.get(i) == Some(&b'(');
        if paren {
            i += 1;
        }
        let ds = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let len = i - ds;
        if len == 0 {
            return None;
        }
        if paren {
            if b.get(i) != Some(&b')') {
                return None;
            }
            i += 1;
        }
        groups.push(Group {
            start: base + st,
            end: base + i,
            paren,
            sep,
            len,
        });
        // A separator counts only if another group follows it.
        let save = i;
        let (mut space, mut dash, mut dot, mut slash, mut nl) = (false, false, false, false, false);
        let mut n = 0;
        while n < 4 {
            match b.get(i) {
                Some(b' ') => space = true,
                Some(b'-') => dash = true,
                Some(b'.') => dot = true,
                Some(b'/') => slash = true,
                Some(b'\n') => nl = true,
                Some(b'\r') => {}
                Some(0xC2) if is_nbsp(b, i) => {
                    space = true;
                    i += 1;
                }
                _ => break,
            }
            i += 1;
            n += 1;
        }
        let next_is_group = b.get(i).is_some_and(|&c| c.is_ascii_digit() || c == b'(');
        if !next_is_group {
            i = save;
            break;
        }
        sep = if nl {
            Sep::Newline
        } else if dash {
            Sep::Dash
        } else if dot {
            Sep::Dot
        } else if slash {
            Sep::Slash
        } else if space {
            Sep::Space
        } else if paren || b.get(i) == Some(&b'(') {
            Sep::Glued
        } else {
            return None;
        };
    }
    // Whatever follows the last group is the extension.
    let mut ext = None;
    let mut j = i;
    while matches!(b.get(j), Some(b' ' | b',')) {
        j += 1;
    }
    if j < b.len() && b.last().is_some_and(u8::is_ascii_digit) {
        ext = Some((base + j, base + b.len()));
    }
    Some(Run {
        start: base,
        plus,
        groups,
        ext,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Shape<'a> = (bool, Vec<(usize, bool, Sep)>, Option<&'a str>);

    fn shape(s: &str) -> Shape<'_> {
        let r = parse(s, 0).unwrap();
        (
            r.plus,
            r.groups.iter().map(|g| (g.len, g.paren, g.sep)).collect(),
            r.ext.map(|(a, b)| &s[a..b]),
        )
    }

    #[test]
    fn parses_phone_shapes() {
        assert_eq!(
            shape("+1 (415) 555-0132 x204"),
            (
                true,
                vec![
                    (1, false, Sep::Start),
                    (3, true, Sep::Space),
                    (3, false, Sep::Space),
                    (4, false, Sep::Dash)
                ],
                Some("x204")
            )
        );
        assert_eq!(
            shape("+33 (0)1 36"),
            (
                true,
                vec![
                    (2, false, Sep::Start),
                    (1, true, Sep::Space),
                    (1, false, Sep::Glued),
                    (2, false, Sep::Space)
                ],
                None
            )
        );
        assert_eq!(
            shape("5206 0805\n1008-\n4810, ext. 12").1,
            vec![
                (4, false, Sep::Start),
                (4, false, Sep::Space),
                (4, false, Sep::Newline),
                (4, false, Sep::Newline)
            ]
        );
        assert_eq!(shape("5206 0805, ext. 12").2, Some("ext. 12"));
        assert_eq!(shape("020\u{a0}7946").1[1].2, Sep::Space);
    }
}
