//! Detection cases as data: every `testdata/detect/*.toml` file holds cases
//!
//! ```toml
//! [[case]]
//! text = "mail bob@example.com"              # the input
//! expect = [["EMAIL_ADDRESS", "bob@example.com"]]  # (type, exact value) that must be found
//! reject = ["example.com"]                   # values that must not be found, as any type
//! none = false                               # true: no finding at all
//! note = "why this case exists"              # optional; regressions say what they guard
//! ```
//!
//! and all run through one `check` so failures read the same everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use hushgate_detect::Engine;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "case")]
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    text: String,
    #[serde(default)]
    expect: Vec<(String, String)>,
    #[serde(default)]
    reject: Vec<String>,
    #[serde(default)]
    none: bool,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

fn check(engine: &Engine, file: &str, i: usize, case: &Case) -> Vec<String> {
    let found: Vec<(String, String)> = engine
        .scan(&case.text)
        .iter()
        .map(|f| {
            (
                f.entity_type.as_str().to_owned(),
                case.text[f.start..f.end].to_owned(),
            )
        })
        .collect();
    let mut errors = Vec::new();
    let ctx = || format!("{file} case {i} {:?}\n    found: {found:?}", case.text);
    for (t, v) in &case.expect {
        if !found.iter().any(|(ft, fv)| ft == t && fv == v) {
            errors.push(format!("missing {t} {v:?} in {}", ctx()));
        }
    }
    for v in &case.reject {
        if found.iter().any(|(_, fv)| fv == v) {
            errors.push(format!("unexpected {v:?} in {}", ctx()));
        }
    }
    if case.none && !found.is_empty() {
        errors.push(format!("expected no finding in {}", ctx()));
    }
    errors
}

#[test]
fn detection_cases() {
    let engine = Engine::new().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/detect");
    let mut errors = Vec::new();
    let mut n = 0;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let file: File = toml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (i, case) in file.cases.iter().enumerate() {
            n += 1;
            errors.extend(check(&engine, &name, i, case));
        }
    }
    assert!(n > 0, "no cases found in {}", dir.display());
    assert!(
        errors.is_empty(),
        "{} of {n} cases failed:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
