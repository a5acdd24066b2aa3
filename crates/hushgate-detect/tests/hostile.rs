//! Hostile input: the engine must not panic, must stay on char boundaries and
//! must finish (linear time) on inputs built to hurt it. Timing is measured in
//! benchmarks, not asserted here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hushgate_detect::{Engine, Finding};
use proptest::prelude::*;

#[allow(clippy::unwrap_used)] // a helper, not a #[test]: clippy.toml's test allowance misses it
fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().unwrap())
}

fn check_invariants(text: &str, resolved: &[Finding]) {
    let mut prev_end = 0;
    for f in resolved {
        assert!(f.start < f.end && f.end <= text.len(), "{f:?}");
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        assert!(f.start >= prev_end, "overlap at {f:?}");
        assert!((0.0..=1.0).contains(&f.score));
        prev_end = f.end;
    }
}

/// Fragments that look like the start of something sensitive, to steer random
/// text into the recognizers' validators.
const FRAGMENTS: &[&str] = &[
    "@",
    ".",
    "-",
    " ",
    "\n",
    "\t",
    ":",
    "/",
    "\\n",
    "\"",
    "'",
    "+1 ",
    "(415) ",
    "555-0132",
    "4111 ",
    "1111",
    "DE89 ",
    "3704 ",
    "GB",
    "123-45-",
    "6789",
    "AKIA",
    "ghp_",
    "sk-",
    "xoxb-",
    "eyJ",
    "-----BEGIN ",
    "PRIVATE KEY-----",
    "-----END ",
    "0x",
    "bc1q",
    "1A1zP1",
    "::",
    "fe80",
    "192.168.",
    "00:1a:",
    "http://",
    "www.",
    "Dr. ",
    "Mrs. ",
    "Dear ",
    "MRN ",
    "DOB ",
    "SSN ",
    "password=",
    "é",
    "😀",
    "王伟",
    "Нина",
    "ابن",
    "\u{a0}",
    "\u{ff11}",
    "March ",
    "3/22/",
    "2023",
    "14.03.",
    "de marzo de ",
    "Street",
    "Ave",
    "Clinic",
    "Inc",
    "O'",
    "van der ",
    "^",
    "|",
    "a",
    "Z",
    "9",
];

fn fragment_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_unicode_never_panics(text in any::<String>()) {
        let all = engine().scan_all(&text);
        for f in &all {
            prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        }
        check_invariants(&text, &engine().scan(&text));
    }

    #[test]
    fn pii_shaped_fragments_never_panic(text in fragment_text()) {
        check_invariants(&text, &engine().scan(&text));
    }

    #[test]
    fn lossy_binary_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        check_invariants(&text, &engine().scan(&text));
    }
}

/// Ten megabytes of `unit`: one line when `unit` has no newline.
fn ten_mb(unit: &str) -> String {
    unit.repeat((10 << 20) / unit.len().max(1))
}

/// Scans ten megabytes of each unit. Every per-match look at the text around
/// a match is bounded or remembered, so this is linear however long a line
/// is (a look-back to the line start made one 10 MB line take minutes).
fn finishes(units: &[&str]) {
    for unit in units {
        let text = ten_mb(unit);
        let t = std::time::Instant::now();
        let found = engine().scan(&text);
        check_invariants(&text, &found);
        // Generous for a loaded machine in the dev profile; quadratic
        // behaviour takes minutes here.
        assert!(t.elapsed().as_secs() < 20, "{unit:?}: {:?}", t.elapsed());
    }
}

#[test]
fn ten_megabyte_lines_of_digits() {
    finishes(&["1", "1-", "1.", "1,", "1|", "0:", "+1 ", "(415) "]);
}

#[test]
fn ten_megabyte_lines_of_numbers_in_rows() {
    finishes(&[
        "123456|",
        "123456\t",
        "| 123456 ",
        "('123456789', ",
        "4111 1111 1111 1111 ",
        "ssn 123-45-6789 ",
    ]);
}

#[test]
fn ten_megabyte_lines_of_addresses_and_dates() {
    finishes(&[
        "1.2.3.4 ",
        "version 1.2.3.4 ",
        "10.0.0.1 version ",
        "fe80::1 ",
        "00:1a:2b:3c:4d:5e ",
        "a@",
        "a.",
        "a.b@example.org ",
        "http://a.b/",
    ]);
}

#[test]
fn ten_megabyte_lines_of_dates() {
    finishes(&["2022-03-13 ", "|20220313|", "PID|1|123456|"]);
}

#[test]
fn ten_megabyte_lines_of_words() {
    finishes(&[
        "A",
        "Aa ",
        "x",
        "é",
        "😀",
        "Dr. Ana Ruiz ",
        "Best, Ana ",
        "\\nAna ",
        "New York ",
        "Main Street ",
        "Clinic ",
        "phone ",
    ]);
}

#[test]
fn ten_megabyte_lines_of_secrets() {
    finishes(&[
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN CERTIFICATE-----\\nMIIB",
        "password=x ",
        "token ",
        "key: ",
        "value: ",
        "export A=b ",
        "-p ",
        "curl -u a:b ",
        "Bearer ",
        "ghp_",
    ]);
}

#[test]
fn ten_megabytes_of_short_lines() {
    finishes(&[
        "\n",
        "123456,\n",
        "x,123456,\n",
        "| 123456 |\n",
        "('123456789'),\n",
        "PID|1|123456|\n",
        "MSH|20220313|\n",
        "- name: TOKEN\n  value: abcdefghijklmnop12345\n",
        "curl -u a:b\n",
        "KEY=value\n",
        "Best,\nAna\n",
        "-----BEGIN RSA PRIVATE KEY-----\nabc\n",
    ]);
}

/// Long tables under one header: each row's column is named by the header
/// far above it, and finding it must not walk back over every row again.
#[test]
fn ten_megabyte_tables_keep_their_headers() {
    for (header, row) in [
        ("name,phone\n", "Ann,4155550132\n"),
        ("| name | mrn |\n|---|---|\n", "| Ann | 48213377 |\n"),
        (
            "INSERT INTO t (name, phone) VALUES\n",
            "('Ann', '4155550132'),\n",
        ),
    ] {
        let text = format!("{header}{}", ten_mb(row));
        let t = std::time::Instant::now();
        let found = engine().scan(&text);
        check_invariants(&text, &found);
        assert!(t.elapsed().as_secs() < 20, "{row:?}: {:?}", t.elapsed());
        // Rows near the header are still read through it (a bare 48213377
        // is an MRN only under its column).
        let first = text.find(row).unwrap() + row.find(|c: char| c.is_ascii_digit()).unwrap();
        assert!(found.iter().any(|f| f.start == first), "{row:?}");
    }
}

#[test]
fn ten_megabyte_line_of_mixed_content() {
    let line = "id=4111111111111111;mail=a.b@example.org;ip=10.0.0.1;token=ghp_";
    let text = ten_mb(line);
    let found = engine().scan(&text);
    check_invariants(&text, &found);
    // Context is read near each match, however far into the line it is.
    let units = text.len() / line.len();
    for ty in ["CREDIT_CARD", "EMAIL_ADDRESS", "IP_ADDRESS"] {
        let n = found
            .iter()
            .filter(|f| f.entity_type.as_str() == ty)
            .count();
        assert_eq!(n, units, "{ty}");
    }
}
