//! Phone numbers: NANP by its numbering-plan rules, everything else through
//! libphonenumber's metadata (the `phonenumber` crate).
//!
//! NANP numbers are checked structurally (area code `[2-9][0-8]X`, exchange
//! `[2-9]XX`) rather than with `phonenumber::is_valid`: that rejects every
//! unassigned area code, and a number written like a phone is worth hiding
//! whether or not its area code is in service. The crate is used for `+CC`
//! numbers outside NANP and for national formats of the configured regions,
//! and only after the cheap shape checks below passed.
//!
//! The crate's whole database takes ~65 ms to load and ~50 µs a parse (its
//! regex cache of 100 entries thrashes across 250 regions), so the default
//! regions (GB, DE, FR, ES) come from a vendored subset of the same metadata
//! (~5 ms, ~2 µs a parse); other regions and country codes fall back to the
//! whole database, loaded on first use.

use std::sync::OnceLock;

use phonenumber::country::Id;
use phonenumber::metadata::{DATABASE, Database};

/// libphonenumber metadata of the default non-NANP regions.
const SUBSET_XML: &str = include_str!("phone_metadata.xml");
/// The regions in [`SUBSET_XML`] with their country calling codes.
const SUBSET: &[(Id, u16)] = &[(Id::DE, 49), (Id::ES, 34), (Id::FR, 33), (Id::GB, 44)];

fn subset_db() -> Option<&'static Database> {
    static DB: OnceLock<Option<Database>> = OnceLock::new();
    DB.get_or_init(|| Database::parse(SUBSET_XML).ok()).as_ref()
}

/// The smallest database that knows `region`.
fn db_for_region(region: Id) -> &'static Database {
    match SUBSET.iter().any(|&(id, _)| id == region) {
        true => subset_db().unwrap_or_else(|| &DATABASE),
        false => &DATABASE,
    }
}

/// The smallest database that knows the country code `digits` start with.
fn db_for_digits(digits: &[u8]) -> &'static Database {
    let known = SUBSET.iter().any(|&(_, cc)| {
        let cc = cc.to_string();
        digits.starts_with(cc.as_bytes())
    });
    match known {
        true => subset_db().unwrap_or_else(|| &DATABASE),
        false => &DATABASE,
    }
}

use super::run::{Digits, Group, Sep};

/// Phone-number settings derived from `DetectOptions::phone_regions`.
pub(super) struct PhonePlan {
    /// National NANP formats (`(415) 555-0132`) are on (US or CA listed).
    nanp: bool,
    /// Other regions whose national formats are tried, in order.
    regions: Vec<Id>,
}

impl PhonePlan {
    pub(super) fn new(regions: &[String]) -> PhonePlan {
        let mut nanp = false;
        let mut ids = Vec::new();
        for r in regions {
            match r.as_str() {
                "US" | "CA" => nanp = true,
                other => {
                    if let Ok(id) = other.parse::<Id>() {
                        ids.push(id);
                    }
                }
            }
        }
        PhonePlan { nanp, regions: ids }
    }

    /// Whether NANP national formats are on.
    pub(super) fn nanp(&self) -> bool {
        self.nanp
    }

    /// Whether national numbers of other regions may be tried at all.
    pub(super) fn has_regions(&self) -> bool {
        !self.regions.is_empty()
    }
}

/// NANP numbering-plan rules for a ten-digit number.
pub(super) fn nanp_ok(d: &[u8]) -> bool {
    d.len() == 10 && (b'2'..=b'9').contains(&d[0]) && d[1] != b'9' && (b'2'..=b'9').contains(&d[3])
}

/// How a candidate's groups look, for the layout checks.
pub(super) struct Shape<'a> {
    pub(super) groups: &'a [Group],
}

impl Shape<'_> {
    fn lens(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups.iter().map(|g| g.len)
    }

    fn seps(&self) -> impl Iterator<Item = Sep> + '_ {
        self.groups.iter().skip(1).map(|g| g.sep)
    }

    /// Group lengths equal `want`, with no parentheses.
    fn plain(&self, want: &[usize]) -> bool {
        self.groups.len() == want.len()
            && self.lens().eq(want.iter().copied())
            && self.groups.iter().all(|g| !g.paren)
    }

    /// Every separator is the same one, or a line break (wrapped text).
    fn uniform_seps(&self) -> bool {
        let mut first = None;
        self.seps().filter(|s| *s != Sep::Newline).all(|s| {
            let f = *first.get_or_insert(s);
            f == s
        })
    }
}

/// NANP layouts: `415-555-0132`, `415.555.0132`, `415 555 0132`,
/// `(415) 555-0132`, `(415)555-0132`, `(415) 5550132`, each optionally after
/// a `1` trunk prefix; compact only when `compact_ok`.
pub(super) fn nanp_layout(shape: &Shape<'_>, compact_ok: bool) -> bool {
    let g = shape.groups;
    let (rest, lead) = match g.first() {
        Some(f) if !f.paren && f.len == 1 && g.len() > 1 => (&g[1..], true),
        _ => (g, false),
    };
    let lens: Vec<usize> = rest.iter().map(|x| x.len).collect();
    let seps_ok = |s: Sep| matches!(s, Sep::Dash | Sep::Dot | Sep::Space | Sep::Newline);
    let ok = match lens.as_slice() {
        [3, 3, 4] if !rest[0].paren => {
            let (a, b) = (rest[1].sep, rest[2].sep);
            seps_ok(a)
                && seps_ok(b)
                && (a == b
                    || a == Sep::Newline
                    || b == Sep::Newline
                    || (a == Sep::Space && b == Sep::Dash))
        }
        [3, 3, 4] => {
            matches!(rest[1].sep, Sep::Space | Sep::Glued | Sep::Newline)
                && matches!(
                    rest[2].sep,
                    Sep::Dash | Sep::Space | Sep::Dot | Sep::Newline
                )
        }
        [3, 7] => rest[0].paren && matches!(rest[1].sep, Sep::Space | Sep::Glued),
        [10] => compact_ok && !lead,
        _ => false,
    };
    if !ok {
        return false;
    }
    if lead {
        // "1 (415) 555-0132", "1-415-555-0132", "1.415.555.0132"
        matches!(
            rest[0].sep,
            Sep::Space | Sep::Dash | Sep::Dot | Sep::Glued | Sep::Newline
        )
    } else {
        true
    }
}

/// A number written with its country code (`+44 20 7946 0958`,
/// `+1-415-555-0132`, `+4915112345678`).
pub(super) fn international(digits: &Digits, shape: &Shape<'_>) -> bool {
    let d = digits.as_bytes();
    if !(8..=15).contains(&d.len()) {
        return false;
    }
    // Groups longer than 8 digits only in compact E.164 form.
    if shape.groups.len() > 1 && shape.lens().any(|l| l > 8) {
        return false;
    }
    if d[0] == b'1' {
        return d.len() == 11 && nanp_ok(&d[1..]);
    }
    let mut s = String::with_capacity(d.len() + 1);
    s.push('+');
    s.push_str(digits.as_str());
    libphonenumber_ok(db_for_digits(d), None, &s)
}

/// A national number of one of the configured non-NANP regions
/// (`020 7946 0958`, `06 12 34 56 78`, `(089) 3748200`, `676 37 68 09`).
pub(super) fn national(
    plan: &PhonePlan,
    digits: &Digits,
    shape: &Shape<'_>,
    with_context: bool,
) -> bool {
    let d = digits.as_bytes();
    let grouped = shape.groups.len() > 1;
    if !grouped && !with_context {
        return false;
    }
    if !plan.has_regions() || !(9..=13).contains(&d.len()) {
        return false;
    }
    // "00" is the international call prefix, never a national number.
    if d.starts_with(b"00") {
        return false;
    }
    if grouped {
        // Phone groups are 2-8 digits (a lone trunk digit in parentheses
        // aside), separated consistently.
        let first_paren = shape.groups.first().is_some_and(|g| g.paren);
        let bad_group = shape
            .groups
            .iter()
            .enumerate()
            .any(|(i, g)| g.len > 8 || (g.len < 2 && !(i == 0 && first_paren)));
        if bad_group || !shape.uniform_seps() {
            return false;
        }
        // 3-2-4 is the SSN layout; 3-3-3 is also how large amounts are
        // written with space separators ("612 345 678 habitants").
        if shape.lens().eq([3, 2, 4]) || (!with_context && shape.lens().all(|l| l == 3)) {
            return false;
        }
        // Dots only in the French 2-2-2-2-2 style.
        if shape.seps().any(|s| s == Sep::Dot) && !shape.plain(&[2, 2, 2, 2, 2]) {
            return false;
        }
        if shape.seps().any(|s| s == Sep::Slash) && shape.groups.len() != 2 {
            return false;
        }
    }
    let trunk = d[0] == b'0';
    let s = digits.as_str();
    plan.regions.iter().any(|&id| {
        // Regions with a trunk prefix 0 are written with it; Spain, Italy and
        // a few others have none.
        let needs_trunk = !matches!(id, Id::ES | Id::IT | Id::PT | Id::DK | Id::NO | Id::GR);
        if needs_trunk != trunk {
            return false;
        }
        libphonenumber_ok(db_for_region(id), Some(id), s)
    })
}

/// Parses with libphonenumber and accepts the number if it fits the national
/// number pattern of its region (`is_valid` would also demand an allocated
/// range, which rejects Ofcom's drama numbers and new mobile ranges).
fn libphonenumber_ok(db: &Database, region: Option<Id>, s: &str) -> bool {
    let Ok(pn) = phonenumber::parse_with(db, region, s) else {
        return false;
    };
    let code = pn.code().value();
    if region.is_some() && pn.code().source() != phonenumber::country::Source::Default {
        // A national number must not have been read as international.
        return false;
    }
    let nat = pn.national();
    let national = format!("{}{}", "0".repeat(usize::from(nat.zeros())), nat.value());
    if !(4..=14).contains(&national.len()) {
        return false;
    }
    // The metadata patterns are unanchored: demand a whole-string match.
    db.by_code(&code).is_some_and(|metas| {
        metas.iter().any(|m| {
            m.descriptors()
                .general()
                .national_number()
                .find(&national)
                .is_some_and(|f| f.start() == 0 && f.end() == national.len())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vendored subset must read numbers as the crate's database does.
    #[test]
    fn subset_agrees_with_full_database() {
        let sub = subset_db().unwrap();
        for (id, n) in [
            (Some(Id::GB), "02079460958"),
            (Some(Id::GB), "07700900123"),
            (Some(Id::DE), "0893748200"),
            (Some(Id::FR), "0612345678"),
            (Some(Id::ES), "676376809"),
            (None, "+442079460958"),
            (None, "+4915112345678"),
            (None, "+33136337927"),
            (None, "+34933913307"),
            (Some(Id::GB), "0020652879"),
            (Some(Id::DE), "12345"),
        ] {
            assert_eq!(
                libphonenumber_ok(sub, id, n),
                libphonenumber_ok(&DATABASE, id, n),
                "{id:?} {n}"
            );
        }
        assert!(libphonenumber_ok(sub, Some(Id::GB), "02079460958"));
    }
}
