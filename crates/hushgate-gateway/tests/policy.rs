//! Policy decisions applied by the gateway: private routing, blocks with
//! reasons, pseudonymization by regime.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use hushgate_testkit::Behaviour;
use serde_json::{Value, json};

const CLINICAL: &str =
    "Pt Jane Doe, MRN 0012345, diagnosed with T2DM; started metformin 500 mg BID.";

fn chat(content: &str) -> Value {
    json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]})
}

const HIPAA_PRIVATE: &str = r#"
[[tenants]]
name = "clinic"
regimes = ["hipaa"]
private_route = "private"

[[tenants]]
name = "other"
regimes = ["hipaa"]
"#;

#[tokio::test]
async fn phi_without_a_baa_goes_to_the_private_model() {
    let h = start_with(Behaviour::echo(), HIPAA_PRIVATE).await;
    let resp = h.post("/chat/completions", &chat(CLINICAL)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-hushgate-decision"], "route_private");
    assert_eq!(resp.headers()["x-hushgate-route"], "private");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], CLINICAL);
    assert_eq!(
        h.double.request_count(),
        0,
        "nothing reached the external provider"
    );
    let sent = h.private.requests()[0].json().unwrap();
    // The private route runs the model of the alias that names it.
    assert_eq!(sent["model"], "llama");
}

#[tokio::test]
async fn phi_without_a_baa_or_private_route_is_blocked_with_reasons() {
    let h = start_with(Behaviour::echo(), HIPAA_PRIVATE).await;
    let resp = h
        .client
        .post(format!("{}/chat/completions", h.base))
        .bearer_auth(&h.other_key)
        .json(&chat(CLINICAL))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    let e = &body["error"];
    assert_eq!(e["code"], "blocked_by_policy");
    let reasons = e["reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|r| r["rule"] == "hipaa.baa_required"),
        "{reasons:?}"
    );
    let text = body.to_string();
    for v in ["Jane Doe", "0012345"] {
        assert!(!text.contains(v));
    }
    assert_eq!(h.double.request_count(), 0);
    assert_eq!(h.private.request_count(), 0);
}

#[tokio::test]
async fn with_a_signed_baa_phi_is_pseudonymized_to_the_external_provider() {
    let tenants = r#"
[[tenants]]
name = "clinic"
regimes = ["hipaa"]
private_route = "private"
[tenants.contracts.double]
baa_signed = true
zdr_enabled = true

[[tenants]]
name = "other"
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    let resp = h.post("/chat/completions", &chat(CLINICAL)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-hushgate-route"], "double");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], CLINICAL);
    h.assert_never_received(&["Jane Doe", "0012345"]);
}

#[tokio::test]
async fn regime_none_with_policy_pseudonymization_replaces_only_secrets() {
    let tenants = r#"
[[tenants]]
name = "clinic"
regimes = ["none"]
pseudonymize = "policy"

[[tenants]]
name = "other"
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
    let text = format!("Ask {EMAIL} to rotate {secret}");
    let resp = h.post("/chat/completions", &chat(&text)).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], text.as_str());
    assert!(
        h.double.received(EMAIL),
        "no regime: personal data goes as it is"
    );
    assert!(!h.double.received(secret), "secrets never reach a model");
}

#[tokio::test]
async fn when_the_private_route_fails_the_request_fails_closed() {
    let h = start_with(Behaviour::echo(), HIPAA_PRIVATE).await;
    h.private.set_behaviour(Behaviour::error(503, "overloaded"));
    let resp = h.post("/chat/completions", &chat(CLINICAL)).await;
    assert_eq!(resp.status(), 502);
    let mut streamed = chat(CLINICAL);
    streamed["stream"] = json!(true);
    assert_eq!(h.post("/chat/completions", &streamed).await.status(), 502);
    assert_eq!(
        h.double.request_count(),
        0,
        "PHI is never sent to the external provider instead"
    );
}
