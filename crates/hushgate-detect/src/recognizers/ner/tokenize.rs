//! A word tokenizer for gazetteer lookups: one pass, byte offsets, no
//! allocation per token.
//!
//! Words are runs of letters, digits and `_`, with inner apostrophes and
//! hyphens (`O'Brien`, `García-López`) and JSON `\uXXXX` escapes of letters
//! (`Ren\u00e9e`) kept inside. A trailing possessive `'s` is left out of the
//! word and flagged. Han, Hangul and Kana runs are separate words, since those
//! scripts do not put spaces between words.

/// Letter case of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `charles`
    Lower,
    /// `Charles`, `McDonald`, `O'Brien`, `García-López`
    Title,
    /// `CHARLES`, or one upper-case letter
    Upper,
    /// `iPhone`, `eBay`
    Mixed,
    /// No cased letters (CJK, Arabic, digits only)
    Uncased,
}

/// The word has a digit.
pub const DIGIT: u8 = 1;
/// The word has `_`.
pub const UNDERSCORE: u8 = 2;
/// The word has a JSON `\uXXXX` escape inside.
pub const ESCAPE: u8 = 4;
/// A possessive `'s` follows the word (not included in it).
pub const POSSESSIVE: u8 = 8;
/// The word is a run of Han characters.
pub const HAN: u8 = 16;
/// The word is a run of Hangul syllables.
pub const HANGUL: u8 = 32;
/// The word is a run of Kana.
pub const KANA: u8 = 64;
/// The word has a hyphen or apostrophe inside.
pub const JOINED: u8 = 128;

/// One word of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
    pub flags: u8,
}

impl Token {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    pub fn as_str<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Other,
    Han,
    Hangul,
    Kana,
}

fn script(c: char) -> Script {
    match c as u32 {
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF => Script::Han,
        0xAC00..=0xD7A3 => Script::Hangul,
        0x3041..=0x30FF => Script::Kana,
        _ => Script::Other,
    }
}

/// Combining marks and joiners that belong inside a word.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A
        | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x0900..=0x0903
        | 0x093A..=0x094F | 0x0E31..=0x0E3A | 0x0E47..=0x0E4E | 0x200C | 0x200D
        | 0x3099 | 0x309A)
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        c.is_alphanumeric() || is_mark(c)
    }
}

/// Decodes a JSON `\uXXXX` escape at the start of `s`.
pub fn json_escape(s: &[u8]) -> Option<char> {
    if s.len() < 6 || s[0] != b'\\' || s[1] != b'u' {
        return None;
    }
    let mut v = 0u32;
    for &b in &s[2..6] {
        v = v * 16 + (b as char).to_digit(16)?;
    }
    char::from_u32(v)
}

/// Appends the words of `text` to `out` (cleared first).
pub fn tokenize(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Fast skip of ASCII non-word bytes.
        if b < 0x80 && !(b.is_ascii_alphanumeric() || b == b'_') {
            if b == b'\\' && bytes.get(i + 1) == Some(&b'u') {
                if json_escape(&bytes[i..]).is_some_and(char::is_alphabetic) {
                    i = word(text, i, out);
                    continue;
                }
                i += 6.min(bytes.len() - i);
                continue;
            }
            if b == b'\\' {
                // `\n`, `\t`, `\"`: the escaped byte is not part of a word.
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
            i += 1;
            continue;
        };
        if is_word_char(c) {
            i = word(text, i, out);
        } else {
            i += c.len_utf8();
        }
    }
}

/// Reads one word starting at `start`; returns the offset after it.
fn word(text: &str, start: usize, out: &mut Vec<Token>) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut flags = 0u8;
    let (mut upper, mut lower, mut first_upper, mut n) = (0usize, 0usize, false, 0usize);
    let mut run_script: Option<Script> = None;
    let mut end = start;
    let mut resume = None;
    while i < bytes.len() {
        // Fast path: a run of ASCII letters and digits.
        if matches!(run_script, None | Some(Script::Other)) && bytes[i].is_ascii_alphanumeric() {
            run_script = Some(Script::Other);
            while i < bytes.len() {
                let b = bytes[i];
                if b.is_ascii_lowercase() {
                    lower += 1;
                } else if b.is_ascii_uppercase() {
                    upper += 1;
                    if n == 0 {
                        first_upper = true;
                    }
                } else if b.is_ascii_digit() {
                    flags |= DIGIT;
                } else {
                    break;
                }
                n += 1;
                i += 1;
            }
            end = i;
            continue;
        }
        let (c, len, escaped) = if bytes[i] == b'\\' {
            match json_escape(&bytes[i..]) {
                Some(c) if c.is_alphabetic() => (c, 6, true),
                _ => break,
            }
        } else if bytes[i] < 0x80 {
            (bytes[i] as char, 1, false)
        } else {
            match text.get(i..).and_then(|s| s.chars().next()) {
                Some(c) => (c, c.len_utf8(), false),
                None => break,
            }
        };
        if !escaped && !is_word_char(c) {
            // Inner apostrophe or hyphen between word characters.
            let joiner = matches!(c, '\'' | '\u{2019}' | '-' | '\u{2010}');
            if joiner && n > 0 {
                let next = text.get(i + len..).and_then(|s| s.chars().next());
                if let Some(nc) = next.filter(|&nc| is_word_char(nc) && script(nc) == Script::Other)
                {
                    let apostrophe = c != '-' && c != '\u{2010}';
                    // Possessive: `'s` then a non-word character.
                    if apostrophe && (nc == 's' || nc == 'S') {
                        let after = text.get(i + len + 1..).and_then(|s| s.chars().next());
                        if after.is_none_or(|a| !is_word_char(a)) {
                            flags |= POSSESSIVE;
                            resume = Some(i + len + 1);
                            break;
                        }
                    }
                    flags |= JOINED;
                    i += len;
                    continue;
                }
            }
            break;
        }
        let s = script(c);
        match run_script {
            None => run_script = Some(s),
            Some(r) if r != s => break,
            _ => {}
        }
        if escaped {
            flags |= ESCAPE;
        }
        if c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric()) {
            flags |= DIGIT;
        } else if c == '_' {
            flags |= UNDERSCORE;
        } else if c.is_uppercase() {
            upper += 1;
            if n == 0 {
                first_upper = true;
            }
        } else if c.is_lowercase() {
            lower += 1;
        }
        n += 1;
        i += len;
        end = i;
    }
    if end == start {
        // Not a word after all (a lone escape); step over one char.
        return start
            + text
                .get(start..)
                .and_then(|s| s.chars().next())
                .map_or(1, char::len_utf8);
    }
    match run_script {
        Some(Script::Han) => flags |= HAN,
        Some(Script::Hangul) => flags |= HANGUL,
        Some(Script::Kana) => flags |= KANA,
        _ => {}
    }
    let shape = if upper == 0 && lower == 0 {
        Shape::Uncased
    } else if upper == 0 {
        Shape::Lower
    } else if lower == 0 {
        Shape::Upper
    } else if first_upper {
        Shape::Title
    } else {
        Shape::Mixed
    };
    out.push(Token {
        start,
        end,
        shape,
        flags,
    });
    // Resume after the word and any possessive 's.
    resume.unwrap_or(i.max(end))
}

/// Writes the lower-case form of `s` into `buf`, decoding JSON escapes and
/// mapping `’` to `'`. Returns `None` when it does not fit.
pub fn lower_into<'b>(s: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let bytes = s.as_bytes();
    let mut n = 0;
    if s.is_ascii() && !s.contains('\\') {
        if bytes.len() > buf.len() {
            return None;
        }
        for (d, &b) in buf.iter_mut().zip(bytes) {
            *d = b.to_ascii_lowercase();
        }
        return std::str::from_utf8(&buf[..bytes.len()]).ok();
    }
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = if bytes[i] == b'\\' {
            match json_escape(&bytes[i..]) {
                Some(c) => (c, 6),
                None => (char::from(bytes[i]), 1),
            }
        } else {
            match s.get(i..).and_then(|t| t.chars().next()) {
                Some(c) => (c, c.len_utf8()),
                None => return None,
            }
        };
        i += len;
        let c = if c == '\u{2019}' { '\'' } else { c };
        for lc in c.to_lowercase() {
            let l = lc.len_utf8();
            if n + l > buf.len() {
                return None;
            }
            lc.encode_utf8(&mut buf[n..n + l]);
            n += l;
        }
    }
    std::str::from_utf8(&buf[..n]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(&str, Shape, u8)> {
        let mut v = Vec::new();
        tokenize(text, &mut v);
        v.iter()
            .map(|t| (t.as_str(text), t.shape, t.flags))
            .collect()
    }

    #[test]
    fn splits_words_and_keeps_joiners() {
        let w = words("Dr. O'Brien met García-López's son, ZHU and x_y2.");
        let s: Vec<&str> = w.iter().map(|x| x.0).collect();
        assert_eq!(
            s,
            [
                "Dr",
                "O'Brien",
                "met",
                "García-López",
                "son",
                "ZHU",
                "and",
                "x_y2"
            ]
        );
        assert_eq!(w[1].1, Shape::Title);
        assert!(w[3].2 & POSSESSIVE != 0);
        assert_eq!(w[5].1, Shape::Upper);
        assert!(w[7].2 & DIGIT != 0 && w[7].2 & UNDERSCORE != 0);
    }

    #[test]
    fn json_escapes_and_scripts() {
        let w = words(r#"{"n":"Ren\u00e9e Zhu\nRegards"} 王伟さん"#);
        let s: Vec<&str> = w.iter().map(|x| x.0).collect();
        assert_eq!(s, ["n", r"Ren\u00e9e", "Zhu", "Regards", "王伟", "さん"]);
        let mut buf = [0u8; 64];
        assert_eq!(lower_into(w[1].0, &mut buf), Some("renée"));
        assert!(w[4].2 & HAN != 0);
    }
}
