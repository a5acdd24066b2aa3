//! `verify`: walk every tenant's chain and every signature; stop at the first bad record.

use std::collections::BTreeMap;
use std::fmt;

use futures::TryStreamExt;

use super::chain::{GENESIS, hash_record};
use super::sign::SignatureCheck;
use super::{
    CHECKPOINT_COLUMNS, CheckpointRow, KIND_ANCHOR, RECORD_COLUMNS, StoredRecord, VerifyingKeys,
    read_checkpoint, read_record,
};
use crate::db::{Begin, dispatch};
use crate::{Error, Result, Store};

/// What is wrong at the place a [`Tamper`] names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TamperKind {
    /// The record's content does not hash to its stored hash: a field was edited.
    HashMismatch,
    /// The record's `prev_hash` is not the previous record's hash: a record before it was
    /// edited and rehashed, or rows were reordered.
    BrokenLink,
    /// Records `from..=to` are missing before this one (deleted, and not by a purge).
    Missing {
        /// First missing seq.
        from: i64,
        /// Last missing seq.
        to: i64,
    },
    /// This record was written after the record that follows it in the chain: it was inserted.
    Inserted,
    /// Two rows claim this seq.
    DuplicateSeq,
    /// The record lies in the range a signed purge anchor says was deleted.
    BeforeAnchor {
        /// The anchor's seq.
        anchor_seq: i64,
    },
    /// A column does not parse.
    Unreadable {
        /// The column.
        column: &'static str,
    },
    /// The chain is self-consistent but disagrees with a signed checkpoint at this seq: a
    /// record in `since..=seq` was edited and every later hash recomputed.
    CheckpointMismatch {
        /// The checkpoint's row id.
        checkpoint_id: i64,
        /// First seq after the previous matching checkpoint (or the chain start).
        since: i64,
    },
    /// The chain ends at `last_seq` but was signed (or its head row says it reached) `signed_seq`:
    /// the tail was deleted.
    Truncated {
        /// The last record present.
        last_seq: i64,
        /// The seq a checkpoint (or the head row) vouches for.
        signed_seq: i64,
        /// The checkpoint's row id, or `None` when the unsigned head row gave it away.
        checkpoint_id: Option<i64>,
    },
    /// A checkpoint or anchor's signature does not verify.
    BadSignature {
        /// The checkpoint's row id.
        checkpoint_id: i64,
    },
    /// A checkpoint was signed by a key not in the verifying set.
    UnknownKey {
        /// The checkpoint's row id.
        checkpoint_id: i64,
        /// The key id it names.
        key_id: String,
    },
}

/// The first bad record (or checkpoint) `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tamper {
    /// The tenant whose chain is broken.
    pub tenant: String,
    /// The record's (or checkpoint's) seq.
    pub seq: Option<i64>,
    /// The record's row id, when a row is at fault.
    pub record_id: Option<i64>,
    /// What is wrong.
    pub kind: TamperKind,
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tenant `{}`", self.tenant)?;
        match (self.seq, self.record_id) {
            (Some(s), Some(id)) => write!(f, ", record seq {s} (id {id})")?,
            (Some(s), None) => write!(f, ", seq {s}")?,
            (None, Some(id)) => write!(f, ", record id {id}")?,
            (None, None) => {}
        }
        f.write_str(": ")?;
        match &self.kind {
            TamperKind::HashMismatch => f.write_str("content does not match its hash (edited)"),
            TamperKind::BrokenLink => f.write_str(
                "prev_hash does not match the previous record (a record before it was edited and rehashed, or rows were reordered)",
            ),
            TamperKind::Missing { from, to } if from == to => {
                write!(f, "record seq {from} before it is missing (deleted)")
            }
            TamperKind::Missing { from, to } => {
                write!(f, "records seq {from}..={to} before it are missing (deleted)")
            }
            TamperKind::Inserted => f.write_str(
                "written after the record that follows it in the chain (inserted)",
            ),
            TamperKind::DuplicateSeq => f.write_str("another record has the same seq (inserted)"),
            TamperKind::BeforeAnchor { anchor_seq } => write!(
                f,
                "present although the signed purge anchor says records up to seq {anchor_seq} were deleted (inserted)"
            ),
            TamperKind::Unreadable { column } => write!(f, "column `{column}` does not parse (edited)"),
            TamperKind::CheckpointMismatch { checkpoint_id, since } => write!(
                f,
                "differs from signed checkpoint id {checkpoint_id}: a record in seq {since}..= this one was edited and the chain rehashed"
            ),
            TamperKind::Truncated { last_seq, signed_seq, checkpoint_id } => {
                write!(f, "missing: the chain ends at seq {last_seq} but ")?;
                match checkpoint_id {
                    Some(id) => write!(f, "signed checkpoint id {id} covers seq {signed_seq}")?,
                    None => write!(f, "its head row says seq {signed_seq}")?,
                }
                f.write_str(" (tail truncated)")
            }
            TamperKind::BadSignature { checkpoint_id } => {
                write!(f, "checkpoint id {checkpoint_id} has an invalid signature")
            }
            TamperKind::UnknownKey { checkpoint_id, key_id } => write!(
                f,
                "checkpoint id {checkpoint_id} is signed by unknown key {key_id} (add the retired public key to verify it)"
            ),
        }
    }
}

/// One tenant's chain, as verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    /// The tenant.
    pub tenant: String,
    /// Records present.
    pub records: u64,
    /// The first seq present, if any record is.
    pub first_seq: Option<i64>,
    /// The last seq present (the purge anchor's when nothing is left after it, 0 if empty).
    pub last_seq: i64,
    /// The seq of the purge anchor, if the chain was purged.
    pub anchor_seq: Option<i64>,
    /// The highest seq covered by a valid signature.
    pub last_signed_seq: Option<i64>,
    /// Records after the last signed checkpoint: protected against edits by the chain, but
    /// their deletion from the tail would not be detected until the next checkpoint.
    pub unsigned_tail: i64,
}

/// What `verify` checked when everything held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// One entry per tenant, by name.
    pub chains: Vec<ChainReport>,
    /// Checkpoint and anchor signatures verified.
    pub signatures: u64,
}

impl VerifyReport {
    /// Records verified across every chain.
    pub fn records(&self) -> u64 {
        self.chains.iter().map(|c| c.records).sum()
    }
}

/// Walks one tenant's records in seq order; backend-independent.
struct Walker<'a> {
    tenant: &'a str,
    /// Valid checkpoints by seq: (row id, hash).
    signed: BTreeMap<i64, Vec<(i64, Vec<u8>)>>,
    anchor: Option<(i64, i64)>,
    max_signed: Option<(i64, i64)>,
    expect_seq: i64,
    prev_hash: Vec<u8>,
    prev: Option<(i64, i64)>,
    pending: Option<StoredRecord>,
    last_matching_checkpoint: i64,
    records: u64,
    first_seq: Option<i64>,
    signatures: u64,
}

impl<'a> Walker<'a> {
    fn new(tenant: &'a str, checkpoints: &[CheckpointRow], keys: &VerifyingKeys) -> Result<Self> {
        let mut w = Walker {
            tenant,
            signed: BTreeMap::new(),
            anchor: None,
            max_signed: None,
            expect_seq: 1,
            prev_hash: GENESIS.to_vec(),
            prev: None,
            pending: None,
            last_matching_checkpoint: 0,
            records: 0,
            first_seq: None,
            signatures: 0,
        };
        let mut anchor_hash = None;
        for cp in checkpoints {
            let kind = match keys.check(cp) {
                SignatureCheck::Good => None,
                SignatureCheck::Bad => Some(TamperKind::BadSignature {
                    checkpoint_id: cp.id,
                }),
                SignatureCheck::UnknownKey => Some(TamperKind::UnknownKey {
                    checkpoint_id: cp.id,
                    key_id: cp.key_id.clone(),
                }),
            };
            if let Some(kind) = kind {
                return Err(w.tamper(Some(cp.seq), None, kind));
            }
            w.signatures += 1;
            if w.max_signed.is_none_or(|(s, _)| cp.seq > s) {
                w.max_signed = Some((cp.seq, cp.id));
            }
            if cp.kind == KIND_ANCHOR && w.anchor.is_none_or(|(s, _)| cp.seq > s) {
                w.anchor = Some((cp.seq, cp.id));
                anchor_hash = Some(cp.hash.clone());
            }
            w.signed
                .entry(cp.seq)
                .or_default()
                .push((cp.id, cp.hash.clone()));
        }
        if let (Some((seq, _)), Some(hash)) = (w.anchor, anchor_hash) {
            w.expect_seq = seq + 1;
            w.prev_hash = hash;
            w.last_matching_checkpoint = seq;
        }
        Ok(w)
    }

    fn tamper(&self, seq: Option<i64>, record_id: Option<i64>, kind: TamperKind) -> Error {
        Error::Tampered(Box::new(Tamper {
            tenant: self.tenant.to_owned(),
            seq,
            record_id,
            kind,
        }))
    }

    /// Takes the next record in (seq, id) order. Each record is checked once its successor is
    /// known, so a record written after its successor can be named as inserted.
    fn record(
        &mut self,
        r: std::result::Result<StoredRecord, (i64, i64, &'static str)>,
    ) -> Result<()> {
        let next_id = r.as_ref().map_or_else(|(id, _, _)| *id, |r| r.id);
        if let Some(p) = self.pending.take() {
            self.check(p, Some(next_id))?;
        }
        match r {
            Ok(r) => {
                self.pending = Some(r);
                Ok(())
            }
            Err((id, seq, column)) => {
                Err(self.tamper(Some(seq), Some(id), TamperKind::Unreadable { column }))
            }
        }
    }

    fn check(&mut self, r: StoredRecord, next_id: Option<i64>) -> Result<()> {
        let mut problem = if self.prev.is_some_and(|(s, _)| s == r.seq) {
            Some(TamperKind::DuplicateSeq)
        } else if r.seq < self.expect_seq {
            let anchor_seq = self.anchor.map_or(0, |(s, _)| s);
            Some(TamperKind::BeforeAnchor { anchor_seq })
        } else if r.seq > self.expect_seq {
            Some(TamperKind::Missing {
                from: self.expect_seq,
                to: r.seq - 1,
            })
        } else if r.prev_hash != self.prev_hash {
            Some(TamperKind::BrokenLink)
        } else if hash_record(r.seq, &r.prev_hash, &r.fields).as_slice() != r.hash.as_slice() {
            Some(TamperKind::HashMismatch)
        } else {
            self.signed.get(&r.seq).and_then(|cps| {
                cps.iter().find(|(_, h)| *h != r.hash).map(|(id, _)| {
                    TamperKind::CheckpointMismatch {
                        checkpoint_id: *id,
                        since: self.last_matching_checkpoint + 1,
                    }
                })
            })
        };
        // A well-formed record that was written after its successor was slipped in: say so
        // rather than "differs from a checkpoint" (or nothing, past the last checkpoint).
        let inserted = next_id.is_some_and(|next| next < r.id);
        if inserted && matches!(problem, None | Some(TamperKind::CheckpointMismatch { .. })) {
            problem = Some(TamperKind::Inserted);
        }
        if let Some(kind) = problem {
            return Err(self.tamper(Some(r.seq), Some(r.id), kind));
        }
        if self.signed.contains_key(&r.seq) {
            self.last_matching_checkpoint = r.seq;
        }
        self.records += 1;
        self.first_seq.get_or_insert(r.seq);
        self.expect_seq = r.seq + 1;
        self.prev = Some((r.seq, r.id));
        self.prev_hash = r.hash;
        Ok(())
    }

    fn finish(mut self, head_seq: Option<i64>) -> Result<ChainReport> {
        if let Some(p) = self.pending.take() {
            self.check(p, None)?;
        }
        let last_seq = self.expect_seq - 1;
        if let Some((signed_seq, checkpoint_id)) = self.max_signed.filter(|(s, _)| *s > last_seq) {
            return Err(self.tamper(
                Some(last_seq + 1),
                None,
                TamperKind::Truncated {
                    last_seq,
                    signed_seq,
                    checkpoint_id: Some(checkpoint_id),
                },
            ));
        }
        if let Some(head) = head_seq.filter(|h| *h > last_seq) {
            return Err(self.tamper(
                Some(last_seq + 1),
                None,
                TamperKind::Truncated {
                    last_seq,
                    signed_seq: head,
                    checkpoint_id: None,
                },
            ));
        }
        let last_signed_seq = self.max_signed.map(|(s, _)| s);
        Ok(ChainReport {
            tenant: self.tenant.to_owned(),
            records: self.records,
            first_seq: self.first_seq,
            last_seq,
            anchor_seq: self.anchor.map(|(s, _)| s),
            last_signed_seq,
            unsigned_tail: last_seq - last_signed_seq.unwrap_or(0),
        })
    }
}

const TENANTS_SQL: &str = "SELECT tenant FROM audit_heads \
     UNION SELECT tenant FROM audit_records \
     UNION SELECT tenant FROM audit_checkpoints ORDER BY 1";

impl Store {
    /// Walks every tenant's chain and checks every checkpoint and anchor signature against
    /// `keys`, in one consistent snapshot (appends may continue meanwhile).
    ///
    /// On the first edited, deleted, inserted, reordered or truncated record, returns
    /// [`Error::Tampered`] naming it; otherwise a report per chain. Truncation of the tail is
    /// detected up to the last signed checkpoint (and, while the head row is intact, beyond).
    pub async fn verify_audit(&self, keys: &VerifyingKeys) -> Result<VerifyReport> {
        let records_sql = format!(
            "SELECT {RECORD_COLUMNS} FROM audit_records WHERE tenant = $1 ORDER BY seq, id"
        );
        let checkpoints_sql = format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints WHERE tenant = $1 ORDER BY seq, id"
        );
        let mut report = VerifyReport::default();
        dispatch!(&self.db, pool => {
            let mut tx = pool.begin_snapshot().await?;
            let tenants: Vec<String> = sqlx::query_scalar(TENANTS_SQL).fetch_all(&mut *tx).await?;
            for tenant in &tenants {
                let rows = sqlx::query(&checkpoints_sql).bind(tenant).fetch_all(&mut *tx).await?;
                let mut checkpoints = Vec::with_capacity(rows.len());
                for row in &rows {
                    checkpoints.push(read_checkpoint!(row));
                }
                let head: Option<i64> =
                    sqlx::query_scalar("SELECT seq FROM audit_heads WHERE tenant = $1")
                        .bind(tenant)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut walker = Walker::new(tenant, &checkpoints, keys)?;
                let mut stream = sqlx::query(&records_sql).bind(tenant).fetch(&mut *tx);
                while let Some(row) = stream.try_next().await? {
                    walker.record(read_record!(&row))?;
                }
                drop(stream);
                report.signatures += walker.signatures;
                report.chains.push(walker.finish(head)?);
            }
            tx.rollback().await?;
        });
        Ok(report)
    }
}
