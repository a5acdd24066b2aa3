//! The provider double: server, behaviours, recording.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::wire::{self, Answer};

/// How answers are split into deltas when streaming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunking {
    /// Whole words with their spaces, one delta each (roughly what a model does).
    Words,
    /// Every `n` bytes (moved forward to a character boundary): with a small
    /// `n`, every placeholder is split across deltas.
    Bytes(usize),
    /// At these byte offsets of the answer (moved forward to character boundaries).
    At(Vec<usize>),
    /// One delta with the whole answer.
    Whole,
}

/// What the double answers. See the constructors on [`Behaviour`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// The last user message's text (chat), the prompt (completions).
    Echo,
    /// This text.
    Text(String),
    /// A tool call to the request's first tool (or `echo`), arguments
    /// `{"text": <the user's text>}`, streamed as argument deltas.
    ToolCallEcho,
    /// This status and body (`application/json`).
    Error { status: u16, body: String },
    /// Never answer (the request is recorded first).
    Hang,
    /// Stream the first `after_events` events of the answer, then stay
    /// silent forever without closing. Non-streaming: headers, then silence.
    StallMidStream { after_events: usize },
    /// Stream the first `after_events` events, then drop the connection.
    /// Non-streaming: part of the JSON body, then drop.
    DropMidStream { after_events: usize },
    /// Stream a `data:` event with truncated JSON, then `[DONE]`.
    /// Non-streaming: a truncated JSON body.
    Malformed,
    /// An event (or JSON body) with bytes that are not UTF-8.
    InvalidUtf8,
    /// `data: ` then `bytes` bytes without a newline (sent in 64 KiB writes),
    /// then a blank line.
    HugeEvent { bytes: usize },
    /// These bytes as a `text/event-stream` body, one write each.
    RawSse(Vec<Vec<u8>>),
}

/// A scripted behaviour: the reply and how it is delivered.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub reply: Reply,
    /// How streamed answers are split into deltas. Default [`Chunking::Words`].
    pub chunking: Chunking,
    /// Split every SSE frame into writes of this many bytes (a `data:` line
    /// then arrives in pieces). Default: one write per event.
    pub write_split: Option<usize>,
    /// The first `n` requests get this status with an OpenAI error body
    /// (for retry tests).
    pub fail_first: Option<(usize, u16)>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// When set, requests must carry this key (`Authorization: Bearer` or
    /// Azure's `api-key`), or get 401 `invalid_api_key`.
    pub require_key: Option<String>,
    /// Model ids listed by `GET /v1/models`.
    pub models: Vec<String>,
    /// Sent as `retry-after-ms` with error statuses (fail-first and error replies).
    pub retry_after_ms: Option<u64>,
}

impl Behaviour {
    fn new(reply: Reply) -> Behaviour {
        Behaviour {
            reply,
            chunking: Chunking::Words,
            write_split: None,
            fail_first: None,
            delay: None,
            require_key: None,
            models: vec!["gpt-4o-mini".into(), "text-embedding-3-small".into()],
            retry_after_ms: None,
        }
    }

    /// Answer with the user's text, so placeholders come back.
    pub fn echo() -> Behaviour {
        Behaviour::new(Reply::Echo)
    }

    /// Answer with `text`.
    pub fn text(text: impl Into<String>) -> Behaviour {
        Behaviour::new(Reply::Text(text.into()))
    }

    /// Answer with a tool call whose arguments echo the user's text.
    pub fn tool_call_echo() -> Behaviour {
        Behaviour::new(Reply::ToolCallEcho)
    }

    /// Answer `status` with OpenAI's error body (`type` from the status).
    pub fn error(status: u16, message: &str) -> Behaviour {
        let (kind, code) = error_kind(status);
        Behaviour::error_raw(status, &wire::error(message, kind, code).to_string())
    }

    /// Answer `status` with exactly `body`.
    pub fn error_raw(status: u16, body: &str) -> Behaviour {
        Behaviour::new(Reply::Error {
            status,
            body: body.to_owned(),
        })
    }

    /// Never answer.
    pub fn hang() -> Behaviour {
        Behaviour::new(Reply::Hang)
    }

    /// Stream `after_events` events then go silent, connection open.
    pub fn stall_mid_stream(after_events: usize) -> Behaviour {
        Behaviour::new(Reply::StallMidStream { after_events })
    }

    /// Stream `after_events` events then drop the connection.
    pub fn drop_mid_stream(after_events: usize) -> Behaviour {
        Behaviour::new(Reply::DropMidStream { after_events })
    }

    /// Send an event whose JSON is cut off.
    pub fn malformed() -> Behaviour {
        Behaviour::new(Reply::Malformed)
    }

    /// Send bytes that are not UTF-8.
    pub fn invalid_utf8() -> Behaviour {
        Behaviour::new(Reply::InvalidUtf8)
    }

    /// Send one event of `bytes` bytes without a newline.
    pub fn huge_event(bytes: usize) -> Behaviour {
        Behaviour::new(Reply::HugeEvent { bytes })
    }

    /// Send these bytes as an event stream.
    pub fn raw_sse(writes: Vec<Vec<u8>>) -> Behaviour {
        Behaviour::new(Reply::RawSse(writes))
    }

    /// Split streamed answers every `n` bytes.
    pub fn chunked(mut self, n: usize) -> Behaviour {
        self.chunking = Chunking::Bytes(n.max(1));
        self
    }

    /// Split streamed answers at these byte offsets.
    pub fn chunked_at(mut self, offsets: Vec<usize>) -> Behaviour {
        self.chunking = Chunking::At(offsets);
        self
    }

    /// Write every SSE frame in pieces of `n` bytes.
    pub fn split_writes(mut self, n: usize) -> Behaviour {
        self.write_split = Some(n.max(1));
        self
    }

    /// Fail the first `n` requests with `status`.
    pub fn fail_first(mut self, n: usize, status: u16) -> Behaviour {
        self.fail_first = Some((n, status));
        self
    }

    /// Wait `d` before answering.
    pub fn delay(mut self, d: Duration) -> Behaviour {
        self.delay = Some(d);
        self
    }

    /// Send `retry-after-ms: ms` with error statuses.
    pub fn retry_after_ms(mut self, ms: u64) -> Behaviour {
        self.retry_after_ms = Some(ms);
        self
    }

    /// Require this upstream key.
    pub fn require_key(mut self, key: &str) -> Behaviour {
        self.require_key = Some(key.to_owned());
        self
    }
}

fn error_kind(status: u16) -> (&'static str, Option<&'static str>) {
    match status {
        400 => ("invalid_request_error", None),
        401 => ("invalid_request_error", Some("invalid_api_key")),
        403 => ("permission_denied", None),
        404 => ("invalid_request_error", Some("model_not_found")),
        429 => ("requests", Some("rate_limit_exceeded")),
        _ => ("server_error", None),
    }
}

/// One request as the double received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// The client's address: two requests from the same address came over
    /// the same (pooled) connection.
    pub peer: SocketAddr,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names are lower-case; values that are not UTF-8 are lossy.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl RecordedRequest {
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether `needle` occurs anywhere in what was received: path, query,
    /// header values or body (raw bytes, and the body's JSON strings
    /// unescaped, so `\u00e9`-style escapes cannot hide a value).
    pub fn contains(&self, needle: &str) -> bool {
        if needle.is_empty() {
            return false;
        }
        let n = needle.as_bytes();
        let has = |hay: &[u8]| hay.windows(n.len()).any(|w| w == n);
        has(self.path.as_bytes())
            || self.query.as_deref().is_some_and(|q| has(q.as_bytes()))
            || self.headers.iter().any(|(_, v)| has(v.as_bytes()))
            || has(&self.body)
            || self.json().is_some_and(|v| json_contains(&v, needle))
    }
}

fn json_contains(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Array(a) => a.iter().any(|x| json_contains(x, needle)),
        Value::Object(o) => o
            .iter()
            .any(|(k, x)| k.contains(needle) || json_contains(x, needle)),
        _ => false,
    }
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    requests: Mutex<Vec<RecordedRequest>>,
    served: AtomicUsize,
    aborted: AtomicUsize,
    aborted_changed: Notify,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Counts a request as aborted if dropped before [`AbortGuard::finish`]:
/// how the double observes that a client went away (hyper drops the handler
/// future, or the response body, when the connection closes).
struct AbortGuard {
    shared: Arc<Shared>,
    finished: bool,
}

impl AbortGuard {
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.aborted.fetch_add(1, Ordering::SeqCst);
            self.shared.aborted_changed.notify_waiters();
        }
    }
}

/// A running double. Dropping it stops accepting connections.
pub struct ProviderDouble {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for ProviderDouble {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl ProviderDouble {
    /// Starts a double on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound (a test environment problem).
    pub async fn start(behaviour: Behaviour) -> ProviderDouble {
        #[allow(clippy::expect_used)] // test helper: no port means no test
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        #[allow(clippy::expect_used)]
        ProviderDouble::with_listener(listener, behaviour).expect("local_addr")
    }

    /// Starts a double on `addr` (the `hushgate-double` binary's `--port`).
    pub async fn start_on(
        addr: SocketAddr,
        behaviour: Behaviour,
    ) -> std::io::Result<ProviderDouble> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ProviderDouble::with_listener(listener, behaviour)
    }

    fn with_listener(
        listener: tokio::net::TcpListener,
        behaviour: Behaviour,
    ) -> std::io::Result<ProviderDouble> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(behaviour),
            requests: Mutex::new(Vec::new()),
            served: AtomicUsize::new(0),
            aborted: AtomicUsize::new(0),
            aborted_changed: Notify::new(),
        });
        let state = shared.clone();
        let app = Router::new().fallback(
            move |ConnectInfo(peer): ConnectInfo<SocketAddr>,
                  method: Method,
                  uri: Uri,
                  headers: HeaderMap,
                  body: Bytes| {
                handle(state.clone(), peer, method, uri, headers, body)
            },
        );
        let server = tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            use axum::serve::ListenerExt;
            // Like a real provider: events go out as written (no Nagle delay).
            let listener = listener.tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(listener, app).await;
        });
        Ok(ProviderDouble {
            addr,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:PORT/v1`: an OpenAI-style base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// `http://127.0.0.1:PORT`: an Azure-style resource endpoint.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the behaviour for the following requests.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *lock(&self.shared.behaviour) = behaviour;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the requests recorded so far (a long-running double under
    /// load would otherwise keep every body).
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Whether `needle` occurs anywhere in any request received (see
    /// [`RecordedRequest::contains`]).
    pub fn received(&self, needle: &str) -> bool {
        lock(&self.shared.requests)
            .iter()
            .any(|r| r.contains(needle))
    }

    /// How many requests the client abandoned before the double finished
    /// answering (a dropped connection while hanging or streaming).
    pub fn aborted(&self) -> usize {
        self.shared.aborted.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests were abandoned; false on timeout.
    pub async fn wait_aborted(&self, n: usize, timeout: Duration) -> bool {
        let wait = async {
            loop {
                let changed = self.shared.aborted_changed.notified();
                if self.aborted() >= n {
                    return;
                }
                changed.await;
            }
        };
        tokio::time::timeout(timeout, wait).await.is_ok()
    }
}

/// One step of a response body.
enum Step {
    Bytes(Bytes),
    /// Return `Pending` once so hyper flushes what it has (separate writes).
    Yield,
    /// Stay silent forever.
    Stall,
    /// End the body with an error: hyper drops the connection.
    Fail,
}

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    lock(&shared.requests).push(RecordedRequest {
        peer,
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.clone(),
    });
    let mut guard = AbortGuard {
        shared: shared.clone(),
        finished: false,
    };
    let n = shared.served.fetch_add(1, Ordering::SeqCst);
    let b = lock(&shared.behaviour).clone();

    if let Some(d) = b.delay {
        tokio::time::sleep(d).await;
    }
    match respond(&b, n, &method, &uri, &headers, &body).await {
        Out::Full(r) => {
            guard.finish();
            r
        }
        Out::Sse(steps) => stream_response("text/event-stream", steps, guard),
        Out::PartialJson(steps) => stream_response("application/json", steps, guard),
    }
}

/// A response, complete or delivered step by step.
enum Out {
    Full(Response),
    Sse(Vec<Step>),
    PartialJson(Vec<Step>),
}

impl From<Response> for Out {
    fn from(r: Response) -> Out {
        Out::Full(r)
    }
}

async fn respond(
    b: &Behaviour,
    n: usize,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Out {
    // Route: OpenAI paths under /v1, Azure deployment paths under /openai.
    let path = uri.path();
    let azure = path.starts_with("/openai/");
    if azure && !uri.query().is_some_and(|q| q.contains("api-version=")) {
        return Out::from(json_response(
            404,
            &json!({"error": {"code": "404", "message": "Resource not found"}}),
        ));
    }
    let endpoint = if azure {
        let rest = path.trim_start_matches("/openai");
        if rest == "/models" {
            Some(("models", None))
        } else {
            rest.strip_prefix("/deployments/")
                .and_then(|r| r.split_once('/'))
                .map(|(dep, ep)| (ep, Some(dep.to_owned())))
        }
    } else {
        path.strip_prefix("/v1/").map(|ep| (ep, None))
    };
    let Some((endpoint, deployment)) = endpoint else {
        return Out::from(not_found(path));
    };
    let expected_method = if endpoint == "models" {
        Method::GET
    } else {
        Method::POST
    };
    if !matches!(
        endpoint,
        "chat/completions" | "completions" | "embeddings" | "models"
    ) {
        return Out::from(not_found(path));
    }
    if method != expected_method {
        return Out::from(json_response(
            405,
            &wire::error("Method not allowed", "invalid_request_error", None),
        ));
    }

    if let Some(key) = &b.require_key {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let api_key = headers.get("api-key").and_then(|v| v.to_str().ok());
        if bearer != Some(key) && api_key != Some(key) {
            return Out::from(json_response(
                401,
                &wire::error(
                    "Incorrect API key provided.",
                    "invalid_request_error",
                    Some("invalid_api_key"),
                ),
            ));
        }
    }

    if let Some((_, status)) = b.fail_first.filter(|&(count, _)| n < count) {
        let (kind, code) = error_kind(status);
        let r = json_response(
            status,
            &wire::error("The double fails this request on purpose.", kind, code),
        );
        return with_retry_after(r, b).into();
    }

    let request: Value = if endpoint == "models" {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => {
                return Out::from(json_response(
                    400,
                    &wire::error(
                        "We could not parse the JSON body of your request.",
                        "invalid_request_error",
                        None,
                    ),
                ));
            }
        }
    };
    let streaming = request.get("stream").and_then(Value::as_bool) == Some(true);
    let include_usage = request
        .pointer("/stream_options/include_usage")
        .and_then(Value::as_bool)
        == Some(true);
    let model = wire::model(&request, deployment.as_deref().unwrap_or("gpt-4o-mini"));
    let prompt = wire::prompt_tokens(&request);
    let id = format!("chatcmpl-double{n}");

    match &b.reply {
        Reply::Error { status, body } => {
            let r = raw_response(*status, "application/json", body.clone().into());
            return with_retry_after(r, b).into();
        }
        Reply::Hang => {
            // The caller's guard is dropped with this future if the client
            // goes away.
            std::future::pending::<()>().await;
        }
        Reply::Malformed if !streaming => {
            return Out::from(raw_response(
                200,
                "application/json",
                Bytes::from_static(b"{\"id\":\"x\",\"choices\":[{\"index\":0,"),
            ));
        }
        Reply::InvalidUtf8 if !streaming => {
            return Out::from(raw_response(
                200,
                "application/json",
                Bytes::from_static(
                    b"{\"id\":\"x\",\"object\":\"chat.completion\",\"note\":\"\xff\xfe\"}",
                ),
            ));
        }
        Reply::Malformed => {
            return Out::Sse(frames(
                b,
                vec![
                    Bytes::from_static(b"data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\n\n"),
                    Bytes::from_static(b"data: [DONE]\n\n"),
                ],
            ));
        }
        Reply::InvalidUtf8 => {
            return Out::Sse(frames(
                b,
                vec![
                    Bytes::from_static(b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\xff\xfe\"}}]}\n\n"),
                    Bytes::from_static(b"data: [DONE]\n\n"),
                ],
            ));
        }
        Reply::HugeEvent { bytes } => {
            const BLOCK: usize = 64 * 1024;
            let block = Bytes::from(vec![b'a'; BLOCK]);
            let mut steps = vec![Step::Bytes(Bytes::from_static(b"data: "))];
            let mut left = *bytes;
            while left > 0 {
                let n = left.min(BLOCK);
                steps.push(Step::Bytes(block.slice(..n)));
                steps.push(Step::Yield);
                left -= n;
            }
            steps.push(Step::Bytes(Bytes::from_static(b"\n\ndata: [DONE]\n\n")));
            return Out::Sse(steps);
        }
        Reply::RawSse(writes) => {
            return Out::Sse(
                writes
                    .iter()
                    .flat_map(|w| [Step::Bytes(Bytes::from(w.clone())), Step::Yield])
                    .collect(),
            );
        }
        _ => {}
    }

    if endpoint == "models" {
        return Out::from(json_response(200, &wire::models(&b.models)));
    }
    if endpoint == "embeddings" {
        return Out::from(json_response(200, &wire::embeddings(&request, &model)));
    }

    let text = match &b.reply {
        Reply::Text(t) => t.clone(),
        _ => wire::user_text(&request),
    };
    let answer = if b.reply == Reply::ToolCallEcho && endpoint == "chat/completions" {
        Answer::ToolCall {
            name: wire::first_tool_name(&request).unwrap_or_else(|| "echo".into()),
            arguments: json!({ "text": text }).to_string(),
        }
    } else {
        Answer::Text(text.clone())
    };

    if !streaming {
        let full = if endpoint == "completions" {
            wire::text_completion(&id, &model, prompt, &text)
        } else {
            wire::chat_completion(&id, &model, prompt, &answer)
        };
        return match b.reply {
            Reply::StallMidStream { .. } | Reply::DropMidStream { .. } => {
                let body = Bytes::from(full.to_string());
                let half = body.slice(..body.len() / 2);
                let end = if matches!(b.reply, Reply::StallMidStream { .. }) {
                    Step::Stall
                } else {
                    Step::Fail
                };
                Out::PartialJson(vec![Step::Bytes(half), Step::Yield, end])
            }
            _ => json_response(200, &full).into(),
        };
    }

    let delta_text = match &answer {
        Answer::Text(t) => t.as_str(),
        Answer::ToolCall { arguments, .. } => arguments.as_str(),
    };
    let pieces = match &b.chunking {
        Chunking::Whole => wire::split_at(delta_text, []),
        Chunking::Bytes(n) => wire::split_at(
            delta_text,
            (1..).map(|i| i * n).take_while(|&o| o < delta_text.len()),
        ),
        Chunking::At(offsets) => wire::split_at(delta_text, offsets.iter().copied()),
        Chunking::Words => wire::split_at(
            delta_text,
            delta_text
                .match_indices(' ')
                .map(|(i, _)| i + 1)
                .collect::<Vec<_>>(),
        ),
    };
    let events = if endpoint == "completions" {
        wire::text_chunks(&id, &model, prompt, &text, &pieces, include_usage)
    } else {
        wire::chat_chunks(&id, &model, prompt, &answer, &pieces, include_usage)
    };
    let mut frames_: Vec<Bytes> = events
        .iter()
        .map(|e| Bytes::from(format!("data: {e}\n\n")))
        .collect();
    frames_.push(Bytes::from_static(b"data: [DONE]\n\n"));
    let cut = |after: usize, end: Step| {
        let mut steps = frames(b, frames_.iter().take(after).cloned().collect());
        steps.push(end);
        steps
    };
    Out::Sse(match b.reply {
        Reply::StallMidStream { after_events } => cut(after_events, Step::Stall),
        Reply::DropMidStream { after_events } => cut(after_events, Step::Fail),
        _ => frames(b, frames_),
    })
}

/// SSE frames as steps, split into writes as the behaviour says.
fn frames(b: &Behaviour, frames: Vec<Bytes>) -> Vec<Step> {
    let mut steps = Vec::new();
    for f in frames {
        match b.write_split {
            Some(n) => {
                let mut at = 0;
                while at < f.len() {
                    let end = (at + n).min(f.len());
                    steps.push(Step::Bytes(f.slice(at..end)));
                    steps.push(Step::Yield);
                    at = end;
                }
            }
            None => {
                steps.push(Step::Bytes(f));
                steps.push(Step::Yield);
            }
        }
    }
    steps
}

fn stream_response(content_type: &str, steps: Vec<Step>, guard: AbortGuard) -> Response {
    struct State {
        steps: std::vec::IntoIter<Step>,
        guard: AbortGuard,
    }
    let state = State {
        steps: steps.into_iter(),
        guard,
    };
    let stream = futures::stream::unfold(state, |mut st| async move {
        loop {
            match st.steps.next() {
                Some(Step::Bytes(b)) => return Some((Ok(b), st)),
                Some(Step::Yield) => tokio::task::yield_now().await,
                Some(Step::Stall) => std::future::pending::<()>().await,
                Some(Step::Fail) => {
                    // Dropping the connection is what the client sees; the
                    // double did not abandon anything, so count it finished.
                    st.guard.finish();
                    let e = std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "double drops the connection",
                    );
                    return Some((Err(e), st));
                }
                None => {
                    st.guard.finish();
                    return None;
                }
            }
        }
    });
    // After an error the body must not be polled again.
    let stream = stream.scan(false, |failed, item: Result<Bytes, std::io::Error>| {
        let out = if *failed { None } else { Some(item) };
        if let Some(Err(_)) = &out {
            *failed = true;
        }
        futures::future::ready(out)
    });
    Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

fn with_retry_after(mut r: Response, b: &Behaviour) -> Response {
    if let Some(ms) = b.retry_after_ms {
        r.headers_mut()
            .insert("retry-after-ms", header::HeaderValue::from(ms));
    }
    r
}

fn not_found(path: &str) -> Response {
    json_response(
        404,
        &wire::error(
            &format!("Invalid URL (no route {path})"),
            "invalid_request_error",
            None,
        ),
    )
}

fn json_response(status: u16, body: &Value) -> Response {
    raw_response(status, "application/json", Bytes::from(body.to_string()))
}

fn raw_response(status: u16, content_type: &str, body: Bytes) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, content_type)
        .header("x-request-id", "req_double")
        .body(Body::from(body))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_sees_through_json_escapes_and_headers() {
        let r = RecordedRequest {
            peer: "127.0.0.1:1".parse().unwrap(),
            method: "POST".into(),
            path: "/v1/chat/completions".into(),
            query: None,
            headers: vec![("x-note".into(), "header-canary".into())],
            body: Bytes::from_static(br#"{"messages":[{"content":"Ren\u00e9e Fran\u00e7ois"}]}"#),
        };
        assert!(r.contains("Renée François"));
        assert!(r.contains("header-canary"));
        assert!(!r.contains("Jane"));
        assert!(!r.contains(""), "the empty needle matches nothing");
    }

    #[test]
    fn error_bodies_are_openai_shaped() {
        let b = Behaviour::error(429, "slow down");
        let Reply::Error { status, body } = b.reply else {
            panic!("not an error reply");
        };
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 429);
        assert_eq!(v["error"]["code"], "rate_limit_exceeded");
        assert_eq!(v["error"]["message"], "slow down");
    }
}
