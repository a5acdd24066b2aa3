use super::*;
use crate::Engine;

fn engine(o: DetectOptions) -> Engine {
    let mut b = Engine::builder().without_builtins().options(o.clone());
    for r in recognizers(&o) {
        b = b.pattern_recognizer(r);
    }
    b.build().unwrap()
}

fn found(text: &str) -> Vec<(String, String)> {
    thread_local!(static E: Engine = engine(DetectOptions::default()));
    E.with(|e| {
        e.scan(text)
            .iter()
            .map(|f| (f.entity_type.to_string(), text[f.start..f.end].to_owned()))
            .collect()
    })
}

fn has(text: &str, t: &str, v: &str) {
    let f = found(text);
    assert!(
        f.iter().any(|(a, b)| a == t && b == v),
        "{t} {v:?} not found in {text:?}: {f:?}"
    );
}

fn none(text: &str) {
    let f = found(text);
    assert!(f.is_empty(), "unexpected findings in {text:?}: {f:?}");
}

#[test]
fn phones() {
    has(
        "call (415) 555-0132 x204 today",
        "PHONE_NUMBER",
        "(415) 555-0132 x204",
    );
    has(
        "+1 688 641 9618, ext. 4778.",
        "PHONE_NUMBER",
        "+1 688 641 9618, ext. 4778",
    );
    has("Tel.+1-415-555-0132", "PHONE_NUMBER", "+1-415-555-0132");
    has(
        "reach 1 (350) 237-4197 /",
        "PHONE_NUMBER",
        "1 (350) 237-4197",
    );
    has("mobile 415.555.0132", "PHONE_NUMBER", "415.555.0132");
    has(
        "please call +1-\n975-345-1171",
        "PHONE_NUMBER",
        "+1-\n975-345-1171",
    );
    has("Tel: 020 7946 0958", "PHONE_NUMBER", "020 7946 0958");
    has(
        "Vous pouvez me joindre au +33 (0)1 36 33 79 27 ou",
        "PHONE_NUMBER",
        "+33 (0)1 36 33 79 27",
    );
    has("au 06 12 34 56 78.", "PHONE_NUMBER", "06 12 34 56 78");
    has(
        "Rückruf bitte unter (089) 3748200 oder",
        "PHONE_NUMBER",
        "(089) 3748200",
    );
    has(
        "Mi número es 676 37 68 09 y",
        "PHONE_NUMBER",
        "676 37 68 09",
    );
    has(
        "call-back number +17463545835.",
        "PHONE_NUMBER",
        "+17463545835",
    );
    has("phone 4155550132", "PHONE_NUMBER", "4155550132");
    none("order 112-4839201-2231945 shipped");
    none("build 10.0.19045.3803 released");
    none("timestamp 1716200000 ok");
    none("BP 128/82, HR 72");
}

#[test]
fn cards() {
    has(
        "card 4111 1111 1111 1111 exp",
        "CREDIT_CARD",
        "4111 1111 1111 1111",
    );
    has("amex 3782-822463-10005", "CREDIT_CARD", "3782-822463-10005");
    has(
        "Card on file:\n5206 0805\n1008 4810",
        "CREDIT_CARD",
        "5206 0805\n1008 4810",
    );
    has("(card=5555555555554444)", "CREDIT_CARD", "5555555555554444");
    none("tracking 1234 5678 1234 5670 arrived");
    none("number 4111 1111 1111 1112");
}

#[test]
fn ssn_and_friends() {
    has("ssn:536-22-8901", "US_SSN", "536-22-8901");
    has("SSN: 536228901\n", "US_SSN", "536228901");
    has("my ssn is 536 22 8901.", "US_SSN", "536 22 8901");
    none("SSN: ***-**-1234");
    none("id 536228901");
    none("ssn 078-05-1120");
    has("NHS No: 943 476 5919 ", "UK_NHS", "943 476 5919");
    has(
        "Routing 021000021, account 123456789012, checking",
        "US_BANK_NUMBER",
        "123456789012",
    );
    none("routing number 021000021 is printed");
    has("passport C12345678 ok", "US_PASSPORT", "C12345678");
    has("Passport: 095263760 (for I-9)", "US_PASSPORT", "095263760");
    has(
        "Driver's license (Florida) A123-456-78-901-0 scanned",
        "US_DRIVER_LICENSE",
        "A123-456-78-901-0",
    );
    has("DL WDLRNT8SR3XM (WA)", "US_DRIVER_LICENSE", "WDLRNT8SR3XM");
    has("Prescriber DEA AB1234563.", "MEDICAL_LICENSE", "AB1234563");
    has(
        "Signed: C. Zhu, NP, lic. C86066",
        "MEDICAL_LICENSE",
        "C86066",
    );
    has(
        "Patient (MRN MR889754) was",
        "MEDICAL_RECORD_NUMBER",
        "MR889754",
    );
    has(
        "MRN: 5606-4241    DOB",
        "MEDICAL_RECORD_NUMBER",
        "5606-4241",
    );
    has(
        "IBAN: GB82 WEST 1234 5698 7654 32\nBIC",
        "IBAN_CODE",
        "GB82 WEST 1234 5698 7654 32",
    );
    has(
        "iban de89370400440532013000.",
        "IBAN_CODE",
        "de89370400440532013000",
    );
    none("BIC DEUTDEFFXXX");
}

#[test]
fn aba_is_opt_in() {
    let text = "routing number 021000021";
    let o = DetectOptions {
        entities: Some(vec![EntityType::AbaRouting]),
        ..DetectOptions::default()
    };
    let f = engine(o).scan(text);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].entity_type, EntityType::AbaRouting);
}

/// Stands in for the network and datetime families, which are registered
/// before this one, to check that runs starting earlier leave them alone.
struct Ipv4;

impl PatternRecognizer for Ipv4 {
    fn name(&self) -> &'static str {
        "test_ipv4"
    }

    fn patterns(&self) -> Vec<Pattern> {
        vec![
            Pattern::new(0, r"(?-u:\b)[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?-u:\b)"),
            Pattern::new(1, r"(?-u:\b)[0-9]{1,2}:[0-9]{2}(?-u:\b)"),
        ]
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        let t = if m.tag == 0 {
            EntityType::IpAddress
        } else {
            EntityType::DateTime
        };
        out.push(Finding::new(t, m.start, m.end, 0.9, "test"));
    }
}

#[test]
fn runs_do_not_swallow_addresses_or_times() {
    let o = DetectOptions::default();
    let mut b = Engine::builder()
        .without_builtins()
        .options(o.clone())
        .pattern_recognizer(Arc::new(Ipv4));
    for r in recognizers(&o) {
        b = b.pattern_recognizer(r);
    }
    let e = b.build().unwrap();
    let f = |text: &str| -> Vec<(String, String)> {
        e.scan(text)
            .iter()
            .map(|f| (f.entity_type.to_string(), text[f.start..f.end].to_owned()))
            .collect()
    };
    let got = f("tcp 0 0 10.1.2.3:5432 LISTEN");
    assert!(
        got.contains(&("IP_ADDRESS".into(), "10.1.2.3".into())),
        "{got:?}"
    );
    let got = f("Phone: 415 555 0132 10.0.0.1");
    assert!(
        got.contains(&("IP_ADDRESS".into(), "10.0.0.1".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("PHONE_NUMBER".into(), "415 555 0132".into())),
        "{got:?}"
    );
    let got = f("Date of service: Mar 21, 2022 7:45 AM");
    assert!(
        got.contains(&("DATE_TIME".into(), "7:45".into())),
        "{got:?}"
    );
}
