//! Canary test: with every log at TRACE (the gateway's, hyper's, reqwest's,
//! sqlx's), requests full of canary values, successful and failing, leave
//! none of them in the log output, the metrics or the error bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use hushgate_testkit::Behaviour;
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_canary_reaches_logs_metrics_or_errors() {
    let logs = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .init();

    let canaries = [
        "Zebulon Quackenbush",
        "zq.canary.7731@example.org",
        "536-90-4399",
        "4111 1111 1111 1111",
        "+1 415-555-0199",
        "sk-proj-CanaryCanaryCanary1234567890abcdefXYZ",
    ];
    let text = format!(
        "Dr. {} (mail {}, SSN {}) paid by {}; phone {}; key {}",
        canaries[0], canaries[1], canaries[2], canaries[3], canaries[4], canaries[5]
    );
    let h = start_with(Behaviour::echo().chunked(4), TENANTS).await;
    let mut bodies = Vec::new();
    let chat = json!({"model": "gpt-4o-mini", "messages": [
        {"role": "system", "content": text},
        {"role": "user", "content": [{"type": "text", "text": text}]},
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function",
            "function": {"name": "f", "arguments": json!({"t": text}).to_string()}}]},
        {"role": "tool", "tool_call_id": "c", "content": text}
    ], "user": text});
    let ok = h
        .post("/chat/completions", &chat)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ok.contains(canaries[1]),
        "the answer is restored for the client"
    );
    let mut streamed = chat.clone();
    streamed["stream"] = json!(true);
    h.stream("/chat/completions", &streamed).await;
    // Failing paths: upstream errors, hostile streams, bad bodies.
    for b in [
        // A provider's 4xx message is passed on (it can only quote the
        // pseudonymized request); a 5xx body is dropped whatever it holds.
        Behaviour::error(400, "bad request near [PERSON_1]"),
        Behaviour::error(500, &text),
        Behaviour::malformed(),
        Behaviour::drop_mid_stream(3),
    ] {
        h.double.set_behaviour(b);
        bodies.push(
            h.post("/chat/completions", &chat)
                .await
                .text()
                .await
                .unwrap(),
        );
        bodies.push(
            h.post("/chat/completions", &streamed)
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    let broken = format!("{{\"model\": \"gpt-4o-mini\", \"messages\": [\"{text}\"");
    bodies.push(
        h.post_raw("/chat/completions", broken.into_bytes())
            .await
            .text()
            .await
            .unwrap(),
    );
    let metrics = h
        .client
        .get(format!("{}/metrics", h.base.trim_end_matches("/v1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    // Restored answers legitimately carry the values back to their client;
    // error bodies and error events must not.
    let errors: Vec<&str> = bodies
        .iter()
        .flat_map(|b| b.split("\n\n"))
        .filter(|e| e.contains("\"error\""))
        .collect();
    assert!(errors.len() >= 8, "{errors:?}");
    let log = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(log.contains("request prepared"), "the log is not captured");
    for c in canaries {
        assert!(!log.contains(c), "{c:?} in the logs");
        assert!(!metrics.contains(c), "{c:?} in the metrics");
        for e in &errors {
            assert!(!e.contains(c), "{c:?} in an error: {e}");
        }
        assert!(!h.double.received(c), "{c:?} reached the provider");
    }
}
