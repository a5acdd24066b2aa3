//! Conformance with the official `openai` Python SDK: the real `hushgate serve` process on a
//! free loopback port, in front of a provider double (OpenAI's wire format, recording every
//! request), driven by `tests/e2e/openai_sdk.py` with the SDK pinned in
//! `tests/e2e/requirements.txt`.
//!
//! The SDK is installed into a virtualenv beside the build (`<target>/e2e-venv-<hash>`),
//! created on the first run (`python3 -m venv`, then `pip install` from PyPI) and reused after.
//! Without Python's venv module or without PyPI the test fails, saying so: it is never skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod e2e;

use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::{STORAGE_AND_AUDIT, Workdir, target_dir};
use hushgate_testkit::{Behaviour, ProviderDouble};

const NAME: &str = "Jane Doe";
const EMAIL: &str = "jane.doe@example.org";
const SSN: &str = "536-90-4399";
const CARD: &str = "4111 1111 1111 1111";
const PHONE: &str = "+1 415-555-0132";
const MAX_MESSAGES: usize = 64;

const REQUIREMENTS: &str = include_str!("e2e/requirements.txt");
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/e2e/openai_sdk.py");

fn sensitive_text() -> String {
    format!("Patient {NAME} (email {EMAIL}, SSN {SSN}) paid with card {CARD}; call {PHONE} back.")
}

/// FNV-1a: a cache key that stays the same across Rust versions.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn run(mut c: Command, what: &str, hint: &str) {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {c:?}: {e}. {hint}"));
    assert!(
        out.status.success(),
        "{what} failed ({}). {hint}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Python of a virtualenv holding the pinned SDK: reused when a previous run completed
/// it, (re)created otherwise.
fn sdk_python() -> PathBuf {
    let venv = target_dir().join(format!("e2e-venv-{:016x}", fnv1a(REQUIREMENTS)));
    let python = venv.join("bin").join("python");
    let done = venv.join(".hushgate-complete");
    if done.exists() && python.exists() {
        return python;
    }
    eprintln!("creating {} with the pinned openai SDK", venv.display());
    let _ = std::fs::remove_dir_all(&venv);
    let mut c = Command::new("python3");
    c.args(["-m", "venv"]).arg(&venv);
    run(
        c,
        "python3 -m venv",
        "The SDK test needs Python 3 with its venv module (on Debian/Ubuntu: \
         apt-get install python3-venv); .ci/run installs it.",
    );
    let requirements = venv.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS).unwrap();
    let mut c = Command::new(&python);
    c.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "-r",
    ])
    .arg(&requirements);
    run(
        c,
        "pip install (tests/e2e/requirements.txt)",
        "Cannot install the pinned openai SDK from PyPI: this test needs PyPI (or a \
         PIP_INDEX_URL mirror) once; the virtualenv is reused afterwards. It is not skipped.",
    );
    std::fs::write(&done, REQUIREMENTS).unwrap();
    python
}

fn config(double: &ProviderDouble) -> String {
    format!(
        r#"listen = "127.0.0.1:0"
{STORAGE_AND_AUDIT}
[server]
max_messages = {MAX_MESSAGES}

# The double stands for OpenAI's API: its published data terms apply.
[[providers]]
name = "openai-double"
kind = "openai_compatible"
base_url = "{base}"
catalog = "openai"
read_timeout_secs = 5
max_retries = 0

[[models]]
alias = "gpt-4o-mini"
provider = "openai-double"
model = "upstream-model"

[[models]]
alias = "text-embedding-3-small"
provider = "openai-double"
model = "upstream-embedding"

[[tenants]]
name = "acme"
"#,
        base = double.base_url()
    )
}

/// Runs one phase of the script; panics with its report and the gateway's log on failure.
async fn phase(python: &Path, base: &str, key: &str, name: &str, log: impl Fn() -> String) {
    let mut c = Command::new(python);
    c.arg(SCRIPT)
        .arg(name)
        .env("HUSHGATE_BASE_URL", base)
        .env("HUSHGATE_KEY", key)
        .env("HUSHGATE_E2E_TEXT", sensitive_text())
        .env("HUSHGATE_E2E_MAX_MESSAGES", MAX_MESSAGES.to_string())
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    // Blocking on another thread: the double answers on this runtime meanwhile.
    let out = tokio::task::spawn_blocking(move || c.output())
        .await
        .unwrap()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "openai_sdk.py {name} failed ({}):\n{report}{}\n--- hushgate serve stderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_openai_python_sdk_works_against_hushgate() {
    let python = tokio::task::spawn_blocking(sdk_python).await.unwrap();

    let double = ProviderDouble::start(Behaviour::echo().chunked(3)).await;
    let work = Workdir::new(&config(&double));
    let key = work.create_key("acme");
    let mut gateway = work.serve();

    double.set_behaviour(Behaviour::echo().chunked(3));
    let g = &gateway;
    phase(&python, &g.base, &key, "chat", || g.log()).await;
    double.set_behaviour(Behaviour::tool_call_echo().chunked(3));
    phase(&python, &g.base, &key, "tools", || g.log()).await;
    double.set_behaviour(Behaviour::error(500, "the provider is down"));
    phase(&python, &g.base, &key, "upstream_error", || g.log()).await;
    double.set_behaviour(Behaviour::error(429, "slow down").retry_after_ms(1000));
    phase(&python, &g.base, &key, "upstream_rate_limit", || g.log()).await;
    gateway.assert_running();

    // What the provider received: every kind of request, and none of the values.
    let paths: Vec<String> = double.requests().iter().map(|r| r.path.clone()).collect();
    for p in ["/v1/chat/completions", "/v1/completions", "/v1/embeddings"] {
        assert!(
            paths.iter().any(|x| x == p),
            "{p} was not forwarded: {paths:?}"
        );
    }
    for v in [NAME, EMAIL, SSN, CARD, PHONE] {
        assert!(!double.received(v), "the provider received {v:?}");
    }
    // Placeholders went instead.
    assert!(double.received("[PERSON_1]"));
    // Nor does the gateway's log hold a value.
    let logged = gateway.log();
    for v in [NAME, EMAIL, SSN, CARD, PHONE] {
        assert!(!logged.contains(v), "the gateway logged {v:?}:\n{logged}");
    }
    // The audit trail the run left verifies.
    drop(gateway);
    let out = work.command().args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "audit verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
