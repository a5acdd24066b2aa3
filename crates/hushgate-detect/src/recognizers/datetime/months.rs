//! Month names in the languages the engine reads, with what each spelling
//! tells us (month number, whether it is English, whether it is also an
//! everyday word).

/// The spelling is (also) English, so "May 5" month-first reads as a date.
pub(super) const EN: u8 = 1;
/// The spelling is also a common word or given name ("may", "mar" = sea,
/// "Jan", French "sept" = seven, Dutch "mei"): without a year it needs a
/// capital letter to count as a month ("we march 10 miles").
pub(super) const AMBIGUOUS: u8 = 2;
/// Never a month without a year next to it.
pub(super) const NEEDS_YEAR: u8 = 4;

/// (lowercase spelling, month 1-12, flags). Abbreviations are listed without
/// their trailing dot.
pub(super) const MONTHS: &[(&str, u8, u8)] = &[
    // English
    ("january", 1, EN),
    ("february", 2, EN),
    ("march", 3, EN | AMBIGUOUS),
    ("april", 4, EN),
    ("may", 5, EN | AMBIGUOUS),
    ("june", 6, EN),
    ("july", 7, EN),
    ("august", 8, EN),
    ("september", 9, EN),
    ("october", 10, EN),
    ("november", 11, EN),
    ("december", 12, EN),
    ("jan", 1, EN | AMBIGUOUS),
    ("feb", 2, EN),
    ("mar", 3, EN | AMBIGUOUS),
    ("apr", 4, EN),
    ("jun", 6, EN),
    ("jul", 7, EN),
    ("aug", 8, EN),
    ("sep", 9, EN),
    ("sept", 9, EN | AMBIGUOUS),
    ("oct", 10, EN),
    ("nov", 11, EN),
    ("dec", 12, EN),
    // German
    ("januar", 1, 0),
    ("jänner", 1, 0),
    ("februar", 2, 0),
    ("märz", 3, 0),
    ("maerz", 3, 0),
    ("mai", 5, 0),
    ("juni", 6, 0),
    ("juli", 7, 0),
    ("oktober", 10, 0),
    ("dezember", 12, 0),
    ("jän", 1, 0),
    ("mär", 3, 0),
    ("okt", 10, 0),
    ("dez", 12, 0),
    // French
    ("janvier", 1, 0),
    ("février", 2, 0),
    ("fevrier", 2, 0),
    ("mars", 3, 0),
    ("avril", 4, 0),
    ("juin", 6, 0),
    ("juillet", 7, 0),
    ("août", 8, 0),
    ("aout", 8, 0),
    ("septembre", 9, 0),
    ("octobre", 10, 0),
    ("novembre", 11, 0),
    ("décembre", 12, 0),
    ("decembre", 12, 0),
    ("janv", 1, 0),
    ("févr", 2, 0),
    ("fevr", 2, 0),
    ("avr", 4, 0),
    ("juil", 7, 0),
    ("déc", 12, 0),
    // Spanish
    ("enero", 1, 0),
    ("febrero", 2, 0),
    ("marzo", 3, 0),
    ("abril", 4, 0),
    ("mayo", 5, 0),
    ("junio", 6, 0),
    ("julio", 7, 0),
    ("agosto", 8, 0),
    ("septiembre", 9, 0),
    ("setiembre", 9, 0),
    ("octubre", 10, 0),
    ("noviembre", 11, 0),
    ("diciembre", 12, 0),
    ("ene", 1, NEEDS_YEAR),
    ("abr", 4, 0),
    ("ago", 8, NEEDS_YEAR),
    ("dic", 12, 0),
    // Italian
    ("gennaio", 1, 0),
    ("febbraio", 2, 0),
    ("aprile", 4, 0),
    ("maggio", 5, 0),
    ("giugno", 6, 0),
    ("luglio", 7, 0),
    ("settembre", 9, 0),
    ("ottobre", 10, 0),
    ("dicembre", 12, 0),
    // Portuguese
    ("janeiro", 1, 0),
    ("fevereiro", 2, 0),
    ("março", 3, 0),
    ("maio", 5, 0),
    ("junho", 6, 0),
    ("julho", 7, 0),
    ("setembro", 9, 0),
    ("outubro", 10, 0),
    ("dezembro", 12, 0),
    // Dutch
    ("januari", 1, 0),
    ("februari", 2, 0),
    ("maart", 3, 0),
    ("mei", 5, NEEDS_YEAR),
    ("augustus", 8, 0),
];

/// The month and flags of a spelling (any case, without a trailing dot).
pub(super) fn lookup(word: &str) -> Option<(u8, u8)> {
    let lower = word.to_lowercase();
    MONTHS
        .iter()
        .find(|(name, _, _)| *name == lower)
        .map(|&(_, m, f)| (m, f))
}

/// A case-insensitive alternation of every spelling, longest first.
pub(super) fn alternation() -> String {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.dedup();
    format!("(?i:{})", names.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_unique_and_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for (n, m, _) in MONTHS {
            assert!(seen.insert(*n), "duplicate {n}");
            assert_eq!(n.to_lowercase(), *n);
            assert!((1..=12).contains(m));
        }
        assert_eq!(lookup("MÄRZ"), Some((3, 0)));
        assert_eq!(lookup("Sept"), Some((9, EN | AMBIGUOUS)));
        assert_eq!(lookup("xyz"), None);
    }
}
