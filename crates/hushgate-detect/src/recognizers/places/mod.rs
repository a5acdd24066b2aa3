//! LOCATION and ORGANIZATION: street lines, postcodes, cities and
//! organisation names, from one tokenizing pass over the text.
//!
//! * Street lines by shape: house number + name + street suffix (US/UK),
//!   number + street type + name (France), name-straße + number (Germany,
//!   Netherlands), street type + name + number (Spain, Italy, Portugal),
//!   PO boxes.
//! * Postcodes by shape and position: US ZIP after a state code, UK and
//!   Canadian postcodes, five-digit postcodes before a city (DE/FR/ES).
//! * Cities from a GeoNames-derived gazetteer (`data/places/cities.tsv`).
//!   Names that are common words, given names or small places need context:
//!   an address slot (`…, City, ST 12345`), a preposition (`in`, `nach`, `à`),
//!   a label (`City:`) or a noun they modify (`the Denver office`).
//! * Organisations by suffix (`Inc`, `GmbH`, `Hospital`, `Credit Union`),
//!   prefix (`Klinikum`, `Banco`, `Bank of`), a short curated list of
//!   well-known insurers, banks and health systems, and labels (`Employer:`).
//!
//! Findings are claimed token by token in that order (streets, then
//! organisations, then postcodes and cities), so a city inside a street or a
//! hospital name is not reported twice.

use std::sync::{Arc, OnceLock};

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{TextContext, TextRecognizer};

mod gazetteer;
mod lexicon;
mod location;
mod organization;
mod tokens;

use gazetteer::Gazetteer;
use lexicon::{Class, Lexicon};
use tokens::{Kind, Tok};

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn TextRecognizer>> {
    vec![Places::shared()]
}

/// The place and organisation recognizer. Its gazetteers (about 100k names)
/// are tables compiled in by `build.rs`; scanning allocates a few buffers per
/// text, none per token.
pub struct Places {
    cities: Gazetteer,
    orgs: Gazetteer,
    lex: Lexicon,
}

impl Default for Places {
    fn default() -> Self {
        Places::new()
    }
}

impl Places {
    /// One instance per process: the tables are immutable, so every engine
    /// shares them.
    pub fn shared() -> Arc<Places> {
        static SHARED: OnceLock<Arc<Places>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Places::new())).clone()
    }

    pub fn new() -> Places {
        Places {
            cities: Gazetteer::from_table(crate::generated::cities()),
            orgs: Gazetteer::from_table(crate::generated::orgs()),
            lex: Lexicon::new(),
        }
    }
}

/// Per-scan state shared by the passes.
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    pub cls: Vec<Class>,
    /// Token already part of a finding (ours or a structured one).
    pub used: Vec<bool>,
    pub out: Vec<Finding>,
    /// Last token of every street line found, for the city slot after it.
    pub street_end: Vec<usize>,
    pub p: &'a Places,
}

pub(crate) const NAME: &str = "places";

/// Structured findings scoring below this are candidates the engine will
/// probably drop; they do not block place names.
const STRUCTURED_MIN: f32 = 0.4;

impl<'a> Doc<'a> {
    pub fn s(&self, i: usize) -> &'a str {
        self.toks
            .get(i)
            .and_then(|t| self.text.get(t.start..t.end))
            .unwrap_or("")
    }
    pub fn c(&self, i: usize) -> Class {
        self.cls.get(i).copied().unwrap_or(0)
    }
    pub fn has(&self, i: usize, class: Class) -> bool {
        self.c(i) & class != 0
    }
    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }
    pub fn is_punct(&self, i: usize, ch: char) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Punct) && self.s(i).starts_with(ch)
    }
    pub fn cap(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(Tok::cap)
    }
    pub fn word(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Word)
    }
    pub fn lower_word(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == Kind::Word && t.is(tokens::LOWER))
    }
    /// Token `i` follows token `i - 1` on the same line.
    pub fn joined(&self, i: usize) -> bool {
        i > 0 && self.toks.get(i).is_some_and(|t| !t.nl)
    }
    /// Token `i` directly touches the previous token (no space).
    pub fn tight(&self, i: usize) -> bool {
        i > 0 && self.toks.get(i).is_some_and(|t| t.gap == 0 && !t.nl)
    }
    pub fn free(&self, i: usize) -> bool {
        self.used.get(i).is_some_and(|u| !u)
    }
    pub fn all_free(&self, i: usize, j: usize) -> bool {
        (i..=j).all(|k| self.free(k))
    }
    pub fn eq(&self, i: usize, w: &str) -> bool {
        self.s(i).eq_ignore_ascii_case(w)
    }
    /// Emits a finding over tokens `i..=j` and claims them.
    pub fn emit(&mut self, ty: EntityType, i: usize, j: usize, score: f32) {
        let (Some(a), Some(b)) = (self.toks.get(i), self.toks.get(j)) else {
            return;
        };
        let (start, end) = (a.start, b.end);
        if i > j || start >= end {
            return;
        }
        for u in &mut self.used[i..=j] {
            *u = true;
        }
        self.out.push(Finding::new(ty, start, end, score, NAME));
    }
}

impl TextRecognizer for Places {
    fn name(&self) -> &'static str {
        NAME
    }

    fn recognize(&self, text: &str, cx: &TextContext<'_>, out: &mut Vec<Finding>) {
        let mut toks = Vec::with_capacity(text.len() / 5 + 1);
        tokens::tokenize(text, &mut toks);
        if toks.is_empty() {
            return;
        }
        let cls: Vec<Class> = toks
            .iter()
            .map(|t| {
                if t.kind == Kind::Word && t.len() <= 48 {
                    self.lex
                        .token_classes(text.get(t.start..t.end).unwrap_or(""), t.cap())
                } else {
                    0
                }
            })
            .collect();
        // Tokens inside e-mails, URLs, keys and other structured findings are
        // off limits (weak candidates that the threshold will drop are not).
        let mut used = vec![false; toks.len()];
        let mut k = 0;
        for f in cx.structured.iter().filter(|f| f.score >= STRUCTURED_MIN) {
            while k < toks.len() && toks[k].end <= f.start {
                k += 1;
            }
            let mut j = k;
            while j < toks.len() && toks[j].start < f.end {
                used[j] = true;
                j += 1;
            }
        }
        let mut doc = Doc {
            text,
            toks,
            cls,
            used,
            out: Vec::new(),
            street_end: Vec::new(),
            p: self,
        };
        location::streets(&mut doc);
        organization::organizations(&mut doc);
        location::postcodes_and_cities(&mut doc);
        out.append(&mut doc.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ContextIndex;

    pub(crate) fn run(text: &str) -> Vec<(String, String)> {
        let p = Places::shared();
        let idx = ContextIndex::default();
        let cx = TextContext {
            structured: &[],
            context: &idx,
        };
        let mut out = Vec::new();
        p.recognize(text, &cx, &mut out);
        out.sort_by_key(|f| f.start);
        out.iter()
            .filter(|f| f.score >= 0.4)
            .map(|f| {
                let ty = match f.entity_type {
                    EntityType::Location => "LOC",
                    EntityType::Organization => "ORG",
                    _ => "?",
                };
                (ty.to_owned(), text[f.start..f.end].to_owned())
            })
            .collect()
    }

    fn has(found: &[(String, String)], ty: &str, v: &str) -> bool {
        found.iter().any(|(t, x)| t == ty && x == v)
    }

    #[track_caller]
    fn expect(text: &str, want: &[(&str, &str)]) {
        let found = run(text);
        for (ty, v) in want {
            assert!(
                has(&found, ty, v),
                "missing {ty} {v:?} in {text:?}: {found:?}"
            );
        }
    }

    #[track_caller]
    fn nothing(text: &str) {
        let found = run(text);
        assert!(found.is_empty(), "unexpected {found:?} in {text:?}");
    }

    #[test]
    fn us_addresses() {
        expect(
            "Address: 5196 Monroe Boulevard Apt 4B, Providence, RI 02903",
            &[
                ("LOC", "5196 Monroe Boulevard Apt 4B"),
                ("LOC", "Providence"),
                ("LOC", "02903"),
            ],
        );
        expect(
            "ship to 6190 Hill Court, Unit 7, Oakland, CA 94626 please",
            &[
                ("LOC", "6190 Hill Court, Unit 7"),
                ("LOC", "Oakland"),
                ("LOC", "94626"),
            ],
        );
        expect(
            "Billing address: 4999 Pine St., Dallas, TX 75273-1234",
            &[
                ("LOC", "4999 Pine St."),
                ("LOC", "Dallas"),
                ("LOC", "75273-1234"),
            ],
        );
        expect(
            "PID|1||0162721^^^MRN||DE VRIES^ZOE||19870403|F|||1177 Oak Avenue^^Tucson^AZ^85725||",
            &[
                ("LOC", "1177 Oak Avenue"),
                ("LOC", "Tucson"),
                ("LOC", "85725"),
            ],
        );
        expect(
            r#"{"addr": "8959 Dogwood St.\nMadison, WI 53795"}"#,
            &[
                ("LOC", "8959 Dogwood St."),
                ("LOC", "Madison"),
                ("LOC", "53795"),
            ],
        );
        expect(
            "P.O. Box 4411, Boise, ID 83701",
            &[("LOC", "P.O. Box 4411"), ("LOC", "Boise")],
        );
        expect("lives in San\u{a0}Diego now", &[("LOC", "San\u{a0}Diego")]);
        expect(
            "John Smith\n1234 Elm Street\nApt 5\nChicago, IL 60614",
            &[
                ("LOC", "1234 Elm Street\nApt 5"),
                ("LOC", "Chicago"),
                ("LOC", "60614"),
            ],
        );
        expect(
            "ADDRESS: 42 WALLABY WAY, SYDNEY NSW 2000",
            &[("LOC", "42 WALLABY WAY"), ("LOC", "2000")],
        );
    }

    #[test]
    fn uk_addresses() {
        expect(
            "Address: 74 The Crescent, Cardiff, CF7 4QA",
            &[
                ("LOC", "74 The Crescent"),
                ("LOC", "Cardiff"),
                ("LOC", "CF7 4QA"),
            ],
        );
        expect(
            "Discharged home to 235 Queen's Road, Nottingham, NG5 3UQ on 20-May-2021.",
            &[
                ("LOC", "235 Queen's Road"),
                ("LOC", "Nottingham"),
                ("LOC", "NG5 3UQ"),
            ],
        );
    }

    #[test]
    fn european_addresses() {
        expect(
            "wohnhaft Friedrich-Ebert-Straße 82, 55653 Köln. Mit freundlichen Grüßen",
            &[
                ("LOC", "Friedrich-Ebert-Straße 82"),
                ("LOC", "55653"),
                ("LOC", "Köln"),
            ],
        );
        expect(
            "Anschrift: Am Marktplatz 89a, 79661 Freiburg im Breisgau",
            &[
                ("LOC", "Am Marktplatz 89a"),
                ("LOC", "Freiburg im Breisgau"),
            ],
        );
        expect(
            "Mozartstr. 11, 28255 Bremen.",
            &[("LOC", "Mozartstr. 11"), ("LOC", "Bremen")],
        );
        expect(
            "demeurant 128, rue de la Paix, 44016 Nantes.",
            &[
                ("LOC", "128, rue de la Paix"),
                ("LOC", "44016"),
                ("LOC", "Nantes"),
            ],
        );
        expect(
            "Adresse : 129 bis, quai de la Loire\n69915 Lyon",
            &[("LOC", "129 bis, quai de la Loire"), ("LOC", "Lyon")],
        );
        expect(
            "con domicilio en Plaza de España, 132, 2.º izq., 47161 Valladolid.",
            &[
                ("LOC", "Plaza de España, 132, 2.º izq."),
                ("LOC", "Valladolid"),
            ],
        );
        expect(
            "Domicilio: Calle de Alcalá, 164, 3º B, 46696 Valencia",
            &[("LOC", "Calle de Alcalá, 164, 3º B"), ("LOC", "46696")],
        );
        expect(
            "Domicilio: Gran Vía, 200, 07920 Palma",
            &[("LOC", "Gran Vía, 200"), ("LOC", "Palma")],
        );
        expect(
            "Hauptstraße 12a, 10115 Berlin",
            &[("LOC", "Hauptstraße 12a"), ("LOC", "Berlin")],
        );
    }

    #[test]
    fn cities_need_context() {
        expect("I'm in Charlotte now", &[("LOC", "Charlotte")]);
        expect("Jörg wohnt jetzt in Nürnberg.", &[("LOC", "Nürnberg")]);
        expect(
            "Daniel se ha mudado a Valladolid.",
            &[("LOC", "Valladolid")],
        );
        expect(
            "expense report for the Denver offsite",
            &[("LOC", "Denver")],
        );
        expect(
            "We flew over Albuquerque yesterday.",
            &[("LOC", "Albuquerque")],
        );
        nothing("Reading the chart, Charlotte noted a fever.");
        nothing("Mobile number on file. March visit.");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_valid(
            text in "([A-Za-zÄÖÜäöüßéÉñº0-9 ,.^&#'’\\\\/:|\n\u{a0}-]|Straße|Calle|rue|St|Apt|Bank|of|GmbH|Box|P\\.O\\.|[0-9]{5}|NG14 1FB|CA|NY ){0,40}"
        ) {
            let p = Places::shared();
            let idx = ContextIndex::default();
            let cx = TextContext { structured: &[], context: &idx };
            let mut out = Vec::new();
            p.recognize(&text, &cx, &mut out);
            for f in &out {
                proptest::prop_assert!(f.start < f.end && f.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            }
        }
    }

    #[test]
    fn organizations() {
        expect(
            "Follow-up scheduled at Riverside Community Hospital; call us",
            &[("ORG", "Riverside Community Hospital")],
        );
        expect(
            "Bank: Harborview Credit Union",
            &[("ORG", "Harborview Credit Union")],
        );
        expect(
            "Referred by Dr. X (St. Mary's Medical Center).",
            &[("ORG", "St. Mary's Medical Center")],
        );
        expect(
            "Regards,\nJuan\nSenior Accountant | Desai & Nielsen LLP",
            &[("ORG", "Desai & Nielsen LLP")],
        );
        expect(
            "Beneficiary: Initech\nBeneficiary bank: Union Prairie Bank",
            &[("ORG", "Initech"), ("ORG", "Union Prairie Bank")],
        );
        expect(
            "Arztbrief - Praxisgemeinschaft am Park",
            &[("ORG", "Praxisgemeinschaft am Park")],
        );
        expect(
            "bei der Versicherungsgruppe Adler AG.",
            &[("ORG", "Versicherungsgruppe Adler AG")],
        );
        expect(
            "la cita en Clínica San Rafael.",
            &[("ORG", "Clínica San Rafael")],
        );
        expect(
            "Centre hospitalier de Val-Fleuri",
            &[("ORG", "Centre hospitalier de Val-Fleuri")],
        );
        expect(
            "Insurance: UnitedHealthcare, subscriber",
            &[("ORG", "UnitedHealthcare")],
        );
        expect(
            "The Beeches Health Centre - Clinic Letter",
            &[("ORG", "The Beeches Health Centre")],
        );
        expect(
            "Contact Providence St. Joseph Hospital today",
            &[("ORG", "Providence St. Joseph Hospital")],
        );
        nothing("PROGRESS NOTE\nHOSPITAL COURSE: stable. General Surgery consulted.");
        nothing("Customer Success Lead, Data Systems and Cloud Security teams");
    }
}
