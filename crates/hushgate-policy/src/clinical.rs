//! A small, fast detector of clinical context: is this text about someone's health?
//!
//! HIPAA's identifiers are PHI only in a health context, so the gateway asks this once per
//! request and passes the answer to [`Policy::decide`](crate::Policy::decide) as
//! `clinical_context`. One pass over the bytes, no allocation, linear time; it stops as soon
//! as the evidence is sufficient.
//!
//! Evidence is scored by distinct vocabulary terms: *strong* terms (diagnosis, MRN, ICD,
//! medication and condition names) weigh 2, *weak* terms (patient, doctor, symptoms, mg) weigh
//! 1, and a dotted ICD-10 code such as `E11.9` weighs 2. The text is clinical at a score of 2:
//! one strong term, one code, or two different weak terms. Words repeat for free, so "patient,
//! patient, patient" is not clinical, but "patient ... symptoms" is.
//!
//! It errs toward "clinical": for a HIPAA tenant a false positive only keeps data on a
//! stricter path. English vocabulary only; tenants whose every request is clinical set
//! `clinical_context = "always"` instead.

/// Evidence found in a text; counts only, never words from the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClinicalSignals {
    /// Distinct strong terms seen.
    pub strong: u32,
    /// Distinct weak terms seen.
    pub weak: u32,
    /// Dotted ICD-10 codes seen.
    pub codes: u32,
}

impl ClinicalSignals {
    /// The weighted score: 2 per strong term or code, 1 per weak term.
    pub fn score(&self) -> u32 {
        2 * (self.strong + self.codes) + self.weak
    }

    /// Whether the evidence reaches the threshold.
    pub fn is_clinical(&self) -> bool {
        self.score() >= THRESHOLD
    }
}

const THRESHOLD: u32 = 2;

/// Whether `text` reads as clinical (stops at the first sufficient evidence).
///
/// ```
/// use hushgate_policy::clinical::has_clinical_context;
/// assert!(has_clinical_context("Pt diagnosed with T2DM, on metformin 500 mg BID."));
/// assert!(has_clinical_context("Assessment: E11.9"));
/// assert!(!has_clinical_context("Please be patient, the build takes a while."));
/// ```
pub fn has_clinical_context(text: &str) -> bool {
    scan_until(text, true).is_clinical()
}

/// All the evidence in `text` (reads the whole text).
pub fn scan(text: &str) -> ClinicalSignals {
    scan_until(text, false)
}

fn scan_until(text: &str, stop_early: bool) -> ClinicalSignals {
    let bytes = text.as_bytes();
    let mut signals = ClinicalSignals::default();
    let mut seen = [0u64; SEEN_WORDS];
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        // A token glued to non-ASCII letters (e.g. "café") is part of a longer word: skip it.
        let glued = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii());
        if glued(bytes.get(i)) || (start > 0 && glued(bytes.get(start - 1))) {
            continue;
        }
        let token = &bytes[start..i];
        if let Some(code_len) = icd10_at(token, &bytes[i..]) {
            signals.codes += 1;
            i += code_len;
        } else if let Some((index, strong)) = lookup(token) {
            let (word, bit) = (index / 64, 1u64 << (index % 64));
            if seen[word] & bit == 0 {
                seen[word] |= bit;
                if strong {
                    signals.strong += 1;
                } else {
                    signals.weak += 1;
                }
            }
        }
        if stop_early && signals.is_clinical() {
            break;
        }
    }
    signals
}

/// An ICD-10 code with its dot: `[A-Z][0-9][0-9AB].[0-9A-Z]{1,4}`, uppercase, followed by
/// a non-alphanumeric byte. Returns the length of the part after the token (dot + suffix).
/// Undotted codes (`I10`) are too ambiguous to count on their own.
fn icd10_at(token: &[u8], rest: &[u8]) -> Option<usize> {
    let [letter, d1, d2] = *token else {
        return None;
    };
    let letter_ok = letter.is_ascii_uppercase();
    let digits_ok = d1.is_ascii_digit() && (d2.is_ascii_digit() || d2 == b'A' || d2 == b'B');
    if !(letter_ok && digits_ok) || rest.first() != Some(&b'.') {
        return None;
    }
    let suffix = rest[1..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        .count();
    let after = rest.get(1 + suffix);
    let bounded = after.is_none_or(|b| !b.is_ascii_alphanumeric());
    ((1..=4).contains(&suffix) && bounded).then_some(1 + suffix)
}

/// The vocabulary index and strength of a token, compared ASCII case-insensitively.
///
/// Terms are searched by a 16-byte big-endian key (integer compares, no `memcmp` per probe),
/// then the one candidate is checked in full.
fn lookup(token: &[u8]) -> Option<(usize, bool)> {
    // Every term starts with a letter: numbers, the commonest tokens in logs, skip the search.
    if token.len() < 2 || token.len() > MAX_TERM_LEN || !token[0].is_ascii_alphabetic() {
        return None;
    }
    // Most words fail here: no term has this length and first letter.
    let first = token[0].to_ascii_lowercase() - b'a';
    if FIRST_BY_LEN[token.len()] & (1 << first) == 0 {
        return None;
    }
    let mut buf = [0u8; MAX_TERM_LEN];
    let lower = &mut buf[..token.len()];
    lower.copy_from_slice(token);
    lower.make_ascii_lowercase();
    let i = KEYS.binary_search(&key(lower)).ok()?;
    let (term, strong) = TERMS[i];
    (term.as_bytes() == &*lower).then_some((i, strong))
}

/// The first 16 bytes, big-endian, zero-padded: orders like the bytes themselves (no term
/// contains a zero byte).
const fn key(s: &[u8]) -> u128 {
    let mut k = 0u128;
    let mut i = 0;
    while i < 16 {
        k <<= 8;
        if i < s.len() {
            k |= s[i] as u128;
        }
        i += 1;
    }
    k
}

/// For each length, a bit per first letter (`a` = bit 0) that some term has.
static FIRST_BY_LEN: [u32; MAX_TERM_LEN + 1] = {
    let mut table = [0u32; MAX_TERM_LEN + 1];
    let mut i = 0;
    while i < TERMS.len() {
        let t = TERMS[i].0.as_bytes();
        table[t.len()] |= 1 << (t[0] - b'a');
        i += 1;
    }
    table
};

static KEYS: [u128; TERMS.len()] = {
    let mut keys = [0u128; TERMS.len()];
    let mut i = 0;
    while i < TERMS.len() {
        keys[i] = key(TERMS[i].0.as_bytes());
        i += 1;
    }
    keys
};

const MAX_TERM_LEN: usize = 20;
const SEEN_WORDS: usize = TERMS.len().div_ceil(64);
const S: bool = true;
const W: bool = false;

/// Clinical vocabulary, sorted (a test checks the order), lowercase, single ASCII words.
/// Strong: unambiguous in ordinary prose. Weak: common in health text but also elsewhere.
const TERMS: &[(&str, bool)] = &[
    ("a1c", S),
    ("acetaminophen", W),
    ("adalimumab", S),
    ("admitted", W),
    ("albuterol", S),
    ("allergies", W),
    ("allergy", W),
    ("alprazolam", S),
    ("alzheimer", S),
    ("amlodipine", S),
    ("amoxicillin", S),
    ("anemia", S),
    ("angina", S),
    ("apixaban", S),
    ("aripiprazole", S),
    ("arrhythmia", S),
    ("asthma", S),
    ("atorvastatin", S),
    ("azithromycin", S),
    ("bid", W),
    ("biopsy", S),
    ("blood", W),
    ("bmi", W),
    ("bupropion", S),
    ("carcinoma", S),
    ("cardiology", W),
    ("carvedilol", S),
    ("ceftriaxone", S),
    ("cephalexin", S),
    ("chemotherapy", S),
    ("ciprofloxacin", S),
    ("citalopram", S),
    ("ckd", S),
    ("clinic", W),
    ("clinical", W),
    ("clinician", W),
    ("clonazepam", S),
    ("clopidogrel", S),
    ("comorbidities", S),
    ("comorbidity", S),
    ("copay", W),
    ("copd", S),
    ("cough", W),
    ("dementia", S),
    ("diabetes", S),
    ("diabetic", S),
    ("diagnosed", S),
    ("diagnoses", S),
    ("diagnosis", S),
    ("discharge", W),
    ("discharged", W),
    ("dosage", S),
    ("dose", W),
    ("doxycycline", S),
    ("duloxetine", S),
    ("dx", S),
    ("empagliflozin", S),
    ("enoxaparin", S),
    ("epilepsy", S),
    ("escitalopram", S),
    ("fever", W),
    ("fluoxetine", S),
    ("furosemide", S),
    ("gabapentin", S),
    ("gestational", S),
    ("glipizide", S),
    ("hba1c", S),
    ("heparin", S),
    ("hepatitis", S),
    ("hiv", S),
    ("hospital", W),
    ("hospitalized", S),
    ("hpi", S),
    ("hx", W),
    ("hydrochlorothiazide", S),
    ("hydrocodone", S),
    ("hyperlipidemia", S),
    ("hypertension", S),
    ("hypothyroidism", S),
    ("ibuprofen", W),
    ("icd", S),
    ("icu", S),
    ("immunization", W),
    ("infarction", S),
    ("inpatient", S),
    ("insulin", S),
    ("lamotrigine", S),
    ("levetiracetam", S),
    ("levothyroxine", S),
    ("lisinopril", S),
    ("lorazepam", S),
    ("losartan", S),
    ("medicaid", W),
    ("medical", W),
    ("medicare", W),
    ("medication", S),
    ("medications", S),
    ("meloxicam", S),
    ("metformin", S),
    ("methotrexate", S),
    ("metoprolol", S),
    ("mg", W),
    ("montelukast", S),
    ("morphine", S),
    ("mrn", S),
    ("myocardial", S),
    ("nausea", W),
    ("nitrofurantoin", S),
    ("nurse", W),
    ("omeprazole", S),
    ("oncology", W),
    ("outpatient", S),
    ("oxycodone", S),
    ("pantoprazole", S),
    ("pathology", W),
    ("patient", W),
    ("patients", W),
    ("pediatric", W),
    ("pharmacy", W),
    ("physician", W),
    ("pneumonia", S),
    ("postpartum", S),
    ("prednisone", S),
    ("prenatal", S),
    ("prescribed", S),
    ("prescription", S),
    ("prn", S),
    ("prognosis", S),
    ("psychiatric", W),
    ("quetiapine", S),
    ("radiology", W),
    ("radiotherapy", S),
    ("referral", W),
    ("risperidone", S),
    ("rosuvastatin", S),
    ("rx", W),
    ("schizophrenia", S),
    ("seizure", W),
    ("seizures", W),
    ("semaglutide", S),
    ("sepsis", S),
    ("sertraline", S),
    ("simvastatin", S),
    ("sitagliptin", S),
    ("surgery", W),
    ("symptom", W),
    ("symptoms", W),
    ("tamsulosin", S),
    ("tramadol", S),
    ("trazodone", S),
    ("treatment", W),
    ("triage", W),
    ("tumor", W),
    ("vaccination", W),
    ("vancomycin", S),
    ("venlafaxine", S),
    ("vitals", S),
    ("warfarin", S),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_sorted_lowercase_and_short() {
        for pair in TERMS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} !< {}", pair[0].0, pair[1].0);
        }
        // Keys are distinct and in the same order, so the key search finds every term.
        assert!(KEYS.windows(2).all(|k| k[0] < k[1]));
        for (i, (t, _)) in TERMS.iter().enumerate() {
            assert_eq!(
                lookup(t.to_ascii_uppercase().as_bytes()).map(|x| x.0),
                Some(i)
            );
        }
        assert_eq!(lookup(b"hydrochlorothiazides"), None);
        assert_eq!(lookup(b"hydrochlorothiazidX"), None);
        for (t, _) in TERMS {
            assert!(t.len() <= MAX_TERM_LEN, "{t}");
            assert!(
                t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{t}"
            );
        }
    }

    #[test]
    fn clinical_texts() {
        for text in [
            "Patient presented with chest pain and fever.",
            "MRN 00123456, follow up next week",
            "Dx: type 2 diabetes",
            "Started lisinopril 10 mg daily",
            "ICD-10 code recorded",
            "Assessment: J45.909 (asthma, unspecified)",
            "Plan: recheck HbA1c in 3 months",
            "The patient's symptoms improved",
            "Discharged from hospital on Monday",
        ] {
            assert!(has_clinical_context(text), "{text}");
        }
    }

    #[test]
    fn non_clinical_texts() {
        for text in [
            "Please be patient, the build takes a while.",
            "Flight A320 lands at gate B12 at 10.30",
            "Version E11.9b of the firmware", // not bounded
            "Invoice 4415 for 12 chairs, shipped to Berlin",
            "I10 is closed between exits 5 and 7",
            "The patient patient patient reviewer",
            "Our blood drive raised money",
            "",
            "Ünïcødé patient-free text: café diagnosisé",
        ] {
            assert!(!has_clinical_context(text), "{text}");
        }
    }

    #[test]
    fn counts_distinct_terms_and_codes() {
        let s = scan("Diagnosis: E11.9 and I10.0; diagnosis confirmed; patient stable; patient");
        assert_eq!(
            s,
            ClinicalSignals {
                strong: 1,
                weak: 1,
                codes: 2
            }
        );
        assert_eq!(s.score(), 7);
    }

    #[test]
    fn icd10_shapes() {
        let code = |t: &str| {
            let (tok, rest) = t.split_at(3);
            icd10_at(tok.as_bytes(), rest.as_bytes())
        };
        assert_eq!(code("E11.9"), Some(2));
        assert_eq!(code("J45.909 x"), Some(4));
        assert_eq!(code("S72.001A"), Some(5));
        assert_eq!(code("U07.1"), Some(2)); // WHO emergency-use codes (COVID-19)
        assert_eq!(code("E11."), None);
        assert_eq!(code("E11.12345"), None);
        assert_eq!(code("e11.9"), None);
        assert_eq!(code("E1X.9"), None);
    }

    #[test]
    fn long_text_is_linear_and_early_exit_agrees() {
        let filler = "the quick brown fox jumps over the lazy dog 12345 ".repeat(40_000);
        assert!(!has_clinical_context(&filler));
        let tail = format!("{filler} diagnosis");
        assert!(has_clinical_context(&tail));
        assert_eq!(scan(&tail).strong, 1);
    }
}
