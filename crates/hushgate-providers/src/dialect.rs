//! The seam between Hushgate's one wire format (OpenAI's) and an upstream's.
//!
//! A [`Dialect`] says how an OpenAI-shaped call becomes an upstream HTTP
//! request (URL, auth header, body) and how the upstream's answer becomes
//! OpenAI-shaped again. Everything else — connection pooling, timeouts,
//! retries, cancellation, error classification, body size limits — is the
//! shared transport in [`Provider`](crate::Provider) and is written once.
//!
//! # Adding a provider (e.g. `anthropic`)
//!
//! One file, `src/anthropic.rs`, with a type implementing [`Dialect`]:
//!
//! - [`request`](Dialect::request): `POST {base}/v1/messages` with
//!   `x-api-key` and `anthropic-version` headers; the Chat Completions body
//!   translated to the Messages API (system messages → `system`, `tools` →
//!   Anthropic tools, `max_tokens` required, ...). [`Endpoint`]s it cannot
//!   serve (embeddings) return an [`ErrorKind::Config`] error.
//! - [`response`](Dialect::response): a Messages response → a
//!   `chat.completion` (content blocks → `message.content` and
//!   `tool_calls`, `stop_reason` → `finish_reason`, usage renamed).
//! - [`stream`](Dialect::stream): Anthropic's typed events
//!   (`message_start`, `content_block_delta`, ...) → `chat.completion.chunk`
//!   events and a final `data: [DONE]`, by running the bytes through
//!   [`SseParser`](crate::sse::SseParser) and re-encoding; the stream stays
//!   incremental.
//! - [`error`](Dialect::error): Anthropic's `{"type":"error","error":{...}}`
//!   → [`UpstreamError`].
//!
//! Then a `ProviderKind::Anthropic` variant in `hushgate-config` (its
//! `kind = "anthropic"` name and key requirement) and the arm in
//! [`for_config`] the compiler then asks for. Callers do not change: the gateway only ever sees
//! OpenAI's shapes.

use bytes::Bytes;
use hushgate_config::{ProviderConfig, ProviderKind};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use crate::error::{ErrorKind, UpstreamError};
use crate::secret::ApiKey;
use crate::{ByteStream, Endpoint};

/// An upstream request, ready to send (and to send again on a retry).
#[derive(Debug, Clone)]
pub struct UpstreamRequest {
    pub method: Method,
    pub url: Url,
    /// Auth headers must be marked sensitive (`HeaderValue::set_sensitive`).
    pub headers: HeaderMap,
    /// Serialized once; retries reuse it.
    pub body: Option<Bytes>,
}

/// Why a dialect cannot build a request (becomes an [`ErrorKind::Config`]
/// or [`ErrorKind::Protocol`] [`Error`](crate::Error)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialectError {
    pub kind: ErrorKind,
    pub message: String,
}

impl DialectError {
    pub fn config(message: impl Into<String>) -> DialectError {
        DialectError {
            kind: ErrorKind::Config,
            message: message.into(),
        }
    }

    pub fn protocol(message: impl Into<String>) -> DialectError {
        DialectError {
            kind: ErrorKind::Protocol,
            message: message.into(),
        }
    }
}

/// How one upstream API differs from OpenAI's. See the [module docs](self).
pub trait Dialect: Send + Sync + std::fmt::Debug {
    /// Builds the request for `endpoint`. `body` is OpenAI-shaped (`None`
    /// for `GET` endpoints); `key` is the provider's key, if it has one.
    fn request(
        &self,
        endpoint: Endpoint,
        body: Option<&Value>,
        key: Option<&ApiKey>,
    ) -> Result<UpstreamRequest, DialectError>;

    /// Turns a successful non-streaming response body into OpenAI's shape.
    fn response(&self, _endpoint: Endpoint, body: Value) -> Result<Value, DialectError> {
        Ok(body)
    }

    /// Turns the upstream's streamed body into OpenAI's event stream
    /// (`data: {chunk}` events, then `data: [DONE]`). Must stay incremental.
    fn stream(&self, _endpoint: Endpoint, upstream: ByteStream) -> ByteStream {
        upstream
    }

    /// Reads an error response body (already size-capped).
    fn error(&self, status: StatusCode, body: &[u8], key: Option<&ApiKey>) -> UpstreamError {
        UpstreamError::parse(status, body, key)
    }
}

/// The dialect of a configured provider.
pub fn for_config(cfg: &ProviderConfig) -> Box<dyn Dialect> {
    // Exhaustive on purpose: a new kind does not compile until it has a dialect.
    match cfg.kind {
        ProviderKind::OpenAi => Box::new(crate::openai::OpenAi::new(cfg)),
        ProviderKind::AzureOpenAi => Box::new(crate::azure::AzureOpenAi::new(cfg)),
        ProviderKind::OpenAiCompatible => {
            Box::new(crate::openai_compatible::OpenAiCompatible::new(cfg))
        }
    }
}

/// `base` with `segments` appended, each percent-encoded as one segment
/// (a `/` in a deployment name cannot change the path).
pub(crate) fn join(base: &Url, segments: &[&str]) -> Result<Url, DialectError> {
    let mut url = base.clone();
    {
        let mut url_segments = url
            .path_segments_mut()
            .map_err(|()| DialectError::config("base_url cannot have a path"))?;
        url_segments.pop_if_empty();
        url_segments.extend(segments);
    }
    Ok(url)
}

/// A JSON body, serialized once.
pub(crate) fn json_body(body: Option<&Value>) -> Result<Option<Bytes>, DialectError> {
    body.map(|b| {
        serde_json::to_vec(b)
            .map(Bytes::from)
            .map_err(|e| DialectError::protocol(format!("cannot serialize the request: {e}")))
    })
    .transpose()
}

/// A header value holding a secret: hidden from `Debug`, never indexed by
/// HTTP/2 header compression.
pub(crate) fn secret_header(value: &str) -> Result<reqwest::header::HeaderValue, DialectError> {
    let mut v = reqwest::header::HeaderValue::from_str(value)
        // Do not echo the key.
        .map_err(|_| {
            DialectError::config("the API key contains characters not allowed in a header")
        })?;
    v.set_sensitive(true);
    Ok(v)
}
