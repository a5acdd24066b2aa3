//! Over the labelled development set (../shared/eval/dev.jsonl, or
//! `$HUSHGATE_EVAL_DIR/dev.jsonl`): after `hushgate redact --jsonl`, no gold
//! value of a structured type is left in the output, and `hushgate restore
//! --jsonl` gives back every record exactly. The set must be there: these
//! tests fail, not skip, without it.

// Helpers outside #[test] fns count as non-test code for clippy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// The types `scripts/eval.sh` holds to recall >= 0.97.
const STRUCTURED: &[&str] = &[
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "URL",
    "CRYPTO",
    "US_BANK_NUMBER",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "UK_NHS",
    "MEDICAL_LICENSE",
    "MEDICAL_RECORD_NUMBER",
    "DATE_TIME",
    "API_KEY",
];

fn dev_path() -> PathBuf {
    let dir = std::env::var_os("HUSHGATE_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/eval"));
    let path = dir.join("dev.jsonl");
    assert!(
        path.is_file(),
        "{} not found: the development set must sit at ../shared/eval next to the repository \
         (or set HUSHGATE_EVAL_DIR)",
        path.display()
    );
    path
}

fn hushgate(args: &[&str], stdin: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hushgate"))
        .env_remove("HUSHGATE_CONFIG")
        .env_remove("HUSHGATE_TENANT")
        .env("HUSHGATE_VAULT_KEY", KEY)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin_pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin_pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "hushgate {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct Run {
    gold: Vec<Value>,
    redacted: Vec<Value>,
    vault: PathBuf,
}

/// One redaction of the whole set, shared by the tests.
fn redacted() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dev = dev_path();
        let gold: Vec<Value> = std::fs::read_to_string(&dev)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let vault = std::env::temp_dir().join(format!("hushgate-dev-{}.vault", std::process::id()));
        let out = hushgate(
            &[
                "redact",
                "--jsonl",
                "--vault",
                vault.to_str().unwrap(),
                dev.to_str().unwrap(),
            ],
            b"",
        );
        let redacted: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(redacted.len(), gold.len());
        Run {
            gold,
            redacted,
            vault,
        }
    })
}

#[test]
fn dev_set_round_trip_is_exact() {
    let run = redacted();
    let input: String = run.redacted.iter().map(|v| format!("{v}\n")).collect();
    let out = hushgate(
        &["restore", "--jsonl", "--vault", run.vault.to_str().unwrap()],
        input.as_bytes(),
    );
    let restored: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(restored.len(), run.gold.len());
    let mut bad = Vec::new();
    for (g, r) in run.gold.iter().zip(&restored) {
        assert_eq!(g["id"], r["id"]);
        if g["text"] != r["text"] {
            bad.push(g["id"].to_string());
        }
    }
    assert!(
        bad.is_empty(),
        "{} record(s) not restored exactly: {bad:?}",
        bad.len()
    );
}

#[test]
fn dev_set_structured_pii_does_not_leak() {
    let run = redacted();
    let mut leaks: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut examples = Vec::new();
    for (g, r) in run.gold.iter().zip(&run.redacted) {
        let text: Vec<char> = g["text"].as_str().unwrap().chars().collect();
        let out = r["text"].as_str().unwrap();
        for span in g["spans"].as_array().unwrap() {
            let t = span["type"].as_str().unwrap();
            let Some(&ty) = STRUCTURED.iter().find(|&&s| s == t) else {
                continue;
            };
            let (s, e) = (
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            let value: String = text[s..e].iter().collect();
            let entry = leaks.entry(ty).or_insert((0, 0));
            entry.1 += 1;
            if out.contains(&value) {
                entry.0 += 1;
                if examples.len() < 15 {
                    examples.push(format!("{} {ty}: {value:?}", g["id"]));
                }
            }
        }
    }
    let total: usize = leaks.values().map(|l| l.0).sum();
    let table: Vec<String> = leaks
        .iter()
        .filter(|(_, l)| l.0 > 0)
        .map(|(t, (n, of))| format!("{t}: {n}/{of}"))
        .collect();
    assert!(
        total == 0,
        "{total} gold value(s) of structured types left in the redacted output \
         (leaked/gold per type: {}); first ones:\n{}",
        table.join(", "),
        examples.join("\n")
    );
}
