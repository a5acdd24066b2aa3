//! The audit trail as the gateway writes it: a decision record durable
//! before forwarding, an outcome record after, one record for a request
//! refused, chains that verify, no raw values, and fail-closed forwarding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use hushgate_store::{AuditFilter, AuditKeys, RecordFields};
use hushgate_testkit::Behaviour;
use serde_json::{Value, json};

fn chat(content: &str) -> Value {
    json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]})
}

async fn records(h: &Harness) -> Vec<RecordFields> {
    // Outcome records are appended in the background: let them land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.gateway
        .store()
        .audit_records(&AuditFilter::default(), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.fields)
        .collect()
}

#[tokio::test]
async fn every_request_leaves_records_that_verify_and_hold_no_values() {
    let h = start_with(Behaviour::echo().chunked(3), TENANTS).await;
    let text = sensitive_text();
    assert_eq!(
        h.post("/chat/completions", &chat(&text)).await.status(),
        200
    );
    let mut streamed = chat(&text);
    streamed["stream"] = json!(true);
    streamed["stream_options"] = json!({"include_usage": true});
    h.stream("/chat/completions", &streamed).await;
    let resp = h
        .post(
            "/chat/completions",
            &json!({"model": "nope", "messages": []}),
        )
        .await;
    assert_eq!(resp.status(), 404);
    let request_id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();

    let recs = records(&h).await;
    let decisions: Vec<&str> = recs.iter().map(|r| r.decision.as_str()).collect();
    assert_eq!(
        decisions,
        [
            "pseudonymize",
            "outcome",
            "pseudonymize",
            "outcome",
            "rejected"
        ],
        "{recs:#?}"
    );
    let decision = &recs[0];
    assert_eq!(decision.status, 0, "written before forwarding");
    assert_eq!(decision.route.as_deref(), Some("double"));
    assert_eq!(decision.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(decision.findings.get("EMAIL_ADDRESS"), Some(&1));
    assert!(decision.value_hashes.len() >= 5);
    assert_eq!(recs[1].status, 200);
    assert_eq!(recs[1].request_id, decision.request_id);
    assert!(recs[3].prompt_tokens.is_some(), "streamed usage recorded");
    assert_eq!(recs[4].status, 404);
    assert_eq!(recs[4].request_id, request_id);

    // Correlation: the same value has the same keyed hash across requests.
    assert_eq!(recs[0].value_hashes, recs[2].value_hashes);

    // The chain verifies with the keys the gateway created.
    let cfg = h.gateway.config().audit.clone();
    let keys = AuditKeys::load(&cfg).unwrap();
    h.gateway.close_audit().await.unwrap();
    let report = h
        .gateway
        .store()
        .verify_audit(&keys.verifying)
        .await
        .unwrap();
    assert_eq!(report.records(), 5);

    // No raw value in the database file (nor its WAL).
    for f in ["hushgate.db", "hushgate.db-wal"] {
        let Ok(bytes) = std::fs::read(h.dir.path().join(f)) else {
            continue;
        };
        for v in values() {
            assert!(
                !bytes.windows(v.len()).any(|w| w == v.as_bytes()),
                "{v:?} in {f}"
            );
        }
    }
}

#[tokio::test]
async fn policy_blocks_are_recorded_with_their_rules() {
    let tenants = r#"
[[tenants]]
name = "clinic"
regimes = ["hipaa"]

[[tenants]]
name = "other"
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    let note = "Pt Jane Doe, MRN 0012345, diagnosed with T2DM; started metformin.";
    assert_eq!(h.post("/chat/completions", &chat(note)).await.status(), 403);
    let recs = records(&h).await;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].decision, "block");
    assert_eq!(recs[0].status, 403);
    assert_eq!(recs[0].route, None);
    assert!(
        recs[0].reasons.iter().any(|r| r == "hipaa.baa_required"),
        "{:?}",
        recs[0].reasons
    );
}

#[tokio::test]
async fn without_a_durable_audit_record_external_forwarding_fails_closed() {
    let tenants = r#"
[[tenants]]
name = "clinic"

[[tenants]]
name = "other"
[tenants.audit]
fail_closed = false
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    h.gateway.close_audit().await.unwrap();
    let resp = h.post("/chat/completions", &chat(&sensitive_text())).await;
    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "audit_unavailable");
    assert_eq!(h.double.request_count(), 0, "nothing was forwarded");

    // A self-hosted route keeps working: nothing leaves.
    let mut local = chat("hello");
    local["model"] = json!("local");
    assert_eq!(h.post("/chat/completions", &local).await.status(), 200);

    // A tenant that opted out of failing closed is forwarded.
    let resp = h
        .client
        .post(format!("{}/chat/completions", h.base))
        .bearer_auth(&h.other_key)
        .json(&chat("hello"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
