//! One tokenizing pass shared by the place and organisation recognizers.
//!
//! Words are runs of letters and digits, with inner apostrophes and hyphens
//! (`Queen's`, `Aix-en-Provence`, `12-14`); every other non-space character is
//! a punctuation token of its own. JSON escapes (`\n`, `\"`, `\/`) count as
//! whitespace so `"St.\nMadison"` splits like a real line break, and `\u00e9`
//! counts as a letter inside a word.

/// Token kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Only ASCII digits.
    Num,
    /// Letters, possibly with digits (`4B`, `3º`).
    Word,
    /// One punctuation character.
    Punct,
}

/// First letter upper-case.
pub(crate) const CAP: u8 = 1;
/// Every letter upper-case (and at least two of them).
pub(crate) const UPPER: u8 = 2;
/// Contains a digit.
pub(crate) const DIGIT: u8 = 4;
/// First character lower-case.
pub(crate) const LOWER: u8 = 8;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub flags: u8,
    /// A line break (real or JSON-escaped) lies between this token and the previous one.
    pub nl: bool,
    /// Whitespace bytes between this token and the previous one (capped).
    pub gap: u8,
}

impl Tok {
    pub fn is(&self, f: u8) -> bool {
        self.flags & f != 0
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    /// A word starting with a capital (or all caps).
    pub fn cap(&self) -> bool {
        self.kind == Kind::Word && self.flags & (CAP | UPPER) != 0
    }
}

fn is_escape_ws(b: u8) -> Option<bool> {
    match b {
        b'n' | b'r' => Some(true),
        b't' | b'"' | b'/' | b'\\' => Some(false),
        _ => None,
    }
}

fn hex4(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[..4].iter().all(u8::is_ascii_hexdigit)
}

/// Splits `text` into tokens, appending to `out` (cleared first).
pub(crate) fn tokenize(text: &str, out: &mut Vec<Tok>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut nl = false;
    let mut gap: u8 = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Whitespace (ASCII, NBSP and other Unicode spaces).
        if b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' || b == 0x0b || b == 0x0c {
            nl |= b == b'\n' || b == b'\r';
            gap = gap.saturating_add(1);
            i += 1;
            continue;
        }
        if b == b'\\'
            && i + 1 < bytes.len()
            && let Some(is_nl) = is_escape_ws(bytes[i + 1])
        {
            nl |= is_nl;
            gap = gap.saturating_add(2);
            i += 2;
            continue;
        }
        let ch = match text.get(i..).and_then(|s| s.chars().next()) {
            Some(c) => c,
            None => break,
        };
        if ch.is_whitespace() {
            nl |= ch == '\u{2028}' || ch == '\u{2029}' || ch == '\u{85}';
            gap = gap.saturating_add(1);
            i += ch.len_utf8();
            continue;
        }
        if ch.is_alphanumeric()
            || (b == b'\\'
                && bytes.get(i + 1) == Some(&b'u')
                && hex4(&bytes[(i + 2).min(bytes.len())..]))
        {
            let start = i;
            let mut flags = 0u8;
            let mut letters = 0usize;
            let mut uppers = 0usize;
            let mut all_digits = true;
            let mut first = true;
            loop {
                // ASCII fast path: letters and digits without decoding.
                if let Some(&a) = bytes.get(i)
                    && a.is_ascii_alphanumeric()
                {
                    if a.is_ascii_digit() {
                        flags |= DIGIT;
                    } else {
                        all_digits = false;
                        letters += 1;
                        if a.is_ascii_uppercase() {
                            uppers += 1;
                            if first {
                                flags |= CAP;
                            }
                        } else if first {
                            flags |= LOWER;
                        }
                    }
                    first = false;
                    i += 1;
                    continue;
                }
                let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
                    break;
                };
                if c.is_alphanumeric() {
                    if c.is_ascii_digit() {
                        flags |= DIGIT;
                    } else {
                        all_digits = false;
                        if c.is_alphabetic() {
                            letters += 1;
                            if c.is_uppercase() {
                                uppers += 1;
                                if first {
                                    flags |= CAP;
                                }
                            } else if first && c.is_lowercase() {
                                flags |= LOWER;
                            }
                        }
                    }
                    first = false;
                    i += c.len_utf8();
                    continue;
                }
                if c == '\\'
                    && bytes.get(i + 1) == Some(&b'u')
                    && hex4(&bytes[(i + 2).min(bytes.len())..])
                {
                    // An escaped letter (`Ren\u00e9e`): a lower-case letter unless first.
                    all_digits = false;
                    letters += 1;
                    if first {
                        flags |= CAP;
                        uppers += 1;
                    }
                    first = false;
                    i += 6;
                    continue;
                }
                // Inner apostrophe or hyphen joins two alphanumeric runs.
                if matches!(c, '\'' | '’' | '-' | '‐') {
                    let next = i + c.len_utf8();
                    if text
                        .get(next..)
                        .and_then(|s| s.chars().next())
                        .is_some_and(char::is_alphanumeric)
                    {
                        all_digits = false;
                        i = next;
                        continue;
                    }
                }
                break;
            }
            if letters >= 2 && uppers == letters {
                flags |= UPPER;
            }
            let kind = if all_digits { Kind::Num } else { Kind::Word };
            out.push(Tok {
                start,
                end: i,
                kind,
                flags,
                nl,
                gap,
            });
        } else {
            out.push(Tok {
                start: i,
                end: i + ch.len_utf8(),
                kind: Kind::Punct,
                flags: 0,
                nl,
                gap,
            });
            i += ch.len_utf8();
        }
        nl = false;
        gap = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokenize(text, &mut v);
        v.iter().map(|t| text[t.start..t.end].to_owned()).collect()
    }

    #[test]
    fn words_punct_and_escapes() {
        assert_eq!(
            toks("12 Rue de l'Église, Aix-en-Provence"),
            ["12", "Rue", "de", "l'Église", ",", "Aix-en-Provence"]
        );
        assert_eq!(
            toks(r#""St.\nMadison, WI""#),
            ["\"", "St", ".", "Madison", ",", "WI", "\""]
        );
        assert_eq!(
            toks("Ren\\u00e9e 2.º izq."),
            ["Ren\\u00e9e", "2", ".", "º", "izq", "."]
        );
        let mut v = Vec::new();
        tokenize("a\nB  c", &mut v);
        assert!(v[1].nl && !v[2].nl && v[2].gap == 2);
        assert!(v[1].is(CAP));
    }
}
