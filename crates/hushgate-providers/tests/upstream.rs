//! Providers against the provider double: real HTTP on loopback, no mocks.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures::StreamExt;
use hushgate_config::{ProviderConfig, ProviderKind};
use hushgate_providers::sse::SseEvent;
use hushgate_providers::{ApiKey, Endpoint, Error, ErrorKind, Provider, Providers};
use hushgate_testkit::{Behaviour, ProviderDouble};
use serde_json::{Value, json};

const KEY: &str = "sk-test-canary-0123456789";
const MAX_EVENT: usize = 1 << 20;

fn config(double: &ProviderDouble, kind: ProviderKind) -> ProviderConfig {
    let base = match kind {
        ProviderKind::AzureOpenAi => double.origin(),
        _ => double.base_url(),
    };
    let mut cfg = ProviderConfig::new("up", kind, base.parse().unwrap());
    cfg.read_timeout = Duration::from_secs(10);
    cfg.connect_timeout = Duration::from_secs(2);
    if kind == ProviderKind::AzureOpenAi {
        cfg.api_version = Some("2024-10-21".into());
        cfg.deployments
            .insert("gpt-4o-mini".into(), "prod-mini".into());
    }
    cfg
}

fn provider_with(cfg: &ProviderConfig) -> Provider {
    Provider::new(cfg, Some(ApiKey::new(KEY)))
        .unwrap()
        .with_backoff(Duration::from_millis(5), Duration::from_millis(50))
}

fn provider(double: &ProviderDouble) -> Provider {
    provider_with(&config(double, ProviderKind::OpenAi))
}

fn chat(text: &str, stream: bool) -> Value {
    json!({
        "model": "gpt-4o-mini",
        "stream": stream,
        "stream_options": if stream { json!({"include_usage": true}) } else { Value::Null },
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": text},
        ],
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
    })
}

async fn collect(provider: &Provider, body: &Value) -> (Vec<SseEvent>, Option<Error>) {
    let mut events = provider
        .send_stream(Endpoint::ChatCompletions, body)
        .await
        .unwrap()
        .events(MAX_EVENT);
    let mut out = Vec::new();
    while let Some(e) = events.next().await {
        match e {
            Ok(e) => out.push(e),
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

fn chunks(events: &[SseEvent]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| !e.is_done())
        .map(|e| serde_json::from_str(&e.data).unwrap())
        .collect()
}

#[tokio::test]
async fn chat_completion_round_trip_with_bearer_key() {
    let double = ProviderDouble::start(Behaviour::echo().require_key(KEY)).await;
    let p = provider(&double);
    let body = chat("Hello <PERSON_1>, call <PHONE_NUMBER_1>", false);
    let r = p.send(Endpoint::ChatCompletions, &body).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.body["object"], "chat.completion");
    assert_eq!(
        r.body["choices"][0]["message"]["content"],
        "Hello <PERSON_1>, call <PHONE_NUMBER_1>"
    );
    assert!(r.body["usage"]["total_tokens"].as_u64().unwrap() > 0);
    assert_eq!(r.headers["x-request-id"], "req_double");

    let reqs = double.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(req.header("user-agent").unwrap().starts_with("hushgate/"));
    assert_eq!(req.json().unwrap(), body, "the body is sent as given");
}

#[tokio::test]
async fn wrong_key_is_an_upstream_status_error_without_the_key() {
    let double = ProviderDouble::start(Behaviour::echo().require_key("sk-other")).await;
    let e = provider(&double)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UpstreamStatus);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        e.client_status(),
        502,
        "our upstream credentials, not the client's"
    );
    let up = e.upstream_error().unwrap();
    assert_eq!(up.code.as_deref(), Some("invalid_api_key"));
    assert_eq!(up.r#type.as_deref(), Some("invalid_request_error"));
    assert_eq!(double.request_count(), 1, "4xx is never retried");
    for s in [
        e.to_string(),
        format!("{e:?}"),
        format!("{:#?}", provider(&double)),
    ] {
        assert!(!s.contains("canary"), "{s}");
    }
}

#[tokio::test]
async fn upstream_error_body_is_passed_through_sanitized() {
    let body = json!({"error": {
        "message": format!("Incorrect API key provided: {KEY}\nplease check"),
        "type": "invalid_request_error", "param": null, "code": "invalid_api_key",
        "internal": "dropped"
    }});
    let double = ProviderDouble::start(Behaviour::error_raw(400, &body.to_string())).await;
    let e = provider(&double)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.client_status(), 400);
    let up = e.upstream_error().unwrap();
    assert_eq!(
        up.message,
        "Incorrect API key provided: [redacted] please check"
    );
    assert_eq!(
        up.to_json(),
        json!({"error": {"message": up.message, "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})
    );
    assert!(!e.to_string().contains("canary"));

    // An HTML page from a proxy is not passed on.
    double.set_behaviour(Behaviour::error_raw(502, "<html>proxy canary-page</html>"));
    let p = provider(&double);
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.upstream_error().unwrap().message, "HTTP 502 Bad Gateway");
    assert!(!format!("{e} {e:?}").contains("canary"));
}

#[tokio::test]
async fn streaming_with_placeholders_split_every_three_bytes() {
    let text = "Call <PHONE_NUMBER_1> about <PERSON_2>";
    let double = ProviderDouble::start(Behaviour::echo().chunked(3).split_writes(5)).await;
    let p = provider(&double);
    let (events, err) = collect(&p, &chat(text, true)).await;
    assert!(err.is_none(), "{err:?}");
    assert!(events.last().unwrap().is_done());
    let chunks = chunks(&events);
    let deltas: Vec<&str> = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(deltas.concat(), text);
    assert!(
        deltas
            .iter()
            .filter(|d| !d.is_empty())
            .all(|d| d.len() <= 3),
        "{deltas:?}"
    );
    let usage = chunks.last().unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert!(usage["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    let req = &double.requests()[0];
    assert_eq!(req.header("accept"), Some("text/event-stream"));
}

#[tokio::test]
async fn streamed_bytes_are_passed_through_unchanged() {
    let frames = vec![
        b": keep-alive\r\n\r\n".to_vec(),
        b"data: {\"a\":".to_vec(),
        b"1}\r\n\r\ndata: [DONE]\r\n\r\n".to_vec(),
    ];
    let double = ProviderDouble::start(Behaviour::raw_sse(frames.clone())).await;
    let mut s = provider(&double)
        .send_stream(Endpoint::ChatCompletions, &chat("x", true))
        .await
        .unwrap();
    let mut got = Vec::new();
    while let Some(b) = s.next().await {
        got.extend_from_slice(&b.unwrap());
    }
    assert_eq!(got, frames.concat());
}

#[tokio::test]
async fn streamed_tool_call_arguments_echo_the_content() {
    let text = "Look up <EMAIL_ADDRESS_1> now";
    let double = ProviderDouble::start(Behaviour::tool_call_echo().chunked(4)).await;
    let p = provider(&double);
    let (events, err) = collect(&p, &chat(text, true)).await;
    assert!(err.is_none());
    let chunks = chunks(&events);
    let first = &chunks[0]["choices"][0]["delta"]["tool_calls"][0];
    assert_eq!(first["function"]["name"], "lookup");
    assert_eq!(first["id"], "call_double_0");
    let args: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str())
        .collect();
    let args: Value = serde_json::from_str(&args).unwrap();
    assert_eq!(args["text"], text);
    let finish: Vec<_> = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["finish_reason"].as_str())
        .collect();
    assert_eq!(finish, ["tool_calls"]);

    // Not streaming: one tool call with the whole arguments.
    let r = p
        .send(Endpoint::ChatCompletions, &chat(text, false))
        .await
        .unwrap();
    let call = &r.body["choices"][0]["message"]["tool_calls"][0];
    let args: Value =
        serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["text"], text);
}

#[tokio::test]
async fn completions_embeddings_and_models() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let p = provider(&double);
    let r = p
        .send(
            Endpoint::Completions,
            &json!({"model": "m", "prompt": "Dear <PERSON_1>"}),
        )
        .await
        .unwrap();
    assert_eq!(r.body["choices"][0]["text"], "Dear <PERSON_1>");
    let r = p
        .send(
            Endpoint::Embeddings,
            &json!({"model": "e", "input": ["a", "b"]}),
        )
        .await
        .unwrap();
    assert_eq!(r.body["data"].as_array().unwrap().len(), 2);
    let r = p.models().await.unwrap();
    assert_eq!(r.body["data"][0]["id"], "gpt-4o-mini");
    let paths: Vec<_> = double
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /v1/completions",
            "POST /v1/embeddings",
            "GET /v1/models"
        ]
    );
    assert!(double.requests()[2].body.is_empty());
}

#[tokio::test]
async fn keep_alive_connections_are_reused() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let p = provider(&double);
    for _ in 0..3 {
        p.send(Endpoint::ChatCompletions, &chat("x", false))
            .await
            .unwrap();
    }
    let peers: Vec<_> = double.requests().iter().map(|r| r.peer).collect();
    assert!(peers.windows(2).all(|w| w[0] == w[1]), "{peers:?}");
}

#[tokio::test]
async fn azure_deployment_urls_and_api_key_header() {
    let double = ProviderDouble::start(Behaviour::echo().require_key(KEY)).await;
    let p = provider_with(&config(&double, ProviderKind::AzureOpenAi));
    let r = p
        .send(Endpoint::ChatCompletions, &chat("hi", false))
        .await
        .unwrap();
    assert_eq!(r.body["choices"][0]["message"]["content"], "hi");
    let (events, err) = collect(&p, &chat("hi there", true)).await;
    assert!(err.is_none() && events.last().unwrap().is_done());
    p.send(
        Endpoint::Embeddings,
        &json!({"model": "text-embedding-3-small", "input": "x"}),
    )
    .await
    .unwrap();
    p.models().await.unwrap();
    let reqs = double.requests();
    let urls: Vec<_> = reqs
        .iter()
        .map(|r| format!("{}?{}", r.path, r.query.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        urls,
        [
            "/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21",
            "/openai/deployments/prod-mini/chat/completions?api-version=2024-10-21",
            "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21",
            "/openai/models?api-version=2024-10-21",
        ]
    );
    assert!(reqs.iter().all(|r| r.header("api-key") == Some(KEY)));
    assert!(reqs.iter().all(|r| r.header("authorization").is_none()));
}

#[tokio::test]
async fn openai_compatible_without_a_key_sends_no_authorization() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let mut cfg = config(&double, ProviderKind::OpenAiCompatible);
    cfg.self_hosted = true;
    let p = Provider::new(&cfg, None).unwrap();
    assert!(p.is_self_hosted());
    p.send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap();
    assert!(double.requests()[0].header("authorization").is_none());
}

#[tokio::test]
async fn keys_come_from_the_environment_or_the_provider_cannot_be_built() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let mut cfg = config(&double, ProviderKind::OpenAi);
    cfg.api_key_env = Some("HUSHGATE_TEST_UNSET_KEY_VAR".into());
    let e = Provider::from_config(&cfg).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.to_string()
            .contains("HUSHGATE_TEST_UNSET_KEY_VAR (api_key_env) is not set"),
        "{e}"
    );
    let e = Provider::new(&cfg, None).unwrap_err();
    assert!(e.to_string().contains("needs an API key"), "{e}");
    let e = Providers::from_config(std::slice::from_ref(&cfg)).unwrap_err();
    assert_eq!(e.provider(), "up");
    // openai_compatible without api_key_env needs nothing.
    let cfg = config(&double, ProviderKind::OpenAiCompatible);
    let ps = Providers::from_config(std::slice::from_ref(&cfg)).unwrap();
    assert_eq!(ps.get("up").unwrap().name(), "up");
}

#[tokio::test]
async fn stream_flag_must_match_the_method() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let p = provider(&double);
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", true))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    let e = p
        .send_stream(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(double.request_count(), 0);
}

// --- retries ---------------------------------------------------------------

#[tokio::test]
async fn bad_gateway_and_unavailable_are_retried_before_any_body() {
    for status in [502, 503, 504] {
        let double = ProviderDouble::start(Behaviour::echo().fail_first(2, status)).await;
        let p = provider(&double); // max_retries = 2
        let r = p
            .send(Endpoint::ChatCompletions, &chat("x", false))
            .await
            .unwrap();
        assert_eq!(r.body["choices"][0]["message"]["content"], "x");
        assert_eq!(double.request_count(), 3);
        // Streams too: the retry happens before the stream is handed out.
        let double = ProviderDouble::start(Behaviour::echo().fail_first(1, status)).await;
        let (events, err) = collect(&provider(&double), &chat("x", true)).await;
        assert!(err.is_none() && events.last().unwrap().is_done());
        assert_eq!(double.request_count(), 2);
    }
}

#[tokio::test]
async fn retries_are_bounded_and_reported() {
    let double = ProviderDouble::start(Behaviour::echo().fail_first(10, 503)).await;
    let e = provider(&double)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UpstreamStatus);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(e.attempt_count(), 3);
    assert!(e.to_string().ends_with("(after 3 attempts)"), "{e}");
    assert_eq!(double.request_count(), 3);

    let mut cfg = config(&double, ProviderKind::OpenAi);
    cfg.max_retries = 0;
    let before = double.request_count();
    provider_with(&cfg)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(double.request_count(), before + 1);
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for status in [400, 429, 500] {
        let double = ProviderDouble::start(Behaviour::error(status, "no")).await;
        let e = provider(&double)
            .send(Endpoint::ChatCompletions, &chat("x", false))
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(double.request_count(), 1, "status {status}");
    }
}

#[tokio::test]
async fn connect_errors_are_retried_then_classified() {
    // A port nobody listens on: bind, note the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = ProviderConfig::new(
        "down",
        ProviderKind::OpenAi,
        format!("http://127.0.0.1:{port}/v1").parse().unwrap(),
    );
    let p = provider_with(&cfg);
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect);
    assert_eq!(e.kind().as_str(), "connect");
    assert_eq!(
        e.attempt_count(),
        3,
        "connect errors are safe to retry, even for POST"
    );
    assert_eq!(e.client_status(), 502);
    assert!(
        e.to_string()
            .starts_with("provider `down` (chat/completions): connecting failed"),
        "{e}"
    );
    let e = p
        .send_stream(Endpoint::ChatCompletions, &chat("x", true))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connect);
}

// --- timeouts ----------------------------------------------------------------

fn short_read_timeout(double: &ProviderDouble) -> Provider {
    let mut cfg = config(double, ProviderKind::OpenAi);
    cfg.read_timeout = Duration::from_millis(300);
    provider_with(&cfg)
}

#[tokio::test]
async fn silence_before_the_response_is_a_timeout_and_a_post_is_not_retried() {
    let double = ProviderDouble::start(Behaviour::hang()).await;
    let p = short_read_timeout(&double);
    let started = std::time::Instant::now();
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.client_status(), 504);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        double.request_count(),
        1,
        "the upstream may be generating: no retry"
    );
    // The abandoned request's connection was closed.
    assert!(double.wait_aborted(1, Duration::from_secs(5)).await);

    // GET models is idempotent: retried on timeouts.
    let e = p.models().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(double.request_count(), 1 + 3);
}

#[tokio::test]
async fn silence_mid_stream_is_a_timeout_after_the_events_so_far() {
    let double = ProviderDouble::start(Behaviour::stall_mid_stream(2)).await;
    let p = short_read_timeout(&double);
    let (events, err) = collect(&p, &chat("one two three four", true)).await;
    assert_eq!(events.len(), 2);
    let err = err.unwrap();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(double.request_count(), 1);

    // Not streaming: half a body, then silence.
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(double.request_count(), 2, "never retried once a body began");
}

#[tokio::test]
async fn slow_but_steady_upstreams_are_not_timed_out() {
    // Each read comes within the timeout even though the whole takes longer.
    let double = ProviderDouble::start(Behaviour::echo().delay(Duration::from_millis(200))).await;
    let p = short_read_timeout(&double);
    p.send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap();
}

// --- broken upstreams --------------------------------------------------------

#[tokio::test]
async fn connection_dropped_mid_stream() {
    let double = ProviderDouble::start(Behaviour::drop_mid_stream(3)).await;
    let p = provider(&double);
    let (events, err) = collect(&p, &chat("one two three four five", true)).await;
    assert_eq!(events.len(), 3);
    let err = err.unwrap();
    assert_eq!(err.kind(), ErrorKind::Disconnected, "{err}");
    assert_eq!(err.kind().as_str(), "disconnected");
    assert_eq!(err.client_status(), 502);
    assert_eq!(
        double.request_count(),
        1,
        "never retried after a stream began"
    );

    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Disconnected, "{e}");
    assert_eq!(double.request_count(), 2);
}

#[tokio::test]
async fn malformed_answers_are_protocol_errors() {
    let double = ProviderDouble::start(Behaviour::malformed()).await;
    let p = provider(&double);
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("not JSON"), "{e}");
    // A stream whose event carries broken JSON: framing is fine, the JSON
    // is the reader's to reject.
    let (events, err) = collect(&p, &chat("x", true)).await;
    assert!(err.is_none());
    assert!(serde_json::from_str::<Value>(&events[0].data).is_err());
    assert!(events[1].is_done());

    // A non-stream answer to a streaming request.
    double.set_behaviour(Behaviour::error_raw(200, "{\"id\":\"x\"}"));
    let e = p
        .send_stream(Endpoint::ChatCompletions, &chat("x", true))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
    assert!(e.to_string().contains("expected an event stream"), "{e}");
    // A stream that ends inside an event.
    double.set_behaviour(Behaviour::raw_sse(vec![
        b"data: {\"a\":1}\n\ndata: {\"b\"".to_vec(),
    ]));
    let (events, err) = collect(&p, &chat("x", true)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(err.unwrap().kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn invalid_utf8_is_a_protocol_error() {
    let double = ProviderDouble::start(Behaviour::invalid_utf8()).await;
    let p = provider(&double);
    let (events, err) = collect(&p, &chat("x", true)).await;
    assert!(events.is_empty());
    let err = err.unwrap();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert_eq!(err.provider(), "up");
    assert!(err.to_string().contains("UTF-8"), "{err}");
    let e = p
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol);
}

#[tokio::test]
async fn a_huge_event_is_an_error_not_a_buffer() {
    let double = ProviderDouble::start(Behaviour::huge_event(10 << 20)).await;
    let p = provider(&double);
    let mut s = p
        .send_stream(Endpoint::ChatCompletions, &chat("x", true))
        .await
        .unwrap()
        .events(1 << 20);
    let err = s.next().await.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(
        err.to_string().contains("larger than 1048576 bytes"),
        "{err}"
    );
    assert!(s.next().await.is_none(), "the stream ends after an error");
    drop(s);
    // The rest of the 10 MB was never read: the connection was closed.
    assert!(double.wait_aborted(1, Duration::from_secs(5)).await);
}

// --- cancellation ------------------------------------------------------------

#[tokio::test]
async fn dropping_the_request_future_aborts_the_upstream_request() {
    let double = ProviderDouble::start(Behaviour::hang()).await;
    let p = provider(&double); // read timeout 10 s: only the drop can end it
    let r = tokio::time::timeout(
        Duration::from_millis(200),
        p.send(Endpoint::ChatCompletions, &chat("x", false)),
    )
    .await;
    assert!(r.is_err(), "still hanging");
    assert_eq!(double.request_count(), 1);
    assert!(
        double.wait_aborted(1, Duration::from_secs(5)).await,
        "the double saw the disconnect"
    );
}

#[tokio::test]
async fn dropping_the_stream_aborts_the_upstream_stream() {
    let double = ProviderDouble::start(Behaviour::stall_mid_stream(2)).await;
    let p = provider(&double);
    let mut events = p
        .send_stream(Endpoint::ChatCompletions, &chat("a b c d", true))
        .await
        .unwrap()
        .events(MAX_EVENT);
    events.next().await.unwrap().unwrap();
    assert_eq!(double.aborted(), 0);
    drop(events);
    assert!(
        double.wait_aborted(1, Duration::from_secs(5)).await,
        "the double saw the disconnect"
    );
}

#[tokio::test]
async fn a_finished_stream_is_not_an_abort() {
    let double = ProviderDouble::start(Behaviour::echo()).await;
    let p = provider(&double);
    let (_, err) = collect(&p, &chat("a b", true)).await;
    assert!(err.is_none());
    p.send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(double.aborted(), 0);
}

#[tokio::test]
async fn retry_after_is_honoured_or_returned_when_too_long() {
    // Short: waited for (at least 40 ms per retry, over the 5 ms backoff).
    let double =
        ProviderDouble::start(Behaviour::echo().fail_first(2, 503).retry_after_ms(40)).await;
    let started = std::time::Instant::now();
    provider(&double)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(80));
    assert_eq!(double.request_count(), 3);

    // Longer than the backoff cap (50 ms here): returned at once, for the
    // gateway to pass on.
    let double =
        ProviderDouble::start(Behaviour::echo().fail_first(1, 503).retry_after_ms(30_000)).await;
    let e = provider(&double)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(double.request_count(), 1);

    // 429 carries it too, and is not retried.
    let double =
        ProviderDouble::start(Behaviour::error(429, "slow down").retry_after_ms(1500)).await;
    let e = provider(&double)
        .send(Endpoint::ChatCompletions, &chat("x", false))
        .await
        .unwrap_err();
    assert_eq!(
        (e.client_status(), e.retry_after()),
        (429, Some(Duration::from_millis(1500)))
    );
    assert_eq!(double.request_count(), 1);
}
