//! The audit trail: one record per request, hash-chained per tenant, checkpoints signed with
//! Ed25519. See ARCHITECTURE.md ("hushgate-store") for the chain design.

mod chain;
mod purge;
mod query;
mod sign;
mod verify;
mod writer;

use std::collections::BTreeMap;
use std::time::Duration;

use hushgate_types::EntityType;
use serde::Serialize;
use time::OffsetDateTime;

use crate::correlate::ValueHash;
use crate::keys::KeyId;
use crate::label::{Label, RedactedPrompt};
use crate::util::{to_i64, to_micros};

pub use chain::hash_record;
pub use purge::PurgeReport;
pub use query::{AuditFilter, AuditStats, ExportFormat, StatsRow};
pub use sign::{AuditSigner, VerifyingKeys};
pub use verify::{ChainReport, Tamper, TamperKind, VerifyReport};
pub use writer::{Appended, AuditOptions, AuditWriter};

/// The `decision` of an outcome record: what became of a forwarded request
/// (status, tokens, latency, upstream error), written after its decision
/// record and sharing its `request_id`.
pub const OUTCOME_DECISION: &str = "outcome";

/// The `status` of a decision record written before forwarding: the outcome
/// record that follows holds the real one.
pub const FORWARDED_STATUS: i64 = 0;

/// Token counts reported by the provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenUsage {
    /// Prompt (input) tokens.
    pub prompt_tokens: u64,
    /// Completion (output) tokens.
    pub completion_tokens: u64,
}

/// What the gateway records about one request.
///
/// Every field is a [`Label`] (a short identifier without spaces), a number, a count, an entity
/// type or a keyed hash. The one field that can hold text is `redacted_prompt`, which takes a
/// [`RedactedPrompt`] and is `None` unless the tenant opted in. There is no field for a raw
/// prompt, a raw answer or a detected value.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    /// When the request arrived.
    pub time: OffsetDateTime,
    /// The tenant; each tenant has its own chain.
    pub tenant: Label,
    /// The API key's id (never the key); `None` when no key was presented or it was unknown.
    pub key_id: Option<KeyId>,
    /// The gateway's request id (also in the response's `x-request-id`).
    pub request_id: Label,
    /// The endpoint called, e.g. `/v1/chat/completions`.
    pub endpoint: Label,
    /// The model alias the client asked for, if it is a configured alias.
    pub model: Option<Label>,
    /// Where the request went: the provider name, or `None` if it went nowhere.
    pub route: Option<Label>,
    /// The policy decision, e.g. `forward`, `pseudonymize`, `route_private`, `block`.
    pub decision: Label,
    /// Rule ids behind the decision, in the order the policy gave them.
    pub reasons: Vec<Label>,
    /// How many findings of each type the request held.
    pub findings: BTreeMap<EntityType, u32>,
    /// Keyed hashes of the detected values, from [`crate::CorrelationKey::hash`].
    pub value_hashes: Vec<ValueHash>,
    /// Tokens used, when the provider reported them.
    pub usage: Option<TokenUsage>,
    /// Time from arrival to the last byte sent.
    pub latency: Duration,
    /// The HTTP status returned to the client.
    pub status: u16,
    /// A class of upstream failure (`timeout`, `connect`, `status_5xx`, …), if any.
    pub upstream_error: Option<Label>,
    /// The prompt after redaction; only for tenants that store it (off by default).
    pub redacted_prompt: Option<RedactedPrompt>,
}

impl AuditRecord {
    /// A record stamped now, with no findings, usage or route, status 200.
    pub fn new(tenant: Label, request_id: Label, endpoint: Label, decision: Label) -> AuditRecord {
        AuditRecord {
            time: OffsetDateTime::now_utc(),
            tenant,
            key_id: None,
            request_id,
            endpoint,
            model: None,
            route: None,
            decision,
            reasons: Vec::new(),
            findings: BTreeMap::new(),
            value_hashes: Vec::new(),
            usage: None,
            latency: Duration::ZERO,
            status: 200,
            upstream_error: None,
            redacted_prompt: None,
        }
    }

    pub(crate) fn to_fields(&self) -> RecordFields {
        let label = |l: &Option<Label>| l.as_ref().map(|l| l.as_str().to_owned());
        RecordFields {
            tenant: self.tenant.as_str().to_owned(),
            time_us: to_micros(self.time),
            key_id: self.key_id.as_ref().map(|k| k.as_str().to_owned()),
            request_id: self.request_id.as_str().to_owned(),
            endpoint: self.endpoint.as_str().to_owned(),
            model: label(&self.model),
            route: label(&self.route),
            decision: self.decision.as_str().to_owned(),
            reasons: self.reasons.iter().map(|r| r.as_str().to_owned()).collect(),
            findings: self
                .findings
                .iter()
                .map(|(t, n)| (t.as_str().to_owned(), i64::from(*n)))
                .collect(),
            value_hashes: self
                .value_hashes
                .iter()
                .map(|h| (h.entity.as_str().to_owned(), hex::encode(h.digest)))
                .collect(),
            prompt_tokens: self.usage.map(|u| to_i64(u.prompt_tokens)),
            completion_tokens: self.usage.map(|u| to_i64(u.completion_tokens)),
            latency_us: i64::try_from(self.latency.as_micros()).unwrap_or(i64::MAX),
            status: i64::from(self.status),
            upstream_error: label(&self.upstream_error),
            redacted_prompt: self.redacted_prompt.as_ref().map(|p| p.as_str().to_owned()),
        }
    }
}

/// An audit record's content exactly as stored: the input of the chain hash
/// ([`hash_record`]), of exports and of stats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordFields {
    /// Tenant name.
    pub tenant: String,
    /// Request time, microseconds since the Unix epoch.
    pub time_us: i64,
    /// API key id.
    pub key_id: Option<String>,
    /// Request id.
    pub request_id: String,
    /// Endpoint.
    pub endpoint: String,
    /// Requested model alias.
    pub model: Option<String>,
    /// Route taken.
    pub route: Option<String>,
    /// Decision.
    pub decision: String,
    /// Rule ids.
    pub reasons: Vec<String>,
    /// Findings per entity type name.
    pub findings: BTreeMap<String, i64>,
    /// (entity type name, hex HMAC) pairs.
    pub value_hashes: Vec<(String, String)>,
    /// Prompt tokens.
    pub prompt_tokens: Option<i64>,
    /// Completion tokens.
    pub completion_tokens: Option<i64>,
    /// Latency in microseconds.
    pub latency_us: i64,
    /// HTTP status.
    pub status: i64,
    /// Upstream error class.
    pub upstream_error: Option<String>,
    /// Redacted prompt, if stored.
    pub redacted_prompt: Option<String>,
}

/// A record read back, with its place in its tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// Row id (insertion order across all tenants).
    pub id: i64,
    /// Position in the tenant's chain, from 1.
    pub seq: i64,
    /// Hash of the previous record (32 zero bytes for seq 1).
    pub prev_hash: Vec<u8>,
    /// This record's hash.
    pub hash: Vec<u8>,
    /// The content.
    pub fields: RecordFields,
}

/// Every column of `audit_records`, in the order [`read_record!`] reads them.
pub(crate) const RECORD_COLUMNS: &str = "id, tenant, seq, prev_hash, hash, time_us, key_id, \
    request_id, endpoint, model, route, decision, reasons, findings, value_hashes, \
    prompt_tokens, completion_tokens, latency_us, status, upstream_error, redacted_prompt";

/// The three list-valued fields are stored as JSON text.
pub(crate) struct JsonColumns {
    pub reasons: String,
    pub findings: String,
    pub value_hashes: String,
}

impl RecordFields {
    pub(crate) fn json_columns(&self) -> JsonColumns {
        JsonColumns {
            reasons: serde_json::to_string(&self.reasons).unwrap_or_default(),
            findings: serde_json::to_string(&self.findings).unwrap_or_default(),
            value_hashes: serde_json::to_string(&self.value_hashes).unwrap_or_default(),
        }
    }
}

/// The parsed JSON columns: reasons, findings, value hashes.
pub(crate) type ParsedJson = (Vec<String>, BTreeMap<String, i64>, Vec<(String, String)>);

/// Parses the JSON columns of a row; the error names the column (for `verify`).
pub(crate) fn parse_json_columns(
    reasons: &str,
    findings: &str,
    value_hashes: &str,
) -> Result<ParsedJson, &'static str> {
    Ok((
        serde_json::from_str(reasons).map_err(|_| "reasons")?,
        serde_json::from_str(findings).map_err(|_| "findings")?,
        serde_json::from_str(value_hashes).map_err(|_| "value_hashes")?,
    ))
}

/// Reads one `audit_records` row (selected with [`RECORD_COLUMNS`]) into
/// `Result<StoredRecord, (id, seq, bad column)>`; `?` applies to column decoding.
macro_rules! read_record {
    ($r:expr) => {{
        use sqlx::Row as _;
        let r = $r;
        let id: i64 = r.try_get("id")?;
        let seq: i64 = r.try_get("seq")?;
        let reasons: String = r.try_get("reasons")?;
        let findings: String = r.try_get("findings")?;
        let value_hashes: String = r.try_get("value_hashes")?;
        match $crate::audit::parse_json_columns(&reasons, &findings, &value_hashes) {
            Err(column) => Err((id, seq, column)),
            Ok((reasons, findings, value_hashes)) => Ok($crate::audit::StoredRecord {
                id,
                seq,
                prev_hash: r.try_get("prev_hash")?,
                hash: r.try_get("hash")?,
                fields: $crate::audit::RecordFields {
                    tenant: r.try_get("tenant")?,
                    time_us: r.try_get("time_us")?,
                    key_id: r.try_get("key_id")?,
                    request_id: r.try_get("request_id")?,
                    endpoint: r.try_get("endpoint")?,
                    model: r.try_get("model")?,
                    route: r.try_get("route")?,
                    decision: r.try_get("decision")?,
                    reasons,
                    findings,
                    value_hashes,
                    prompt_tokens: r.try_get("prompt_tokens")?,
                    completion_tokens: r.try_get("completion_tokens")?,
                    latency_us: r.try_get("latency_us")?,
                    status: r.try_get("status")?,
                    upstream_error: r.try_get("upstream_error")?,
                    redacted_prompt: r.try_get("redacted_prompt")?,
                },
            }),
        }
    }};
}
pub(crate) use read_record;

/// A checkpoint or purge anchor as stored.
#[derive(Clone, Debug)]
pub(crate) struct CheckpointRow {
    pub id: i64,
    pub tenant: String,
    pub kind: String,
    pub seq: i64,
    pub hash: Vec<u8>,
    pub created_us: i64,
    pub key_id: String,
    pub signature: Vec<u8>,
}

pub(crate) const CHECKPOINT_COLUMNS: &str =
    "id, tenant, kind, seq, hash, created_us, key_id, signature";

macro_rules! read_checkpoint {
    ($r:expr) => {{
        use sqlx::Row as _;
        let r = $r;
        $crate::audit::CheckpointRow {
            id: r.try_get("id")?,
            tenant: r.try_get("tenant")?,
            kind: r.try_get("kind")?,
            seq: r.try_get("seq")?,
            hash: r.try_get("hash")?,
            created_us: r.try_get("created_us")?,
            key_id: r.try_get("key_id")?,
            signature: r.try_get("signature")?,
        }
    }};
}
pub(crate) use read_checkpoint;

/// Checkpoint kinds (part of the signed message).
pub(crate) const KIND_CHECKPOINT: &str = "checkpoint";
pub(crate) const KIND_ANCHOR: &str = "anchor";
