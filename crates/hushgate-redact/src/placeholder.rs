//! Placeholders: `[PERSON_1]`, `[EMAIL_ADDRESS_2]`, `[PROJECT_CODE_1]`.
//!
//! The canonical form is the Presidio type name and a number from 1, joined
//! by `_`, in square brackets: ASCII, no spaces, nothing a tokenizer or a
//! model is tempted to rewrite. Models still take liberties, so restoration also accepts
//! `[Person_1]` (any case inside brackets) and `PERSON_1` without brackets when
//! that exact name is in the vault and stands alone as a word.

use std::fmt;

use hushgate_types::EntityType;

/// Most digits a placeholder number may have (`u32` holds 9 without overflow).
pub const MAX_NUMBER_DIGITS: usize = 9;

/// A parsed placeholder: an entity type and its number within one vault.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Placeholder {
    pub entity_type: EntityType,
    pub number: u32,
}

impl Placeholder {
    pub fn new(entity_type: EntityType, number: u32) -> Placeholder {
        Placeholder {
            entity_type,
            number,
        }
    }

    /// Parses `[PERSON_1]`, `[person_1]` or `PERSON_1` (a whole string).
    ///
    /// ```
    /// use hushgate_redact::Placeholder;
    /// let p = Placeholder::parse("[Email_Address_12]").unwrap();
    /// assert_eq!(p.to_string(), "[EMAIL_ADDRESS_12]");
    /// assert!(Placeholder::parse("[PERSON]").is_none());
    /// ```
    pub fn parse(s: &str) -> Option<Placeholder> {
        let inner = match s.strip_prefix('[') {
            Some(rest) => rest.strip_suffix(']')?,
            None => s,
        };
        let (name, number) = split_name(inner.as_bytes())?;
        let name = std::str::from_utf8(name).ok()?.to_ascii_uppercase();
        let entity_type = name.parse().ok()?;
        Some(Placeholder::new(entity_type, number))
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}_{}]", self.entity_type.as_str(), self.number)
    }
}

/// ASCII letters, digits and `_`: the bytes a placeholder name is made of.
pub(crate) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// [`split_name`] for a run already known to be name bytes whose last `_`
/// is at `underscore` (the scanner finds both in one pass).
pub(crate) fn split_name_at(run: &[u8], underscore: usize) -> Option<(&[u8], u32)> {
    let name = run.get(..underscore)?;
    let digits = run.get(underscore + 1..)?;
    if !name.first().is_some_and(u8::is_ascii_alphabetic)
        || digits.is_empty()
        || digits.len() > MAX_NUMBER_DIGITS
    {
        return None;
    }
    let mut number = 0u32;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        number = number * 10 + u32::from(d - b'0');
    }
    (number > 0).then_some((name, number))
}

/// Splits `TYPE_N` into (`TYPE`, N): a non-empty type made of name bytes, then
/// `_`, then 1 to 9 digits. Leading zeros are accepted (`PERSON_01` is 1).
pub(crate) fn split_name(run: &[u8]) -> Option<(&[u8], u32)> {
    let us = run.iter().rposition(|&b| b == b'_')?;
    let (name, digits) = (&run[..us], &run[us + 1..]);
    if name.is_empty()
        || digits.is_empty()
        || digits.len() > MAX_NUMBER_DIGITS
        || !digits.iter().all(u8::is_ascii_digit)
        || !name.iter().all(|&b| is_name_byte(b))
        || !name[0].is_ascii_alphabetic()
    {
        return None;
    }
    let number = digits
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    (number > 0).then_some((name, number))
}

/// Every `NAME_N` that could stand alone in `text` once neighbouring
/// findings are replaced: for each `_` followed by digits, the name bytes
/// before it (upper-cased; any suffix of them may become a word) and every
/// number its digit prefixes spell. Redaction reserves them so a placeholder
/// it allocates never equals text that was already there.
pub(crate) fn literal_candidates(text: &str) -> Vec<(String, u32)> {
    const MAX_TYPE: usize = 64;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'_') {
        let us = i + off;
        i = us + 1;
        if !bytes.get(us + 1).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let mut start = us;
        while start > 0 && us - start < MAX_TYPE && is_name_byte(bytes[start - 1]) {
            start -= 1;
        }
        if start == us {
            continue;
        }
        let run = String::from_utf8_lossy(&bytes[start..us]).to_ascii_uppercase();
        let mut number = 0u32;
        for &d in bytes[us + 1..]
            .iter()
            .take(MAX_NUMBER_DIGITS)
            .take_while(|b| b.is_ascii_digit())
        {
            number = number * 10 + u32::from(d - b'0');
            if number > 0 {
                out.push((run.clone(), number));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_name_at_agrees_with_split_name() {
        let runs = [
            "PERSON_1",
            "person_01",
            "EMAIL_ADDRESS_12",
            "A_1",
            "_1",
            "1A_1",
            "PERSON_",
            "PERSON_0",
            "PERSON_1234567890",
            "PERSON_123456789",
            "PERSON_1a",
            "P_1_2",
            "P__1",
            "PERSON_1_",
            "X9_4",
        ];
        for run in runs {
            let b = run.as_bytes();
            let at = b.iter().rposition(|&c| c == b'_');
            let fused = at.and_then(|u| split_name_at(b, u));
            assert_eq!(fused, split_name(b), "{run}");
        }
    }

    #[test]
    fn parse_accepts_tolerated_forms() {
        for s in ["[PERSON_1]", "[Person_1]", "[person_01]", "PERSON_1"] {
            let p = Placeholder::parse(s).unwrap();
            assert_eq!(p, Placeholder::new(EntityType::Person, 1), "{s}");
        }
        let p = Placeholder::parse("[PROJECT_CODE_3]").unwrap();
        assert_eq!(p.entity_type.as_str(), "PROJECT_CODE");
        assert_eq!(p.number, 3);
        for s in [
            "[PERSON_0]",
            "[PERSON_]",
            "[_1]",
            "[PERSON_1",
            "[1_1]",
            "PERSON_1234567890",
        ] {
            assert!(Placeholder::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn literal_candidates_cover_what_redaction_could_isolate() {
        let c = literal_candidates("see [Person_2] and x0199EMAIL_ADDRESS_71, not x_y or _3");
        assert_eq!(
            c,
            [
                ("PERSON".to_owned(), 2),
                ("X0199EMAIL_ADDRESS".to_owned(), 7),
                ("X0199EMAIL_ADDRESS".to_owned(), 71)
            ]
        );
    }
}
