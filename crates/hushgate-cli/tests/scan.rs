//! `hushgate scan` as a user runs it: the real binary, real pipes and files.

// Helpers outside #[test] fns count as non-test code for clippy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use serde_json::Value;

fn hushgate() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hushgate"));
    c.env_remove("HUSHGATE_CONFIG");
    c
}

fn run(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = hushgate()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The child may exit before reading (e.g. on a config error).
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn jsonl_contract_keeps_order_and_reports_bad_lines() {
    let input = [
        br#"{"id": "a", "text": "x jane@example.org"}"#.as_slice(),
        b"not json",
        b"",
        b"{\"id\": \"c\", \"text\": \"\xff\xfe\"}",
        br#"{"id": 7, "text": "\ud83d\ude00 \u00e9 bob@example.com"}"#,
        br#"{"id": "no-text"}"#,
    ]
    .join(&b'\n');
    let (code, out, _) = run(&["scan", "--jsonl"], &input);
    assert_eq!(code, 0);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6, "{out}");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["entities"][0]["type"], "EMAIL_ADDRESS");
    assert_eq!(lines[0]["entities"][0]["start"], 2);
    assert_eq!(lines[0]["entities"][0]["end"], 18);
    for i in [1, 2, 3, 5] {
        assert!(lines[i]["id"].is_null(), "{}", lines[i]);
        assert!(lines[i]["error"].is_string(), "{}", lines[i]);
    }
    assert!(lines[3]["error"].as_str().unwrap().contains("UTF-8"));
    // Code-point offsets: the emoji is one character, not two UTF-16 units or four bytes.
    assert_eq!(lines[4]["id"], 7);
    assert_eq!(lines[4]["entities"][0]["start"], 4);
    assert_eq!(lines[4]["entities"][0]["end"], 19);
}

#[test]
fn errors_never_echo_input_content() {
    let canary = "CANARY-7f3a9-secret";
    let input = format!("{{\"id\": \"x\", \"text\": {canary}}}\n");
    let (code, out, err) = run(&["scan", "--jsonl"], input.as_bytes());
    assert_eq!(code, 0);
    assert!(!out.contains(canary) && !err.contains(canary), "{out}{err}");
}

#[test]
fn table_masks_values_unless_asked() {
    let text = b"write to jane.canary@example.org please";
    let (code, out, _) = run(&["scan"], text);
    assert_eq!(code, 0);
    assert!(out.contains("EMAIL_ADDRESS"), "{out}");
    assert!(!out.contains("jane.canary"), "{out}");
    let (_, out, _) = run(&["scan", "--show-values"], text);
    assert!(out.contains("jane.canary@example.org"), "{out}");
}

#[test]
fn json_format_one_document_per_file() {
    let dir = std::env::temp_dir().join(format!("hushgate-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.txt");
    let b = dir.join("b.txt");
    std::fs::write(&a, "mail a@example.org").unwrap();
    std::fs::write(&b, "nothing here").unwrap();
    let (code, out, _) = run(
        &[
            "scan",
            "--format",
            "json",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0);
    let docs: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["counts"]["EMAIL_ADDRESS"], 1);
    assert_eq!(docs[1]["findings"].as_array().unwrap().len(), 0);
    assert!(docs[0]["findings"][0].get("value").is_none());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_file_is_a_clear_error() {
    let (code, _, err) = run(&["scan", "/nonexistent/notes.txt"], b"");
    assert_eq!(code, 1);
    assert!(err.contains("cannot read /nonexistent/notes.txt"), "{err}");
}

#[test]
fn bad_config_names_file_and_key() {
    let dir = std::env::temp_dir().join(format!("hushgate-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("bad.toml");
    std::fs::write(&cfg, "[detection]\nthreshold = \"high\"\n").unwrap();
    let (code, _, err) = run(&["--config", cfg.to_str().unwrap(), "scan"], b"x");
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.toml") && err.contains("threshold"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn custom_terms_from_config_are_reported() {
    let dir = std::env::temp_dir().join(format!("hushgate-custom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("c.toml");
    std::fs::write(
        &cfg,
        "[detection]\nallow_list = [\"ok@example.org\"]\n\
         [[detection.deny_list]]\nentity_type = \"PROJECT_CODE\"\nterms = [\"Project Falcon\"]\n\
         [[detection.patterns]]\nentity_type = \"CUSTOMER_ID\"\nregex = 'CUST-[0-9]{6}'\n",
    )
    .unwrap();
    let (code, out, _) = run(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "scan",
            "--format",
            "json",
        ],
        b"project falcon for CUST-123456, mail ok@example.org",
    );
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(doc["counts"]["PROJECT_CODE"], 1, "{doc}");
    assert_eq!(doc["counts"]["CUSTOMER_ID"], 1, "{doc}");
    assert!(doc["counts"].get("EMAIL_ADDRESS").is_none(), "{doc}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn closed_stdout_is_not_an_error() {
    let line = br#"{"id": "a", "text": "x jane@example.org"}"#;
    let input: Vec<u8> = std::iter::repeat_n(line.as_slice(), 20_000)
        .flat_map(|l| l.iter().copied().chain(std::iter::once(b'\n')))
        .collect();
    let mut child = hushgate()
        .args(["scan", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?} {err}");
}
