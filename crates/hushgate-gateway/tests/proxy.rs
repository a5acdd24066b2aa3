//! The gateway end to end: a real HTTP client, the gateway on loopback, a
//! provider double on loopback that records what it receives.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use hushgate_testkit::Behaviour;
use serde_json::{Value, json};

fn chat(content: &str) -> Value {
    json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": content}]})
}

#[tokio::test]
async fn chat_is_pseudonymized_upstream_and_restored_for_the_client() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let text = sensitive_text();
    let resp = h.post("/chat/completions", &chat(&text)).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], text.as_str());
    h.assert_never_received(&values());
    let sent = h.double.requests()[0].json().unwrap();
    let upstream_text = sent["messages"][0]["content"].as_str().unwrap();
    assert!(upstream_text.contains("[PERSON_1]"), "{upstream_text}");
    assert!(
        upstream_text.contains("[EMAIL_ADDRESS_1]"),
        "{upstream_text}"
    );
    assert_eq!(sent["model"], "upstream-model");
}

#[tokio::test]
async fn streaming_restores_placeholders_split_across_every_chunk_boundary() {
    for n in [1, 2, 3, 5, 7] {
        let h = start_with(Behaviour::echo().chunked(n), TENANTS).await;
        let text = sensitive_text();
        let mut req = chat(&text);
        req["stream"] = json!(true);
        req["stream_options"] = json!({"include_usage": true});
        let events = h.stream("/chat/completions", &req).await;
        assert_eq!(events.last().map(String::as_str), Some("[DONE]"));
        assert_eq!(content_of(&events), text, "chunks of {n} bytes");
        h.assert_never_received(&values());
        // The usage chunk (empty choices) is passed on.
        assert!(events.iter().any(|e| e.contains("\"usage\"")));
    }
}

#[tokio::test]
async fn tool_call_arguments_are_restored_as_json_streaming_and_not() {
    let h = start_with(Behaviour::tool_call_echo().chunked(4), TENANTS).await;
    let text = format!("Send \"{NAME}\" a note at {EMAIL}");
    let tools = json!([{"type": "function", "function": {"name": "send_note",
        "description": "Sends a note", "parameters": {"type": "object",
        "properties": {"text": {"type": "string"}}, "required": ["text"]}}}]);
    let mut req = chat(&text);
    req["tools"] = tools;

    let body: Value = h
        .post("/chat/completions", &req)
        .await
        .json()
        .await
        .unwrap();
    let call = &body["choices"][0]["message"]["tool_calls"][0]["function"];
    assert_eq!(call["name"], "send_note");
    let args: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["text"], text.as_str());

    req["stream"] = json!(true);
    let events = h.stream("/chat/completions", &req).await;
    let args = tool_args_of(&events);
    let args: Value = serde_json::from_str(&args[0]).unwrap();
    assert_eq!(args["text"], text.as_str());
    h.assert_never_received(&[NAME, EMAIL]);
}

#[tokio::test]
async fn every_text_a_provider_reads_is_scanned() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let req = json!({
        "model": "gpt-4o-mini",
        "user": format!("end-user {EMAIL}"),
        "metadata": {"note": format!("for {NAME}")},
        "messages": [
            {"role": "system", "content": format!("Patient card {CARD}.")},
            {"role": "user", "content": [{"type": "text", "text": format!("My SSN is {SSN}")}]},
            {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "lookup", "arguments": format!("{{\"phone\":\"{PHONE}\"}}")}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": format!("Found {NAME}, {EMAIL}")},
            {"role": "user", "content": "And now?"}
        ],
        "tools": [{"type": "function", "function": {"name": "lookup",
            "description": format!("Looks people up, e.g. {EMAIL}"),
            "parameters": {"type": "object", "properties": {"phone": {"type": "string"}}}}}],
        "prediction": {"type": "content", "content": format!("Dear {NAME}")},
        "some_future_field": format!("call {PHONE}")
    });
    let resp = h.post("/chat/completions", &req).await;
    assert_eq!(resp.status(), 200);
    h.assert_never_received(&values());
    let sent = h.double.requests()[0].json().unwrap();
    // Identifiers pass unchanged.
    assert_eq!(sent["tools"][0]["function"]["name"], "lookup");
    assert_eq!(sent["messages"][2]["tool_calls"][0]["id"], "call_1");
    // The pseudonymized tool-call arguments are still JSON.
    let args = sent["messages"][2]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    serde_json::from_str::<Value>(args).unwrap();
}

#[tokio::test]
async fn the_same_value_gets_the_same_placeholder_across_messages() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let req = json!({"model": "gpt-4o-mini", "messages": [
        {"role": "system", "content": format!("Only write to {EMAIL}.")},
        {"role": "user", "content": format!("Draft a note to {}.", EMAIL.to_uppercase())}
    ]});
    h.post("/chat/completions", &req).await;
    let sent = h.double.requests()[0].json().unwrap();
    assert_eq!(
        sent["messages"][0]["content"],
        "Only write to [EMAIL_ADDRESS_1]."
    );
    assert_eq!(
        sent["messages"][1]["content"],
        "Draft a note to [EMAIL_ADDRESS_1]."
    );
}

#[tokio::test]
async fn completions_and_embeddings_are_pseudonymized() {
    let h = start_with(Behaviour::echo().chunked(2), TENANTS).await;
    let text = sensitive_text();
    let body: Value = h
        .post(
            "/completions",
            &json!({"model": "gpt-4o-mini", "prompt": text}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["choices"][0]["text"], text.as_str());
    let events = h
        .stream(
            "/completions",
            &json!({"model": "gpt-4o-mini", "prompt": text, "stream": true}),
        )
        .await;
    assert_eq!(content_of(&events), text);

    let resp = h
        .post(
            "/embeddings",
            &json!({"model": "text-embedding-3-small", "input": [text, "plain"]}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    h.assert_never_received(&values());
}

#[tokio::test]
async fn self_hosted_providers_get_the_request_unchanged() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let text = sensitive_text();
    let mut req = chat(&text);
    req["model"] = json!("local");
    let body: Value = h
        .post("/chat/completions", &req)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], text.as_str());
    assert!(h.private.received(EMAIL));
    assert_eq!(h.double.request_count(), 0);
}

#[tokio::test]
async fn model_aliases_inject_their_system_prompt_and_defaults() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let mut req = chat("hello");
    req["model"] = json!("assistant");
    h.post("/chat/completions", &req).await;
    let sent = h.double.requests()[0].json().unwrap();
    assert_eq!(sent["messages"][0]["role"], "system");
    assert_eq!(
        sent["messages"][0]["content"],
        "You are the clinic's assistant."
    );
    assert_eq!(sent["temperature"], 0.2);
    assert_eq!(sent["max_tokens"], 99);
    // The client's own settings win.
    req["temperature"] = json!(1.0);
    h.post("/chat/completions", &req).await;
    assert_eq!(h.double.requests()[1].json().unwrap()["temperature"], 1.0);
}

#[tokio::test]
async fn models_lists_the_aliases_the_tenant_may_use() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let list = |key: String| {
        let client = h.client.clone();
        let url = format!("{}/models", h.base);
        async move {
            let v: Value = client
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(h.key.clone()).await,
        [
            "gpt-4o-mini",
            "text-embedding-3-small",
            "assistant",
            "local"
        ]
    );
    assert_eq!(list(h.other_key.clone()).await, ["gpt-4o-mini"]);
    // A tenant cannot use an alias it is not given.
    let resp = h
        .client
        .post(format!("{}/chat/completions", h.base))
        .bearer_auth(&h.other_key)
        .json(&json!({"model": "local", "messages": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

async fn error_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"]["type"].is_string(), "{body}");
    (status, body["error"].clone())
}

#[tokio::test]
async fn bad_requests_get_openai_shaped_errors_and_nothing_is_forwarded() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    let url = format!("{}/chat/completions", h.base);

    let (s, e) = error_of(h.client.post(&url).json(&chat("hi")).send().await.unwrap()).await;
    assert_eq!((s, e["code"].as_str()), (401, Some("invalid_api_key")));
    let (s, e) = error_of(
        h.client
            .post(&url)
            .bearer_auth("hg_0123456789abcdef_notarealkeynotarealkeynotarealkey1")
            .json(&chat("hi"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    assert!(!e["message"].as_str().unwrap().contains("notarealkey"));

    let (s, e) = error_of(
        h.post_raw("/chat/completions", br#"{"model": "#.to_vec())
            .await,
    )
    .await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("parse the JSON"));

    let mut bad = br#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":""#.to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(br#""}]}"#);
    let (s, e) = error_of(h.post_raw("/chat/completions", bad).await).await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("UTF-8"));

    let big = format!(
        r#"{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"{}"}}]}}"#,
        "a".repeat(2 << 20)
    );
    let (s, _) = error_of(h.post_raw("/chat/completions", big.into_bytes()).await).await;
    assert_eq!(s, 413);

    let many: Vec<Value> = (0..65)
        .map(|_| json!({"role": "user", "content": "x"}))
        .collect();
    let (s, e) = error_of(
        h.post(
            "/chat/completions",
            &json!({"model": "gpt-4o-mini", "messages": many}),
        )
        .await,
    )
    .await;
    assert_eq!((s, e["param"].as_str()), (400, Some("messages")));

    let (s, e) = error_of(h.post("/chat/completions", &json!({"messages": []})).await).await;
    assert_eq!((s, e["param"].as_str()), (400, Some("model")));
    let (s, e) = error_of(
        h.post(
            "/chat/completions",
            &json!({"model": "gpt-5-turbo", "messages": []}),
        )
        .await,
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (404, Some("model_not_found")));
    let (s, _) = error_of(h.post_raw("/chat/completions", b"[1,2]".to_vec()).await).await;
    assert_eq!(s, 400);
    let (s, _) = error_of(
        h.client
            .get(format!("{}/nope", h.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);

    assert_eq!(h.double.request_count(), 0);
}

#[tokio::test]
async fn upstream_failures_map_to_502_504_and_pass_on_client_errors() {
    let h = start_with(Behaviour::error(500, "boom"), TENANTS).await;
    let (s, e) = error_of(h.post("/chat/completions", &chat("hi")).await).await;
    assert_eq!((s, e["type"].as_str()), (502, Some("upstream_error")));

    h.double
        .set_behaviour(Behaviour::error(400, "bad [PERSON_1] thing"));
    let (s, e) = error_of(h.post("/chat/completions", &chat("hi")).await).await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("refused"));

    h.double
        .set_behaviour(Behaviour::error(429, "slow down").retry_after_ms(2000));
    let resp = h.post("/chat/completions", &chat("hi")).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "2");

    h.double.set_behaviour(Behaviour::hang());
    let (s, e) = error_of(h.post("/chat/completions", &chat("hi")).await).await;
    assert_eq!((s, e["code"].as_str()), (504, Some("upstream_timeout")));
}

/// Hostile streams end with an OpenAI-style error event, never a panic or
/// a raw upstream byte.
#[tokio::test]
async fn hostile_upstream_streams_end_with_an_error_event() {
    let h = start_with(Behaviour::malformed(), TENANTS).await;
    let mut req = chat(&sensitive_text());
    req["stream"] = json!(true);
    for behaviour in [
        Behaviour::malformed(),
        Behaviour::invalid_utf8(),
        Behaviour::drop_mid_stream(3),
        Behaviour::huge_event(2 << 20),
        Behaviour::raw_sse(vec![
            b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"[PERS".to_vec(),
        ]),
    ] {
        h.double.set_behaviour(behaviour.clone());
        let events = h.stream("/chat/completions", &req).await;
        let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
        assert!(
            last["error"]["message"].is_string(),
            "{behaviour:?}: {events:?}"
        );
        assert_ne!(events.last().map(String::as_str), Some("[DONE]"));
    }
    // A stall mid-stream is cut by the read timeout.
    h.double.set_behaviour(Behaviour::stall_mid_stream(2));
    let events = h.stream("/chat/completions", &req).await;
    let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
    assert_eq!(last["error"]["code"], "timeout");
}

#[tokio::test]
async fn a_stream_cut_mid_placeholder_releases_what_was_held() {
    // A role chunk, then 3-byte deltas: 11 deltas are `[EMAIL_ADDRESS_1] [EMAIL_ADDRESS_`.
    let h = start_with(Behaviour::drop_mid_stream(12).chunked(3), TENANTS).await;
    let mut req = chat(&format!("{EMAIL} {EMAIL} {EMAIL} {EMAIL}"));
    req["stream"] = json!(true);
    let events = h.stream("/chat/completions", &req).await;
    let text = content_of(&events);
    // What arrived whole is restored; the half placeholder the provider sent
    // last is released as it came, then the error.
    assert!(text.starts_with(&format!("{EMAIL} [EMAIL_")), "{text}");
    let last: Value = serde_json::from_str(events.last().unwrap()).unwrap();
    assert!(last["error"]["message"].is_string());
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_the_upstream_request() {
    let h = start_with(Behaviour::stall_mid_stream(2), TENANTS).await;
    let mut req = chat("hello there, how are you?");
    req["stream"] = json!(true);
    let mut resp = h.post("/chat/completions", &req).await;
    assert_eq!(resp.status(), 200);
    let first = resp.chunk().await.unwrap();
    assert!(first.is_some());
    drop(resp);
    assert!(h.double.wait_aborted(1, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let tenants = r#"
[[tenants]]
name = "clinic"
[tenants.limits]
requests_per_minute = 2

[[tenants]]
name = "other"
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    for _ in 0..2 {
        assert_eq!(h.post("/chat/completions", &chat("hi")).await.status(), 200);
    }
    let resp = h.post("/chat/completions", &chat("hi")).await;
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let (_, e) = error_of(resp).await;
    assert_eq!(e["code"], "rate_limit_exceeded");
    // Another key is not affected.
    let resp = h
        .client
        .post(format!("{}/chat/completions", h.base))
        .bearer_auth(&h.other_key)
        .json(&chat("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn a_monthly_budget_stops_a_key_with_429_insufficient_quota() {
    let tenants = r#"
[[tenants]]
name = "clinic"
[tenants.limits]
monthly_token_budget = 300

[[tenants]]
name = "other"
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    let mut req = chat("hi");
    req["max_tokens"] = json!(200);
    assert_eq!(h.post("/chat/completions", &req).await.status(), 200);
    // Let the usage correction land, then the second must not fit.
    tokio::time::sleep(Duration::from_millis(200)).await;
    req["max_tokens"] = json!(290);
    let (s, e) = error_of(h.post("/chat/completions", &req).await).await;
    assert_eq!((s, e["code"].as_str()), (429, Some("insufficient_quota")));
}

#[tokio::test]
async fn health_readiness_and_metrics_without_values() {
    let h = start_with(Behaviour::echo(), TENANTS).await;
    h.post("/chat/completions", &chat(&sensitive_text())).await;
    let origin = h.base.trim_end_matches("/v1");
    for path in ["/healthz", "/readyz"] {
        let resp = h
            .client
            .get(format!("{origin}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let metrics = h
        .client
        .get(format!("{origin}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("hushgate_findings_total{entity_type=\"EMAIL_ADDRESS\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hushgate_requests_total{endpoint=\"chat/completions\",status=\"200\"} 1")
    );
    assert!(metrics.contains("hushgate_decisions_total{decision=\"pseudonymize\"} 1"));
    for v in values() {
        assert!(!metrics.contains(v));
    }
}

#[tokio::test]
async fn rate_limits_can_live_in_redis() {
    let Ok(url) = std::env::var("HUSHGATE_TEST_REDIS_URL") else {
        eprintln!("HUSHGATE_TEST_REDIS_URL is unset: the Redis limiter is not tested here");
        return;
    };
    let tenants = format!(
        r#"
[limits]
redis_url = "{url}"
requests_per_minute = 2

[[tenants]]
name = "clinic"

[[tenants]]
name = "other"
"#
    );
    let h = start_with(Behaviour::echo(), &tenants).await;
    for _ in 0..2 {
        assert_eq!(h.post("/chat/completions", &chat("hi")).await.status(), 200);
    }
    assert_eq!(h.post("/chat/completions", &chat("hi")).await.status(), 429);
}

#[tokio::test]
async fn media_parts_pass_or_are_blocked_per_tenant() {
    let tenants = r#"
[[tenants]]
name = "clinic"

[[tenants]]
name = "other"
unscanned_content = "block"
"#;
    let h = start_with(Behaviour::echo(), tenants).await;
    let image = "data:image/png;base64,iVBORw0KGgo=";
    let req = json!({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": [
        {"type": "text", "text": format!("Who is {NAME}?")},
        {"type": "image_url", "image_url": {"url": image}}
    ]}]});
    assert_eq!(h.post("/chat/completions", &req).await.status(), 200);
    assert!(h.double.received(image), "media passes unchanged");
    h.assert_never_received(&[NAME]);

    let resp = h
        .client
        .post(format!("{}/chat/completions", h.base))
        .bearer_auth(&h.other_key)
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"]["reasons"][0]["rule"],
        "gateway.unscanned_content"
    );
    assert_eq!(h.double.request_count(), 1);
}

#[tokio::test]
async fn a_client_that_goes_away_cancels_a_non_streaming_upstream_request() {
    let h = start_with(Behaviour::hang(), TENANTS).await;
    let sent = h
        .client
        .post(format!("{}/chat/completions", h.base))
        .bearer_auth(&h.key)
        .json(&chat("hello"))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(sent.is_err(), "the double hangs: the client gives up");
    assert!(h.double.wait_aborted(1, Duration::from_secs(5)).await);
}
