//! Servers speaking OpenAI's API: vLLM (`vllm serve`, `/v1`), llama.cpp's
//! `llama-server` (`/v1`), Ollama (`http://HOST:11434/v1`), LiteLLM, LocalAI.
//! Same paths and shapes as [`OpenAi`](crate::openai::OpenAi); the key is
//! optional (sent as `Authorization: Bearer` when configured, e.g. vLLM's
//! `--api-key`). Their error bodies vary; [`UpstreamError::parse`](crate::UpstreamError::parse)
//! reads the common variants.

use hushgate_config::ProviderConfig;
use serde_json::Value;
use url::Url;

use crate::dialect::{Dialect, DialectError, UpstreamRequest};
use crate::secret::ApiKey;
use crate::{Endpoint, openai};

/// An OpenAI-compatible server, usually self-hosted.
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    base: Url,
}

impl OpenAiCompatible {
    pub fn new(cfg: &ProviderConfig) -> OpenAiCompatible {
        OpenAiCompatible {
            base: cfg.base_url.clone(),
        }
    }
}

impl Dialect for OpenAiCompatible {
    fn request(
        &self,
        endpoint: Endpoint,
        body: Option<&Value>,
        key: Option<&ApiKey>,
    ) -> Result<UpstreamRequest, DialectError> {
        openai::request(&self.base, endpoint, body, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hushgate_config::ProviderKind;
    use serde_json::json;

    #[test]
    fn key_is_optional() {
        let cfg = ProviderConfig::new(
            "local",
            ProviderKind::OpenAiCompatible,
            Url::parse("http://127.0.0.1:11434/v1").unwrap(),
        );
        let r = OpenAiCompatible::new(&cfg)
            .request(Endpoint::Embeddings, Some(&json!({"input": "x"})), None)
            .unwrap();
        assert_eq!(r.url.as_str(), "http://127.0.0.1:11434/v1/embeddings");
        assert!(r.headers.get(reqwest::header::AUTHORIZATION).is_none());
    }
}
