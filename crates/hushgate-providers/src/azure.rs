//! Azure OpenAI: `{base}/openai/deployments/{deployment}/chat/completions?api-version=V`
//! with an `api-key` header. The deployment comes from the body's `model`
//! through the provider's `deployments` map (a model missing from the map
//! is taken as the deployment name); `GET /models` lists
//! `{base}/openai/models?api-version=V`.

use std::collections::BTreeMap;

use hushgate_config::ProviderConfig;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::Endpoint;
use crate::dialect::{Dialect, DialectError, UpstreamRequest, join, json_body, secret_header};
use crate::openai::endpoint_accept;
use crate::secret::ApiKey;

/// An Azure OpenAI resource. A key is required.
#[derive(Debug, Clone)]
pub struct AzureOpenAi {
    base: Url,
    api_version: String,
    deployments: BTreeMap<String, String>,
}

impl AzureOpenAi {
    pub fn new(cfg: &ProviderConfig) -> AzureOpenAi {
        AzureOpenAi {
            base: cfg.base_url.clone(),
            // Validated as required by the config crate; an empty version
            // gets Azure's own clear 404 rather than a panic here.
            api_version: cfg.api_version.clone().unwrap_or_default(),
            deployments: cfg.deployments.clone(),
        }
    }
}

impl Dialect for AzureOpenAi {
    fn request(
        &self,
        endpoint: Endpoint,
        body: Option<&Value>,
        key: Option<&ApiKey>,
    ) -> Result<UpstreamRequest, DialectError> {
        let key = key.ok_or_else(|| DialectError::config("no API key"))?;
        let mut url = match endpoint {
            Endpoint::Models => join(&self.base, &["openai", "models"])?,
            _ => {
                let model = body
                    .and_then(|b| b.get("model"))
                    .and_then(Value::as_str)
                    .filter(|m| !m.is_empty())
                    .ok_or_else(|| {
                        DialectError::config("Azure OpenAI needs `model` to pick a deployment")
                    })?;
                let deployment = self.deployments.get(model).map_or(model, String::as_str);
                // `url` resolves these as path steps: `..` would leave the
                // deployments path.
                if matches!(deployment, "." | "..") {
                    return Err(DialectError::config(
                        "`.` and `..` are not deployment names",
                    ));
                }
                let mut segments = vec!["openai", "deployments", deployment];
                segments.extend_from_slice(endpoint.segments());
                join(&self.base, &segments)?
            }
        };
        url.query_pairs_mut()
            .append_pair("api-version", &self.api_version);
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("api-key"),
            secret_header(key.expose())?,
        );
        headers.insert(ACCEPT, HeaderValue::from_static(endpoint_accept(body)));
        if body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(UpstreamRequest {
            method: endpoint.method(),
            url,
            headers,
            body: json_body(body)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hushgate_config::ProviderKind;
    use serde_json::json;

    fn azure() -> AzureOpenAi {
        let mut cfg = ProviderConfig::new(
            "az",
            ProviderKind::AzureOpenAi,
            Url::parse("https://res.openai.azure.com").unwrap(),
        );
        cfg.api_version = Some("2024-10-21".into());
        cfg.deployments
            .insert("gpt-4o-mini".into(), "prod mini".into());
        AzureOpenAi::new(&cfg)
    }

    #[test]
    fn deployment_urls_and_api_key_header() {
        let key = ApiKey::new("azkey");
        let r = azure()
            .request(
                Endpoint::ChatCompletions,
                Some(&json!({"model": "gpt-4o-mini"})),
                Some(&key),
            )
            .unwrap();
        assert_eq!(
            r.url.as_str(),
            "https://res.openai.azure.com/openai/deployments/prod%20mini/chat/completions?api-version=2024-10-21"
        );
        assert!(r.headers["api-key"].is_sensitive());
        assert!(r.headers.get(reqwest::header::AUTHORIZATION).is_none());
        // Unmapped model: the deployment of the same name; a `/` stays in its segment.
        let r = azure()
            .request(
                Endpoint::Embeddings,
                Some(&json!({"model": "a/../b"})),
                Some(&key),
            )
            .unwrap();
        assert_eq!(r.url.path(), "/openai/deployments/a%2F..%2Fb/embeddings");
        let r = azure().request(Endpoint::Models, None, Some(&key)).unwrap();
        assert_eq!(
            r.url.as_str(),
            "https://res.openai.azure.com/openai/models?api-version=2024-10-21"
        );
        for model in ["..", "."] {
            let e = azure()
                .request(
                    Endpoint::ChatCompletions,
                    Some(&json!({"model": model})),
                    Some(&key),
                )
                .unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::Config);
        }
        let e = azure()
            .request(Endpoint::Completions, Some(&json!({})), Some(&key))
            .unwrap_err();
        assert!(e.message.contains("model"));
    }
}
