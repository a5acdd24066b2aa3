//! The streaming restorer against the whole-text restorer: for any model
//! output and any chunking, the same result, and never more held back than
//! the longest placeholder or surrogate. The first bytes choose the chunk
//! sizes; the rest is the answer text.
#![no_main]

use std::sync::OnceLock;

use hushgate_detect::{DenyList, DetectOptions, Engine};
use hushgate_redact::{
    RedactOptions, Redactor, Restorer, StreamMode, StreamRestorer, Transformation, Vault,
};
use hushgate_types::EntityType;
use libfuzzer_sys::fuzz_target;

fn vault() -> &'static Vault {
    static V: OnceLock<Vault> = OnceLock::new();
    V.get_or_init(|| {
        let opts = DetectOptions {
            deny_list: vec![DenyList {
                entity_type: EntityType::Person,
                terms: vec!["Ana Ruiz".into(), "Bob \"B\" Stone".into()],
                score: 1.0,
            }],
            ..DetectOptions::default()
        };
        let engine = Engine::with_options(&opts).expect("engine");
        let mut o = RedactOptions::default();
        o.entities.insert(EntityType::EmailAddress, Transformation::Surrogate);
        let r = Redactor::new(engine, o).expect("redactor");
        let mut v = Vault::with_seed("fuzz".parse().expect("tenant"), 7);
        r.redact(
            "Ana Ruiz, Bob \"B\" Stone, ana@corp.example, bob@corp.example, PERSON_3",
            &mut v,
        );
        v
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 16);
    let (sizes, text) = rest.split_at(n.min(rest.len()));
    let text = String::from_utf8_lossy(text);
    let v = vault();
    for mode in [StreamMode::Text, StreamMode::Json] {
        let mut whole = Restorer::new(v, v.tenant()).expect("tenant");
        let expected = match mode {
            StreamMode::Text => whole.restore(&text),
            StreamMode::Json => whole.restore_json(&text),
        };
        let mut s = StreamRestorer::new(v, v.tenant(), mode).expect("tenant");
        let mut got = String::new();
        let mut pos = 0;
        let mut i = 0;
        while pos < text.len() {
            let want = usize::from(sizes.get(i % sizes.len().max(1)).copied().unwrap_or(7)) % 24 + 1;
            i += 1;
            let mut end = (pos + want).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            got += &s.push(&text[pos..end]);
            assert!(s.held() <= s.max_hold(), "held {} > {}", s.held(), s.max_hold());
            pos = end;
        }
        got += &s.finish();
        assert_eq!(got, expected);
        assert_eq!(s.unknown(), whole.unknown());
    }
});
