//! Digit-based identifiers: PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN,
//! US_BANK_NUMBER (and ABA routing numbers), US_PASSPORT, US_DRIVER_LICENSE,
//! UK_NHS, MEDICAL_LICENSE and MEDICAL_RECORD_NUMBER.
//!
//! One recognizer owns a few generic shapes, so its types never shadow each
//! other in the leftmost-first automaton:
//!
//! * a *digit run*: digits joined by single separators (space, dash, dot,
//!   slash, a line break), optionally `+`, area codes in parentheses and an
//!   extension (`ext. 4778`, `x204`, `#95`);
//! * letter-prefixed ids (`MR889754`, `AB1234563`, `A123-456-78-901-0`), the
//!   Washington `WDL…` licence and IBANs (`GB82 WEST 1234 …`).
//!
//! `on_match` then classifies each candidate in code, trying the whole run
//! first and then its space- or line-separated parts:
//!
//! 1. `+CC` numbers are phones or nothing; Luhn-valid numbers in an issuer
//!    range with a card layout are cards.
//! 2. The nearest context word decides between the context-gated types
//!    (SSN, NHS, account, routing, passport, licence, MRN), closest first; a
//!    word only counts if no other value stands between it and the candidate,
//!    and a negative word (order, invoice, tracking…) rejects the candidate.
//! 3. Without a word: formatted SSNs, NANP and national phone layouts, then
//!    the column a value sits in (SQL `INSERT`, CSV/TSV header) and HL7 v2
//!    field positions.
//!
//! ABA routing numbers are recognized so that they are not reported as
//! account numbers, and reported themselves only when `ABA_ROUTING_NUMBER`
//! is asked for by name in `DetectOptions::entities`.

mod context;
mod ids;
mod phone;
mod run;
mod table;

pub(crate) use table::TableMemo;

use std::sync::Arc;

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};
use crate::text::segment_start_within;
use crate::validate::checksum;

use context::{Ctx, Ctxs};
use phone::{PhonePlan, Shape};
use run::{Digits, Group, Run, Sep};

pub(crate) fn recognizers(o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    let emit_aba = o
        .entities
        .as_ref()
        .is_some_and(|v| v.contains(&EntityType::AbaRouting));
    let plan = PhonePlan::new(&o.phone_regions);
    vec![Arc::new(Numbers { plan, emit_aba })]
}

const TAG_RUN: u16 = 0;
const TAG_IBAN: u16 = 1;
const TAG_WDL: u16 = 2;
const TAG_ID: u16 = 3;

struct Numbers {
    plan: PhonePlan,
    /// ABA routing numbers are reported only when asked for by name.
    emit_aba: bool,
}

/// What a candidate turned out to be.
enum Verdict {
    /// Report it as this type with this score (a phone keeps its extension).
    Emit(EntityType, f32),
    /// Recognized, but nothing to report (an ABA routing number): stop here.
    Consumed,
}

impl PatternRecognizer for Numbers {
    fn name(&self) -> &'static str {
        "numbers"
    }

    fn patterns(&self) -> Vec<Pattern> {
        // A group in parentheses: an area code or the `(0)` trunk prefix.
        let paren = r"\([0-9]{1,5}\)";
        // Any separator between groups; a line break may follow a separator.
        let any_sep = r"(?:[ .\-/]|\x{A0}|[ .\-]?\r?\n)";
        let space_sep = r"(?:[ ]|\x{A0}|[ .\-]?\r?\n)";
        // The character after a run is part of the match: a run must not end
        // right before `.digit` or `:digit`, so "0 0 10.0.0.1" and
        // "2022 7:45" stop before the address or time and leave them to
        // their recognizers instead of swallowing their first digits.
        let end = r"(?:[.:](?:[^0-9]|$)|[^.:0-9A-Za-z_]|$)";
        let ext = r"[ ]?,?[ ]?(?:(?i:ext(?:ension|n)?)\.?|[xX]\.?|\#)[ ]?[0-9]{1,6}";
        // A part after a space or line break: no dots, so that a number
        // followed by an IP address does not swallow it.
        let space_join = format!(r"{space_sep}(?:{paren}[ \-]?)?[0-9]+(?:[\-/][0-9]+)*");
        // Without `+`: five or more digits, or several groups (lone short
        // numbers, the most common kind, never match).
        let run = format!(
            r"(?:\+[ ]?(?:{paren}[ .\-]?)?[0-9]+(?:{any_sep}(?:{paren}[ .\-]?)?[0-9]+)*|{paren}[ .\-]?[0-9]+(?:[.\-/][0-9]+)*(?:{space_join})*|(?-u:\b)(?:[0-9]{{5,}}(?:[.\-/][0-9]+)*(?:{space_join})*|[0-9]{{1,4}}(?:(?:[.\-/][0-9]+)+(?:{space_join})*|(?:{space_join})+)))(?:{ext})?{end}"
        );
        vec![
            Pattern::new(TAG_RUN, run),
            // IBAN, upper case: grouped in fours, compact, or wrapped anywhere.
            Pattern::new(
                TAG_IBAN,
                r"(?-u:\b)[A-Z]{2}[0-9]{2}(?:(?:[ ]|[ ]?\r?\n)?[A-Z0-9]){8,30}(?-u:\b)",
            ),
            // IBAN, lower case: compact or grouped in fours; a group after a
            // space needs a digit, so that words after it are not swallowed.
            Pattern::new(
                TAG_IBAN,
                r"(?-u:\b)[a-z]{2}[0-9]{2}[ ]?[a-z0-9]{4}(?:[ ]?(?:[0-9][a-z0-9]{3}|[a-z][0-9][a-z0-9]{2}|[a-z]{2}[0-9][a-z0-9]|[a-z]{3}[0-9])){1,6}(?:[ ]?(?:[0-9][a-z0-9]{0,2}|[a-z][0-9][a-z0-9]?|[a-z]{2}[0-9]))?(?-u:\b)",
            ),
            // Washington driver's licence (pre-2018 format).
            Pattern::new(TAG_WDL, r"(?-u:\b)WDL[A-Z0-9]{9}(?-u:\b)"),
            // Letter-prefixed ids: DEA, licence, MRN, passport, DL numbers.
            Pattern::new(
                TAG_ID,
                r"(?-u:\b)[A-Za-z]{1,3}-?[0-9][A-Za-z0-9]*(?:-[0-9]+)*(?-u:\b)",
            ),
        ]
    }

    fn context_words(&self) -> Vec<(&'static str, &'static str)> {
        context::words()
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        match m.tag {
            TAG_RUN => self.on_run(m, out),
            TAG_IBAN => ids::on_iban(m, out),
            TAG_WDL => ids::on_wdl(m, out),
            TAG_ID => {
                ids::on_id(m, m.start, m.end, out);
            }
            _ => {}
        }
    }
}

/// The recognizer name reported for each type.
fn recognizer_name(t: &EntityType) -> &'static str {
    match t {
        EntityType::PhoneNumber => "phone",
        EntityType::CreditCard => "credit_card",
        EntityType::IbanCode => "iban",
        EntityType::UsSsn => "us_ssn",
        EntityType::UsBankNumber => "us_bank_number",
        EntityType::AbaRouting => "aba_routing",
        EntityType::UsPassport => "us_passport",
        EntityType::UsDriverLicense => "us_driver_license",
        EntityType::UkNhs => "uk_nhs",
        EntityType::MedicalLicense => "medical_license",
        EntityType::MedicalRecordNumber => "medical_record_number",
        _ => "numbers",
    }
}

fn emit(out: &mut Vec<Finding>, t: EntityType, start: usize, end: usize, score: f32) {
    let name = recognizer_name(&t);
    out.push(Finding::new(t, start, end, score.min(1.0), name));
}

/// Is the run the tail of a longer token (`INV-2021-09719`, `/patients/2176`,
/// `10.0.19045`) or a price?
fn glued_before(t: &[u8], start: usize) -> bool {
    let Some(&p) = start.checked_sub(1).and_then(|i| t.get(i)) else {
        return false;
    };
    let pp = start.checked_sub(2).and_then(|i| t.get(i)).copied();
    match p {
        b'-' | b'_' | b'/' | b'\\' => pp.is_some_and(|c| c.is_ascii_alphanumeric()),
        b'.' => pp.is_some_and(|c| c.is_ascii_digit()),
        b'$' => true,
        // £ (C2 A3), € (E2 82 AC), ¥ (C2 A5)
        0xA3 | 0xA5 => pp == Some(0xC2),
        0xAC => pp == Some(0x82),
        _ => false,
    }
}

/// Is the run followed by more of the same token, a percent sign or an `@`?
fn glued_after(t: &[u8], end: usize) -> bool {
    let Some(&n) = t.get(end) else { return false };
    let nn = t.get(end + 1).copied();
    match n {
        b'-' | b'_' | b'/' | b'\\' => nn.is_some_and(|c| c.is_ascii_alphanumeric()),
        b'.' => nn.is_some_and(|c| c.is_ascii_digit()),
        b'%' | b'@' => true,
        _ => false,
    }
}

impl Numbers {
    fn on_run(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        // Drop the character (or two) after the run that the pattern matched.
        let s = m.as_str();
        let Some(last) = s.bytes().rposition(|b| b.is_ascii_digit()) else {
            return;
        };
        let s = &s[..=last];
        let plus = s.starts_with('+');
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        if digits < 6 && !plus {
            return;
        }
        let t = m.text.as_bytes();
        if glued_before(t, m.start) || glued_after(t, m.start + s.len()) {
            return;
        }
        let Some(run) = run::parse(s, m.start) else {
            return;
        };
        let n = run.groups.len();
        if n > 24 {
            return;
        }
        // Parts of a run share its context: digits of the run itself do not
        // stand between a part and a word before the run.
        let end = run.groups.last().map_or(m.end, |g| g.end);
        let ctxs = context::near(m.context, t, run.start, end);
        if ctxs.first() == Some(Ctx::Negative) {
            return;
        }
        if self.classify(m, &run, &ctxs, 0, n, out) {
            return;
        }
        // The whole run is nothing: try its space- or line-separated parts,
        // longest first from the left.
        let mut i = 0;
        'outer: while i < n {
            if i == 0 || run.groups[i].sep.is_break() {
                for j in (i + 1..=n).rev() {
                    if (i, j) == (0, n) || (j < n && !run.groups[j].sep.is_break()) {
                        continue;
                    }
                    if self.classify(m, &run, &ctxs, i, j, out) {
                        i = j;
                        continue 'outer;
                    }
                }
            }
            i += 1;
        }
    }

    /// Classifies groups `i..j` of `run`; pushes a finding and returns true
    /// when they are one of our types (or a routing number).
    fn classify(
        &self,
        m: &Match<'_>,
        run: &Run,
        ctxs: &Ctxs,
        i: usize,
        j: usize,
        out: &mut Vec<Finding>,
    ) -> bool {
        let groups = &run.groups[i..j];
        let (Some(first), Some(last)) = (groups.first(), groups.last()) else {
            return false;
        };
        let plus = i == 0 && run.plus;
        let start = if plus { run.start } else { first.start };
        let end = last.end;
        let text = m.text.as_bytes();
        let Some(digits) = Digits::collect(text, groups, plus) else {
            return false;
        };
        let nd = digits.len();
        if nd < 6 {
            return false;
        }
        let shape = Shape { groups };
        let phone_ctx = ctxs.has(Ctx::Phone);
        let phone_end = if j == run.groups.len() {
            run.ext.map_or(end, |(_, e)| e)
        } else {
            end
        };
        if plus {
            if phone::international(&digits, &shape) {
                let score = if phone_ctx { 0.95 } else { 0.9 };
                emit(out, EntityType::PhoneNumber, start, phone_end, score);
                return true;
            }
            return false;
        }
        let d = digits.as_bytes();
        if card_layout(groups) && checksum::is_card_number(d) {
            let score = if ctxs.has(Ctx::Card) { 1.0 } else { 0.9 };
            emit(out, EntityType::CreditCard, start, end, score);
            return true;
        }
        let verdict = ctxs
            .iter()
            .take_while(|&c| c != Ctx::Negative)
            .find_map(|c| self.directed(c, &digits, &shape))
            .or_else(|| {
                // A value introduced as something else (an SSN that fails
                // its rules, say) is not guessed to be a foreign phone.
                let foreign_ok = matches!(ctxs.first(), None | Some(Ctx::Phone | Ctx::Card));
                self.undirected(m, start, &digits, &shape, phone_ctx, foreign_ok)
            });
        match verdict {
            Some(Verdict::Emit(t, score)) => {
                let e = if t == EntityType::PhoneNumber {
                    phone_end
                } else {
                    end
                };
                emit(out, t, start, e, score);
                true
            }
            Some(Verdict::Consumed) => true,
            None => false,
        }
    }

    /// What the context word `c` makes of a digit candidate, if it fits.
    fn directed(&self, c: Ctx, digits: &Digits, shape: &Shape<'_>) -> Option<Verdict> {
        let d = digits.as_bytes();
        let nd = d.len();
        if looks_like_date(d, shape) {
            return None;
        }
        let compact = shape.groups.len() == 1 && !shape.groups[0].paren;
        let v = |t: EntityType, s: f32| Some(Verdict::Emit(t, s));
        match c {
            Ctx::Phone => {
                if self.plan.nanp() && nanp_candidate(d, shape, true) {
                    return v(EntityType::PhoneNumber, 0.9);
                }
                // A seven-digit local number ("call 555-0132") needs the word.
                if self.plan.nanp()
                    && shape.groups.len() == 2
                    && shape.groups[0].len == 3
                    && shape.groups[1].len == 4
                    && !shape.groups[0].paren
                    && matches!(shape.groups[1].sep, Sep::Dash | Sep::Dot | Sep::Space)
                    && (b'2'..=b'9').contains(&d[0])
                {
                    return v(EntityType::PhoneNumber, 0.75);
                }
                if phone::national(&self.plan, digits, shape, true) {
                    return v(EntityType::PhoneNumber, 0.85);
                }
                None
            }
            Ctx::Ssn => (ssn_layout(shape, true) && checksum::ssn(d))
                .then_some(Verdict::Emit(EntityType::UsSsn, 0.95)),
            Ctx::Nhs => (nhs_layout(shape) && checksum::nhs(d))
                .then_some(Verdict::Emit(EntityType::UkNhs, 0.95)),
            Ctx::Bank => (compact && (8..=17).contains(&nd) && !all_same(d))
                .then_some(Verdict::Emit(EntityType::UsBankNumber, 0.8)),
            // A nine-digit number introduced as a routing number is one, and
            // identifies a bank rather than a person.
            Ctx::Routing => (compact && nd == 9).then(|| {
                if self.emit_aba && checksum::aba(d) {
                    Verdict::Emit(EntityType::AbaRouting, 0.8)
                } else {
                    Verdict::Consumed
                }
            }),
            Ctx::Passport => (compact && nd == 9 && !all_same(d))
                .then_some(Verdict::Emit(EntityType::UsPassport, 0.8)),
            Ctx::DriverLicense => {
                let spaced = shape.groups.iter().skip(1).all(|g| g.sep == Sep::Space)
                    && matches!(
                        shape
                            .groups
                            .iter()
                            .map(|g| g.len)
                            .collect::<Vec<_>>()
                            .as_slice(),
                        [3, 3, 3] | [2, 3, 3]
                    );
                ((compact && (7..=13).contains(&nd) || spaced) && !all_same(d))
                    .then_some(Verdict::Emit(EntityType::UsDriverLicense, 0.8))
            }
            Ctx::MedLicense => (compact && (5..=9).contains(&nd) && !all_same(d))
                .then_some(Verdict::Emit(EntityType::MedicalLicense, 0.7)),
            Ctx::Mrn => {
                let dashed = shape.groups.len() <= 4
                    && shape.groups.iter().all(|g| !g.paren)
                    && shape
                        .groups
                        .iter()
                        .skip(1)
                        .all(|g| matches!(g.sep, Sep::Dash | Sep::Slash));
                ((compact || dashed) && (6..=12).contains(&nd) && !all_same(d))
                    .then_some(Verdict::Emit(EntityType::MedicalRecordNumber, 0.8))
            }
            Ctx::Card | Ctx::Dea | Ctx::Negative => None,
        }
    }

    /// A digit candidate without a context word that explains it.
    fn undirected(
        &self,
        m: &Match<'_>,
        start: usize,
        digits: &Digits,
        shape: &Shape<'_>,
        phone_ctx: bool,
        foreign_ok: bool,
    ) -> Option<Verdict> {
        let d = digits.as_bytes();
        if ssn_layout(shape, false) && checksum::ssn(d) {
            let dashed = shape.groups.iter().skip(1).all(|g| g.sep == Sep::Dash);
            let score = if dashed { 0.85 } else { 0.6 };
            return Some(Verdict::Emit(EntityType::UsSsn, score));
        }
        if self.plan.nanp() && nanp_candidate(d, shape, false) {
            let score = if phone_ctx { 0.9 } else { 0.75 };
            return Some(Verdict::Emit(EntityType::PhoneNumber, score));
        }
        // "AZ 85740-1234" is a ZIP+4 after a state code (a LOCATION), even
        // though nine digits also fit some European phone plans.
        if is_zip_plus4(m.text.as_bytes(), start, shape) {
            return None;
        }
        if foreign_ok && phone::national(&self.plan, digits, shape, false) {
            return Some(Verdict::Emit(EntityType::PhoneNumber, 0.7));
        }
        // "0044 20 7946 0958": the international call prefix used in Europe.
        let idd = shape
            .groups
            .first()
            .is_some_and(|g| (3..=5).contains(&g.len) && !g.paren);
        if foreign_ok
            && idd
            && d.starts_with(b"00")
            && shape.groups.len() > 1
            && phone::international(&digits.skip(2), shape)
        {
            return Some(Verdict::Emit(EntityType::PhoneNumber, 0.8));
        }
        let column = table::column_ctx(m.text.as_bytes(), start, &m.context.tables);
        if let Some(v) = column.and_then(|c| self.directed(c, digits, shape)) {
            return Some(v);
        }
        if let Some(v) = self.hl7(m, start, digits, shape) {
            return Some(v);
        }
        // An NHS number without its word: grouped ones are unusual enough to
        // pass the default threshold, bare ten digits (timestamps) are not.
        if nhs_layout(shape) && checksum::nhs(d) {
            let score = if shape.groups.len() > 1 { 0.5 } else { 0.3 };
            return Some(Verdict::Emit(EntityType::UkNhs, score));
        }
        None
    }

    /// HL7 v2 fields whose position says what they hold: PID-19 is the SSN
    /// (feeds often shift it into PID-18, the patient account number, which
    /// is as personal; the SSN rules must hold either way), PID-2..4 patient
    /// identifiers, PID-13/14 and NK1-5/6 phone numbers.
    fn hl7(
        &self,
        m: &Match<'_>,
        start: usize,
        digits: &Digits,
        shape: &Shape<'_>,
    ) -> Option<Verdict> {
        let (seg, field) = hl7_field(m.text.as_bytes(), start)?;
        let d = digits.as_bytes();
        let compact = shape.groups.len() == 1 && !shape.groups[0].paren;
        match (&seg, field) {
            (b"PID", 18 | 19) if ssn_layout(shape, true) && checksum::ssn(d) => {
                Some(Verdict::Emit(EntityType::UsSsn, 0.85))
            }
            (b"PID", 2..=4) if compact && (6..=12).contains(&d.len()) => {
                Some(Verdict::Emit(EntityType::MedicalRecordNumber, 0.75))
            }
            (b"PID", 13 | 14) | (b"NK1", 5 | 6)
                if nanp_candidate(d, shape, true)
                    || phone::national(&self.plan, digits, shape, true) =>
            {
                Some(Verdict::Emit(EntityType::PhoneNumber, 0.85))
            }
            _ => None,
        }
    }
}

/// The HL7 v2 segment name and field number a value starts at, when it is
/// the first component of a field of a segment line (`PID|1||…`).
fn hl7_field(t: &[u8], start: usize) -> Option<([u8; 3], usize)> {
    if start == 0 || t.get(start - 1) != Some(&b'|') {
        return None;
    }
    // Segments are short: a value further than the window from its segment
    // name has no field number (and one huge line stays linear).
    let line_start = segment_start_within(t, start, 2048)?;
    let head = t.get(line_start..line_start + 4)?;
    if !(head[0].is_ascii_uppercase()
        && head[1..3]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && head[3] == b'|')
    {
        return None;
    }
    let field = t[line_start..start].iter().filter(|&&b| b == b'|').count();
    Some(([head[0], head[1], head[2]], field))
}

/// `2022-03-13`, `03/13/2022`, `13.03.2022` or a compact `20220313`: a
/// date, whatever the context word next to it says.
fn looks_like_date(d: &[u8], shape: &Shape<'_>) -> bool {
    let num = |s: &[u8]| s.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    let year = |s: &[u8]| (1900..=2099).contains(&num(s));
    let month = |s: &[u8]| (1..=12).contains(&num(s));
    let day = |s: &[u8]| (1..=31).contains(&num(s));
    let g = shape.groups;
    match g {
        [_] => d.len() == 8 && year(&d[..4]) && month(&d[4..6]) && day(&d[6..]),
        [a, b, c] => {
            let seps = b.sep == c.sep && matches!(b.sep, Sep::Dash | Sep::Dot | Sep::Slash);
            let (la, lb, lc) = (a.len, b.len, c.len);
            seps && ((la == 4 && lb <= 2 && lc <= 2)
                || (la <= 2 && lb <= 2 && (lc == 4 || lc == 2)))
        }
        _ => false,
    }
}

fn all_same(d: &[u8]) -> bool {
    d.iter().all(|&b| b == d[0])
}

/// NANP shape and numbering-plan rules (`compact_ok`: ten bare digits too).
fn nanp_candidate(d: &[u8], shape: &Shape<'_>, compact_ok: bool) -> bool {
    let ten = match d.len() {
        10 => d,
        11 if d[0] == b'1' => &d[1..],
        _ => return false,
    };
    phone::nanp_ok(ten) && phone::nanp_layout(shape, compact_ok)
}

/// `123-45-6789`, `123 45 6789`, or (with `compact_ok`) `123456789`.
fn ssn_layout(shape: &Shape<'_>, compact_ok: bool) -> bool {
    let g = shape.groups;
    if g.iter().any(|x| x.paren) {
        return false;
    }
    match g {
        [a] => compact_ok && a.len == 9,
        [a, b, c] => {
            a.len == 3
                && b.len == 2
                && c.len == 4
                && ((b.sep == Sep::Dash && c.sep == Sep::Dash)
                    || (b.sep == Sep::Space && c.sep == Sep::Space))
        }
        _ => false,
    }
}

/// `943 476 5919`, `943-476-5919` or `9434765919`.
fn nhs_layout(shape: &Shape<'_>) -> bool {
    let g = shape.groups;
    if g.iter().any(|x| x.paren) {
        return false;
    }
    match g {
        [a] => a.len == 10,
        [a, b, c] => {
            a.len == 3
                && b.len == 3
                && c.len == 4
                && b.sep == c.sep
                && matches!(b.sep, Sep::Space | Sep::Dash)
        }
        _ => false,
    }
}

/// Card layouts: compact, groups of four (the last may be shorter), Amex
/// 4-6-5 and Diners 4-6-4, with one kind of separator. A line break may stand
/// for a separator or for nothing (text wrapped inside a group).
fn card_layout(groups: &[Group]) -> bool {
    if groups.iter().any(|g| g.paren) {
        return false;
    }
    let mut kind = None;
    for g in groups.iter().skip(1) {
        match g.sep {
            Sep::Newline => {}
            Sep::Space | Sep::Dash => {
                if *kind.get_or_insert(g.sep) != g.sep {
                    return false;
                }
            }
            _ => return false,
        }
    }
    let newlines: Vec<usize> = (1..groups.len())
        .filter(|&i| groups[i].sep == Sep::Newline)
        .collect();
    if newlines.len() > 4 {
        return false;
    }
    for mask in 0u32..(1 << newlines.len()) {
        // Bit set: the line break joins two halves of one group.
        let mut lens: Vec<usize> = Vec::with_capacity(groups.len());
        for (i, g) in groups.iter().enumerate() {
            let join = newlines
                .iter()
                .position(|&k| k == i)
                .is_some_and(|bit| mask & (1 << bit) != 0);
            match lens.last_mut() {
                Some(l) if join => *l += g.len,
                _ => lens.push(g.len),
            }
        }
        let ok = match lens.as_slice() {
            [_] => true,
            [4, 6, 5] | [4, 6, 4] => true,
            [init @ .., last] if init.len() >= 3 => {
                init.iter().all(|&l| l == 4) && (1..=4).contains(last)
            }
            _ => false,
        };
        if ok {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests;

/// `ST 12345-6789`: five digits, a dash, four digits, after a two-letter
/// upper-case code and a space.
fn is_zip_plus4(text: &[u8], start: usize, shape: &Shape<'_>) -> bool {
    let [a, b] = shape.groups else {
        return false;
    };
    if a.len != 5 || b.len != 4 || b.sep != Sep::Dash || a.paren || b.paren {
        return false;
    }
    let before = &text[..start];
    let before = before.strip_suffix(b" ").unwrap_or(before);
    before.len() >= 2
        && before[before.len() - 2..]
            .iter()
            .all(u8::is_ascii_uppercase)
        && before
            .len()
            .checked_sub(3)
            .is_none_or(|i| !before[i].is_ascii_alphanumeric())
}
