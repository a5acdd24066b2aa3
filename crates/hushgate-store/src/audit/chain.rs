//! Canonical encoding of audit records and checkpoints, and the chain hash.
//!
//! Encoding (every multi-byte integer big-endian):
//! - a string or byte string: `u32` length, then the bytes;
//! - an integer: `i64`, 8 bytes;
//! - an option: `0x00` for none, or `0x01` then the value;
//! - a list: `u32` count, then the items; a map: `u32` count, then key, value pairs in
//!   ascending key order (a `BTreeMap`'s order).
//!
//! Every field has a fixed position, so no two different records encode to the same bytes,
//! and the encoding does not depend on how the database stores or returns the columns.

use sha2::{Digest, Sha256};

use super::RecordFields;

/// The `prev_hash` of a chain's first record.
pub(crate) const GENESIS: [u8; 32] = [0u8; 32];

const RECORD_DOMAIN: &[u8] = b"hushgate-audit-record-v1";
const CHECKPOINT_DOMAIN: &[u8] = b"hushgate-audit-checkpoint-v1";

struct Enc<'a>(&'a mut Vec<u8>);

impl Enc<'_> {
    fn bytes(&mut self, b: &[u8]) {
        let len = u32::try_from(b.len()).unwrap_or(u32::MAX);
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn int(&mut self, n: i64) {
        self.0.extend_from_slice(&n.to_be_bytes());
    }

    fn count(&mut self, n: usize) {
        self.0
            .extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
    }

    fn opt_str(&mut self, s: &Option<String>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    fn opt_int(&mut self, n: Option<i64>) {
        match n {
            None => self.0.push(0),
            Some(n) => {
                self.0.push(1);
                self.int(n);
            }
        }
    }
}

/// The canonical bytes of record `seq` of a chain whose previous hash is `prev_hash`.
pub(crate) fn encode_record(seq: i64, prev_hash: &[u8], f: &RecordFields) -> Vec<u8> {
    let mut buf = Vec::with_capacity(512);
    let mut e = Enc(&mut buf);
    e.bytes(RECORD_DOMAIN);
    e.str(&f.tenant);
    e.int(seq);
    e.bytes(prev_hash);
    e.int(f.time_us);
    e.opt_str(&f.key_id);
    e.str(&f.request_id);
    e.str(&f.endpoint);
    e.opt_str(&f.model);
    e.opt_str(&f.route);
    e.str(&f.decision);
    e.count(f.reasons.len());
    for r in &f.reasons {
        e.str(r);
    }
    e.count(f.findings.len());
    for (t, n) in &f.findings {
        e.str(t);
        e.int(*n);
    }
    e.count(f.value_hashes.len());
    for (t, h) in &f.value_hashes {
        e.str(t);
        e.str(h);
    }
    e.opt_int(f.prompt_tokens);
    e.opt_int(f.completion_tokens);
    e.int(f.latency_us);
    e.int(f.status);
    e.opt_str(&f.upstream_error);
    e.opt_str(&f.redacted_prompt);
    buf
}

/// SHA-256 of the canonical encoding: the `hash` of record `seq` whose predecessor's hash is
/// `prev_hash`. Public so an external verifier can recompute a chain from an export.
pub fn hash_record(seq: i64, prev_hash: &[u8], fields: &RecordFields) -> [u8; 32] {
    Sha256::digest(encode_record(seq, prev_hash, fields)).into()
}

/// The bytes an Ed25519 checkpoint or anchor signature covers.
pub(crate) fn checkpoint_message(
    kind: &str,
    tenant: &str,
    seq: i64,
    hash: &[u8],
    created_us: i64,
    key_id: &str,
) -> Vec<u8> {
    let mut buf = Vec::with_capacity(128);
    let mut e = Enc(&mut buf);
    e.bytes(CHECKPOINT_DOMAIN);
    e.str(kind);
    e.str(tenant);
    e.int(seq);
    e.bytes(hash);
    e.int(created_us);
    e.str(key_id);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> RecordFields {
        RecordFields {
            tenant: "clinic".into(),
            time_us: 1_700_000_000_000_000,
            key_id: Some("0123456789abcdef".into()),
            request_id: "r1".into(),
            endpoint: "/v1/chat/completions".into(),
            model: Some("gpt-4o-mini".into()),
            route: Some("openai".into()),
            decision: "pseudonymize".into(),
            reasons: vec!["hipaa.phi".into()],
            findings: [("US_SSN".to_string(), 2)].into_iter().collect(),
            value_hashes: vec![("US_SSN".into(), "00".repeat(16))],
            prompt_tokens: Some(10),
            completion_tokens: Some(20),
            latency_us: 1234,
            status: 200,
            upstream_error: None,
            redacted_prompt: None,
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = hash_record(1, &GENESIS, &fields());
        assert_eq!(base, hash_record(1, &GENESIS, &fields()));
        assert_ne!(base, hash_record(2, &GENESIS, &fields()));
        assert_ne!(base, hash_record(1, &[1u8; 32], &fields()));
        let edits: Vec<fn(&mut RecordFields)> = vec![
            |f| f.tenant.push('x'),
            |f| f.time_us += 1,
            |f| f.key_id = None,
            |f| f.request_id.push('x'),
            |f| f.endpoint.push('x'),
            |f| f.model = None,
            |f| f.route = Some("private".into()),
            |f| f.decision = "block".into(),
            |f| f.reasons.push("x".into()),
            |f| {
                f.findings.insert("US_SSN".into(), 3);
            },
            |f| f.value_hashes.clear(),
            |f| f.prompt_tokens = Some(11),
            |f| f.completion_tokens = None,
            |f| f.latency_us += 1,
            |f| f.status = 502,
            |f| f.upstream_error = Some("timeout".into()),
            |f| f.redacted_prompt = Some(String::new()),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut f = fields();
            edit(&mut f);
            assert_ne!(base, hash_record(1, &GENESIS, &f), "edit {i} not hashed");
        }
    }

    #[test]
    fn adjacent_strings_do_not_collide() {
        let mut a = fields();
        a.reasons = vec!["ab".into(), "c".into()];
        let mut b = fields();
        b.reasons = vec!["a".into(), "bc".into()];
        assert_ne!(hash_record(1, &GENESIS, &a), hash_record(1, &GENESIS, &b));
    }
}
