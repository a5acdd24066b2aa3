//! Property tests: the round trip is exact for any text and any findings,
//! streaming restores like non-streaming for any chunking, and surrogates
//! never carry an original.
//!
//! `HUSHGATE_PROPTEST_CASES=100000 cargo test -p hushgate-redact --test props`
//! runs them longer (scripts/fuzz.sh does, when cargo-fuzz cannot run).

// Helpers outside #[test] fns count as non-test code for clippy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hushgate_detect::{CustomPattern, DenyList, DetectOptions, Engine};
use hushgate_redact::{
    RedactOptions, Redactor, Restorer, StreamMode, StreamRestorer, Transformation, Vault,
};
use hushgate_types::{EntityType, Finding, TenantId};
use proptest::prelude::*;

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("HUSHGATE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn tenant() -> TenantId {
    "acme".parse().unwrap()
}

const TYPES: &[&str] = &[
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "DATE_TIME",
    "LOCATION",
    "IP_ADDRESS",
    "US_SSN",
    "API_KEY",
    "PROJECT_CODE",
];

/// Pieces that stress the scanner: placeholder look-alikes in every tolerated
/// form, brackets, underscores, JSON escapes, non-ASCII.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,12}",
        2 => "[a-zA-Z ]{1,10}",
        1 => Just("[PERSON_1]".to_owned()),
        1 => Just("PERSON_2".to_owned()),
        1 => Just("[person_1]".to_owned()),
        1 => Just("[EMAIL_ADDRESS_1]'s".to_owned()),
        1 => Just("EMAIL_ADDRESS_3".to_owned()),
        1 => Just("[PERS".to_owned()),
        1 => Just("SON_1]".to_owned()),
        1 => Just("[PHONE_NUMBER_12".to_owned()),
        1 => Just("_1] ".to_owned()),
        1 => Just("\\n".to_owned()),
        1 => Just("Ana Ruiz".to_owned()),
        1 => Just("ana.ruiz@corp.example".to_owned()),
        1 => Just("4111 1111 1111 1111".to_owned()),
        1 => Just("2024-03-01".to_owned()),
        1 => Just("+1 (555) 010-0199".to_owned()),
        1 => Just("é漢🙂".to_owned()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..16).prop_map(|v| v.concat())
}

/// Arbitrary findings: cut points snapped to char boundaries, random types;
/// the redactor must cope with overlaps itself.
fn findings_for(text: &str, cuts: &[(usize, usize, usize)]) -> Vec<Finding> {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    cuts.iter()
        .map(|&(a, len, t)| {
            let s = bounds[a % bounds.len()];
            let e = bounds[(a % bounds.len() + 1 + len % 6).min(bounds.len() - 1)];
            let ty: EntityType = TYPES[t % TYPES.len()].parse().unwrap();
            Finding::new(ty, s, e, 1.0, "prop")
        })
        .collect()
}

fn bare_redactor(t: Transformation) -> Redactor {
    let engine = Engine::builder().without_builtins().build().unwrap();
    Redactor::new(engine, RedactOptions::all(t)).unwrap()
}

fn term_engine() -> Engine {
    let opts = DetectOptions {
        deny_list: vec![DenyList {
            entity_type: EntityType::Person,
            terms: vec!["Ana Ruiz".into(), "Bob Stone".into(), "Chen Wei".into()],
            score: 1.0,
        }],
        patterns: vec![
            CustomPattern {
                entity_type: EntityType::CreditCard,
                regex: r"4[0-9]{3}( [0-9]{4}){3}".into(),
                score: 1.0,
            },
            CustomPattern {
                entity_type: EntityType::PhoneNumber,
                regex: r"\+1 \([0-9]{3}\) [0-9]{3}-[0-9]{4}".into(),
                score: 1.0,
            },
            CustomPattern {
                entity_type: EntityType::DateTime,
                regex: r"20[0-9]{2}-[0-9]{2}-[0-9]{2}".into(),
                score: 1.0,
            },
        ],
        ..DetectOptions::default()
    };
    // Built-ins included: whatever else they find must round-trip too.
    Engine::with_options(&opts).unwrap()
}

/// A vault holding placeholders and surrogates, and a model answer built
/// from its tokens, their tolerated variants and noise.
fn vault_and_tokens() -> (Vault, Vec<String>) {
    let mut opts = RedactOptions::default();
    opts.entities
        .insert(EntityType::CreditCard, Transformation::Surrogate);
    opts.entities
        .insert(EntityType::DateTime, Transformation::Surrogate);
    opts.entities
        .insert(EntityType::PhoneNumber, Transformation::Surrogate);
    vault_and_tokens_with(opts)
}

fn vault_and_tokens_with(opts: RedactOptions) -> (Vault, Vec<String>) {
    let r = Redactor::new(term_engine(), opts).unwrap();
    let mut v = Vault::with_seed(tenant(), 5);
    let sent = r.redact(
        "Ana Ruiz and Bob Stone (ana.ruiz@corp.example) paid 4111 1111 1111 1111 \
         on 2024-03-01, call +1 (555) 010-0199.",
        &mut v,
    );
    let mut tokens: Vec<String> = sent
        .text
        .split(['(', ')', ',', ' '])
        .filter(|t| t.len() > 3)
        .map(str::to_owned)
        .collect();
    tokens.extend(
        [
            "[PERSON_1]",
            "[Person_2]",
            "PERSON_1",
            "[EMAIL_ADDRESS_1]",
            "[PERSON_9]",
            "[PERSON_",
            "PERSON",
            "[",
            "]",
            "_",
            "1",
            "\\n",
            "\\\"",
        ]
        .map(str::to_owned),
    );
    (v, tokens)
}

fn shared() -> &'static (Vault, Vec<String>) {
    static SHARED: std::sync::OnceLock<(Vault, Vec<String>)> = std::sync::OnceLock::new();
    SHARED.get_or_init(vault_and_tokens)
}

/// The same with placeholders only: without surrogates the scanner skips
/// from `[` / `_` to the next, a different path worth its own property.
fn shared_placeholders_only() -> &'static (Vault, Vec<String>) {
    static SHARED: std::sync::OnceLock<(Vault, Vec<String>)> = std::sync::OnceLock::new();
    SHARED.get_or_init(|| vault_and_tokens_with(RedactOptions::default()))
}

fn all_tokens() -> Vec<String> {
    let mut t = shared().1.clone();
    t.extend(shared_placeholders_only().1.iter().cloned());
    t
}

fn answer(tokens: Vec<String>) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(tokens),
            2 => "\\PC{0,6}",
            1 => "[ .,'a-z]{1,3}",
        ],
        0..24,
    )
    .prop_map(|v| v.concat())
}

/// Splits `s` at arbitrary char boundaries.
fn chunks(s: &str, cuts: &[usize]) -> Vec<String> {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    let mut points: Vec<usize> = cuts.iter().map(|c| bounds[c % bounds.len()]).collect();
    points.push(0);
    points.push(s.len());
    points.sort_unstable();
    points.dedup();
    points
        .windows(2)
        .map(|w| s[w[0]..w[1]].to_owned())
        .collect()
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn pseudonymize_round_trips_any_text_any_findings(
        text in text(),
        cuts in prop::collection::vec((0usize..400, 0usize..6, 0usize..10), 0..8),
    ) {
        let r = bare_redactor(Transformation::Pseudonymize);
        let mut v = Vault::with_seed(tenant(), 1);
        let out = r.apply(&text, &findings_for(&text, &cuts), &mut v);
        prop_assert_eq!(v.restore(&out.text), text);
    }

    #[test]
    fn surrogate_round_trips_any_text_any_findings(
        text in text(),
        cuts in prop::collection::vec((0usize..400, 0usize..6, 0usize..10), 0..8),
        seed in any::<u64>(),
    ) {
        let r = bare_redactor(Transformation::Surrogate);
        let mut v = Vault::with_seed(tenant(), seed);
        let out = r.apply(&text, &findings_for(&text, &cuts), &mut v);
        prop_assert_eq!(v.restore(&out.text), text);
    }

    #[test]
    fn redact_round_trips_with_the_engine(texts in prop::collection::vec(text(), 1..4)) {
        for mode in [Transformation::Pseudonymize, Transformation::Surrogate] {
            let r = Redactor::new(term_engine(), RedactOptions::all(mode)).unwrap();
            let mut v = Vault::with_seed(tenant(), 3);
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let out = r.redact_batch(&refs, &mut v);
            let mut rest = Restorer::new(&v, &tenant()).unwrap();
            for (o, t) in out.iter().zip(&texts) {
                prop_assert_eq!(&rest.restore(&o.text), t);
            }
        }
    }

    #[test]
    fn surrogates_never_carry_an_original(
        picks in prop::collection::vec((0usize..6, "[a-z ]{0,8}"), 1..10),
        seed in any::<u64>(),
    ) {
        const VALUES: [&str; 6] = [
            "Ana Ruiz", "Bob Stone", "Chen Wei", "4111 1111 1111 1111",
            "+1 (555) 010-0199", "2024-03-01",
        ];
        let text: String = picks
            .iter()
            .map(|(i, filler)| format!("{} {filler}. ", VALUES[*i]))
            .collect();
        let r = Redactor::new(term_engine(), RedactOptions::all(Transformation::Surrogate)).unwrap();
        let mut v = Vault::with_seed(tenant(), seed);
        let out = r.redact(&text, &mut v);
        for (i, _) in &picks {
            prop_assert!(!out.text.contains(VALUES[*i]), "{} in {}", VALUES[*i], out.text);
        }
        prop_assert_eq!(v.restore(&out.text), text);
    }

    #[test]
    fn streaming_equals_whole_text_for_any_chunking(
        text in answer(all_tokens()),
        cuts in prop::collection::vec(0usize..200, 0..30),
    ) {
        for (v, mode) in [&shared().0, &shared_placeholders_only().0]
            .into_iter()
            .flat_map(|v| [(v, StreamMode::Text), (v, StreamMode::Json)])
        {
            let mut whole = Restorer::new(v, &tenant()).unwrap();
            let expected = match mode {
                StreamMode::Text => whole.restore(&text),
                StreamMode::Json => whole.restore_json(&text),
            };
            let mut s = StreamRestorer::new(v, &tenant(), mode).unwrap();
            let mut got = String::new();
            for c in chunks(&text, &cuts) {
                got += &s.push(&c);
                prop_assert!(s.held() <= s.max_hold(), "held {} > {}", s.held(), s.max_hold());
            }
            got += &s.finish();
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(s.unknown(), whole.unknown());
            let mut s = StreamRestorer::new(v, &tenant(), mode).unwrap();
            let mut into = String::new();
            for c in chunks(&text, &cuts) {
                s.push_into(&c, &mut into);
            }
            s.finish_into(&mut into);
            prop_assert_eq!(&into, &expected);
        }
    }
}

#[test]
fn streaming_one_byte_at_a_time_over_a_long_answer() {
    let (v, tokens) = shared();
    let text: String = tokens
        .iter()
        .cycle()
        .take(5000)
        .map(|t| format!("{t} "))
        .collect();
    let expected = Restorer::new(v, &tenant()).unwrap().restore(&text);
    let mut s = StreamRestorer::new(v, &tenant(), StreamMode::Text).unwrap();
    let mut got = String::new();
    let mut max_held = 0;
    for ch in text.chars() {
        got += &s.push(ch.encode_utf8(&mut [0; 4]));
        max_held = max_held.max(s.held());
    }
    got += &s.finish();
    assert_eq!(got, expected);
    assert!(max_held <= s.max_hold(), "{max_held} > {}", s.max_hold());
    assert!(!got.contains("[PERSON_1]") && got.contains("Ana Ruiz"));
}
