//! Redactor and restorer behaviour, independent of which built-in
//! recognizers exist: the engine here knows only tenant terms and patterns.

use hushgate_detect::{CustomPattern, DenyList, DetectOptions, Engine};
use hushgate_types::{EntityType, Finding, TenantId};

use super::*;

fn engine() -> Engine {
    let opts = DetectOptions {
        deny_list: vec![DenyList {
            entity_type: EntityType::Person,
            terms: vec!["Ana Ruiz".into(), "Bob Stone".into()],
            score: 1.0,
        }],
        patterns: vec![
            CustomPattern {
                entity_type: EntityType::EmailAddress,
                regex: r"[a-zA-Z0-9.]+@[a-z]+\.example".into(),
                score: 1.0,
            },
            CustomPattern {
                entity_type: EntityType::CreditCard,
                regex: r"4[0-9]{3}( ?[0-9]{4}){3}".into(),
                score: 1.0,
            },
            CustomPattern {
                entity_type: EntityType::PhoneNumber,
                regex: r"(\+1 )?\(?[0-9]{3}\)? ?[0-9]{3}-?[0-9]{4}".into(),
                score: 1.0,
            },
            CustomPattern {
                entity_type: EntityType::DateTime,
                regex: r"[0-9]{4}-[0-9]{2}-[0-9]{2}".into(),
                score: 1.0,
            },
        ],
        ..DetectOptions::default()
    };
    Engine::builder()
        .without_builtins()
        .options(opts)
        .build()
        .unwrap()
}

fn tenant() -> TenantId {
    "acme".parse().unwrap()
}

fn redactor(t: Transformation) -> Redactor {
    Redactor::new(engine(), RedactOptions::all(t)).unwrap()
}

#[test]
fn pseudonymize_is_consistent_across_texts_and_restores_exactly() {
    let r = redactor(Transformation::Pseudonymize);
    let mut v = Vault::with_seed(tenant(), 1);
    let texts = [
        "System: Ana Ruiz (ana@corp.example) is the customer.",
        "User: call ANA RUIZ at +1 (555) 010-0199 or 5550100199; cc bob@corp.example",
        "Tool: Bob Stone paid with 4111 1111 1111 1111 on 2024-03-01.",
    ];
    let out = r.redact_batch(&texts, &mut v);
    assert_eq!(
        out[0].text,
        "System: [PERSON_1] ([EMAIL_ADDRESS_1]) is the customer."
    );
    assert_eq!(
        out[1].text,
        "User: call [PERSON_1] at [PHONE_NUMBER_1] or [PHONE_NUMBER_1]; cc [EMAIL_ADDRESS_2]"
    );
    assert_eq!(
        out[2].text,
        "Tool: [PERSON_2] paid with [CREDIT_CARD_1] on [DATE_TIME_1]."
    );
    assert_eq!(out[1].counts[&EntityType::PhoneNumber], 2);
    // Restoring in order gives back every spelling.
    let mut rest = Restorer::new(&v, &tenant()).unwrap();
    for (o, t) in out.iter().zip(texts) {
        assert_eq!(rest.restore(&o.text), t);
    }
    assert_eq!(rest.unknown(), 0);
}

#[test]
fn model_liberties_are_tolerated_and_inventions_counted() {
    let r = redactor(Transformation::Pseudonymize);
    let mut v = Vault::with_seed(tenant(), 1);
    r.redact("Ana Ruiz wrote to bob@corp.example", &mut v);
    let mut rest = Restorer::new(&v, &tenant()).unwrap();
    let answer = "[PERSON_1]'s note; [Person_1]; PERSON_1. Also [person_1], \
                  EMAIL_ADDRESS_1, [PERSON_9], [PHONE_NUMBER_3], MY_PERSON_1, PERSON_1x, [FOO_1].";
    assert_eq!(
        rest.restore(answer),
        "Ana Ruiz's note; Ana Ruiz; Ana Ruiz. Also Ana Ruiz, \
         bob@corp.example, [PERSON_9], [PHONE_NUMBER_3], MY_PERSON_1, PERSON_1x, [FOO_1]."
    );
    assert_eq!(rest.unknown(), 2);
}

#[test]
fn literal_placeholders_in_the_input_survive() {
    let r = redactor(Transformation::Pseudonymize);
    let mut v = Vault::with_seed(tenant(), 1);
    let text = "Template: Dear [PERSON_1], see EMAIL_ADDRESS_1. Real: Ana Ruiz, ana@corp.example";
    let out = r.redact(text, &mut v);
    assert_eq!(
        out.text,
        "Template: Dear [PERSON_1], see EMAIL_ADDRESS_1. Real: [PERSON_2], [EMAIL_ADDRESS_2]"
    );
    let mut rest = Restorer::new(&v, &tenant()).unwrap();
    assert_eq!(rest.restore(&out.text), text);
    // Placeholders that were in the input are not "invented".
    assert_eq!(rest.unknown(), 0);
}

#[test]
fn tenants_are_isolated() {
    let r = redactor(Transformation::Pseudonymize);
    let mut a = Vault::with_seed(tenant(), 1);
    let sent = r.redact("Ana Ruiz", &mut a).text;
    let globex: TenantId = "globex".parse().unwrap();
    assert!(matches!(
        Restorer::new(&a, &globex),
        Err(Error::TenantMismatch { .. })
    ));
    assert!(StreamRestorer::new(&a, &globex, StreamMode::Text).is_err());
    // Globex's own vault knows nothing of Acme's placeholders.
    let b = Vault::with_seed(globex.clone(), 1);
    let mut rb = Restorer::new(&b, &globex).unwrap();
    assert_eq!(rb.restore(&sent), "[PERSON_1]");
    assert_eq!(rb.unknown(), 1);
}

#[test]
fn json_restoration_keeps_json_valid() {
    let mut v = Vault::with_seed(tenant(), 1);
    let idx = v.intern(&EntityType::Person, "Ana \"La Jefa\" Ruiz");
    assert_eq!(idx, 0);
    let mut rest = Restorer::new(&v, &tenant()).unwrap();
    let args = r#"{"to": "[PERSON_1]", "note": "hi\nPERSON_1"}"#;
    let restored = rest.restore_json(args);
    let parsed: serde_json::Value = serde_json::from_str(&restored).unwrap();
    assert_eq!(parsed["to"], "Ana \"La Jefa\" Ruiz");
    assert_eq!(parsed["note"], "hi\nAna \"La Jefa\" Ruiz");

    // A response body: `arguments` is JSON text inside a JSON string.
    let mut body = serde_json::json!({
        "choices": [{"message": {
            "content": "Sent to [PERSON_1].",
            "tool_calls": [{"function": {"name": "send", "arguments": args}}]
        }}],
        "[PERSON_1]": ["[PERSON_1]", 3]
    });
    rest.restore_value(&mut body);
    let msg = &body["choices"][0]["message"];
    assert_eq!(msg["content"], "Sent to Ana \"La Jefa\" Ruiz.");
    let inner: serde_json::Value = serde_json::from_str(
        msg["tool_calls"][0]["function"]["arguments"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(inner["to"], "Ana \"La Jefa\" Ruiz");
    assert_eq!(body["Ana \"La Jefa\" Ruiz"][0], "Ana \"La Jefa\" Ruiz");
}

#[test]
fn irreversible_transformations() {
    let text = "Ana Ruiz paid with 4111 1111 1111 1234 from ana@corp.example";
    let mut opts = RedactOptions::all(Transformation::Redact);
    opts.entities
        .insert(EntityType::CreditCard, Transformation::Mask);
    opts.entities
        .insert(EntityType::EmailAddress, Transformation::Allow);
    let r = Redactor::new(engine(), opts).unwrap();
    let mut v = Vault::with_seed(tenant(), 1);
    let out = r.redact(text, &mut v);
    assert_eq!(
        out.text,
        "[REDACTED_PERSON] paid with **** **** **** 1234 from ana@corp.example"
    );
    assert!(v.is_empty());
    assert!(!out.counts.contains_key(&EntityType::EmailAddress));

    let hash_opts = RedactOptions::all(Transformation::Hash);
    assert!(matches!(
        Redactor::new(engine(), hash_opts.clone()),
        Err(Error::MissingHashKey)
    ));
    let h =
        Redactor::with_hash_key(engine(), hash_opts, b"a tenant secret, 32 bytes long..").unwrap();
    let a = h.redact("Ana Ruiz and ANA  RUIZ", &mut v).text;
    let (first, second) = a.split_once(" and ").unwrap();
    assert_eq!(first, second, "trivial variants hash alike");
    assert!(first.starts_with("[PERSON:") && !a.contains("Ruiz"), "{a}");
}

#[test]
fn surrogates_look_real_hide_originals_and_restore() {
    let r = redactor(Transformation::Surrogate);
    let mut v = Vault::with_seed(tenant(), 42);
    let text = "Ana Ruiz (ana@corp.example, +1 (555) 010-0199) paid 4111 1111 1111 1111 \
                on 2024-03-01; Bob Stone too. ANA RUIZ again.";
    let out = r.redact(text, &mut v);
    for original in [
        "Ana Ruiz",
        "ANA RUIZ",
        "ana@corp.example",
        "010-0199",
        "4111 1111 1111 1111",
        "2024-03-01",
        "Bob Stone",
    ] {
        assert!(!out.text.contains(original), "{original} in {}", out.text);
    }
    assert!(
        !out.text.contains("[PERSON_"),
        "names have surrogates: {}",
        out.text
    );
    assert!(out.text.contains("@example."), "{}", out.text);
    assert_eq!(v.restore(&out.text), text);
    // Same value, same surrogate; the model's answer restores by exact match.
    let fake_email = out.text.split(['(', ',']).nth(1).unwrap().trim().to_owned();
    let mut stream = StreamRestorer::new(&v, &tenant(), StreamMode::Text).unwrap();
    let mut answer = String::new();
    for ch in format!("Wrote to {fake_email}.").chars() {
        answer += &stream.push(&ch.to_string());
    }
    answer += &stream.finish();
    assert_eq!(answer, "Wrote to ana@corp.example.");
}

#[test]
fn findings_from_elsewhere_are_checked() {
    let r = redactor(Transformation::Pseudonymize);
    let mut v = Vault::with_seed(tenant(), 1);
    let text = "héllo wörld";
    let bad = [
        Finding::new(EntityType::Person, 2, 4, 1.0, "x"), // inside é
        Finding::new(EntityType::Person, 0, 99, 1.0, "x"), // out of range
        Finding::new(EntityType::Person, 7, 13, 1.0, "x"),
        Finding::new(EntityType::Person, 8, 10, 1.0, "x"), // overlaps
    ];
    let out = r.apply(text, &bad, &mut v);
    assert_eq!(out.text, "héllo [PERSON_1]");
    assert_eq!(v.restore(&out.text), text);
}
