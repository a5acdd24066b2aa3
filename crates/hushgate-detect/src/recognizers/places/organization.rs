//! ORGANIZATION: runs of capitalised words read as one name, accepted when
//! they end in an organisation word (`… Credit Union`, `… GmbH`), start with
//! one (`Klinikum …`, `Banco …`, `Bank of …`), are well known, or follow a
//! label (`Employer:`) or phrase (`works at`).

use std::collections::HashMap;

use hushgate_types::EntityType;

use super::Doc;
use super::lexicon::{
    CALENDAR, DE_ORG_WORD, GENERIC, GREETING, JOB, ORG_INST, ORG_LABEL, ORG_LEGAL, ORG_OF,
    ORG_PREFIX, ORG_WEAK, PARTICLE, STATE_CODE, STOP, TITLE,
};

const ORG: EntityType = EntityType::Organization;

const S_LEGAL: f32 = 0.9;
const S_INST: f32 = 0.85;
const S_WEAK: f32 = 0.75;
const S_PREFIX: f32 = 0.85;
const S_KNOWN: f32 = 0.85;
const S_LABEL: f32 = 0.6;

const SUFFIX: u64 = ORG_LEGAL | ORG_INST | ORG_WEAK;

/// Prefix words that are also plain English words: they need a particle,
/// a legal tail or two name words after them (`Hospital Virgen del Mar`).
const AMBIGUOUS_PREFIX: &[&str] = &[
    "hospital",
    "centre",
    "centro",
    "cabinet",
    "transports",
    "groupe",
    "grupo",
    "société",
    "societe",
    "compagnie",
    "sociedad",
    "praxis",
    "klinik",
    "caisse",
    "clinica",
    "banca",
    "gruppo",
    "cooperativa",
    "studio",
];

/// Values of org labels that are not organisations.
const NOT_ORGS: &[&str] = &[
    "none", "n", "na", "unknown", "self", "tbd", "pending", "yes", "no", "other",
];

/// Organisations, claimed before cities so that `Riverside Community Hospital`
/// does not also yield the city `Riverside`.
pub(crate) fn organizations(d: &mut Doc<'_>) {
    let n = d.toks.len();
    let mut i = 0;
    while i < n {
        if !d.free(i) || !d.name_word_org(i) {
            i += 1;
            continue;
        }
        let end = run_end(d, i);
        handle_run(d, i, end);
        i = end + 1;
    }
    propagate(d, 0);
}

impl Doc<'_> {
    fn name_word_org(&self, i: usize) -> bool {
        self.cap(i) || {
            let s = self.s(i);
            (s.starts_with("d'") || s.starts_with("l'"))
                && s.chars().nth(2).is_some_and(char::is_uppercase)
        }
    }
}

/// The last token of the run of name-like tokens starting at `i`.
fn run_end(d: &Doc<'_>, i: usize) -> usize {
    let mut j = i;
    let mut len = 1;
    while len < 12 {
        let nx = j + 1;
        if !d.joined(nx) || !d.free(nx) || d.toks[nx].gap > 2 {
            break;
        }
        if d.has(nx, GREETING) || dotted_letters(d, nx) || slash_as(d, nx) {
            break;
        }
        if d.name_word_org(nx) {
            j = nx;
        } else if (d.is_punct(nx, '&') || d.is_punct(nx, '+'))
            && d.joined(nx + 1)
            && d.name_word_org(nx + 1)
            && d.free(nx + 1)
        {
            j = nx + 1;
        } else if d.is_punct(nx, '&')
            && d.lower_word(nx + 1)
            && particle(d, nx + 1)
            && d.name_word_org(nx + 2)
            && d.joined(nx + 2)
        {
            // `Mansour & de Vries LLP`
            j = nx + 2;
        } else if ((d.is_punct(nx, '.') && d.tight(nx) && short_abbr(d.s(j)))
            || (d.lower_word(nx) && particle(d, nx)))
            && d.joined(nx + 1)
            && d.name_word_org(nx + 1)
            && d.free(nx + 1)
        {
            // `St. Mary's`, `Banque du Léman`
            j = nx + 1;
        } else if d.lower_word(nx) && d.has(nx, ORG_INST) && d.has(j, ORG_PREFIX) {
            // `Centre hospitalier de …`
            j = nx;
        } else {
            break;
        }
        len += 1;
    }
    j
}

/// `S.L.`, `S.r.l.`, `Sp. z o.o.`: a dotted legal form starts at `i`.
fn dotted_letters(d: &Doc<'_>, i: usize) -> bool {
    dotted_form(d, i).is_some()
}

/// Legal forms written as dotted letters, compared without dots and case.
const DOTTED_FORMS: &[&str] = &[
    "sa", "sl", "srl", "spa", "sas", "snc", "bv", "nv", "ev", "ek", "sro", "doo", "ag", "kg",
    "llc", "lp", "llp", "plc", "pc", "oy", "ab", "as", "aps",
];

/// The last token of a dotted legal form starting at `m`: single letters
/// each followed by a tight dot (`S.r.l.`, `B.V.`, `e.V.`, `L.L.C.`), or the
/// Polish `Sp. z o.o.`.
fn dotted_form(d: &Doc<'_>, m: usize) -> Option<usize> {
    if d.eq(m, "sp")
        && d.is_punct(m + 1, '.')
        && d.tight(m + 1)
        && d.eq(m + 2, "z")
        && d.eq(m + 3, "o")
        && d.is_punct(m + 4, '.')
        && d.tight(m + 4)
        && d.eq(m + 5, "o")
        && d.tight(m + 5)
    {
        return Some(if d.is_punct(m + 6, '.') && d.tight(m + 6) {
            m + 6
        } else {
            m + 5
        });
    }
    let mut f = m;
    let mut norm = String::new();
    let mut upper = true;
    while norm.len() < 4
        && d.word(f)
        && d.s(f).len() == 1
        && (f == m || d.tight(f))
        && d.is_punct(f + 1, '.')
        && d.tight(f + 1)
    {
        upper &= d.cap(f);
        norm.push(d.s(f).chars().next()?.to_ascii_lowercase());
        f += 2;
    }
    let n = norm.len();
    // Two or three capitals (`S.A.`, `L.L.C.`) or a known mixed-case form.
    let known = DOTTED_FORMS.contains(&norm.as_str());
    ((2..=3).contains(&n) && (upper || known)).then(|| f - 1)
}

/// `A/S` (Danish/Norwegian) starts at `m`.
fn slash_as(d: &Doc<'_>, m: usize) -> bool {
    d.s(m) == "A" && d.is_punct(m + 1, '/') && d.tight(m + 1) && d.s(m + 2) == "S" && d.tight(m + 2)
}

/// Legal forms written with a dot (`Inc.`); `GmbH.` is a sentence end.
fn dotted_legal(s: &str) -> bool {
    [
        "inc", "ltd", "corp", "co", "cie", "cía", "bros", "pty", "mfg", "kft", "zrt", "nyrt",
    ]
    .iter()
    .any(|w| s.eq_ignore_ascii_case(w))
}

fn particle(d: &Doc<'_>, i: usize) -> bool {
    // `e`, `och`, `og`: `and` in IT/PT, SV, NO/DA (`Cabrera e Hijos S.L.`).
    d.has(i, PARTICLE)
        || matches!(
            d.s(i),
            "für" | "for" | "della" | "dei" | "degli" | "e" | "och" | "og"
        )
}

fn short_abbr(s: &str) -> bool {
    matches!(
        s,
        "St" | "Ste" | "Mt" | "Ft" | "Dr" | "Co" | "Jr" | "Sr" | "Bros" | "Intl" | "Natl"
    )
}

/// Legal tail after a name: `, Inc.`, ` GmbH`, ` & Co. KG`.
fn legal_tail(d: &Doc<'_>, e: usize) -> usize {
    let mut m = e + 1;
    if d.is_punct(m, ',') && d.joined(m) {
        m += 1;
    }
    // `Pittsburgh, PA 15220`, `Denver, CO`: a state code, not a legal form.
    let state = d.has(m, STATE_CODE)
        && d.s(m).len() == 2
        && d.toks.get(m).is_some_and(|t| t.is(super::tokens::UPPER));
    if d.joined(m) && d.has(m, ORG_LEGAL) && d.word(m) && !d.lower_word(m) && d.free(m) && !state {
        let mut f = m;
        if dotted_legal(d.s(m)) && d.is_punct(f + 1, '.') && d.tight(f + 1) {
            f += 1;
        }
        return f;
    }
    // `S.L.`, `S.r.l.`, `L.L.C.`, `Sp. z o.o.`: single letters and dots.
    if d.joined(m)
        && let Some(f) = dotted_form(d, m)
    {
        return f;
    }
    if d.joined(m) && slash_as(d, m) {
        return m + 2;
    }
    e
}

fn sentence_start(d: &Doc<'_>, i: usize) -> bool {
    i == 0
        || d.toks[i].nl
        || matches!(
            d.s(i - 1),
            "." | "!" | "?" | ":" | ";" | "\"" | "(" | "-" | "|" | "*" | "#" | ">"
        )
}

fn handle_run(d: &mut Doc<'_>, i: usize, end: usize) {
    // Trim the start: sentence openers, honorifics, connectors.
    let mut s = i;
    while s <= end {
        let c = d.c(s);
        let w = d.s(s);
        let the = w == "The" || w == "THE";
        let opener = sentence_start(d, s) && s < end && {
            let l = w.len();
            l > 4 && (w.ends_with("ed") || w.ends_with("ing")) && !d.lower_word(s)
        };
        if (c & (STOP | TITLE | CALENDAR) != 0 && !the)
            || d.lower_word(s)
            || d.is_punct(s, '&')
            || d.is_punct(s, '.')
            || opener
        {
            s += 1;
        } else {
            break;
        }
    }
    if s > end {
        return;
    }
    if suffix_org(d, s, end) || known_org(d, s, end) {
        return;
    }
    // `Zürcher Kantonalbank`, `Berliner Volksbank`: a place adjective in
    // `-er` before a compound organisation word.
    if end > s
        && d.has(end, DE_ORG_WORD | ORG_PREFIX)
        && d.cap(end - 1)
        && d.s(end - 1).len() > 4
        && d.s(end - 1).ends_with("er")
        && !d.has(end - 1, STOP | GENERIC | JOB)
    {
        d.emit(ORG, end - 1, end, S_PREFIX);
        return;
    }
    // German nouns are capitalised too: `Zahlung an Stadtsparkasse München`.
    if let Some(k) = (s..end).find(|&k| d.has(k, ORG_PREFIX | DE_ORG_WORD))
        && prefix_org(d, k, end)
    {
        return;
    }
    // `Construcciones Ibarra S.L.`, `Acme, Inc.`
    let tail = legal_tail(d, end);
    if tail > end && (s..=end).any(|k| d.word(k) && !d.has(k, GENERIC | STOP)) {
        d.emit(ORG, s, tail, S_LEGAL);
        return;
    }
    context_org(d, s, end);
}

/// `Harborview Credit Union`, `Kapoor & Levi LLP`, `Bank of America`.
fn suffix_org(d: &mut Doc<'_>, s: usize, end: usize) -> bool {
    // The last organisation word of the run.
    let Some(e) = (s..=end)
        .rev()
        .find(|&k| d.has(k, SUFFIX) && d.word(k) && !d.lower_word(k))
    else {
        return false;
    };
    // The block of organisation words ending at `e`, and the name before it.
    let mut t = e;
    let mut class = d.c(e);
    while t > s && d.has(t - 1, SUFFIX) && d.word(t - 1) {
        t -= 1;
        class |= d.c(t);
    }
    // A lower-case particle ends a preceding phrase (`Zahlung an Meridian
    // Bank`) unless an organisation word governs it (`University of …`).
    let mut s = s;
    if let Some(k) = (s + 1..t).rev().find(|&k| d.lower_word(k))
        && !d.has(k - 1, ORG_OF | ORG_PREFIX | SUFFIX)
    {
        s = k + 1;
    }
    if s >= t && !d.has(e, ORG_OF) {
        return false;
    }
    let names = (s..t).filter(|&k| d.word(k) && !d.lower_word(k)).count();
    let distinctive =
        (s..t).any(|k| d.word(k) && !d.lower_word(k) && !d.has(k, GENERIC | STOP | CALENDAR));
    let legal = class & ORG_LEGAL != 0;
    // `Bank of America`, `University of Michigan`: `of` and a name after.
    let mut e2 = e;
    if d.has(e, ORG_OF) && d.eq(e + 1, "of") && d.joined(e + 1) && d.name_word_org(e + 2) {
        let mut k = e + 2;
        while k < end && d.name_word_org(k + 1) && d.joined(k + 1) {
            k += 1;
        }
        e2 = k.min(end.max(e + 2));
    }
    // `Ministry of Health`: an `of` form whose tail is itself an org word.
    let of_form = e2 > e || (s..t).any(|k| d.has(k, ORG_OF) && d.eq(k + 1, "of"));
    if !(distinctive || (legal && names > 0) || of_form) {
        return false;
    }
    if names == 0 && !of_form {
        return false;
    }
    // A weak industry word needs a distinctive, non-sentence-initial name or a legal form.
    let score = if legal {
        S_LEGAL
    } else if class & ORG_INST != 0 || of_form {
        S_INST
    } else {
        S_WEAK
    };
    let mut last = legal_tail(d, e2);
    if last == e2 && e2 == e && dotted_legal(d.s(e)) && d.is_punct(e + 1, '.') && d.tight(e + 1) {
        // `Inc.`, `Ltd.`, `Co.`
        last = e + 1;
    }
    let score = if last > e2 { S_LEGAL } else { score };
    d.emit(ORG, s, last, score);
    true
}

/// `Klinikum Lindenberg`, `Banco Meridional`, `Centre hospitalier de Val-Fleuri`.
fn prefix_org(d: &mut Doc<'_>, s: usize, end: usize) -> bool {
    let w = d.s(s);
    let prefix = d.has(s, ORG_PREFIX | DE_ORG_WORD);
    if !prefix || s == end {
        return false;
    }
    let lw = w.to_lowercase();
    let ambiguous = AMBIGUOUS_PREFIX.contains(&lw.as_str());
    let mut e = end;
    // The name must end on a capitalised word.
    while e > s && !d.name_word_org(e) {
        e -= 1;
    }
    if e == s {
        return false;
    }
    let names: Vec<usize> = (s + 1..=e)
        .filter(|&k| d.name_word_org(k) && !d.has(k, STOP | CALENDAR))
        .collect();
    if names.is_empty() {
        return false;
    }
    let has_particle = (s + 1..=e).any(|k| d.lower_word(k));
    let last = legal_tail(d, e);
    if ambiguous
        && !(has_particle
            || last > e
            || names.len() >= 2
            || (s + 1..=e).any(|k| d.has(k, ORG_LEGAL)))
    {
        return false;
    }
    if names.iter().all(|&k| d.has(k, GENERIC)) {
        return false;
    }
    d.emit(ORG, s, last, S_PREFIX);
    true
}

/// Well-known insurers, banks and health systems from the curated list.
fn known_org(d: &mut Doc<'_>, s: usize, end: usize) -> bool {
    let mut found = false;
    let mut k = s;
    while k <= end {
        if let Some((j, _)) = d.p.orgs.longest(d.text, &d.toks, k)
            && j <= end
            && d.all_free(k, j)
        {
            let last = legal_tail(d, j);
            d.emit(ORG, k, last, S_KNOWN);
            found = true;
            k = j + 1;
            continue;
        }
        k += 1;
    }
    found
}

/// `Employer: Initech`, `Beneficiary bank: …`, `works as a nurse at …`,
/// `I'm with …`, and e-mail signatures (`Controller | Initech`, `Initech Support |`).
fn context_org(d: &mut Doc<'_>, s: usize, end: usize) {
    if s == 0
        || d.has(s, STOP | TITLE | GREETING)
        || NOT_ORGS.contains(&d.s(s).to_lowercase().as_str())
    {
        return;
    }
    let words = (s..=end).filter(|&k| d.word(k)).count();
    if words > 5 {
        return;
    }
    let line_end = d.toks.get(end + 1).is_none_or(|t| t.nl);
    // `Initech Support | mail@…`: the team name before a bar.
    if end > s
        && d.eq(end, "support")
        && d.is_punct(end + 1, '|')
        && !d.toks[s].is(super::tokens::DIGIT)
    {
        if !d.has(end - 1, GENERIC) {
            d.emit(ORG, s, end - 1, S_LABEL);
        }
        return;
    }
    if !d.joined(s) {
        return;
    }
    let p = s - 1;
    let labelled = d.is_punct(p, ':') && p > 0 && d.has(p - 1, ORG_LABEL) && d.joined(p);
    // `Payroll Specialist | Initech` at the end of a signature line.
    let signature = d.is_punct(p, '|') && line_end && p > 0 && d.has(p - 1, JOB) && d.cap(p - 1);
    let phrase = d.lower_word(p) && {
        let back = |n: usize| {
            (1..=n)
                .filter_map(|k| p.checked_sub(k))
                .take_while(|&k| d.joined(k + 1))
                .map(|k| d.s(k).to_ascii_lowercase())
        };
        match d.s(p) {
            "at" | "for" => back(5).any(|w| {
                matches!(
                    w.as_str(),
                    "works"
                        | "work"
                        | "working"
                        | "worked"
                        | "employed"
                        | "job"
                        | "employee"
                        | "intern"
                )
            }),
            "by" => back(1).any(|w| {
                matches!(
                    w.as_str(),
                    "employed" | "insured" | "underwritten" | "acquired"
                )
            }),
            "with" => back(1).any(|w| {
                matches!(
                    w.as_str(),
                    "i'm" | "i’m" | "am" | "we're" | "we’re" | "are" | "employed" | "insured"
                )
            }),
            "contacting" | "joined" | "joining" => true,
            _ => false,
        }
    };
    if labelled || signature || phrase {
        d.emit(ORG, s, end, S_LABEL);
    }
}

/// Repeats of an organisation found once in the text (`Initech`, then
/// `from Initech`) are organisations too.
pub(crate) fn propagate(d: &mut Doc<'_>, from: usize) {
    let text = d.text;
    // Names keyed by their first token, so each token compares only the names
    // that can start there: linear in the text, not tokens x names.
    let mut names: HashMap<&str, Vec<(&str, f32)>> = HashMap::new();
    for f in d.out[from..].iter().filter(|f| f.entity_type == ORG) {
        let (Ok(k), Some(name)) = (
            d.toks.binary_search_by_key(&f.start, |t| t.start),
            text.get(f.start..f.end),
        ) else {
            continue;
        };
        names.entry(d.s(k)).or_default().push((name, f.score));
    }
    if names.is_empty() {
        return;
    }
    let n = d.toks.len();
    for i in 0..n {
        if !d.free(i) || !d.cap(i) || (i > 0 && d.joined(i) && d.cap(i - 1) && d.free(i - 1)) {
            continue;
        }
        let Some(candidates) = names.get(d.s(i)) else {
            continue;
        };
        let start = d.toks[i].start;
        for &(name, score) in candidates {
            if !text[start..].starts_with(name) {
                continue;
            }
            let Some(j) = (i..n)
                .take_while(|&k| d.toks[k].end <= start + name.len())
                .last()
            else {
                continue;
            };
            if d.toks[j].end != start + name.len()
                || !d.all_free(i, j)
                || (d.joined(j + 1) && d.cap(j + 1) && d.toks[j + 1].gap <= 1)
            {
                continue;
            }
            d.emit(ORG, i, j, score);
            break;
        }
    }
}
