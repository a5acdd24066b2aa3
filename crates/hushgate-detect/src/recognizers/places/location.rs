//! LOCATION: street lines, PO boxes, postcodes and cities.

use hushgate_types::EntityType;

use super::Doc;
use super::gazetteer::{F_LARGE, F_METRO, F_NAME, F_SMALL, F_WORD};
use super::lexicon::{
    ADDR_LABEL, AU_STATE, CALENDAR, CITY_LABEL, CITY_MOD, DE_STREET_PREP, DE_STREET_WORD,
    DIRECTION, FLOOR, GENERIC, GREETING, KIN, MEASURE, MOVE_VERB, PARTICLE, POBOX, PREP, PROVINCE,
    ST_DE, ST_EN, ST_EN_ABBR, ST_ES, ST_FR, STATE_CODE, STATE_NAME, STOP, TITLE, UK_AREAS, UNIT,
    ZIP_LABEL, ends_with_any,
};
use super::tokens::{DIGIT, Kind, UPPER};

const LOC: EntityType = EntityType::Location;

const S_STREET: f32 = 0.9;
const S_POSTCODE: f32 = 0.9;
const S_CITY_SLOT: f32 = 0.9;
const S_CITY_SLOT_UNKNOWN: f32 = 0.8;
const S_CITY_PREP: f32 = 0.85;
const S_CITY_WEAK_PREP: f32 = 0.6;
const S_CITY_MOD: f32 = 0.8;
const S_CITY_BARE: f32 = 0.55;

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `12`, `221B`, `12a`, `12-14`.
fn house_number(s: &str) -> bool {
    let b = s.as_bytes();
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 6 || b[0] == b'0' {
        return false;
    }
    match &b[n..] {
        [] => true,
        [c] => c.is_ascii_alphabetic(),
        [b'-', rest @ ..] => {
            !rest.is_empty() && rest.len() <= 5 && rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// `12345` or `12345-6789`.
fn us_zip(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 5 && digits(s))
        || (b.len() == 10 && b[5] == b'-' && digits(&s[..5]) && digits(&s[6..]))
}

fn ordinal(s: &str) -> bool {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    n > 0 && n <= 3 && {
        let suf = s[n..].to_ascii_lowercase();
        matches!(
            suf.as_str(),
            "st" | "nd" | "rd" | "th" | "e" | "er" | "º" | "ª"
        )
    }
}

/// A word that starts with `d'`/`l'` and a capital (`l'Église`), French style.
fn elided_cap(s: &str) -> bool {
    let mut it = s.chars();
    matches!(it.next(), Some('d' | 'l' | 'D' | 'L'))
        && matches!(it.next(), Some('\'' | '’'))
        && it.next().is_some_and(char::is_uppercase)
}

impl Doc<'_> {
    /// Capitalised word usable inside a place name.
    fn name_word(&self, i: usize) -> bool {
        (self.cap(i) || elided_cap(self.s(i))) && self.toks.get(i).is_some_and(|t| !t.is(DIGIT))
    }

    /// Is there an address label or street line shortly before token `i`
    /// (same or previous line)?
    fn address_context(&self, i: usize) -> bool {
        let mut lines = 0;
        let mut k = i;
        let mut seen = 0;
        while k > 0 && seen < 14 {
            if self.toks[k].nl {
                lines += 1;
                if lines > 1 {
                    break;
                }
            }
            k -= 1;
            seen += 1;
            if self.has(k, ADDR_LABEL) || self.street_end.contains(&k) {
                return true;
            }
        }
        false
    }
}

/// Street lines and PO boxes.
pub(crate) fn streets(d: &mut Doc<'_>) {
    let n = d.toks.len();
    let mut i = 0;
    while i < n {
        if !d.free(i) {
            i += 1;
            continue;
        }
        let found = po_box(d, i)
            .or_else(|| number_first(d, i).map(|e| (i, e)))
            .or_else(|| german(d, i))
            .or_else(|| southern(d, i));
        if let Some((s, e)) = found
            && d.all_free(s, e)
        {
            d.emit(LOC, s, e, S_STREET);
            d.street_end.push(e);
            i = e + 1;
            continue;
        }
        i += 1;
    }
}

fn po_box(d: &Doc<'_>, i: usize) -> Option<(usize, usize)> {
    if !d.has(i, POBOX) || !d.cap(i) {
        return None;
    }
    let start = if d.eq(i, "box") {
        // P.O. Box / PO Box / Post Office Box
        if i >= 4
            && d.eq(i - 4, "p")
            && d.is_punct(i - 3, '.')
            && d.eq(i - 2, "o")
            && d.is_punct(i - 1, '.')
        {
            i - 4
        } else if i >= 1 && (d.eq(i - 1, "po") || d.eq(i - 1, "pob")) {
            i - 1
        } else if i >= 2 && d.eq(i - 2, "post") && d.eq(i - 1, "office") {
            i - 2
        } else {
            return None;
        }
    } else {
        i
    };
    let mut j = i + 1;
    if d.is_punct(j, '.') && d.tight(j) {
        j += 1;
    }
    if d.eq(j, "de") && d.eq(j + 1, "correos") {
        j += 2;
    }
    if !d.joined(j) || !digits(d.s(j)) || d.s(j).len() > 8 {
        return None;
    }
    let mut e = j;
    // Postfach 12 34 56
    while d.kind(e + 1) == Some(Kind::Num)
        && d.joined(e + 1)
        && d.toks[e + 1].gap == 1
        && d.s(e + 1).len() <= 3
        && e < j + 3
    {
        e += 1;
    }
    Some((start, e))
}

/// US/UK/French: a house number first.
fn number_first(d: &Doc<'_>, i: usize) -> Option<usize> {
    if !house_number(d.s(i)) {
        return None;
    }
    if i > 0 && d.tight(i) {
        let p = d.s(i - 1);
        if d.kind(i - 1) != Some(Kind::Punct)
            || matches!(
                p,
                "." | "-"
                    | "/"
                    | "$"
                    | "€"
                    | "£"
                    | "#"
                    | ":"
                    | "+"
                    | ","
                    | "%"
                    | "*"
                    | "="
                    | "_"
                    | "@"
            )
        {
            return None;
        }
    }
    let mut j = i + 1;
    if d.lower_word(j) && matches!(d.s(j), "bis" | "ter" | "quater") && d.joined(j) {
        j += 1;
    }
    let fr_at = if d.is_punct(j, ',') && d.joined(j) {
        j + 1
    } else {
        j
    };
    if d.has(fr_at, ST_FR) && d.joined(fr_at) {
        let french_order =
            d.lower_word(fr_at) || !d.has(fr_at, ST_EN) || d.has(fr_at + 1, PARTICLE);
        if french_order && let Some(e) = french_name(d, fr_at + 1) {
            return Some(e);
        }
    }
    if j != i + 1 {
        return None;
    }
    let e = english_name(d, j)?;
    Some(street_tail(d, e))
}

/// The name after a French street type: `de la Paix`, `Victor Hugo`.
fn french_name(d: &Doc<'_>, k: usize) -> Option<usize> {
    let mut last = None;
    let mut m = k;
    let mut words = 0;
    while m < d.toks.len() && words < 7 && d.joined(m) {
        if d.name_word(m) {
            last = Some(m);
        } else if d.lower_word(m)
            && (d.has(m, PARTICLE) || d.s(m).starts_with("d'") || d.s(m).starts_with("l'"))
        {
        } else if d.is_punct(m, '.') && d.tight(m) && (d.eq(m - 1, "st") || d.eq(m - 1, "ste")) {
            m += 1;
            continue;
        } else {
            break;
        }
        words += 1;
        m += 1;
    }
    last
}

/// Name words then an English street suffix: `Monroe Boulevard`, `Pine St.`.
fn english_name(d: &Doc<'_>, k: usize) -> Option<usize> {
    let mut m = k;
    let mut names = 0;
    let mut best = None;
    // All lower-case (`ship to 12 north main street`) only after an address cue.
    let lower = d.lower_word(k) && d.address_context(k);
    while m < d.toks.len() && names < 6 && d.joined(m) && d.free(m) {
        let s = d.s(m);
        let word_ok = if lower {
            d.lower_word(m) && !d.has(m, STOP)
        } else {
            d.name_word(m)
        };
        let ok = (word_ok && !d.has(m, CALENDAR | MEASURE)) || ordinal(s);
        if !ok {
            break;
        }
        let c = d.c(m);
        let abbr = c & ST_EN_ABBR != 0;
        let dot = d.is_punct(m + 1, '.') && d.tight(m + 1);
        if names >= 1 && c & (ST_EN | ST_EN_ABBR) != 0 {
            best = Some(if abbr && dot { m + 1 } else { m });
        } else if names == 0 && d.eq(m, "broadway") {
            best = Some(m);
        }
        names += 1;
        m += 1;
        if dot {
            // `St. Mary Street`, `N. Main St`: the dot belongs to an abbreviation.
            let short = abbr || s.len() == 1 || d.has(m - 1, DIRECTION);
            if short && d.joined(m + 1) && d.name_word(m + 1) {
                m += 1;
                continue;
            }
            break;
        }
    }
    best
}

/// Direction and unit after a street suffix: `NW`, `Apt 4B`, `, Suite 200`, `#305`.
fn street_tail(d: &Doc<'_>, mut e: usize) -> usize {
    let dir = e + 1;
    if d.joined(dir) && d.has(dir, DIRECTION) && d.toks[dir].is(UPPER) && d.s(dir).len() <= 2 {
        e = dir;
        if d.is_punct(e + 1, '.') && d.tight(e + 1) {
            e += 1;
        }
    }
    let mut m = e + 1;
    if d.is_punct(m, ',') && d.joined(m) {
        m += 1;
    }
    // A unit may also stand alone on the next line (`1234 Elm Street⏎Apt 5`).
    let next_line_unit = d.toks.get(m).is_some_and(|t| t.nl) && d.has(m, UNIT);
    if !d.joined(m) && !next_line_unit {
        return e;
    }
    if d.has(m, UNIT) && d.word(m) && !d.lower_word(m) {
        let mut v = m + 1;
        if d.is_punct(v, '.') && d.tight(v) {
            v += 1;
        }
        if d.is_punct(v, '#') {
            v += 1;
        }
        if d.joined(v) && unit_value(d, v) {
            return v;
        }
    } else if d.is_punct(m, '#') && d.tight(m + 1) && unit_value(d, m + 1) {
        return m + 1;
    }
    e
}

fn unit_value(d: &Doc<'_>, v: usize) -> bool {
    let s = d.s(v);
    match d.kind(v) {
        Some(Kind::Num) => s.len() <= 6,
        Some(Kind::Word) => {
            s.len() <= 6
                && (d.toks[v].is(DIGIT) || (s.len() == 1 && d.cap(v)))
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        _ => false,
    }
}

const DE_STRONG: &[&str] = &[
    "straße", "strasse", "weg", "platz", "allee", "gasse", "damm", "ufer", "chaussee", "steig",
    "pfad", "stieg", "straat", "laan", "gracht", "plein", "kade", "dijk", "singel",
];

/// German/Dutch: street name then number (`Hauptstraße 12a`, `Am Marktplatz 89a`).
fn german(d: &Doc<'_>, i: usize) -> Option<(usize, usize)> {
    if !d.cap(i) {
        return None;
    }
    let s = d.s(i);
    let abbr =
        (s.ends_with("str") || s.ends_with("Str")) && d.is_punct(i + 1, '.') && d.tight(i + 1);
    let compound = d.has(i, DE_STREET_WORD);
    let separate = d.has(i, ST_DE) && i > 0 && d.joined(i) && d.cap(i - 1) && d.free(i - 1);
    if !(abbr || compound || separate) {
        return None;
    }
    let mut j = i + 1;
    if abbr || (d.is_punct(j, '.') && d.tight(j) && d.eq(i, "str")) {
        j += 1;
    }
    if !d.joined(j) || !house_number(d.s(j)) || d.s(j).len() > 7 {
        return None;
    }
    let mut e = j;
    // `12 a`
    if d.lower_word(e + 1) && d.s(e + 1).len() == 1 && d.joined(e + 1) && d.toks[e + 1].gap == 1 {
        e += 1;
    }
    // A separate `Ring`, `Markt` or `Kai` is an English word too: it needs a postcode.
    let weak_separate = separate && (d.eq(i, "ring") || d.eq(i, "markt") || d.eq(i, "kai"));
    let strong = abbr || ends_with_any(s, DE_STRONG) || (separate && !weak_separate);
    let postcode_follows = {
        let mut k = e + 1;
        if d.is_punct(k, ',') {
            k += 1;
        }
        let p = d.s(k);
        (p.len() == 5 || p.len() == 4) && digits(p) && d.cap(k + 1)
    };
    if !(postcode_follows || (strong && (d.address_context(i) || s.len() > 6 || separate))) {
        return None;
    }
    let mut start = if separate { i - 1 } else { i };
    // `Am Marktplatz`, `An der Alster`, `Auf dem Berg`
    if start >= 1 && d.joined(start) && d.has(start - 1, DE_STREET_PREP) && d.cap(start - 1) {
        start -= 1;
    } else if start >= 2
        && d.joined(start)
        && d.lower_word(start - 1)
        && matches!(d.s(start - 1), "der" | "dem" | "den" | "die" | "das")
        && d.has(start - 2, DE_STREET_PREP)
        && d.cap(start - 2)
    {
        start -= 2;
    }
    Some((start, e))
}

/// Spain, Italy, Portugal: type, name, number, floor (`Calle del Sol, 38, 2.º izq.`).
fn southern(d: &Doc<'_>, i: usize) -> Option<(usize, usize)> {
    if !d.cap(i) {
        return None;
    }
    let slash = d.s(i) == "C" && d.is_punct(i + 1, '/') && d.tight(i + 1);
    if !(d.has(i, ST_ES) || slash) {
        return None;
    }
    let start = if i >= 1 && d.joined(i) && d.eq(i - 1, "gran") && d.cap(i - 1) {
        i - 1
    } else {
        i
    };
    let mut m = if slash { i + 2 } else { i + 1 };
    if !slash && d.is_punct(m, '.') && d.tight(m) {
        // `Avda. de la Constitución`
        m += 1;
    }
    let mut last = None;
    let mut words = 0;
    while m < d.toks.len() && words < 7 && d.joined(m) {
        if d.name_word(m) {
            last = Some(m);
        } else if !(d.lower_word(m)
            && (d.has(m, PARTICLE)
                || matches!(d.s(m), "della" | "delle" | "dei" | "degli" | "dello")))
        {
            break;
        }
        words += 1;
        m += 1;
    }
    let name_end = match last {
        Some(l) => l,
        None if start < i => i,
        None => return None,
    };
    let mut k = name_end + 1;
    if d.is_punct(k, ',') && d.joined(k) {
        k += 1;
    }
    let num = d.s(k);
    let sn = d.eq(k, "s") && d.is_punct(k + 1, '/') && d.eq(k + 2, "n");
    if !d.joined(k) || !(sn || (house_number(num) && num.len() <= 5)) {
        return None;
    }
    let e = if sn { k + 2 } else { k };
    Some((start, spanish_floor(d, e)))
}

/// `, 2.º izq.`, `, 3º B`, `, bajo`, after a Spanish house number.
fn spanish_floor(d: &Doc<'_>, e: usize) -> usize {
    let mut m = e + 1;
    if !(d.is_punct(m, ',') && d.joined(m)) {
        return e;
    }
    m += 1;
    if !d.joined(m) {
        return e;
    }
    let mut end = None;
    let s = d.s(m);
    let ordinal_mark = |x: &str| x == "º" || x == "ª" || x == "°";
    if d.kind(m) == Some(Kind::Num) && s.len() <= 2 {
        // `2.º`, `2º` split by the tokenizer, or a bare `2` followed by a letter/floor word.
        if d.is_punct(m + 1, '.') && d.tight(m + 1) && ordinal_mark(d.s(m + 2)) && d.tight(m + 2) {
            end = Some(m + 2);
        } else if ordinal_mark(d.s(m + 1)) && d.tight(m + 1) {
            end = Some(m + 1);
        } else if d.has(m + 1, FLOOR) && d.joined(m + 1) {
            end = Some(m);
        }
    } else if d.word(m)
        && s.len() <= 4
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .last()
            .is_some_and(|c| matches!(c, 'º' | 'ª' | '°'))
    {
        end = Some(m);
    } else if d.has(m, FLOOR) {
        end = Some(m);
        if d.is_punct(m + 1, '.') && d.tight(m + 1) {
            end = Some(m + 1);
        }
        return end.unwrap_or(e);
    }
    let Some(mut f) = end else { return e };
    // Door: `izq.`, `dcha`, `B`.
    let nx = f + 1;
    if d.joined(nx) && (d.has(nx, FLOOR) || (d.s(nx).len() == 1 && d.cap(nx))) {
        f = nx;
        if d.is_punct(f + 1, '.') && d.tight(f + 1) {
            f += 1;
        }
    }
    f
}

/// UK postcode `NG14 1FB` at tokens `i`, `i + 1`.
fn uk_postcode(d: &Doc<'_>, i: usize) -> bool {
    let (a, b) = (d.s(i), d.s(i + 1));
    if !d.joined(i + 1) || d.toks.get(i + 1).is_none_or(|t| t.gap != 1) {
        return false;
    }
    let ab = a.as_bytes();
    let bb = b.as_bytes();
    if !(bb.len() == 3
        && bb[0].is_ascii_digit()
        && bb[1].is_ascii_uppercase()
        && bb[2].is_ascii_uppercase())
    {
        return false;
    }
    let letters = ab.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(1..=2).contains(&letters) || ab.len() < letters + 1 || ab.len() > letters + 2 {
        return false;
    }
    if !ab[letters].is_ascii_digit()
        || !ab[letters..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return false;
    }
    UK_AREAS.contains(&&a[..letters])
}

/// Canadian postcode `K1A 0B1` at tokens `i`, `i + 1`.
fn ca_postcode(d: &Doc<'_>, i: usize) -> bool {
    let (a, b) = (d.s(i).as_bytes(), d.s(i + 1).as_bytes());
    a.len() == 3
        && b.len() == 3
        && d.joined(i + 1)
        && a[0].is_ascii_uppercase()
        && a[1].is_ascii_digit()
        && a[2].is_ascii_uppercase()
        && b[0].is_ascii_digit()
        && b[1].is_ascii_uppercase()
        && b[2].is_ascii_digit()
}

/// Postcodes, then cities in address slots, then cities with other context.
pub(crate) fn postcodes_and_cities(d: &mut Doc<'_>) {
    let n = d.toks.len();
    for i in 0..n {
        if !d.free(i) {
            continue;
        }
        let t = d.toks[i];
        // Only digits, digit-letter mixes and two-letter capitals can start a postcode.
        if t.kind == Kind::Punct
            || (t.kind == Kind::Word
                && !t.is(DIGIT)
                && !(t.is(UPPER) && t.len() <= 3)
                && d.c(i) & STATE_NAME == 0)
        {
            continue;
        }
        let s = d.s(i);
        // US: `City, ST 12345`, `^City^ST^12345`.
        if d.has(i, STATE_CODE | AU_STATE) && (2..=3).contains(&s.len()) && d.toks[i].is(UPPER) {
            us_state(d, i);
            continue;
        }
        if d.has(i, STATE_NAME)
            && d.cap(i)
            && d.joined(i + 1)
            && us_zip(d.s(i + 1))
            && d.free(i + 1)
        {
            d.emit(LOC, i + 1, i + 1, S_POSTCODE);
            if d.is_punct(i.wrapping_sub(1), ',') {
                city_before(d, i - 1, true);
            }
            continue;
        }
        if d.word(i)
            && uk_postcode(d, i)
            && d.free(i + 1)
            && !(i > 0 && d.tight(i) && !d.is_punct(i - 1, '^'))
        {
            d.emit(LOC, i, i + 1, S_POSTCODE);
            if i > 0 && d.is_punct(i - 1, ',') {
                city_before(d, i - 1, false);
            } else if i > 0 && d.joined(i) && d.free(i - 1) && d.cap(i - 1) {
                city_before(d, i, true);
            }
            continue;
        }
        if d.word(i)
            && i >= 1
            && d.has(i - 1, PROVINCE)
            && d.toks[i - 1].is(UPPER)
            && ca_postcode(d, i)
            && d.free(i + 1)
        {
            d.emit(LOC, i, i + 1, S_POSTCODE);
            if i >= 2 && d.is_punct(i - 2, ',') {
                city_before(d, i - 2, false);
            }
            continue;
        }
        if let Some(pc) = euro_postcode(d, i)
            && continental(d, i, pc)
        {
            continue;
        }
        if d.kind(i) == Some(Kind::Num) && us_zip(s) && zip_label_before(d, i) {
            d.emit(LOC, i, i, S_POSTCODE - 0.05);
            continue;
        }
        if d.word(i) && us_zip(s) && s.contains('-') && zip_label_before(d, i) {
            d.emit(LOC, i, i, S_POSTCODE - 0.05);
        }
    }
    // Cities right after a street line: `6828 Jefferson Way, New Orleans.`
    let ends = std::mem::take(&mut d.street_end);
    for &e in &ends {
        let mut c = e + 1;
        // On the next line an unknown name may as well be a person's: only
        // gazetteer cities there.
        let mut any = true;
        if d.is_punct(c, ',') && d.joined(c) {
            c += 1;
        } else if d.is_punct(c, '^') && d.is_punct(c + 1, '^') {
            c += 2;
        } else if d.toks.get(c).is_some_and(|t| t.nl) {
            any = false;
        } else {
            continue;
        }
        if c < n && d.free(c) {
            city_after(d, c, any);
        }
    }
    d.street_end = ends;
    gazetteer_cities(d);
}

/// `PLZ 12345`, `"zip": "12345"`, `my zip is 63162`.
fn zip_label_before(d: &Doc<'_>, i: usize) -> bool {
    let mut k = i;
    for _ in 0..7 {
        if k == 0 || !d.joined(k) {
            return false;
        }
        k -= 1;
        if d.has(k, ZIP_LABEL) {
            return true;
        }
        let s = d.s(k);
        if !(d.kind(k) == Some(Kind::Punct)
            && matches!(s, ":" | "\"" | "'" | "=" | "_" | "-" | "#")
            || matches!(s, "is" | "code" | "Code" | "CODE" | "postal" | "Postal"))
        {
            return false;
        }
    }
    false
}

fn us_state(d: &mut Doc<'_>, i: usize) {
    let z = i + 1;
    // Australia: `SYDNEY NSW 2000`, `Carlton VIC 3053`.
    if d.has(i, AU_STATE)
        && d.joined(z)
        && d.kind(z) == Some(Kind::Num)
        && d.s(z).len() == 4
        && d.free(z)
        && i > 0
        && d.joined(i)
    {
        let sep = d.is_punct(i - 1, ',');
        let at = if sep { i - 1 } else { i };
        if city_before(d, at, true) || sep {
            d.emit(LOC, z, z, S_POSTCODE);
        }
        return;
    }
    let zip = d.joined(z) && d.free(z) && d.toks[z].gap <= 2 && us_zip(d.s(z)) && {
        // A ZIP is not the start of a longer number (`TX 75201 1234`).
        !(d.kind(z + 1) == Some(Kind::Num) && d.joined(z + 1) && d.toks[z + 1].gap == 1)
    } || (d.is_punct(z, '^') && us_zip(d.s(z + 1)) && d.tight(z + 1) && d.free(z + 1));
    let zi = if d.is_punct(z, '^') { z + 1 } else { z };
    // `Jane Doe, MD` / `OK` / `IN`: without a ZIP these read as words.
    if i == 0
        || !d.joined(i)
        || (!zip
            && matches!(
                d.s(i),
                "MD" | "OK" | "IN" | "ME" | "OR" | "HI" | "ID" | "AS" | "DO" | "PA" | "NE" | "ON"
            ))
    {
        return;
    }
    let sep = d.is_punct(i - 1, ',') || d.is_punct(i - 1, '^');
    let city = if sep {
        city_before(d, i - 1, zip)
    } else if d.free(i - 1) && d.cap(i - 1) && d.toks[i].gap == 1 {
        city_before(d, i, zip)
    } else {
        false
    };
    if zip && (city || sep) {
        d.emit(LOC, zi, zi, S_POSTCODE);
    }
}

/// A city ending just before token `sep` (a `,`, `^` or the next token).
/// Without `any`, only gazetteer names qualify.
fn city_before(d: &mut Doc<'_>, sep: usize, any: bool) -> bool {
    if sep == 0 || !d.joined(sep) && d.is_punct(sep, ',') {
        return false;
    }
    let e = sep - 1;
    if !d.free(e) || !d.name_word(e) {
        return false;
    }
    let text = d.text;
    // Gazetteer: the longest name ending at `e`.
    let lo = e.saturating_sub(6);
    for s in lo..=e {
        if !d.name_word(s) || !d.all_free(s, e) || (s..e).any(|k| d.toks[k + 1].nl) {
            continue;
        }
        // Without a postcode, `Joseph Williams, MD` is a person, not a place.
        let person_before =
            !any && s > 0 && d.joined(s) && d.cap(s - 1) && !d.has(s - 1, STOP | PREP);
        if !person_before && d.p.cities.exactly(text, &d.toks, s, e).is_some() {
            d.emit(LOC, s, e, S_CITY_SLOT);
            return true;
        }
    }
    if !any {
        return false;
    }
    // Any run of up to three capitalised words.
    let mut s = e;
    let mut words = 1;
    while s > 0 && words < 3 && d.joined(s) {
        let p = s - 1;
        if d.name_word(p) && d.free(p) && !d.has(p, STOP | TITLE) {
            s = p;
            words += 1;
        } else if d.is_punct(p, '.')
            && d.tight(p)
            && p > 0
            && d.name_word(p - 1)
            && d.s(p - 1).len() <= 3
            && d.free(p - 1)
        {
            s = p - 1;
            words += 1;
        } else {
            break;
        }
    }
    if d.has(s, STOP | TITLE | CALENDAR) && s == e {
        return false;
    }
    d.emit(LOC, s, e, S_CITY_SLOT_UNKNOWN);
    true
}

/// A city starting at token `c` in an address slot; with `any`, unknown names
/// qualify when the slot ends cleanly (`,`, `.`, `^`, end of line).
fn city_after(d: &mut Doc<'_>, c: usize, any: bool) -> bool {
    if !d.name_word(c) || d.has(c, STOP | TITLE | CALENDAR | UNIT) {
        return false;
    }
    if let Some((j, _)) = d.p.cities.longest(d.text, &d.toks, c)
        && d.all_free(c, j)
    {
        d.emit(LOC, c, j, S_CITY_SLOT);
        return true;
    }
    if !any {
        return false;
    }
    let mut j = c;
    let mut words = 1;
    while words < 3
        && d.joined(j + 1)
        && d.free(j + 1)
        && d.toks[j + 1].gap == 1
        && (d.name_word(j + 1)
            || (d.lower_word(j + 1) && d.has(j + 1, PARTICLE) && d.name_word(j + 2)))
    {
        j += 1;
        words += 1;
    }
    let nx = j + 1;
    let clean = nx >= d.toks.len()
        || d.toks[nx].nl
        || d.is_punct(nx, ',')
        || d.is_punct(nx, '.')
        || d.is_punct(nx, '^')
        || d.is_punct(nx, '"')
        || d.is_punct(nx, ';')
        || d.is_punct(nx, ')');
    if !clean || d.has(c, GENERIC) && j == c {
        return false;
    }
    d.emit(LOC, c, j, S_CITY_SLOT_UNKNOWN);
    true
}

/// A postcode token that may precede a city: `10115`, `D-10115`, `1012 AB`.
/// Returns the last token of the postcode.
fn euro_postcode(d: &Doc<'_>, i: usize) -> Option<usize> {
    let s = d.s(i);
    let core = match s.split_once('-') {
        Some((cc, rest)) if cc.len() <= 2 && cc.bytes().all(|b| b.is_ascii_uppercase()) => rest,
        _ => s,
    };
    if !digits(core) || !(core.len() == 5 || core.len() == 4) {
        return None;
    }
    if i > 0 && d.tight(i) && !d.is_punct(i - 1, '^') {
        return None;
    }
    // Dutch `1012 AB`.
    if core.len() == 4
        && d.joined(i + 1)
        && d.s(i + 1).len() == 2
        && d.toks[i + 1].is(UPPER)
        && d.cap(i + 2)
    {
        return Some(i + 1);
    }
    Some(i)
}

/// `10115 Berlin`, `75002 Paris`, `1012 AB Amsterdam`: postcode, then city.
fn continental(d: &mut Doc<'_>, i: usize, pc: usize) -> bool {
    let c = pc + 1;
    if !d.joined(c) || d.toks[c].gap != 1 || !d.name_word(c) || !d.free(c) {
        return false;
    }
    let addr =
        d.address_context(i) || i > 0 && d.is_punct(i - 1, ',') && d.street_end.contains(&(i - 2));
    let four = d.s(i).len() == 4;
    let year_like = four && matches!(&d.s(i)[..2], "19" | "20");
    let gaz = d.p.cities.longest(d.text, &d.toks, c);
    let ok = match gaz {
        Some((j, f)) if d.all_free(c, j) => {
            let plain = f & (F_WORD | F_NAME | F_SMALL) == 0;
            let line_start = d.toks[i].nl || i == 0 || d.is_punct(i - 1, ',');
            addr || (!year_like && (plain || line_start) && (!four || line_start))
        }
        _ => addr,
    };
    if !ok {
        return false;
    }
    d.emit(LOC, i, pc, S_POSTCODE);
    city_after(d, c, addr);
    true
}

/// Cities found through the gazetteer with prepositions, labels, modifiers,
/// or on their own when unambiguous.
fn gazetteer_cities(d: &mut Doc<'_>) {
    let n = d.toks.len();
    let mut i = 0;
    while i < n {
        if !d.free(i) || !d.name_word(i) {
            i += 1;
            continue;
        }
        let Some((j, flags)) = d.p.cities.longest(d.text, &d.toks, i) else {
            i += 1;
            continue;
        };
        if !d.all_free(i, j) {
            i += 1;
            continue;
        }
        if let Some(score) = city_score(d, i, j, flags) {
            d.emit(LOC, i, j, score);
            i = j + 1;
        } else {
            i += 1;
        }
    }
}

fn city_score(d: &Doc<'_>, i: usize, j: usize, flags: u8) -> Option<f32> {
    if d.has(i, CALENDAR) && i == j {
        return None;
    }
    let upper = (i..=j).all(|k| d.kind(k) != Some(Kind::Word) || d.toks[k].is(UPPER));
    let word = flags & F_WORD != 0;
    let name = flags & F_NAME != 0;
    let p = if d.joined(i) { Some(i - 1) } else { None };
    // Label: `City: Dallas`, `"city": "Dallas"`, `Ort: Köln`.
    if let Some(p) = p {
        let mut k = p;
        let mut hops = 0;
        while hops < 3
            && d.kind(k) == Some(Kind::Punct)
            && matches!(d.s(k), ":" | "\"" | "'" | "=")
            && k > 0
        {
            k -= 1;
            hops += 1;
        }
        if hops > 0 && d.has(k, CITY_LABEL) && (k + 1..=i).all(|x| !d.toks[x].nl) {
            return Some(S_CITY_SLOT);
        }
    }
    if upper && j == i {
        return None;
    }
    let next = j + 1;
    // A longer capitalised name goes on (`Jackson Pollock`, `Phoenix Suns`).
    let next_cap = d.joined(next)
        && d.toks[next].gap <= 1
        && d.cap(next)
        && !d.has(next, STOP | CALENDAR | GREETING);
    let possessive = d.s(j).ends_with("'s") || d.s(j).ends_with("’s");
    let prev_cap = p.is_some_and(|p| d.cap(p) && !d.has(p, STOP | PREP | GREETING));
    if let Some(p) = p {
        // A person: `Dr. Austin`, `Michael Jackson`, `partner Milan`.
        let initial =
            d.is_punct(p, '.') && p > 0 && d.tight(p) && d.s(p - 1).len() == 1 && d.cap(p - 1);
        if d.has(p, TITLE | KIN | GREETING)
            || initial
            || (d.is_punct(p, '.') && p > 0 && d.has(p - 1, TITLE))
        {
            return None;
        }
        if prev_cap && d.free(p) && (word || name) {
            return None;
        }
        if d.has(p, PREP) && d.word(p) {
            let w = d.s(p).to_ascii_lowercase();
            let moved = p > 0 && d.joined(p) && d.has(p - 1, MOVE_VERB);
            let weak_prep = matches!(w.as_str(), "a" | "de" | "para" | "au" | "to" | "from");
            // `In Progress:` at a line start is no place.
            let ok = (moved || !(weak_prep && (word || name))) && (!word || d.lower_word(p));
            if ok && !next_cap && !(possessive && name) {
                // `to`/`from`/`a`/`de` also precede people: a lower score lets
                // a confident PERSON finding win.
                return Some(if weak_prep && !moved {
                    S_CITY_WEAK_PREP
                } else {
                    S_CITY_PREP
                });
            }
        }
    }
    // `the Denver office`, `Las Vegas office`, `at the Buffalo hotel`
    if d.joined(next) && d.has(next, CITY_MOD) && d.lower_word(next) {
        let after_article =
            p.is_some_and(|p| matches!(d.s(p), "the" | "our" | "," | "a" | "an" | "your"));
        if !(word || name) || after_article {
            return Some(S_CITY_MOD);
        }
    }
    let bare_ok = !word
        && (!name || flags & F_METRO != 0)
        && flags & F_SMALL == 0
        && flags & (F_LARGE | F_METRO) != 0;
    if bare_ok && !next_cap && !prev_cap && !upper {
        // Not glued into identifiers (`Berlin-Prod-01`, `Paris.log`) nor a
        // parenthesised aside after a word (`Agent (Milan)`, `license (New York)`).
        let glued_before = i > 0
            && d.tight(i)
            && matches!(d.s(i - 1), "_" | "/" | "." | "@" | "-" | "=" | "#" | "(");
        let glued_after = d.tight(next) && matches!(d.s(next), "_" | "/" | "@" | "-" | "=" | ")");
        let dotted =
            d.tight(next) && d.is_punct(next, '.') && d.tight(next + 1) && d.word(next + 1);
        let paren = p.is_some_and(|p| d.is_punct(p, '(') && p > 0 && d.word(p - 1));
        let opener =
            p.is_none_or(|p| matches!(d.s(p), ":" | "," | "'" | "\"")) && d.is_punct(next, ',');
        if !glued_before && !glued_after && !dotted && !paren && !opener {
            return Some(S_CITY_BARE);
        }
    }
    None
}
