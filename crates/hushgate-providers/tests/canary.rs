//! Canary test: with tracing at TRACE, nothing a provider logs contains the
//! upstream key or any request or response content, on success and on every
//! error path.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use hushgate_config::{ProviderConfig, ProviderKind};
use hushgate_providers::{ApiKey, Endpoint, Provider};
use hushgate_testkit::{Behaviour, ProviderDouble};
use serde_json::json;

const KEY: &str = "sk-canary-key-7f3a9b";
const CONTENT: &str = "canary-content-Jane-Q-Public";

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_contain_the_key_or_content() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let error_body =
        json!({"error": {"message": format!("bad key {KEY} for {CONTENT}"), "type": "x"}});
    let double = ProviderDouble::start(Behaviour::echo().fail_first(1, 503)).await;
    let mut cfg = ProviderConfig::new(
        "canary",
        ProviderKind::OpenAi,
        double.base_url().parse().unwrap(),
    );
    cfg.read_timeout = Duration::from_millis(300);
    let p = Provider::new(&cfg, Some(ApiKey::new(KEY)))
        .unwrap()
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5));
    tracing::debug!(provider = ?p, "built");

    let chat = |stream: bool| json!({"model": "m", "stream": stream, "messages": [{"role": "user", "content": CONTENT}]});
    let mut errors = Vec::new();
    // Success after a retry, streaming and not.
    p.send(Endpoint::ChatCompletions, &chat(false))
        .await
        .unwrap();
    let mut s = p
        .send_stream(Endpoint::ChatCompletions, &chat(true))
        .await
        .unwrap()
        .events(1 << 20);
    while let Some(e) = s.next().await {
        tracing::debug!(event = ?e.unwrap(), "event");
    }
    // Error paths.
    for b in [
        Behaviour::error_raw(401, &error_body.to_string()),
        Behaviour::error_raw(502, &format!("<html>{CONTENT}</html>")),
        Behaviour::hang(),
        Behaviour::drop_mid_stream(1),
        Behaviour::invalid_utf8(),
        Behaviour::malformed(),
    ] {
        double.set_behaviour(b);
        if let Err(e) = p.send(Endpoint::ChatCompletions, &chat(false)).await {
            errors.push(e);
        }
        match p.send_stream(Endpoint::ChatCompletions, &chat(true)).await {
            Err(e) => errors.push(e),
            Ok(s) => {
                let mut s = s.events(1 << 20);
                while let Some(e) = s.next().await {
                    if let Err(e) = e {
                        errors.push(e);
                    }
                }
            }
        }
    }
    assert!(errors.len() >= 8, "{errors:?}");
    for e in &errors {
        tracing::error!(error = %e, debug = ?e, upstream = ?e.upstream_error(), "upstream failed");
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            tracing::error!(source = %s, "caused by");
            source = s.source();
        }
    }

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("retrying"), "the retry was logged:\n{text}");
    assert!(text.contains("upstream error status"), "{text}");
    for canary in [KEY, "7f3a9b", CONTENT, "Jane-Q"] {
        assert!(
            !text.contains(canary),
            "{canary} leaked into the logs:\n{text}"
        );
    }
    assert!(
        double.received(CONTENT),
        "the content did go upstream (the test is live)"
    );
}
