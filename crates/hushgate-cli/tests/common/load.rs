//! A load generator for the end-to-end tests: chat requests spread over gateway replicas,
//! what each client saw kept for the assertions.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

/// What a client saw; `status` 0 when the request failed in transport (a killed replica).
#[derive(Debug, Clone)]
pub struct Seen {
    pub replica: usize,
    pub status: u16,
    pub request_id: String,
    pub body: Value,
    pub retry_after: Option<String>,
}

/// Sends `n` copies of `body` with `key`, request `i` to replica `i % bases.len()`,
/// `concurrency` at a time in all.
pub async fn load(
    bases: &[String],
    key: &str,
    body: &Value,
    n: usize,
    concurrency: usize,
) -> Vec<Seen> {
    load_counting(bases, key, body, n, concurrency, Arc::default()).await
}

/// [`load`], counting the 200s in `ok` as they arrive.
pub async fn load_counting(
    bases: &[String],
    key: &str,
    body: &Value,
    n: usize,
    concurrency: usize,
    ok: Arc<AtomicUsize>,
) -> Vec<Seen> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let permit = Arc::clone(&gate).acquire_owned().await.unwrap();
        let replica = i % bases.len();
        let url = format!("{}/chat/completions", bases[replica]);
        let (client, key, body, ok) = (
            client.clone(),
            key.to_owned(),
            body.clone(),
            Arc::clone(&ok),
        );
        set.spawn(async move {
            let _permit = permit;
            let Ok(resp) = client.post(url).bearer_auth(&key).json(&body).send().await else {
                return Seen {
                    replica,
                    status: 0,
                    request_id: String::new(),
                    body: Value::Null,
                    retry_after: None,
                };
            };
            let status = resp.status().as_u16();
            if status == 200 {
                ok.fetch_add(1, Ordering::SeqCst);
            }
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let request_id = header("x-request-id").unwrap();
            let retry_after = header("retry-after");
            // The headers are the answer; a body cut by a kill is no body.
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            Seen {
                replica,
                status,
                request_id,
                body,
                retry_after,
            }
        });
    }
    set.join_all().await
}
