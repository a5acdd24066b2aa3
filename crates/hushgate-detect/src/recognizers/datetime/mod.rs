//! DATE_TIME: dates and clock times about a person or an event, as people
//! write them (`2022-03-13`, `3/22/23`, `14.03.2023`, `May 2, 1979`,
//! `14. März 2023`, `5 de marzo de 2023`, `7:45 AM`, `11h30`), plus compact
//! `19680624` where the field says it is a date (HL7 PID, "DOB").
//!
//! Machine timestamps are left alone: a date glued to a clock with seconds
//! (`2024-03-14T09:21:33Z`, `2024-03-14 09:21:33,123`, syslog and git
//! `Mar 14 09:21:33`, nginx `14/Mar/2024:09:21:33`), HL7 MSH/EVN times and
//! anything that continues into a longer dotted or dashed run (versions, IPs,
//! phone numbers). A date followed by a time gives two findings, as labelled.
//!
//! The patterns are tight shapes (day 1-31, month 1-12, years 19xx/20xx)
//! because at an equal start this recognizer outranks the digit-id ones;
//! everything else (days per month, surroundings) is checked in code.

mod months;

use std::sync::Arc;

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};
use crate::text::{floor_char_boundary, segment_start_within};

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    vec![Arc::new(DateTime)]
}

const NAME: &str = "datetime";

/// How far back from an HL7 date its segment name is looked for.
const HL7_WINDOW: usize = 2048;

// Pattern tags.
const YMD: u16 = 0;
const DMY4: u16 = 1;
const DMY2: u16 = 2;
const HL7: u16 = 3;
const DOB8: u16 = 4;
const MONTH_FIRST: u16 = 5;
const DAY_FIRST: u16 = 6;
const TIME: u16 = 7;

// Regex building blocks. `(?-u:\b)` keeps the DFA usable on non-ASCII text.
const B: &str = r"(?-u:\b)";
const SP: &str = r"[ \t\x{a0}]";
const DAY: &str = r"(?:3[01]|[12][0-9]|0?[1-9])";
const MON: &str = r"(?:1[0-2]|0?[1-9])";
const YEAR4: &str = r"(?:19|20)[0-9]{2}";
const COMPACT: &str = r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])";

/// Scores: unambiguous shapes are near-certain; two-digit years and bare
/// day-month less so; a DOB word next to any date makes it certain.
const SCORE_STRONG: f32 = 0.85;
const SCORE_NAMED: f32 = 0.9;
const SCORE_MONTH_YEAR: f32 = 0.7;
const SCORE_NO_YEAR: f32 = 0.6;
const SCORE_DOB: f32 = 0.95;
const SCORE_WEAK: f32 = 0.3;
const SCORE_WEAK_CONTEXT: f32 = 0.75;

/// Words that say the next date is a date of birth.
const DOB_WORDS: &[&str] = &[
    "dob",
    "d.o.b",
    "date of birth",
    "birth date",
    "birthdate",
    "birthday",
    "born",
    "geboren",
    "geb",
    "geburtsdatum",
    "né",
    "née",
    "naissance",
    "nacimiento",
    "nacido",
    "nacida",
];

/// Words that make a weak shape (`14.03.23`) read as a date.
const DATE_WORDS: &[&str] = &[
    "date",
    "dated",
    "datum",
    "fecha",
    "on",
    "am",
    "vom",
    "seit",
    "ab",
    "bis",
    "den",
    "le",
    "du",
    "el",
    "del",
    "since",
    "until",
    "due",
    "fällig",
    "termin",
    "appointment",
    "admitted",
    "discharged",
    "seen",
    "visit",
    "aufnahme",
    "entlassung",
    "geb",
    "dob",
    "born",
    "geboren",
];

/// Words that make a dotted run a version number, not a date.
const VERSION_WORDS: &[&str] = &[
    "version", "ver", "v", "build", "release", "sdk", "bump", "bumped", "upgrade", "upgraded",
    "update", "updated", "firmware", "patch", "tag", "from", "to",
];

/// Words before `n:nn` that make it a ratio or a verse, not a clock.
const NOT_CLOCK_WORDS: &[&str] = &[
    "ratio", "scale", "aspect", "maßstab", "échelle", "escala", "verse", "odds",
];

/// Units after `n:nn` that make it a duration or a pace.
const DURATION_UNITS: &[&str] = &[
    "min", "mins", "minute", "minutes", "minuten", "hrs", "hours", "stunden", "km", "mi", "mile",
    "pace",
];

/// Words after a day and month without a year that make it a street name.
const STREET_WORDS: &[&str] = &[
    "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "way", "place",
    "square", "straße", "strasse", "str", "platz", "rue", "avenida", "calle", "plaza",
];

struct DateTime;

impl PatternRecognizer for DateTime {
    fn name(&self) -> &'static str {
        NAME
    }

    fn patterns(&self) -> Vec<Pattern> {
        let month = months::alternation();
        let ampm = r"(?i:[ap]m(?-u:\b)|[ap]\.m\.)";
        let h24 = r"(?:[01]?[0-9]|2[0-3])";
        let h12 = r"(?:1[0-2]|0?[1-9])";
        let min = r"[0-5][0-9]";
        vec![
            // 2022-03-13, 2022/03/13, 2022.03.13
            Pattern::new(
                YMD,
                format!(r"{B}{YEAR4}(?:-{MON}-{DAY}|/{MON}/{DAY}|\.{MON}\.{DAY})"),
            ),
            // 3/22/2023, 14.03.2023, 14-03-2023 (day/month order settled in code)
            Pattern::new(
                DMY4,
                format!(r"{B}{DAY}(?:/{DAY}/|-{DAY}-|\.{DAY}\.){YEAR4}"),
            ),
            // 3/22/23: the trailing class stands in for "not followed by more
            // digits or another separator and digit", so French phone numbers
            // (01.02.03.04.05) and IPs never match here and stay free for others.
            Pattern::new(
                DMY2,
                format!(
                    r"{B}{DAY}(?:/{DAY}/|-{DAY}-|\.{DAY}\.)[0-9]{{2}}(?:[^0-9./-]|[./-](?:[^0-9]|$)|$)"
                ),
            ),
            // HL7 field: |19680624|
            Pattern::new(HL7, format!(r"\|{COMPACT}[|^]")),
            // DOB 19680624, "dob": "19680624"
            Pattern::new(
                DOB8,
                format!(
                    r"{B}(?i:dob|d\.o\.b|birth(?:date|day)?|born|geb|geboren|geburtsdatum|naissance|nacimiento)[^0-9A-Za-z\r\n]{{1,6}}{COMPACT}"
                ),
            ),
            // May 2, 1979 / Mar. 21 / March 2023 / marzo de 2023
            Pattern::new(
                MONTH_FIRST,
                format!(
                    r"{B}{month}{B}(?:\.?{SP}*,?{SP}+|\.)(?:(?:del?{SP}+)?{YEAR4}|{DAY}(?:st|nd|rd|th)?(?:,?{SP}+{YEAR4}|,{YEAR4})?){B}"
                ),
            ),
            // 2 May 1979 / 14. März 2023 / 5 de marzo de 2023 / 10-Jul-1936 / 2nd of May
            Pattern::new(
                DAY_FIRST,
                format!(
                    r"{B}{DAY}(?:st|nd|rd|th|er|º|°|\.)?(?:{SP}*(?:of|de){SP}+|{SP}+|-|/){month}{B}(?:\.?(?:,?{SP}+(?:del?{SP}+)?{YEAR4}|[-/](?:{YEAR4}|[0-9]{{2}})){B})?"
                ),
            ),
            // 7 AM / 7:45 AM / 16:30 / 11h30 / 16.30 Uhr / 9 Uhr (seconds are matched to be rejected)
            Pattern::new(
                TIME,
                format!(
                    r"{B}(?:{h12}{SP}?{ampm}|{h24}:{min}(?::{min}(?:[.,][0-9]+)?)?(?:{SP}?{ampm}|{SP}*Uhr{B})?|{h24}h(?:{min})?|{h24}(?:\.{min})?{SP}*Uhr{B})"
                ),
            ),
        ]
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        let found = match m.tag {
            YMD | DMY4 | DMY2 => numeric(m),
            HL7 => hl7(m),
            DOB8 => dob_compact(m),
            MONTH_FIRST | DAY_FIRST => named(m),
            TIME => time(m),
            _ => None,
        };
        if let Some((start, end, score)) = found
            && score > 0.0
        {
            out.push(Finding::new(EntityType::DateTime, start, end, score, NAME));
        }
    }
}

/// (start, end, score) of an accepted date or time.
type Found = Option<(usize, usize, f32)>;

fn numeric(m: &Match<'_>) -> Found {
    let s = m.as_str().as_bytes();
    let (a, la, i) = digits(s, 0)?;
    let sep = *s.get(i)?;
    let (b, _, i) = digits(s, i + 1)?;
    let (c, lc, end) = digits(s, i + 1)?;
    let end = m.start + end;
    let valid = if m.tag == YMD {
        la == 4 && valid_ymd(a, b, c)
    } else {
        let year = if lc == 4 { c } else { 2000 + c };
        valid_ymd(year, a, b) || valid_ymd(year, b, a)
    };
    if !valid {
        return None;
    }
    let text = m.text;
    if bad_prev(text, m.start, char::from(sep)) {
        return None;
    }
    let rest = &text[end..];
    let rb = rest.as_bytes();
    match rb.first() {
        Some(c) if c.is_ascii_alphanumeric() => return None,
        Some(&c)
            if (c == sep || c == b'.' || c == b':' || c == b'/')
                && rb.get(1).is_some_and(u8::is_ascii_digit) =>
        {
            return None;
        }
        _ => {}
    }
    if clock_with_seconds(rest) {
        return None;
    }
    let mut score = if m.tag == DMY2 {
        match sep {
            b'/' => 0.6,
            b'-' => 0.5,
            _ => SCORE_WEAK,
        }
    } else {
        SCORE_STRONG
    };
    if sep == b'.' && word_before(text, m.start, 24, VERSION_WORDS) {
        return None;
    }
    if word_before(text, m.start, 40, DOB_WORDS) {
        score = SCORE_DOB;
    } else if score < 0.4 && word_before(text, m.start, 24, DATE_WORDS) {
        score = SCORE_WEAK_CONTEXT;
    }
    Some((m.start, end, score))
}

/// `|YYYYMMDD|` in an HL7 segment other than the message header or event.
fn hl7(m: &Match<'_>) -> Found {
    let start = m.start + 1;
    let end = start + 8;
    // A segment name further back than the window is not looked for.
    let seg = segment_start_within(m.text.as_bytes(), m.start, HL7_WINDOW)
        .and_then(|s| m.text.as_bytes().get(s..s + 3));
    if matches!(seg, Some(b"MSH" | b"EVN")) {
        return None;
    }
    let v = m.text.get(start..end)?;
    compact_valid(v).then_some((start, end, SCORE_STRONG))
}

/// `DOB 19680624`: the match starts at the label; report the digits.
fn dob_compact(m: &Match<'_>) -> Found {
    let end = m.end;
    let start = end.checked_sub(8)?;
    if m.text.as_bytes().get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    compact_valid(m.text.get(start..end)?).then_some((start, end, SCORE_DOB))
}

fn compact_valid(v: &str) -> bool {
    let n = |r: std::ops::Range<usize>| v.get(r).and_then(|x| x.parse::<u32>().ok());
    match (n(0..4), n(4..6), n(6..8)) {
        (Some(y), Some(mo), Some(d)) => valid_ymd(y, mo, d),
        _ => false,
    }
}

/// Dates with a month name, month first or day first.
fn named(m: &Match<'_>) -> Found {
    let s = m.as_str();
    // The month is the first letter run that is a month name ("de", "of",
    // "st" are skipped); digit runs before it are the day, after it the year.
    let mut month = None;
    let mut day = None;
    let mut year = None;
    let mut pos = 0;
    while pos < s.len() {
        let rest = &s[pos..];
        let Some(c) = rest.chars().next() else { break };
        if c.is_ascii_digit() {
            let len = rest.bytes().take_while(u8::is_ascii_digit).count();
            let v: u32 = rest[..len].parse().ok()?;
            match (month.is_some(), m.tag == MONTH_FIRST) {
                // Month first: "March 2023" has a year, "May 2, 1979" a day then a year.
                (true, true) if len == 4 => year = Some(v),
                (true, true) if day.is_none() => day = Some(v),
                (false, false) if day.is_none() => day = Some(v),
                (true, false) => year = Some(if len == 2 { 2000 + v } else { v }),
                _ => return None,
            }
            pos += len;
        } else if c.is_alphabetic() {
            let len: usize = rest
                .chars()
                .take_while(|c| c.is_alphabetic())
                .map(char::len_utf8)
                .sum();
            if month.is_none()
                && let Some((mo, flags)) = months::lookup(&rest[..len])
            {
                month = Some((mo, flags, &rest[..len]));
            }
            pos += len;
        } else {
            pos += c.len_utf8();
        }
    }
    let (mo, flags, word) = month?;
    if year.is_some_and(|y| !(1900..=2100).contains(&y)) {
        return None;
    }
    if day.is_some_and(|d| d == 0 || d > days_in_month(year.unwrap_or(2000), u32::from(mo))) {
        return None;
    }
    let capitalized = word.chars().next().is_some_and(char::is_uppercase);
    if year.is_none() {
        if flags & months::NEEDS_YEAR != 0 || (flags & months::AMBIGUOUS != 0 && !capitalized) {
            return None;
        }
        // "May 5" reads as a date in English; "mayo 5" is rare, and a street
        // like "Plaza de Mayo 5" is not a date.
        if m.tag == MONTH_FIRST && flags & months::EN == 0 {
            return None;
        }
        if followed_by_word(&m.text[m.end..], STREET_WORDS) {
            return None; // "12 May Street"
        }
    }
    let text = m.text;
    if bad_prev(text, m.start, '/') {
        return None;
    }
    let rest = &text[m.end..];
    let rb = rest.as_bytes();
    if rb.first() == Some(&b':') && rb.get(1).is_some_and(u8::is_ascii_digit) {
        return None; // nginx [14/Mar/2024:09:21:33
    }
    if clock_with_seconds(rest) {
        return None; // syslog / git / ctime
    }
    let mut score = match (day, year) {
        (Some(_), Some(_)) => SCORE_NAMED,
        (None, Some(_)) => SCORE_MONTH_YEAR,
        _ => SCORE_NO_YEAR,
    };
    if word_before(text, m.start, 40, DOB_WORDS) {
        score = SCORE_DOB;
    }
    Some((m.start, m.end, score))
}

/// Clock times. Times with seconds are machine output and are dropped.
fn time(m: &Match<'_>) -> Found {
    let s = m.as_str();
    let text = m.text;
    if s.bytes().filter(|&b| b == b':').count() > 1 {
        return None;
    }
    if bad_time_prev(text, m.start) || word_before(text, m.start, 16, NOT_CLOCK_WORDS) {
        return None;
    }
    if followed_by_word(&text[m.end..], DURATION_UNITS) {
        return None; // "5:30 min/km", "1:30 hours"
    }
    let rb = &text.as_bytes()[m.end..];
    match rb.first() {
        Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => return None,
        Some(b':') if rb.get(1).is_some_and(u8::is_ascii_alphanumeric) => return None,
        Some(b'.' | b',') if rb.get(1).is_some_and(u8::is_ascii_digit) => return None,
        _ => {}
    }
    let hour_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let after_hour = s[hour_len..].chars().next();
    let score = match after_hour {
        Some(':') => {
            let has_ampm = s
                .bytes()
                .any(|b| matches!(b.to_ascii_lowercase(), b'a' | b'p'));
            if has_ampm { 0.8 } else { 0.7 }
        }
        Some('h') => {
            // "14h30" is French clock time; a bare "8h" is often a duration,
            // so it needs "à 8h".
            if s.len() == hour_len + 1 && !preceded_by_a(text, m.start) {
                return None;
            }
            0.7
        }
        Some('.') => 0.7,
        _ => {
            // "7 AM". German "um 9 am Montag" is not a time.
            let tail = s[hour_len..].trim_start();
            if tail == "am" {
                let after = text[m.end..].trim_start_matches([' ', '\t']);
                if after.chars().next().is_some_and(char::is_uppercase) {
                    return None;
                }
            }
            SCORE_NO_YEAR
        }
    };
    // "um 15:45 Uhr": the label convention keeps "Uhr" out of the span.
    let end = match s.strip_suffix("Uhr") {
        Some(t) => m.start + t.trim_end().len(),
        None => m.end,
    };
    Some((m.start, end, score))
}

/// Times glued to a longer run: `10.0.0.1:8080`, `::1:30`, a zone offset
/// `+00:00` or `09:21:33-05:00`. A range `10:30-11:00` is fine.
fn bad_time_prev(text: &str, start: usize) -> bool {
    let before = &text[..start];
    match before.chars().next_back() {
        Some(p) if p.is_alphanumeric() || matches!(p, ':' | '.' | '/' | '+') => true,
        Some('-') => {
            let run = before[..before.len() - 1]
                .bytes()
                .rev()
                .take_while(|b| b.is_ascii_digit() || *b == b':')
                .filter(|&b| b == b':')
                .count();
            run > 1
        }
        _ => false,
    }
}

/// Is the next word (after spaces, or glued with `/`) one of `words`?
fn followed_by_word(rest: &str, words: &[&str]) -> bool {
    let r = rest.trim_start_matches([' ', '\t', '\u{a0}']);
    let r = r.strip_prefix('/').unwrap_or(r);
    let word: String = r
        .chars()
        .take_while(|c| c.is_alphabetic())
        .take(12)
        .collect::<String>()
        .to_lowercase();
    !word.is_empty() && words.contains(&word.as_str())
}

fn preceded_by_a(text: &str, start: usize) -> bool {
    let from = floor_char_boundary(text, start.saturating_sub(8));
    let before = text[from..start].trim_end().to_lowercase();
    ["à", "a", "vers", "dès", "des"]
        .iter()
        .any(|w| before.ends_with(w) && word_start_ok(&before, before.len() - w.len()))
}

/// `[T ]HH:MM:SS` (or `:HH:MM:SS`) right after a date: a machine timestamp.
fn clock_with_seconds(rest: &str) -> bool {
    let b = rest.as_bytes();
    let mut i = 0;
    match b.first() {
        Some(b'T' | b':') => i = 1,
        _ => {
            while i < 3 && matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
        }
    }
    let Some((_, lh, j)) = digits(b, i) else {
        return false;
    };
    if lh > 2 || b.get(j) != Some(&b':') {
        return false;
    }
    let Some((_, lm, j)) = digits(b, j + 1) else {
        return false;
    };
    lm == 2 && b.get(j) == Some(&b':') && b.get(j + 1).is_some_and(u8::is_ascii_digit)
}

/// A run of 1-4 ASCII digits at `i`: (value, length, index after it).
fn digits(s: &[u8], i: usize) -> Option<(u32, usize, usize)> {
    let len = s
        .get(i..)?
        .iter()
        .take(5)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if len == 0 || len > 4 {
        return None;
    }
    let v = s[i..i + len]
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    Some((v, len, i + len))
}

fn valid_ymd(y: u32, m: u32, d: u32) -> bool {
    (1900..=2100).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 31,
    }
}

/// A date glued to a longer run (`1.15.03.2023`, `/2023/03/14`, `12:2023-…`)
/// is part of something else; a label glued with a colon (`DOB:…`) is fine.
fn bad_prev(text: &str, start: usize, sep: char) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some(p) if p.is_alphanumeric() || p == '.' || p == sep => true,
        Some(':') => !before.next().is_some_and(char::is_alphabetic),
        _ => false,
    }
}

/// Is one of `words` (lowercase) a whole word ending within `window` bytes
/// before `start`? Local look-behind, so no other recognizer's context
/// words can shadow these.
fn word_before(text: &str, start: usize, window: usize, words: &[&str]) -> bool {
    let from = floor_char_boundary(text, start.saturating_sub(window));
    let Some(before) = text.get(from..start) else {
        return false;
    };
    let before = before.to_lowercase();
    words.iter().any(|w| {
        before.match_indices(w).any(|(i, _)| {
            let j = i + w.len();
            word_start_ok(&before, i)
                && !before[j..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric())
        })
    })
}

fn word_start_ok(s: &str, i: usize) -> bool {
    !s[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    /// An engine with only this recognizer, built once for all tests.
    static ENGINE: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
        Engine::builder()
            .without_builtins()
            .pattern_recognizer(std::sync::Arc::new(super::DateTime))
            .build()
            .unwrap()
    });

    fn dates(text: &str) -> Vec<&str> {
        ENGINE
            .scan(text)
            .into_iter()
            .map(|f| &text[f.start..f.end])
            .collect()
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(dates("seen on 2022-03-13."), ["2022-03-13"]);
        assert_eq!(dates("MRN:1|DOB:11/15/98|PT"), ["11/15/98"]);
        assert_eq!(dates("DOB:December 13, 2004|PT"), ["December 13, 2004"]);
        assert_eq!(dates("DOB 12/01/1966 | MRN"), ["12/01/1966"]);
        assert_eq!(
            dates("on 3/22/2023 and 6/14/23 at"),
            ["3/22/2023", "6/14/23"]
        );
        assert_eq!(dates("am 14.03.2023 fällig"), ["14.03.2023"]);
        assert_eq!(dates("le 13/12/2024 à 8h00"), ["13/12/2024", "8h00"]);
        assert_eq!(dates("vom 14.03.23."), ["14.03.23"]);
        assert_eq!(dates("VALUES (1, '1996-04-23')"), ["1996-04-23"]);
        assert_eq!(dates("Feb 29 2023"), Vec::<&str>::new());
        assert!(dates("31/02/2023 and 2023-13-01").is_empty());
    }

    #[test]
    fn named_dates() {
        assert_eq!(dates("DOB: May 2, 1979; MRN"), ["May 2, 1979"]);
        assert_eq!(
            dates("on 2 May 1979 and Mar 21, 2022"),
            ["2 May 1979", "Mar 21, 2022"]
        );
        assert_eq!(dates("geb. 14. März 2023,"), ["14. März 2023"]);
        assert_eq!(dates("le 3 mars 2023"), ["3 mars 2023"]);
        assert_eq!(dates("el 5 de marzo de 2023"), ["5 de marzo de 2023"]);
        assert_eq!(dates("desde marzo de 2023"), ["marzo de 2023"]);
        assert_eq!(dates("DOB: 10-Jul-1936"), ["10-Jul-1936"]);
        assert_eq!(dates("the 2nd of May, 2021"), ["2nd of May, 2021"]);
        assert!(dates("you may 5 times; 12 Mayfield Road; 4 Marseille").is_empty());
    }

    #[test]
    fn times() {
        assert_eq!(
            dates("Date of service: Mar 21, 2022 7:45 AM"),
            ["Mar 21, 2022", "7:45 AM"]
        );
        assert_eq!(dates("01/09/2023 15:30\n"), ["01/09/2023", "15:30"]);
        assert_eq!(dates("à 11h30 ou 16.30 Uhr"), ["11h30", "16.30"]);
        assert_eq!(dates("um 15:45 Uhr."), ["15:45"]);
        assert!(dates("took 8h, port 10.0.0.1:8080").is_empty());
    }

    #[test]
    fn compact() {
        assert_eq!(
            dates("PID|1||MR1^^^MRN||DOE^JANE||19680624|M|||"),
            ["19680624"]
        );
        assert_eq!(dates("DOB 19680624"), ["19680624"]);
        assert_eq!(dates(r#""dob": "19680624""#), ["19680624"]);
        assert!(dates("MSH|^~\\&|EPIC|X|||20240314092133||ADT^A01|\nid 19680624").is_empty());
    }

    #[test]
    fn machine_and_lookalikes() {
        for t in [
            "2024-03-14T09:21:33Z INFO started",
            "2024-03-14 09:21:33,123 INFO app",
            "10.1.2.3 - - [14/Mar/2024:09:21:33 +0000] \"GET /\"",
            "Mar 14 09:21:33 host sshd[1]: ok",
            "Date:   Thu Mar 14 09:21:33 2024 +0000",
            "version 10.0.19045.3803 and 1.2.3, build 12.7.19",
            "BP 128/82, 1/2 cup, 123-45-6789, 112-4839201-2231945",
            "call 01.02.03.04.05 or 06-12-34-56-78 or 415.555.0132",
            "ip 10.12.20.24 and fe80::f754:61ed, mac 00:1a:2b:3c:4d:5e",
            "ts 1710408093, took 2 weeks, x 2 weeks",
        ] {
            assert!(dates(t).is_empty(), "{t}: {:?}", dates(t));
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[0-9/.:|Th aApPmMyMarzäé\u{a0}\n-]{0,40}") {
            for (a, b) in super::tests::spans(&s) {
                assert!(s.is_char_boundary(a) && s.is_char_boundary(b) && a < b);
            }
        }
    }

    fn spans(text: &str) -> Vec<(usize, usize)> {
        ENGINE
            .scan_all(text)
            .iter()
            .map(|f| (f.start, f.end))
            .collect()
    }
}
