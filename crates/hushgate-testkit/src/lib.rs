//! Test helpers for Hushgate. Not published.
//!
//! [`ProviderDouble`] is a real HTTP server on `127.0.0.1:0` speaking OpenAI's
//! wire format (and Azure OpenAI's deployment paths), recording every request
//! it receives, with scriptable [`Behaviour`]s: echo the user's text back
//! (so placeholders come back), split answers at chosen byte boundaries (so
//! placeholders get split across chunks), answer with tool calls whose
//! arguments echo the text, fail, hang, drop the connection mid-stream, or
//! send malformed, non-UTF-8 or huge events.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use hushgate_testkit::{Behaviour, ProviderDouble};
//!
//! let double = ProviderDouble::start(Behaviour::echo().chunked(3)).await;
//! let url = format!("{}/chat/completions", double.base_url()); // http://127.0.0.1:PORT/v1
//! # let _ = url;
//! // ... point a provider at double.base_url(), send a request ...
//! assert!(double.requests().is_empty());
//! assert!(!double.received("Jane Doe"));
//! # }
//! ```
//!
//! Wire format produced (the shapes OpenAI documents):
//! - `POST /v1/chat/completions`: a `chat.completion`, or with `"stream": true`
//!   `chat.completion.chunk` events (a role chunk, content or tool-call
//!   argument deltas, a finish chunk, a usage chunk with empty `choices` when
//!   `stream_options.include_usage` is true) then `data: [DONE]`;
//! - `POST /v1/completions` (`text_completion`, streaming too);
//! - `POST /v1/embeddings` (deterministic 8-dimension vectors);
//! - `GET /v1/models`;
//! - the same under `/openai/deployments/{deployment}/...?api-version=...`
//!   and `GET /openai/models?api-version=...` for Azure.

mod double;
mod wire;

pub use double::{Behaviour, Chunking, ProviderDouble, RecordedRequest, Reply};
