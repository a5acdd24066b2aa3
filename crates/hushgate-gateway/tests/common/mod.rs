//! A real gateway on a loopback port, in front of a real provider double on
//! another, with a real SQLite file for keys and limits.
#![allow(dead_code)]

use std::path::Path;

use hushgate_config::Config;
use hushgate_gateway::Gateway;
use hushgate_testkit::{Behaviour, ProviderDouble};
use serde_json::Value;

pub struct Harness {
    pub base: String,
    pub double: ProviderDouble,
    pub private: ProviderDouble,
    pub key: String,
    pub other_key: String,
    pub gateway: Gateway,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

/// Sensitive values used across the tests: none may reach the double.
pub const NAME: &str = "Jane Doe";
pub const EMAIL: &str = "jane.doe@example.org";
pub const SSN: &str = "536-90-4399";
pub const CARD: &str = "4111 1111 1111 1111";
pub const PHONE: &str = "+1 415-555-0132";

pub fn sensitive_text() -> String {
    format!("Patient {NAME} (email {EMAIL}, SSN {SSN}) paid with card {CARD}; call {PHONE} back.")
}

pub fn values() -> [&'static str; 5] {
    [NAME, EMAIL, SSN, CARD, PHONE]
}

pub async fn start(behaviour: Behaviour) -> Harness {
    start_with(behaviour, "").await
}

/// `extra` is appended to the config (more tenants, limits...). The tenant
/// `clinic` gets `key`, `other` gets `other_key`.
pub async fn start_with(behaviour: Behaviour, extra: &str) -> Harness {
    let double = ProviderDouble::start(behaviour).await;
    let private = ProviderDouble::start(Behaviour::echo()).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hushgate.db");
    let toml = format!(
        r#"listen = "127.0.0.1:0"
[storage]
url = "sqlite://{db}"

[audit]
signing_key_file = "{audit_key}"
secret_file = "{secret}"

[server]
max_body_bytes = 1048576
max_messages = 64

[[providers]]
name = "double"
kind = "openai_compatible"
base_url = "{double}"
read_timeout_secs = 2
max_retries = 0
# The double stands for OpenAI's API: its published terms apply.
catalog = "openai"

[[providers]]
name = "private"
kind = "openai_compatible"
base_url = "{private}"
self_hosted = true

[[models]]
alias = "gpt-4o-mini"
provider = "double"
model = "upstream-model"

[[models]]
alias = "text-embedding-3-small"
provider = "double"
model = "upstream-embedding"

[[models]]
alias = "assistant"
provider = "double"
model = "upstream-model"
system_prompt = "You are the clinic's assistant."
temperature = 0.2
max_tokens = 99

[[models]]
alias = "local"
provider = "private"
model = "llama"
{extra}
"#,
        db = db.display(),
        audit_key = dir.path().join("audit.key").display(),
        secret = dir.path().join("secret.key").display(),
        double = double.base_url(),
        private = private.base_url(),
    );
    let config = Config::from_toml_str(&toml, Path::new("test.toml")).unwrap();
    let (gateway, startup) = Gateway::new(config).await.unwrap();
    assert!(startup.unusable_providers.is_empty());
    let store = gateway.store();
    store.ensure_tenant("clinic").await.unwrap();
    store.ensure_tenant("other").await.unwrap();
    let (_, key) = store.create_key("clinic", Some("tests")).await.unwrap();
    let (_, other_key) = store.create_key("other", None).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(
        gateway
            .clone()
            .serve(listener, std::future::pending::<()>()),
    );
    Harness {
        base,
        double,
        private,
        key: key.expose().to_owned(),
        other_key: other_key.expose().to_owned(),
        gateway,
        client: reqwest::Client::new(),
        dir,
    }
}

/// The default tenants (appended by tests that need their own).
pub const TENANTS: &str = r#"
[[tenants]]
name = "clinic"

[[tenants]]
name = "other"
models = ["gpt-4o-mini"]
"#;

impl Harness {
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The SSE `data:` payloads of a streamed response, `[DONE]` included.
    pub async fn stream(&self, path: &str, body: &Value) -> Vec<String> {
        let resp = self.post(path, body).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let text = resp.text().await.unwrap();
        text.split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .map(str::to_owned)
            .collect()
    }

    /// Asserts the provider double never saw any of `values`.
    pub fn assert_never_received(&self, values: &[&str]) {
        assert!(self.double.request_count() > 0, "nothing was forwarded");
        for v in values {
            assert!(!self.double.received(v), "the provider received {v:?}");
        }
    }
}

/// Joins the `delta.content` of chat chunks.
pub fn content_of(events: &[String]) -> String {
    let mut out = String::new();
    for e in events {
        if e == "[DONE]" {
            continue;
        }
        let v: Value = serde_json::from_str(e).unwrap();
        for c in v["choices"].as_array().into_iter().flatten() {
            out += c["delta"]["content"].as_str().unwrap_or("");
            out += c["text"].as_str().unwrap_or("");
        }
    }
    out
}

/// Joins the tool-call argument deltas of chat chunks, per tool-call index.
pub fn tool_args_of(events: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if e == "[DONE]" {
            continue;
        }
        let v: Value = serde_json::from_str(e).unwrap();
        for c in v["choices"].as_array().into_iter().flatten() {
            for call in c["delta"]["tool_calls"].as_array().into_iter().flatten() {
                let i = call["index"].as_u64().unwrap() as usize;
                if out.len() <= i {
                    out.resize(i + 1, String::new());
                }
                out[i] += call["function"]["arguments"].as_str().unwrap_or("");
            }
        }
    }
    out
}
