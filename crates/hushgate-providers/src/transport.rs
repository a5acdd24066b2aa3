//! The shared transport: client, retries, timeouts, bodies, streams.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use hushgate_config::{ProviderConfig, ProviderKind};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

use crate::dialect::{self, Dialect, DialectError};
use crate::error::{Error, ErrorKind};
use crate::secret::ApiKey;
use crate::sse::{SseEvent, SseStream};
use crate::{ByteStream, Endpoint};

/// Largest non-streaming response body read: 256 MiB (a batch of 2048
/// embeddings of 3072 dimensions is ~130 MB of JSON).
pub const MAX_RESPONSE_BYTES: usize = 256 << 20;

/// Largest error body read (the rest is not needed to report the error).
const MAX_ERROR_BODY_BYTES: usize = 64 << 10;

/// One configured upstream. Cheap to share (`Arc<Provider>`); all clones of
/// its client share one connection pool.
///
/// # Retries
///
/// A request is sent again, up to `max_retries` times, with exponential
/// backoff and jitter (`backoff_base` × 2ⁿ, capped at `backoff_max`, drawn
/// between half and all of it), only when that cannot make the upstream do
/// the work twice:
///
/// - a **connect error** (refused, DNS, TLS, connect timeout): nothing was
///   sent; retried for every endpoint;
/// - **HTTP 502, 503 or 504** before any body byte was read: the upstream (or
///   its load balancer) says it did not serve the request; retried, waiting
///   at least its `retry-after`, unless that is longer than `backoff_max`
///   (then the error is returned at once, with [`Error::retry_after`]);
/// - for `GET models` only (idempotent): also timeouts and broken
///   connections.
///
/// Never retried: a `POST` (completion, embedding) whose request was sent
/// and that then timed out or lost its connection without a status — the
/// upstream may be generating and billing it; any other status (429
/// included: it may mean an exhausted quota); and anything after a response
/// body began, streaming or not.
///
/// # Cancellation
///
/// Dropping the future of [`send`](Provider::send) or
/// [`send_stream`](Provider::send_stream), or the [`UpstreamStream`], closes
/// the upstream connection (it is not returned to the pool with a request
/// in flight), so the upstream stops generating.
#[derive(Debug)]
pub struct Provider {
    name: Arc<str>,
    kind: ProviderKind,
    self_hosted: bool,
    dialect: Box<dyn Dialect>,
    client: reqwest::Client,
    key: Option<ApiKey>,
    read_timeout: Duration,
    max_retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
}

impl Provider {
    /// Builds the provider, reading its key from the environment variable
    /// named by `api_key_env`. A variable that is unset (or empty) is an
    /// [`ErrorKind::Config`] error when the provider needs a key.
    pub fn from_config(cfg: &ProviderConfig) -> Result<Provider, Error> {
        let key = match &cfg.api_key_env {
            Some(var) => match ApiKey::from_env(var) {
                Some(k) => Some(k),
                None => {
                    return Err(Error::new(
                        ErrorKind::Config,
                        &Arc::from(cfg.name.as_str()),
                        format!("environment variable {var} (api_key_env) is not set or empty"),
                    ));
                }
            },
            None => None,
        };
        Provider::new(cfg, key)
    }

    /// Builds the provider with an explicit key (tests, key vaults).
    pub fn new(cfg: &ProviderConfig, key: Option<ApiKey>) -> Result<Provider, Error> {
        let name: Arc<str> = Arc::from(cfg.name.as_str());
        if key.is_none() && cfg.kind.requires_api_key() {
            return Err(Error::new(
                ErrorKind::Config,
                &name,
                format!("a provider of kind {} needs an API key", cfg.kind),
            ));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            // Per read: before the response head, then between body chunks.
            .read_timeout(cfg.read_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(64)
            .tcp_keepalive(Duration::from_secs(60))
            // A redirect is an error to report, not a place to send the key.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hushgate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Config, &name, "cannot build the HTTP client").source(e)
            })?;
        Ok(Provider {
            name,
            kind: cfg.kind,
            self_hosted: cfg.self_hosted,
            dialect: dialect::for_config(cfg),
            client,
            key,
            read_timeout: cfg.read_timeout,
            max_retries: cfg.max_retries,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
        })
    }

    /// Changes the retry backoff (default 250 ms doubling, capped at 8 s).
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Provider {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// The configured name.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> ProviderKind {
        self.kind
    }

    /// Whether prompts to this provider stay on infrastructure you control.
    pub fn is_self_hosted(&self) -> bool {
        self.self_hosted
    }

    /// Sends `body` (OpenAI-shaped, without `"stream": true`) to `endpoint`
    /// and returns the whole JSON answer.
    pub async fn send(&self, endpoint: Endpoint, body: &Value) -> Result<UpstreamResponse, Error> {
        if is_streaming(body) {
            return Err(self.error(
                ErrorKind::Config,
                endpoint,
                "a streaming request (\"stream\": true) must use send_stream",
            ));
        }
        self.send_json(endpoint, Some(body)).await
    }

    /// `GET models`: the upstream's model list.
    pub async fn models(&self) -> Result<UpstreamResponse, Error> {
        self.send_json(Endpoint::Models, None).await
    }

    /// Sends `body` (OpenAI-shaped, with `"stream": true`) to `endpoint` and
    /// returns the answer's event stream as it arrives.
    pub async fn send_stream(
        &self,
        endpoint: Endpoint,
        body: &Value,
    ) -> Result<UpstreamStream, Error> {
        if !is_streaming(body) {
            return Err(self.error(
                ErrorKind::Config,
                endpoint,
                "send_stream needs a request with \"stream\": true",
            ));
        }
        let (response, attempts) = self.execute(endpoint, Some(body)).await?;
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(ct) = headers.get(CONTENT_TYPE) {
            let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
            if !ct.starts_with("text/event-stream") {
                return Err(self
                    .error(
                        ErrorKind::Protocol,
                        endpoint,
                        format!(
                            "expected an event stream, got content-type {}",
                            ct.chars().take(64).collect::<String>()
                        ),
                    )
                    .attempts(attempts));
            }
        }
        let name = self.name.clone();
        let read_timeout = self.read_timeout;
        let bytes = response
            .bytes_stream()
            .map(move |r| r.map_err(|e| body_error(&name, endpoint, read_timeout, e)));
        let stream = self.dialect.stream(endpoint, Box::pin(bytes));
        Ok(UpstreamStream {
            status,
            headers,
            inner: stream,
            provider: self.name.clone(),
            done: false,
        })
    }

    async fn send_json(
        &self,
        endpoint: Endpoint,
        body: Option<&Value>,
    ) -> Result<UpstreamResponse, Error> {
        let (mut response, attempts) = self.execute(endpoint, body).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = self
            .read_capped(&mut response, endpoint, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| e.attempts(attempts))?;
        // serde_json's messages give a position, never the content.
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            self.error(
                ErrorKind::Protocol,
                endpoint,
                format!("the response is not JSON: {e}"),
            )
        })?;
        let body = self
            .dialect
            .response(endpoint, value)
            .map_err(|e| self.dialect_error(endpoint, e))?;
        Ok(UpstreamResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends with retries; returns a response with a success status and the
    /// number of attempts, or the classified error.
    async fn execute(
        &self,
        endpoint: Endpoint,
        body: Option<&Value>,
    ) -> Result<(reqwest::Response, u32), Error> {
        let request = self
            .dialect
            .request(endpoint, body, self.key.as_ref())
            .map_err(|e| self.dialect_error(endpoint, e))?;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let mut builder = self
                .client
                .request(request.method.clone(), request.url.clone())
                .headers(request.headers.clone());
            if let Some(b) = &request.body {
                builder = builder.body(b.clone());
            }
            let outcome = builder.send().await;

            let (retryable, retry_after) = match &outcome {
                Ok(r) => (
                    matches!(r.status().as_u16(), 502..=504),
                    retry_after(r.headers()),
                ),
                Err(e) => (
                    e.is_connect() || (endpoint.is_idempotent() && !e.is_builder()),
                    None,
                ),
            };
            if retryable && attempt <= self.max_retries {
                let backoff = self.backoff(attempt);
                let wait = match retry_after {
                    Some(w) if w > self.backoff_max => None,
                    Some(w) => Some(w.max(backoff)),
                    None => Some(backoff),
                };
                if let Some(wait) = wait {
                    tracing::warn!(
                        provider = %self.name,
                        endpoint = endpoint.path(),
                        attempt,
                        status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                        wait_ms = wait.as_millis() as u64,
                        "upstream failed before answering; retrying"
                    );
                    // The failed response (if any) is dropped before waiting.
                    drop(outcome);
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }

            return match outcome {
                Ok(r) if r.status().is_success() => {
                    tracing::debug!(
                        provider = %self.name,
                        endpoint = endpoint.path(),
                        attempt,
                        status = r.status().as_u16(),
                        "upstream answered"
                    );
                    Ok((r, attempt))
                }
                Ok(r) => Err(self.status_error(endpoint, r).await.attempts(attempt)),
                Err(e) => Err(self.send_error(endpoint, e).attempts(attempt)),
            };
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.backoff_max);
        cap.mul_f64(0.5 + 0.5 * jitter())
    }

    async fn status_error(&self, endpoint: Endpoint, mut response: reqwest::Response) -> Error {
        let status = response.status();
        let retry_after = retry_after(response.headers());
        // A body we cannot read completely still says something; an error
        // reading it does not hide the status.
        let body = self
            .read_capped(&mut response, endpoint, MAX_ERROR_BODY_BYTES)
            .await
            .unwrap_or_default();
        let upstream = self.dialect.error(status, &body, self.key.as_ref());
        tracing::debug!(
            provider = %self.name,
            endpoint = endpoint.path(),
            status = status.as_u16(),
            code = upstream.code.as_deref(),
            "upstream error status"
        );
        Error::upstream_status(&self.name, status, upstream, retry_after).endpoint(endpoint)
    }

    fn send_error(&self, endpoint: Endpoint, e: reqwest::Error) -> Error {
        let (kind, message) = if e.is_builder() {
            (ErrorKind::Config, "cannot build the request".to_owned())
        } else if e.is_connect() {
            let how = if e.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            (ErrorKind::Connect, format!("connecting {how}"))
        } else if e.is_timeout() {
            (
                ErrorKind::Timeout,
                format!("no response within {:?}", self.read_timeout),
            )
        } else {
            (
                ErrorKind::Disconnected,
                "the connection closed before a response".to_owned(),
            )
        };
        tracing::debug!(provider = %self.name, endpoint = endpoint.path(), kind = kind.as_str(), "upstream request failed");
        self.error(kind, endpoint, message).source(e)
    }

    /// Reads the body, failing past `max` bytes.
    async fn read_capped(
        &self,
        response: &mut reqwest::Response,
        endpoint: Endpoint,
        max: usize,
    ) -> Result<Bytes, Error> {
        let too_large = || {
            self.error(
                ErrorKind::Protocol,
                endpoint,
                format!("the response is larger than {max} bytes"),
            )
        };
        if response.content_length().is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut buf = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > max {
                        return Err(too_large());
                    }
                    buf.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(buf.freeze()),
                Err(e) => return Err(body_error(&self.name, endpoint, self.read_timeout, e)),
            }
        }
    }

    fn error(&self, kind: ErrorKind, endpoint: Endpoint, message: impl Into<String>) -> Error {
        Error::new(kind, &self.name, message).endpoint(endpoint)
    }

    fn dialect_error(&self, endpoint: Endpoint, e: DialectError) -> Error {
        self.error(e.kind, endpoint, e.message)
    }
}

fn is_streaming(body: &Value) -> bool {
    body.get("stream").and_then(Value::as_bool) == Some(true)
}

/// A body read failed: after the response head, so never retried.
fn body_error(
    provider: &Arc<str>,
    endpoint: Endpoint,
    read_timeout: Duration,
    e: reqwest::Error,
) -> Error {
    let (kind, message) = if e.is_timeout() {
        (
            ErrorKind::Timeout,
            format!("no data from the upstream for {read_timeout:?} mid-response"),
        )
    } else {
        (
            ErrorKind::Disconnected,
            "the upstream closed the connection mid-response".to_owned(),
        )
    };
    Error::new(kind, provider, message)
        .endpoint(endpoint)
        .source(e)
}

/// `retry-after-ms` (Azure, OpenAI) or `retry-after` in seconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    let d = get("retry-after-ms")
        .map(|ms| ms / 1000.0)
        .or_else(|| get("retry-after"))?;
    (d.is_finite() && d >= 0.0).then(|| Duration::from_secs_f64(d.min(86_400.0)))
}

/// A number in [0, 1) that differs between calls (for backoff jitter; not
/// for anything secret).
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A complete JSON answer.
#[derive(Debug)]
pub struct UpstreamResponse {
    pub status: StatusCode,
    /// The upstream's headers (for `x-request-id`, rate-limit headers...):
    /// choose what to pass on, do not forward them wholesale.
    pub headers: HeaderMap,
    /// OpenAI-shaped.
    pub body: Value,
}

/// A streamed answer: OpenAI's event stream as byte chunks, as they arrive.
/// Ends after the first error. Dropping it closes the upstream connection.
pub struct UpstreamStream {
    pub status: StatusCode,
    pub headers: HeaderMap,
    inner: ByteStream,
    provider: Arc<str>,
    done: bool,
}

impl std::fmt::Debug for UpstreamStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamStream")
            .field("provider", &self.provider)
            .field("status", &self.status)
            .field("done", &self.done)
            .finish()
    }
}

impl UpstreamStream {
    /// The stream parsed into server-sent events, each at most
    /// `max_event_bytes` (see [`sse`](crate::sse)).
    pub fn events(self, max_event_bytes: usize) -> EventStream {
        let provider = self.provider.clone();
        EventStream {
            inner: SseStream::new(self, max_event_bytes),
            provider,
        }
    }
}

impl Stream for UpstreamStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let item = self.inner.as_mut().poll_next(cx);
        if matches!(item, Poll::Ready(None | Some(Err(_)))) {
            self.done = true;
        }
        item
    }
}

/// Parsed events of an [`UpstreamStream`]. Ends after the first error;
/// errors from parsing are [`ErrorKind::Protocol`].
pub struct EventStream {
    inner: SseStream<UpstreamStream>,
    provider: Arc<str>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl Stream for EventStream {
    type Item = Result<SseEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let provider = self.provider.clone();
        Pin::new(&mut self.inner)
            .poll_next(cx)
            .map(|o| o.map(|r| r.map_err(|e| e.with_provider(&provider))))
    }
}

/// Every configured provider, by name.
#[derive(Debug, Default, Clone)]
pub struct Providers {
    by_name: HashMap<String, Arc<Provider>>,
}

impl Providers {
    /// Builds every provider ([`Provider::from_config`]); the first that
    /// cannot be built (a key variable not set) is the error.
    pub fn from_config(configs: &[ProviderConfig]) -> Result<Providers, Error> {
        let mut by_name = HashMap::new();
        for cfg in configs {
            by_name.insert(cfg.name.clone(), Arc::new(Provider::from_config(cfg)?));
        }
        Ok(Providers { by_name })
    }

    /// Adds (or replaces) a provider.
    pub fn insert(&mut self, provider: Provider) {
        self.by_name
            .insert(provider.name().to_owned(), Arc::new(provider));
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Provider>> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Provider>> {
        self.by_name.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        h.insert("retry-after-ms", "-1".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
