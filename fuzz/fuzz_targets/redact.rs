//! The redactor on any text, with the built-in engine and with arbitrary
//! findings: never a panic, and restoring the output gives the input back
//! exactly, in pseudonymize and surrogate modes. The first byte picks the
//! mode and seed; the next ones cut findings; the rest is the text.
#![no_main]

use std::sync::OnceLock;

use hushgate_detect::Engine;
use hushgate_redact::{RedactOptions, Redactor, Transformation, Vault};
use hushgate_types::{EntityType, Finding};
use libfuzzer_sys::fuzz_target;

fn redactors() -> &'static [Redactor; 2] {
    static R: OnceLock<[Redactor; 2]> = OnceLock::new();
    R.get_or_init(|| {
        let r = |t| Redactor::new(Engine::new().expect("engine"), RedactOptions::all(t)).expect("redactor");
        [r(Transformation::Pseudonymize), r(Transformation::Surrogate)]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let cuts_len = usize::from(head >> 4).min(rest.len());
    let (cuts, text) = rest.split_at(cuts_len);
    let text = String::from_utf8_lossy(text);
    let redactor = &redactors()[usize::from(head & 1)];
    let mut vault = Vault::with_seed("fuzz".parse().expect("tenant"), u64::from(head));

    // The engine's own findings.
    let out = redactor.redact(&text, &mut vault);
    assert_eq!(vault.restore(&out.text), text);

    // Arbitrary findings, overlapping and off boundaries included.
    let types = [EntityType::Person, EntityType::PhoneNumber, EntityType::DateTime, EntityType::CreditCard];
    let findings: Vec<Finding> = cuts
        .chunks(2)
        .map(|c| {
            let s = usize::from(c[0]) * text.len() / 256;
            let e = s + usize::from(c.get(1).copied().unwrap_or(3) % 12) + 1;
            Finding::new(types[usize::from(c[0]) % types.len()].clone(), s, e, 1.0, "fuzz")
        })
        .collect();
    let mut vault = Vault::with_seed("fuzz".parse().expect("tenant"), u64::from(head));
    let out = redactor.apply(&text, &findings, &mut vault);
    assert_eq!(vault.restore(&out.text), text);
});
