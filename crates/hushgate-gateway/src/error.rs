//! Errors as clients see them: OpenAI's error JSON with the status codes
//! OpenAI's SDKs map to their exception classes.
//!
//! Every message here is written by Hushgate. Nothing from the request body
//! or from an upstream's error body is copied in, except the sanitized
//! [`UpstreamError`](hushgate_providers::UpstreamError) the providers crate
//! produces, so an error can never carry a sensitive value back out.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer: status, OpenAI's `error.type` and `error.code`, a
/// message, and for policy blocks the machine-readable reasons.
///
/// Boxed: it travels in every `Result` of the request path.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Fields>);

#[derive(Debug, Clone)]
struct Fields {
    status: StatusCode,
    /// OpenAI's `error.type`, e.g. `invalid_request_error`.
    kind: &'static str,
    /// OpenAI's `error.code`, e.g. `invalid_api_key`.
    code: Option<&'static str>,
    message: String,
    /// The request field at fault, e.g. `messages`.
    param: Option<&'static str>,
    /// `retry-after` for 429 and 503.
    retry_after: Option<Duration>,
    /// Policy reasons (types, rules, providers; never values).
    reasons: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError(Box::new(Fields {
            status,
            kind,
            code: None,
            message: message.into(),
            param: None,
            retry_after: None,
            reasons: None,
        }))
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(mut self, code: &'static str) -> ApiError {
        self.0.code = Some(code);
        self
    }

    pub fn param(mut self, param: &'static str) -> ApiError {
        self.0.param = Some(param);
        self
    }

    pub fn retry_after(mut self, d: Duration) -> ApiError {
        self.0.retry_after = Some(d);
        self
    }

    pub fn reasons(mut self, reasons: Value) -> ApiError {
        self.0.reasons = Some(reasons);
        self
    }

    /// 400: the request cannot be understood.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// 401: no key, or not a key this gateway issued.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_request_error", message)
            .code("invalid_api_key")
    }

    /// 404: an unknown model alias, or one the tenant may not use.
    pub fn model_not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "invalid_request_error", message)
            .code("model_not_found")
            .param("model")
    }

    /// 413: the body is over `[server] max_body_bytes`.
    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request_error",
            format!(
                "Request body is larger than this gateway accepts ({limit} bytes, \
                 `[server] max_body_bytes`)."
            ),
        )
        .code("request_too_large")
    }

    /// 500 that blocks the request: a component Hushgate needs to decide
    /// safely failed, so nothing was forwarded.
    pub fn fail_closed(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            format!("{what}; the request was not forwarded (Hushgate fails closed)."),
        )
        .code("fail_closed")
    }

    /// 503: a dependency (storage, rate limiter) is unavailable.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "server_error", message)
            .code("service_unavailable")
            .retry_after(Duration::from_secs(1))
    }

    /// The JSON body: `{"error": {"message", "type", "param", "code"}}`.
    pub fn body(&self) -> Value {
        let mut error = json!({
            "message": self.0.message,
            "type": self.0.kind,
            "param": self.0.param,
            "code": self.0.code,
        });
        if let (Some(reasons), Some(obj)) = (&self.0.reasons, error.as_object_mut()) {
            obj.insert("reasons".into(), reasons.clone());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.0.status, axum::Json(self.body())).into_response();
        if let Some(d) = self.0.retry_after {
            let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
            if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// How a provider failure is answered: the status of
/// [`Error::client_status`](hushgate_providers::Error::client_status) (the
/// upstream's 4xx and 429 passed on, 504 for timeouts, 502 otherwise); when
/// the upstream refused the request, its sanitized message (about the
/// pseudonymized request the client cannot see) with a note.
pub fn from_upstream(err: &hushgate_providers::Error) -> ApiError {
    use hushgate_providers::ErrorKind;
    let status = StatusCode::from_u16(err.client_status()).unwrap_or(StatusCode::BAD_GATEWAY);
    let (kind, code) = match (err.kind(), status.as_u16()) {
        (ErrorKind::Timeout, _) => ("upstream_error", "upstream_timeout"),
        (_, 429) => ("rate_limit_error", "upstream_rate_limited"),
        (_, 400..=499) => ("invalid_request_error", "upstream_rejected"),
        _ => ("upstream_error", "upstream_error"),
    };
    let message = match err.upstream_error() {
        Some(up) if status.is_client_error() => format!(
            "The provider `{}` refused the request: {}",
            err.provider(),
            up.message
        ),
        _ => err.to_string(),
    };
    let mut e = ApiError::new(status, kind, message).code(code);
    if let Some(d) = err.retry_after() {
        e = e.retry_after(d);
    }
    e
}
