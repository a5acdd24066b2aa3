//! api.openai.com: `{base}/chat/completions` (and `completions`,
//! `embeddings`, `models`) with `Authorization: Bearer KEY`.

use hushgate_config::ProviderConfig;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::Endpoint;
use crate::dialect::{Dialect, DialectError, UpstreamRequest, join, json_body, secret_header};
use crate::secret::ApiKey;

/// OpenAI's own API. A key is required.
#[derive(Debug, Clone)]
pub struct OpenAi {
    base: Url,
}

impl OpenAi {
    pub fn new(cfg: &ProviderConfig) -> OpenAi {
        OpenAi {
            base: cfg.base_url.clone(),
        }
    }
}

impl Dialect for OpenAi {
    fn request(
        &self,
        endpoint: Endpoint,
        body: Option<&Value>,
        key: Option<&ApiKey>,
    ) -> Result<UpstreamRequest, DialectError> {
        let key = key.ok_or_else(|| DialectError::config("no API key"))?;
        request(&self.base, endpoint, body, Some(key))
    }
}

/// OpenAI's request shape, shared with [`OpenAiCompatible`](crate::openai_compatible::OpenAiCompatible).
pub(crate) fn request(
    base: &Url,
    endpoint: Endpoint,
    body: Option<&Value>,
    key: Option<&ApiKey>,
) -> Result<UpstreamRequest, DialectError> {
    let mut headers = HeaderMap::new();
    if let Some(key) = key {
        headers.insert(
            header::AUTHORIZATION,
            secret_header(&format!("Bearer {}", key.expose()))?,
        );
    }
    headers.insert(
        header::ACCEPT,
        HeaderValue::from_static(endpoint_accept(body)),
    );
    if body.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    Ok(UpstreamRequest {
        method: endpoint.method(),
        url: join(base, endpoint.segments())?,
        headers,
        body: json_body(body)?,
    })
}

/// `text/event-stream` for `"stream": true` bodies, else JSON.
pub(crate) fn endpoint_accept(body: Option<&Value>) -> &'static str {
    if body.and_then(|b| b.get("stream")).and_then(Value::as_bool) == Some(true) {
        "text/event-stream"
    } else {
        "application/json"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hushgate_config::ProviderKind;
    use serde_json::json;

    #[test]
    fn url_and_bearer() {
        let cfg = ProviderConfig::new(
            "openai",
            ProviderKind::OpenAi,
            Url::parse("https://api.openai.com/v1").unwrap(),
        );
        let d = OpenAi::new(&cfg);
        let key = ApiKey::new("sk-test");
        let r = d
            .request(
                Endpoint::ChatCompletions,
                Some(&json!({"model": "m", "stream": true})),
                Some(&key),
            )
            .unwrap();
        assert_eq!(r.url.as_str(), "https://api.openai.com/v1/chat/completions");
        assert_eq!(r.method, reqwest::Method::POST);
        let auth = &r.headers[header::AUTHORIZATION];
        assert!(auth.is_sensitive());
        assert_eq!(auth.to_str().unwrap(), "Bearer sk-test");
        assert!(
            !format!("{r:?}").contains("sk-test"),
            "sensitive headers are hidden from Debug"
        );
        assert_eq!(r.headers[header::ACCEPT], "text/event-stream");
        let r = d.request(Endpoint::Models, None, Some(&key)).unwrap();
        assert_eq!(r.url.as_str(), "https://api.openai.com/v1/models");
        assert_eq!(r.method, reqwest::Method::GET);
        assert!(r.body.is_none());
        assert_eq!(
            d.request(Endpoint::Embeddings, Some(&json!({})), None)
                .unwrap_err()
                .kind,
            crate::ErrorKind::Config
        );
    }
}
