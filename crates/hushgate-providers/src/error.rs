//! The one error of this crate: opaque, with a stable [`ErrorKind`] for
//! metrics and audit, and an upstream error body that has been sanitized.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::Endpoint;
use crate::secret::ApiKey;
use crate::sse::SseError;

/// What went wrong, as a stable label (`as_str`) for metrics and audit rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The provider cannot be used as configured (a missing key variable, a
    /// request the dialect cannot express, e.g. no `model` for Azure).
    Config,
    /// No connection could be made (refused, DNS, TLS, connect timeout).
    /// Nothing was sent.
    Connect,
    /// The upstream went silent longer than `read_timeout`: before the
    /// response headers or between two body chunks.
    Timeout,
    /// The connection broke after the request was sent: no response, or a
    /// response (or stream) cut short.
    Disconnected,
    /// The upstream answered with an error status (see
    /// [`Error::status`] and [`Error::upstream_error`]).
    UpstreamStatus,
    /// The upstream's answer is not what the protocol says: a body that is
    /// not JSON, an event that is not UTF-8 or is too large, a stream cut in
    /// the middle of an event, a non-stream answer to a streaming request.
    Protocol,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Config => "config",
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Disconnected => "disconnected",
            ErrorKind::UpstreamStatus => "upstream_status",
            ErrorKind::Protocol => "protocol",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An upstream request that failed. Its `Display`, `Debug` and source chain
/// never contain the API key, request or response content, or the
/// upstream's error message (which may quote the request): only the
/// provider, the endpoint, a description, and for upstream errors the
/// status, `type` and `code`. The [sanitized](UpstreamError) message is
/// available through [`Error::upstream_error`] for the client.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    provider: Arc<str>,
    endpoint: Option<Endpoint>,
    message: String,
    status: Option<StatusCode>,
    upstream: Option<UpstreamError>,
    retry_after: Option<Duration>,
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, provider: &Arc<str>, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            provider: provider.clone(),
            endpoint: None,
            message: message.into(),
            status: None,
            upstream: None,
            retry_after: None,
            attempts: 1,
            source: None,
        }))
    }

    pub(crate) fn endpoint(mut self, endpoint: Endpoint) -> Error {
        self.0.endpoint = Some(endpoint);
        self
    }

    pub(crate) fn source(mut self, source: reqwest::Error) -> Error {
        // reqwest's messages name the URL; ours do already, once.
        self.0.source = Some(Box::new(source.without_url()));
        self
    }

    pub(crate) fn attempts(mut self, attempts: u32) -> Error {
        self.0.attempts = attempts;
        self
    }

    pub(crate) fn upstream_status(
        provider: &Arc<str>,
        status: StatusCode,
        upstream: UpstreamError,
        retry_after: Option<Duration>,
    ) -> Error {
        // The upstream's message stays out of Display and Debug: it may quote
        // the request's content. It is reachable through `upstream_error()`
        // for the client that sent that content.
        let labels: Vec<&str> = [upstream.r#type.as_deref(), upstream.code.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let mut message = format!("upstream returned HTTP {}", status.as_u16());
        if !labels.is_empty() {
            message += &format!(" ({})", labels.join(", "));
        }
        let mut e = Error::new(ErrorKind::UpstreamStatus, provider, message);
        e.0.status = Some(status);
        e.0.upstream = Some(upstream);
        e.0.retry_after = retry_after;
        e
    }

    pub(crate) fn with_provider(mut self, provider: &Arc<str>) -> Error {
        if self.0.provider.is_empty() {
            self.0.provider = provider.clone();
        }
        self
    }

    /// The stable classification.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The configured name of the provider.
    pub fn provider(&self) -> &str {
        &self.0.provider
    }

    /// The upstream's HTTP status, for [`ErrorKind::UpstreamStatus`].
    pub fn status(&self) -> Option<StatusCode> {
        self.0.status
    }

    /// The upstream's error body, sanitized, for [`ErrorKind::UpstreamStatus`].
    pub fn upstream_error(&self) -> Option<&UpstreamError> {
        self.0.upstream.as_ref()
    }

    /// The upstream's `retry-after` (or `retry-after-ms`), when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// How many times the request was sent (1 + retries).
    pub fn attempt_count(&self) -> u32 {
        self.0.attempts
    }

    /// The status a gateway should answer its client with:
    /// the upstream's 400, 404, 409, 413, 422 and 429 (the client's request
    /// or quota), 504 for timeouts, 502 for everything else, including the
    /// upstream's 401 and 403 (Hushgate's own upstream credentials are at
    /// fault, not the client's) and 500 for [`ErrorKind::Config`].
    pub fn client_status(&self) -> u16 {
        match (self.0.kind, self.0.status.map(|s| s.as_u16())) {
            (ErrorKind::Config, _) => 500,
            (ErrorKind::Timeout, _) => 504,
            (ErrorKind::UpstreamStatus, Some(s @ (400 | 404 | 409 | 413 | 422 | 429))) => s,
            _ => 502,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider `{}`", self.0.provider)?;
        if let Some(e) = self.0.endpoint {
            write!(f, " ({})", e.path())?;
        }
        write!(f, ": {}", self.0.message)?;
        if self.0.attempts > 1 {
            write!(f, " (after {} attempts)", self.0.attempts)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("provider", &self.0.provider)
            .field("endpoint", &self.0.endpoint)
            .field("message", &self.0.message)
            .field("status", &self.0.status)
            .field("attempts", &self.0.attempts)
            .field("source", &self.0.source)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<SseError> for Error {
    /// The provider is filled in by the stream that parsed the events.
    fn from(e: SseError) -> Error {
        Error::new(ErrorKind::Protocol, &Arc::from(""), e.to_string())
    }
}

/// An upstream error body reduced to OpenAI's four fields and sanitized, so
/// a gateway can pass it to its client: the message is truncated to
/// [`UpstreamError::MAX_MESSAGE_CHARS`] characters, control characters are
/// removed, and anything looking like an API key (the provider's own key,
/// or words starting with `sk-`) is replaced by `[redacted]`. `type`,
/// `param` and `code` are kept only when they are short identifiers. A body
/// that is not an error object (an HTML page from a proxy) is not passed on
/// at all: the message then only names the status.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamError {
    pub message: String,
    pub r#type: Option<String>,
    pub param: Option<String>,
    pub code: Option<String>,
}

// The message may quote request content: Debug shows its size only.
impl fmt::Debug for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamError")
            .field("message_chars", &self.message.chars().count())
            .field("type", &self.r#type)
            .field("param", &self.param)
            .field("code", &self.code)
            .finish()
    }
}

impl UpstreamError {
    pub const MAX_MESSAGE_CHARS: usize = 512;

    /// Reads OpenAI's `{"error": {...}}`, and the variants compatible servers
    /// send (`{"error": "text"}` from Ollama, a bare `{"message", "type",
    /// "code"}` object from vLLM).
    pub fn parse(status: StatusCode, body: &[u8], key: Option<&ApiKey>) -> UpstreamError {
        let fallback = || UpstreamError {
            message: format!(
                "HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_owned(),
            r#type: None,
            param: None,
            code: None,
        };
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return fallback();
        };
        let obj = match v.get("error") {
            Some(e @ Value::Object(_)) => e,
            Some(Value::String(s)) => {
                return UpstreamError {
                    message: sanitize_message(s, key),
                    r#type: None,
                    param: None,
                    code: None,
                };
            }
            _ if v.get("message").is_some() => &v,
            _ => return fallback(),
        };
        let Some(message) = obj.get("message").and_then(Value::as_str) else {
            return fallback();
        };
        UpstreamError {
            message: sanitize_message(message, key),
            r#type: obj.get("type").and_then(identifier),
            param: obj.get("param").and_then(identifier),
            code: obj.get("code").and_then(identifier),
        }
    }

    /// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`.
    pub fn to_json(&self) -> Value {
        json!({"error": {
            "message": self.message,
            "type": self.r#type,
            "param": self.param,
            "code": self.code,
        }})
    }
}

/// A string or number that is a short identifier (`invalid_api_key`,
/// `messages[0].content`, `404`), else nothing.
fn identifier(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.[]".contains(&b));
    ok.then_some(s)
}

fn sanitize_message(message: &str, key: Option<&ApiKey>) -> String {
    let mut m: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(UpstreamError::MAX_MESSAGE_CHARS)
        .collect();
    if let Some(k) = key.map(ApiKey::expose).filter(|k| k.len() >= 8) {
        m = m.replace(k, "[redacted]");
    }
    m.split(' ')
        .map(|w| {
            let bare = w.trim_start_matches(|c: char| !c.is_alphanumeric());
            if bare.starts_with("sk-") || bare.starts_with("sk_") {
                "[redacted]"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_body_is_kept_and_keys_redacted() {
        let key = ApiKey::new("sk-proj-abcdefghijklmnop");
        let body = br#"{"error":{"message":"Incorrect API key provided: sk-proj-****mnop. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
        let e = UpstreamError::parse(StatusCode::UNAUTHORIZED, body, Some(&key));
        assert_eq!(
            e.message,
            "Incorrect API key provided: [redacted] You can find your API key at https://platform.openai.com/account/api-keys."
        );
        assert_eq!(e.r#type.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.code.as_deref(), Some("invalid_api_key"));
        assert_eq!(e.param, None);
        let e = UpstreamError::parse(
            StatusCode::BAD_REQUEST,
            br#"{"error":{"message":"bad key sk-proj-abcdefghijklmnop!"}}"#,
            Some(&key),
        );
        assert!(!e.message.contains("abcdefgh"), "{}", e.message);
    }

    #[test]
    fn compatible_server_shapes() {
        let e = UpstreamError::parse(
            StatusCode::NOT_FOUND,
            br#"{"error":"model \"llama9\" not found"}"#,
            None,
        );
        assert_eq!(e.message, "model \"llama9\" not found");
        let e = UpstreamError::parse(
            StatusCode::BAD_REQUEST,
            br#"{"object":"error","message":"too long","type":"BadRequestError","param":null,"code":400}"#,
            None,
        );
        assert_eq!(
            (e.message.as_str(), e.code.as_deref()),
            ("too long", Some("400"))
        );
        let e = UpstreamError::parse(
            StatusCode::NOT_FOUND,
            br#"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}"#,
            None,
        );
        assert_eq!(e.code.as_deref(), Some("DeploymentNotFound"));
    }

    #[test]
    fn non_error_bodies_are_not_passed_on() {
        let e = UpstreamError::parse(
            StatusCode::BAD_GATEWAY,
            b"<html><body>upstream secret-canary</body></html>",
            None,
        );
        assert_eq!(e.message, "HTTP 502 Bad Gateway");
        let e = UpstreamError::parse(StatusCode::BAD_GATEWAY, br#"{"detail":"x"}"#, None);
        assert_eq!(e.message, "HTTP 502 Bad Gateway");
    }

    #[test]
    fn messages_are_truncated_and_cleaned_and_fields_must_be_identifiers() {
        let long = "x".repeat(10_000);
        let body = json!({"error": {"message": format!("a\nb\u{7}{long}"), "type": "has space", "code": {"a": 1}}});
        let e = UpstreamError::parse(StatusCode::BAD_REQUEST, body.to_string().as_bytes(), None);
        assert_eq!(e.message.chars().count(), UpstreamError::MAX_MESSAGE_CHARS);
        assert!(e.message.starts_with("a b "));
        assert_eq!((e.r#type, e.code), (None, None));
    }

    #[test]
    fn client_status_table() {
        let p: Arc<str> = Arc::from("p");
        let up = |s: u16| {
            Error::upstream_status(
                &p,
                StatusCode::from_u16(s).unwrap(),
                UpstreamError::parse(StatusCode::from_u16(s).unwrap(), b"", None),
                None,
            )
            .client_status()
        };
        assert_eq!(up(400), 400);
        assert_eq!(up(429), 429);
        assert_eq!(up(401), 502);
        assert_eq!(up(500), 502);
        assert_eq!(Error::new(ErrorKind::Timeout, &p, "t").client_status(), 504);
        assert_eq!(Error::new(ErrorKind::Connect, &p, "c").client_status(), 502);
        assert_eq!(Error::new(ErrorKind::Config, &p, "c").client_status(), 500);
    }

    #[test]
    fn display_names_provider_endpoint_and_attempts() {
        let p: Arc<str> = Arc::from("openai");
        let e = Error::new(ErrorKind::Connect, &p, "cannot connect")
            .endpoint(Endpoint::ChatCompletions)
            .attempts(3);
        assert_eq!(
            e.to_string(),
            "provider `openai` (chat/completions): cannot connect (after 3 attempts)"
        );
        assert_eq!(e.kind().as_str(), "connect");

        let body = br#"{"error":{"message":"messages[0].content quotes <PERSON_1>","type":"invalid_request_error","code":"bad"}}"#;
        let up = UpstreamError::parse(StatusCode::BAD_REQUEST, body, None);
        let e = Error::upstream_status(&p, StatusCode::BAD_REQUEST, up, None);
        assert_eq!(
            e.to_string(),
            "provider `openai`: upstream returned HTTP 400 (invalid_request_error, bad)"
        );
        let debug = format!("{e:?} {:?}", e.upstream_error());
        assert!(!debug.contains("PERSON"), "{debug}");
        assert!(e.upstream_error().unwrap().message.contains("<PERSON_1>"));
    }
}
