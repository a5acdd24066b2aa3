//! The audit record of one request, filled in as the request goes.
//!
//! A request that is answered without being forwarded (a bad request, a
//! limit, a policy block) gets one record with its final status. A request
//! that is forwarded gets its *decision record* first — appended and
//! committed before the first byte goes upstream (fail closed when that is
//! impossible, unless the tenant opted out) with `status = 0` meaning
//! "forwarded, outcome follows" — and an *outcome record* with the same
//! request id once the answer is complete: status, tokens, latency,
//! upstream error class, decision `outcome`. Records hold labels, counts
//! and keyed hashes only.

use std::collections::BTreeMap;
use std::time::Instant;

use hushgate_store::{AuditRecord, AuditWriter, KeyId, Label, TokenUsage, ValueHash};
use hushgate_types::EntityType;
use serde_json::Value;

use hushgate_store::OUTCOME_DECISION as OUTCOME;

/// What is known of a request so far.
#[derive(Debug, Clone)]
pub struct Trail {
    pub tenant: String,
    pub key_id: Option<KeyId>,
    pub request_id: String,
    pub endpoint: &'static str,
    pub started: Instant,
    pub model: Option<String>,
    pub route: Option<String>,
    pub decision: Option<&'static str>,
    pub reasons: Vec<String>,
    pub findings: BTreeMap<EntityType, usize>,
    pub value_hashes: Vec<ValueHash>,
    /// The decision record was written: errors from here on are outcomes.
    pub decided: bool,
}

impl Trail {
    pub fn new(tenant: &str, key_id: KeyId, request_id: &str, endpoint: &'static str) -> Trail {
        Trail {
            tenant: tenant.to_owned(),
            key_id: Some(key_id),
            request_id: request_id.to_owned(),
            endpoint,
            started: Instant::now(),
            model: None,
            route: None,
            decision: None,
            reasons: Vec::new(),
            findings: BTreeMap::new(),
            value_hashes: Vec::new(),
            decided: false,
        }
    }

    /// Rule ids from a decision's serialized reasons.
    pub fn set_reasons(&mut self, reasons: &Value) {
        self.reasons = reasons
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("rule").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
        self.reasons.dedup();
    }

    /// The record of the request as decided (or refused, with `status`).
    pub fn decision_record(&self, status: u16) -> Option<AuditRecord> {
        let decision = self.decision.unwrap_or("rejected");
        let mut r = self.base(decision)?;
        r.findings = self
            .findings
            .iter()
            .map(|(t, n)| (t.clone(), u32::try_from(*n).unwrap_or(u32::MAX)))
            .collect();
        r.value_hashes.clone_from(&self.value_hashes);
        r.reasons = self.reasons.iter().filter_map(|s| label(s)).collect();
        r.status = status;
        Some(r)
    }

    /// The outcome of a forwarded request.
    pub fn outcome_record(
        &self,
        status: u16,
        usage: Option<&Value>,
        upstream_error: Option<&str>,
    ) -> Option<AuditRecord> {
        let mut r = self.base(OUTCOME)?;
        r.status = status;
        r.usage = usage.map(|u| TokenUsage {
            prompt_tokens: u.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0),
            completion_tokens: u
                .get("completion_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(0),
        });
        r.upstream_error = upstream_error.and_then(label);
        Some(r)
    }

    fn base(&self, decision: &str) -> Option<AuditRecord> {
        let mut r = AuditRecord::new(
            label(&self.tenant)?,
            label(&self.request_id)?,
            label(self.endpoint)?,
            label(decision)?,
        );
        r.key_id.clone_from(&self.key_id);
        r.model = self.model.as_deref().and_then(label);
        r.route = self.route.as_deref().and_then(label);
        r.latency = self.started.elapsed();
        Some(r)
    }
}

fn label(s: &str) -> Option<Label> {
    Label::new(s).ok()
}

/// Work left running after a response (outcome records, usage
/// corrections), counted so a graceful stop can wait for it before the
/// audit writer closes.
#[derive(Clone, Default)]
pub struct Background(std::sync::Arc<(std::sync::atomic::AtomicUsize, tokio::sync::Notify)>);

impl Background {
    pub fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        use std::sync::atomic::Ordering;
        let this = self.clone();
        this.0.0.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            work.await;
            if this.0.0.fetch_sub(1, Ordering::SeqCst) == 1 {
                this.0.1.notify_waiters();
            }
        });
    }

    /// Waits until nothing is running, or `limit` has passed.
    pub async fn idle(&self, limit: std::time::Duration) {
        use std::sync::atomic::Ordering;
        let wait = async {
            loop {
                let notified = self.0.1.notified();
                if self.0.0.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }

    /// Appends an outcome record in the background (the decision record is
    /// already durable), logging only labels on failure.
    pub fn append(&self, writer: &AuditWriter, record: Option<AuditRecord>) {
        let Some(record) = record else {
            return;
        };
        let writer = writer.clone();
        self.spawn(async move {
            if let Err(e) = writer.append(record).await {
                tracing::error!(error = %e, "audit append failed");
            }
        });
    }
}
