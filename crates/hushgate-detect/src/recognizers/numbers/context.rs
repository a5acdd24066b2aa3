//! Context words of the digit-based types, and the nearest-word lookup that
//! decides between them.

use crate::context::ContextIndex;

/// What a nearby word says a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ctx {
    Phone,
    Card,
    Ssn,
    Nhs,
    Bank,
    Routing,
    Passport,
    DriverLicense,
    /// "license", "lic.": a state licence or a DEA number.
    MedLicense,
    /// "DEA": a DEA number, which must pass its check digit.
    Dea,
    Mrn,
    /// Order, invoice, tracking, ticket, ISBN, version...: not personal data.
    Negative,
}

const KEYS: &[(Ctx, &str)] = &[
    (Ctx::Phone, "num.phone"),
    (Ctx::Card, "num.card"),
    (Ctx::Ssn, "num.ssn"),
    (Ctx::Nhs, "num.nhs"),
    (Ctx::Bank, "num.bank"),
    (Ctx::Routing, "num.routing"),
    (Ctx::Passport, "num.passport"),
    (Ctx::DriverLicense, "num.dl"),
    (Ctx::MedLicense, "num.medlic"),
    (Ctx::Dea, "num.dea"),
    (Ctx::Mrn, "num.mrn"),
    (Ctx::Negative, "num.neg"),
];

/// Context words (lowercase, matched whole-word, ASCII case-insensitive).
pub(super) fn words() -> Vec<(&'static str, &'static str)> {
    let lists: &[(&str, &[&str])] = &[
        (
            "num.phone",
            &[
                "phone",
                "phones",
                "telephone",
                "tel",
                "mobile",
                "cell",
                "cellphone",
                "call",
                "called",
                "calling",
                "callback",
                "call-back",
                "fax",
                "contact",
                "reach",
                "text",
                "sms",
                "whatsapp",
                "dial",
                "landline",
                "hotline",
                "ph",
                "mob",
                "tél",
                "téléphone",
                "portable",
                "joindre",
                "appeler",
                "teléfono",
                "telefono",
                "móvil",
                "movil",
                "llamar",
                "llame",
                "llámame",
                "llamame",
                "llámenos",
                "tfno",
                "appelez",
                "anrufen",
                "erreichbar",
                "número",
                "telefon",
                "rückruf",
                "handy",
                "mobil",
                "mobilnummer",
                "durchwahl",
            ],
        ),
        (
            "num.card",
            &[
                "card",
                "cards",
                "cc",
                "visa",
                "mastercard",
                "amex",
                "american express",
                "discover",
                "diners",
                "jcb",
                "pan",
                "cardholder",
                "carte",
                "tarjeta",
                "karte",
                "kreditkarte",
                "kartenzahlung",
                "kartennummer",
            ],
        ),
        (
            "num.ssn",
            &["ssn", "ssns", "social security", "soc sec", "social sec"],
        ),
        ("num.nhs", &["nhs"]),
        (
            "num.bank",
            &[
                "account",
                "acct",
                "a/c",
                "checking",
                "savings",
                "kontonummer",
                "konto",
                "cuenta",
                "compte",
            ],
        ),
        ("num.routing", &["routing", "aba", "rtn", "transit"]),
        (
            "num.passport",
            &[
                "passport",
                "passports",
                "pasaporte",
                "passeport",
                "reisepass",
            ],
        ),
        (
            "num.dl",
            &[
                "driver's license",
                "drivers license",
                "driver license",
                "driver's licence",
                "drivers licence",
                "driver licence",
                "driver\u{2019}s license",
                "driving licence",
                "driving license",
                "dl",
                "dln",
                "führerschein",
                "permis de conduire",
                "licencia de conducir",
            ],
        ),
        ("num.dea", &["dea"]),
        ("num.medlic", &["lic", "license", "licence", "npi"]),
        (
            "num.mrn",
            &[
                "mrn",
                "medical record",
                "medical records",
                "record number",
                "chart",
                "patient id",
                "patient number",
                "patient no",
                "hospital number",
                "hospital no",
                "unit number",
                "fallnummer",
                "patientennummer",
                "historia clínica",
                "historia clinica",
                "nhc",
                "dossier",
                "hosp",
                "hosp no",
                "ipp",
                "patiëntnummer",
                "patientnummer",
                "patiëntnr",
                "patienten-id",
                "patienten id",
                "patient-id",
                "cartella clinica",
                "cartella",
                "historia",
                "nº historia",
                "record no",
                "med rec",
                "chart no",
                "numéro de dossier",
                "n° dossier",
            ],
        ),
        (
            "num.neg",
            &[
                "order",
                "orders",
                "invoice",
                "inv",
                "tracking",
                "ticket",
                "isbn",
                "version",
                "build",
                "ref",
                "reference",
                "confirmation",
                "booking",
                "receipt",
                "sku",
                "serial",
                "gift card",
                "lot",
                "item",
                "case",
                "employee",
                "transaction",
                "txn",
                "shipment",
                "parcel",
                "pedido",
                "commande",
                "bestellung",
                "rechnung",
                "factura",
                "facture",
                "po",
                "model",
                "part",
                "batch",
                "ups",
                "fedex",
                "usps",
                "imei",
                "license plate",
                "iccid",
                "vin",
                // An EIN (`12-3456789`) is not a phone; `TIN` may be an SSN.
                "ein",
                "fein",
                "steuernummer",
                "1z",
            ],
        ),
    ];
    let mut out = Vec::new();
    for (key, ws) in lists {
        for w in *ws {
            out.push((*w, *key));
        }
    }
    out
}

/// Bytes between a context word and the value it introduces.
const BEFORE: usize = 48;
/// Bytes after a value where a trailing label (`^^^MRN`) still counts.
const AFTER: usize = 8;

/// The context kinds near `[start, end)`, closest first; words before the
/// value rank ahead of words after it.
///
/// A word before the value counts only if no other value (a digit or a mask
/// character) stands between them: in "Routing 188319273, account 0371747"
/// "routing" belongs to the first number. A word after the value counts only
/// when joined by `^`, spaces or an opening bracket (`HX1952586^^^MRN`).
pub(super) fn near(ci: &ContextIndex, text: &[u8], start: usize, end: usize) -> Ctxs {
    let mut out = Ctxs::default();
    if ci.is_empty() {
        return out;
    }
    // The closest value-free stretch before `start`.
    let lo = start.saturating_sub(BEFORE);
    let mut free_from = text
        .get(lo..start)
        .and_then(|w| w.iter().rposition(|b| b.is_ascii_digit() || *b == b'*'))
        .map_or(lo, |p| lo + p + 1);
    // In a delimited row (`Jane,4155550132,…`) words on earlier lines are
    // column headers, which say nothing about this particular cell.
    let prev = |k: usize| start.checked_sub(k).and_then(|i| text.get(i)).copied();
    let in_row = matches!(prev(1), Some(b',' | b'\t' | b';' | b'|'))
        || (matches!(prev(1), Some(b'"' | b'\'')) && matches!(prev(2), Some(b',' | b'\t' | b';')));
    let row_nl = text
        .get(free_from..start)
        .filter(|_| in_row)
        .and_then(|w| w.iter().rposition(|&b| b == b'\n'));
    free_from += row_nl.map_or(0, |nl| nl + 1);
    for &(c, key) in KEYS {
        let hit = ci
            .nearest_before(key, start, BEFORE)
            .filter(|&e| e >= free_from);
        if let Some(e) = hit {
            out.push(c, start.saturating_sub(e));
        }
    }
    let joined = text.get(end..(end + AFTER).min(text.len())).map_or(0, |w| {
        w.iter()
            .take_while(|&&b| matches!(b, b'^' | b' ' | b'(' | b'['))
            .count()
    });
    if joined > 0 {
        for &(c, key) in KEYS {
            if !out.has(c) && ci.within(key, end, end + joined + 1) {
                out.push(c, BEFORE + 1);
            }
        }
    }
    out.items[..out.len].sort_by_key(|&(_, d)| d);
    out
}

/// A small sorted set of context kinds.
#[derive(Default)]
pub(super) struct Ctxs {
    items: [(Option<Ctx>, usize); 12],
    len: usize,
}

impl Ctxs {
    fn push(&mut self, c: Ctx, dist: usize) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = (Some(c), dist);
            self.len += 1;
        }
    }

    /// Context kinds, closest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = Ctx> + '_ {
        self.items[..self.len].iter().filter_map(|&(c, _)| c)
    }

    pub(super) fn first(&self) -> Option<Ctx> {
        self.iter().next()
    }

    pub(super) fn has(&self, c: Ctx) -> bool {
        self.iter().any(|x| x == c)
    }
}
