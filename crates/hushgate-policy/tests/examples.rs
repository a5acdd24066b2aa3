//! Every example policy file in this crate loads and validates.

use std::path::Path;

use hushgate_policy::Policy;

#[test]
fn every_example_policy_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let policy = Policy::from_toml_str(&text, &path.display().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!policy.tenants().is_empty(), "{}", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "no example policies in {}", dir.display());
}
