//! Hushgate's upstream LLM providers.
//!
//! A [`Provider`] sends OpenAI-shaped JSON to one configured upstream and
//! returns OpenAI-shaped JSON, or an OpenAI event stream. It is one shared
//! transport (this file and `transport.rs`: reqwest over rustls, pooled
//! HTTP/1.1 keep-alive connections, connect and read timeouts, retries that
//! are safe, cancellation on drop, classified errors) plus one [`Dialect`]
//! per upstream API, each in its own module:
//!
//! - [`openai`]: api.openai.com, `Authorization: Bearer`;
//! - [`azure`]: Azure OpenAI deployment URLs, `api-key` header, `api-version`;
//! - [`openai_compatible`]: vLLM, llama.cpp's server, Ollama (optional key).
//!
//! [`dialect`] documents how another API (Anthropic's Messages API) is added
//! as one more module.
//!
//! [`sse`] is the incremental event-stream parser for the streams that come
//! back.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::StreamExt;
//! use hushgate_config::{ProviderConfig, ProviderKind};
//! use hushgate_providers::{Endpoint, Provider};
//! use hushgate_testkit::{Behaviour, ProviderDouble};
//! use serde_json::json;
//!
//! let double = ProviderDouble::start(Behaviour::echo()).await;
//! let cfg = ProviderConfig::new("local", ProviderKind::OpenAiCompatible, double.base_url().parse()?);
//! let provider = Provider::new(&cfg, None)?;
//!
//! let body = json!({"model": "m", "messages": [{"role": "user", "content": "Hello <PERSON_1>"}]});
//! let answer = provider.send(Endpoint::ChatCompletions, &body).await?;
//! assert_eq!(answer.body["choices"][0]["message"]["content"], "Hello <PERSON_1>");
//!
//! let body = json!({"model": "m", "stream": true, "messages": [{"role": "user", "content": "Hi there"}]});
//! let mut events = provider.send_stream(Endpoint::ChatCompletions, &body).await?.events(1 << 20);
//! let mut text = String::new();
//! while let Some(event) = events.next().await {
//!     let event = event?;
//!     if event.is_done() { break; }
//!     let chunk: serde_json::Value = serde_json::from_str(&event.data)?;
//!     text += chunk["choices"][0]["delta"]["content"].as_str().unwrap_or("");
//! }
//! assert_eq!(text, "Hi there");
//! # Ok(()) }
//! ```
//!
//! Invariants (stated as absences):
//! - No API key in the config file, in `Debug` output, in error messages or
//!   in logs: keys come from the environment into [`ApiKey`], whose `Debug`
//!   is `ApiKey(***)`, and travel in headers marked sensitive.
//! - No request or response body is logged, and no raw upstream body is put
//!   into an error: upstream error bodies are reduced to a sanitized
//!   [`UpstreamError`].
//! - No request is sent twice unless that is safe (see [`Provider`]'s retry
//!   rule), and nothing is retried once a response body has begun.
//! - No stream is buffered whole: bytes are passed on as they arrive, and
//!   the SSE parser holds one line and one event at most, capped.
//! - No `anyhow`, no axum, no printing.

pub mod azure;
pub mod dialect;
mod error;
pub mod openai;
pub mod openai_compatible;
mod secret;
pub mod sse;
mod transport;

use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;

pub use dialect::Dialect;
pub use error::{Error, ErrorKind, UpstreamError};
pub use hushgate_config::{ProviderConfig, ProviderKind};
pub use secret::ApiKey;
pub use transport::{EventStream, Provider, Providers, UpstreamResponse, UpstreamStream};

/// A stream of body bytes, as dialects transform them.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// The OpenAI API endpoints a provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST chat/completions`
    ChatCompletions,
    /// `POST completions` (legacy)
    Completions,
    /// `POST embeddings`
    Embeddings,
    /// `GET models`
    Models,
}

impl Endpoint {
    /// The path under the API root, e.g. `chat/completions`; also the label
    /// for metrics.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::ChatCompletions => "chat/completions",
            Endpoint::Completions => "completions",
            Endpoint::Embeddings => "embeddings",
            Endpoint::Models => "models",
        }
    }

    /// The path as URL segments.
    pub fn segments(self) -> &'static [&'static str] {
        match self {
            Endpoint::ChatCompletions => &["chat", "completions"],
            Endpoint::Completions => &["completions"],
            Endpoint::Embeddings => &["embeddings"],
            Endpoint::Models => &["models"],
        }
    }

    pub fn method(self) -> reqwest::Method {
        match self {
            Endpoint::Models => reqwest::Method::GET,
            _ => reqwest::Method::POST,
        }
    }

    /// Whether sending the request twice is harmless. Only `GET models`:
    /// a completion or an embedding sent twice may be generated and billed
    /// twice.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Endpoint::Models)
    }
}
