//! `hushgate redact` / `hushgate restore` as a user runs them: the real
//! binary, real files and pipes. Only e-mail addresses and tenant terms from
//! a config are relied on, so these hold whatever other recognizers exist.

// Helpers outside #[test] fns count as non-test code for clippy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

const KEY: &str = "5f1d3c0b9a8e7f6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a3928170605";

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("hushgate-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
    fn s(&self, f: &str) -> String {
        self.path(f).to_str().unwrap().to_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], key: Option<&str>, stdin: &[u8]) -> Out {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hushgate"));
    c.env_remove("HUSHGATE_CONFIG")
        .env_remove("HUSHGATE_TENANT")
        .env_remove("HUSHGATE_VAULT_KEY");
    if let Some(k) = key {
        c.env("HUSHGATE_VAULT_KEY", k);
    }
    let mut child = c
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

const NOTE: &str = "Dear team,\n\nplease reply to jane.canary@corp.example (or JANE.CANARY@corp.example),\n\
cc ops@corp.example. Project Falcon ships Friday. 🙂 Ünïcode stays.\n\
A literal [EMAIL_ADDRESS_1] and PROJECT_CODE_1 must survive.\n";

fn config(dir: &Dir) -> String {
    let cfg = dir.path("c.toml");
    std::fs::write(
        &cfg,
        "[[detection.deny_list]]\nentity_type = \"PROJECT_CODE\"\nterms = [\"Project Falcon\"]\n",
    )
    .unwrap();
    cfg.to_str().unwrap().to_owned()
}

#[test]
fn redact_a_file_then_restore_it_exactly() {
    let dir = Dir::new("rr");
    std::fs::write(dir.path("note.txt"), NOTE).unwrap();
    let cfg = config(&dir);
    let r = run(
        &[
            "--config",
            &cfg,
            "redact",
            "--vault",
            &dir.s("v"),
            &dir.s("note.txt"),
        ],
        Some(KEY),
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("canary") && !r.stdout.contains("Falcon"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[EMAIL_ADDRESS_2]"), "{}", r.stdout);
    assert!(r.stdout.contains("[PROJECT_CODE_2]"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("A literal [EMAIL_ADDRESS_1] and PROJECT_CODE_1"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("vault"), "{}", r.stderr);
    // The vault holds no plaintext.
    let sealed = std::fs::read(dir.path("v")).unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("canary"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path("v"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "vault readable by others: {mode:o}");
    }

    // From a file and from standard input.
    std::fs::write(dir.path("red.txt"), &r.stdout).unwrap();
    let back = run(
        &["restore", "--vault", &dir.s("v"), &dir.s("red.txt")],
        Some(KEY),
        b"",
    );
    assert_eq!(back.code, 0, "{}", back.stderr);
    assert_eq!(back.stdout, NOTE);
    let back = run(
        &["restore", "--vault", &dir.s("v")],
        Some(KEY),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.stdout, NOTE);

    // A model's answer: tolerated forms restored, inventions left and counted.
    let answer = "Sure: [Email_Address_2]'s owner, [PROJECT_CODE_2] and [PERSON_7].";
    let back = run(
        &["restore", "--vault", &dir.s("v")],
        Some(KEY),
        answer.as_bytes(),
    );
    assert_eq!(
        back.stdout,
        "Sure: jane.canary@corp.example's owner, Project Falcon and [PERSON_7]."
    );
    assert!(
        back.stderr.contains("1 placeholder(s) not in the vault"),
        "{}",
        back.stderr
    );
}

#[test]
fn surrogate_mode_round_trips() {
    let dir = Dir::new("sur");
    let r = run(
        &["redact", "--mode", "surrogate", "--vault", &dir.s("v")],
        Some(KEY),
        NOTE.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("canary") && r.stdout.contains("@example."),
        "{}",
        r.stdout
    );
    let back = run(
        &["restore", "--vault", &dir.s("v")],
        Some(KEY),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.stdout, NOTE);
}

#[test]
fn irreversible_modes_need_no_vault() {
    let r = run(
        &["redact", "--mode", "mask"],
        None,
        b"mail jane.canary@corp.example",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "mail j***.******@****.example");
    let r = run(
        &["redact", "--mode", "redact"],
        None,
        b"mail jane.canary@corp.example",
    );
    assert_eq!(r.stdout, "mail [REDACTED_EMAIL_ADDRESS]");
    // Pseudonymizing without a vault works, and says the mapping is lost.
    let r = run(&["redact"], None, b"mail jane.canary@corp.example");
    assert_eq!(r.stdout, "mail [EMAIL_ADDRESS_1]");
    assert!(r.stderr.contains("cannot be restored"), "{}", r.stderr);
}

#[test]
fn missing_key_is_a_clear_error() {
    let dir = Dir::new("nokey");
    let r = run(&["redact", "--vault", &dir.s("v")], None, NOTE.as_bytes());
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("HUSHGATE_VAULT_KEY is not set"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.is_empty(),
        "nothing is written without a usable key"
    );
    assert!(!dir.path("v").exists());
    let r = run(&["restore", "--vault", &dir.s("v")], None, b"x");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("HUSHGATE_VAULT_KEY is not set"),
        "{}",
        r.stderr
    );
    let r = run(
        &["redact", "--vault", &dir.s("v")],
        Some("not-a-key-CANARY"),
        b"x",
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("64 hex characters"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("CANARY"),
        "the key is never echoed: {}",
        r.stderr
    );
}

#[test]
fn wrong_key_and_wrong_tenant_are_refused() {
    let dir = Dir::new("wrong");
    let r = run(
        &["redact", "--tenant", "acme", "--vault", &dir.s("v")],
        Some(KEY),
        NOTE.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let other = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // base64 of 32 bytes
    let back = run(
        &["restore", "--tenant", "acme", "--vault", &dir.s("v")],
        Some(other),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.code, 1);
    assert!(back.stderr.contains("wrong key"), "{}", back.stderr);
    assert!(back.stdout.is_empty());
    let back = run(
        &["restore", "--vault", &dir.s("v")],
        Some(KEY),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.code, 1);
    assert!(back.stderr.contains("tenant `acme`"), "{}", back.stderr);
    let back = run(
        &["restore", "--tenant", "acme", "--vault", &dir.s("v")],
        Some(KEY),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.stdout, NOTE);
    // Not a vault at all.
    std::fs::write(dir.path("junk"), "hello").unwrap();
    let back = run(&["restore", "--vault", &dir.s("junk")], Some(KEY), b"x");
    assert!(
        back.stderr.contains("not a Hushgate vault"),
        "{}",
        back.stderr
    );
}

#[test]
fn expired_vault_is_refused() {
    let dir = Dir::new("ttl");
    let r = run(
        &["redact", "--ttl", "1", "--vault", &dir.s("v")],
        Some(KEY),
        NOTE.as_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let back = run(
        &["restore", "--vault", &dir.s("v")],
        Some(KEY),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.code, 1);
    assert!(back.stderr.contains("expired"), "{}", back.stderr);
    let r = run(&["redact", "--ttl", "5y"], None, b"x");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn jsonl_round_trip_keeps_order_ids_and_bad_lines() {
    let dir = Dir::new("jsonl");
    let input = [
        r#"{"id": "a", "text": "x jane.canary@corp.example", "spans": []}"#,
        "not json",
        r#"{"id": 7, "text": "\ud83d\ude00 JANE.CANARY@corp.example and [EMAIL_ADDRESS_1]"}"#,
        r#"{"id": "c", "text": "nothing here"}"#,
    ]
    .join("\r\n")
        + "\n";
    std::fs::write(dir.path("in.jsonl"), &input).unwrap();
    let r = run(
        &[
            "redact",
            "--jsonl",
            "--vault",
            &dir.s("v"),
            &dir.s("in.jsonl"),
        ],
        Some(KEY),
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert_eq!(lines[0]["id"], "a");
    // One vault for all lines: the same address, the same placeholder.
    assert_eq!(lines[0]["text"], "x [EMAIL_ADDRESS_2]");
    assert_eq!(
        lines[2]["text"],
        "😀 [EMAIL_ADDRESS_2] and [EMAIL_ADDRESS_1]"
    );
    assert!(lines[1]["id"].is_null() && lines[1]["error"].as_str().unwrap().contains("line 2"));
    assert!(!r.stdout.contains("canary"));

    let back = run(
        &["restore", "--jsonl", "--vault", &dir.s("v")],
        Some(KEY),
        r.stdout.as_bytes(),
    );
    assert_eq!(back.code, 0, "{}", back.stderr);
    let restored: Vec<Value> = back
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(restored[0]["text"], "x jane.canary@corp.example");
    assert_eq!(restored[2]["id"], 7);
    assert_eq!(
        restored[2]["text"],
        "😀 JANE.CANARY@corp.example and [EMAIL_ADDRESS_1]"
    );
    assert_eq!(restored[3]["text"], "nothing here");
    assert!(restored[1]["error"].is_string());
}

#[test]
fn help_explains_both_commands() {
    for cmd in ["redact", "restore"] {
        let r = run(&["help", cmd], None, b"");
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("Examples:") && r.stdout.contains("HUSHGATE_VAULT_KEY"),
            "{}",
            r.stdout
        );
    }
}
