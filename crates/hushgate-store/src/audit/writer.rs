//! Group commit: one task owns the append path, batches whatever appends are waiting into one
//! transaction, and answers each append only after that transaction committed.
//!
//! There is no timer in the batching: while one batch commits, the next one accumulates, so
//! a lone request pays one commit and a burst shares them. Per tenant, the transaction locks
//! the chain-head row (an upsert on `audit_heads`), so replicas appending to one tenant on
//! PostgreSQL serialize there and the chain stays linear; tenants are locked in name order,
//! so two replicas never wait on each other in a cycle.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::chain::{GENESIS, hash_record};
use super::{AuditRecord, AuditSigner, KIND_CHECKPOINT, RecordFields};
use crate::db::{Begin, dispatch};
use crate::util::now_micros;
use crate::{Error, Result, Store};

/// Rows per `INSERT` statement: 20 columns each stays under both backends' bind limits.
const INSERT_CHUNK: usize = 400;

pub(crate) const LOCK_HEAD_SQL: &str = "INSERT INTO audit_heads (tenant, seq, hash) VALUES ($1, 0, $2) \
     ON CONFLICT (tenant) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash";
pub(crate) const INSERT_CHECKPOINT_SQL: &str = "INSERT INTO audit_checkpoints \
     (tenant, kind, seq, hash, created_us, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const UPDATE_HEAD_SQL: &str =
    "UPDATE audit_heads SET seq = $1, hash = $2 WHERE tenant = $3";
pub(crate) const LAST_SIGNED_SQL: &str = "SELECT MAX(seq) FROM audit_checkpoints WHERE tenant = $1";
/// Followed by `VALUES` rows of 20 columns each.
const INSERT_RECORDS_SQL: &str = "INSERT INTO audit_records (tenant, seq, prev_hash, hash, \
     time_us, key_id, request_id, endpoint, model, route, decision, reasons, findings, \
     value_hashes, prompt_tokens, completion_tokens, latency_us, status, upstream_error, \
     redacted_prompt) ";

/// How the writer batches and how often it signs.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Most records committed in one transaction.
    pub max_batch: usize,
    /// Appends waiting beyond this many make callers wait (back-pressure).
    pub queue_capacity: usize,
    /// A tenant's chain head is signed at most this often while records arrive, and this
    /// long after its last record at the latest; zero signs at every commit. Records after
    /// the last checkpoint are protected by the chain against edits, but their deletion from
    /// the tail is only detectable once a checkpoint covers them.
    pub checkpoint_interval: Duration,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            max_batch: 512,
            queue_capacity: 8192,
            checkpoint_interval: Duration::from_secs(1),
        }
    }
}

/// Where an appended record landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The tenant's chain.
    pub tenant: String,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The record's hash.
    pub hash: [u8; 32],
}

enum Msg {
    Append(Box<RecordFields>, oneshot::Sender<Result<Appended>>),
    Checkpoint(oneshot::Sender<Result<()>>),
    Close(oneshot::Sender<Result<()>>),
}

/// The append side of the audit trail. Clone it into every request handler.
///
/// Dropping every clone, or [`AuditWriter::close`], signs the final heads and stops the task.
#[derive(Clone, Debug)]
pub struct AuditWriter {
    tx: mpsc::Sender<Msg>,
}

impl AuditWriter {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store, signer: AuditSigner, opts: AuditOptions) -> AuditWriter {
        let (tx, rx) = mpsc::channel(opts.queue_capacity.max(1));
        let task = Task {
            store,
            signer,
            max_batch: opts.max_batch.max(1),
            schedule: Schedule::new(opts.checkpoint_interval),
        };
        tokio::spawn(task.run(rx));
        AuditWriter { tx }
    }

    /// Appends `record` to its tenant's chain. Resolves once the record is committed (durable
    /// before the caller forwards the request); an error means it was **not** stored, and
    /// external forwarding should fail closed.
    pub async fn append(&self, record: AuditRecord) -> Result<Appended> {
        let fields = Box::new(record.to_fields());
        ask(&self.tx, |reply| Msg::Append(fields, reply)).await
    }

    /// Signs every chain head this writer advanced since its last checkpoint, now.
    pub async fn checkpoint(&self) -> Result<()> {
        ask(&self.tx, Msg::Checkpoint).await
    }

    /// Commits what is queued, signs the final heads and stops the writer; later appends on
    /// any clone fail with [`Error::Closed`].
    pub async fn close(&self) -> Result<()> {
        ask(&self.tx, Msg::Close).await
    }
}

/// Sends the writer task a message carrying a reply channel and waits for the reply.
async fn ask<T>(
    tx: &mpsc::Sender<Msg>,
    msg: impl FnOnce(oneshot::Sender<Result<T>>) -> Msg,
) -> Result<T> {
    let (reply, answer) = oneshot::channel();
    tx.send(msg(reply)).await.map_err(|_| Error::Closed)?;
    answer.await.map_err(|_| Error::Closed)?
}

/// When each tenant's chain head is due for signing.
#[derive(Debug)]
struct Schedule {
    interval: Duration,
    /// When this writer last signed each tenant's head.
    last_checkpoint: HashMap<String, Instant>,
    /// Tenants this writer advanced since it last signed them.
    dirty: BTreeSet<String>,
    /// After a failed idle checkpoint, no retry before this.
    backoff_until: Option<Instant>,
}

impl Schedule {
    pub fn new(interval: Duration) -> Schedule {
        Schedule {
            interval,
            last_checkpoint: HashMap::new(),
            dirty: BTreeSet::new(),
            backoff_until: None,
        }
    }

    pub fn is_due(&self, tenant: &str, now: Instant) -> bool {
        self.last_checkpoint
            .get(tenant)
            .is_none_or(|t| now.duration_since(*t) >= self.interval)
    }

    /// The dirty tenants whose heads are due.
    pub fn due(&self, now: Instant) -> Vec<String> {
        self.dirty
            .iter()
            .filter(|t| self.is_due(t, now))
            .cloned()
            .collect()
    }

    pub fn dirty(&self) -> Vec<String> {
        self.dirty.iter().cloned().collect()
    }

    /// When the next idle checkpoint is due, if any head is unsigned.
    pub fn next_deadline(&self) -> Option<Instant> {
        let due = self
            .dirty
            .iter()
            .map(|t| match self.last_checkpoint.get(t) {
                Some(at) => *at + self.interval,
                None => Instant::now(),
            })
            .min()?;
        Some(self.backoff_until.map_or(due, |b| b.max(due)))
    }

    /// Of the tenants in a batch, those whose heads the batch's transaction signs.
    pub fn to_sign<'a>(
        &self,
        tenants: impl Iterator<Item = &'a str>,
        now: Instant,
    ) -> BTreeSet<&'a str> {
        tenants.filter(|t| self.is_due(t, now)).collect()
    }

    /// After a committed batch: signed heads are clean, the others dirty.
    pub fn committed<'a>(
        &mut self,
        tenants: impl Iterator<Item = &'a str>,
        signed: &BTreeSet<&str>,
        now: Instant,
    ) {
        for tenant in tenants {
            if signed.contains(tenant) {
                self.last_checkpoint.insert(tenant.to_owned(), now);
                self.dirty.remove(tenant);
            } else {
                self.dirty.insert(tenant.to_owned());
            }
        }
    }

    /// After a checkpoint of `tenants`: successful, or (`ok = false`) to be retried later.
    pub fn signed(&mut self, tenants: &[String], ok: bool) {
        let now = Instant::now();
        if !ok {
            self.backoff_until = Some(now + Duration::from_secs(1));
            return;
        }
        self.backoff_until = None;
        for t in tenants {
            self.dirty.remove(t);
            self.last_checkpoint.insert(t.clone(), now);
        }
    }
}

struct Task {
    store: Store,
    signer: AuditSigner,
    max_batch: usize,
    schedule: Schedule,
}

impl Task {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        loop {
            let first = match self.schedule.next_deadline() {
                None => rx.recv().await,
                Some(deadline) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(msg) => msg,
                    Err(_) => {
                        // Idle: sign the heads that are due. On failure they stay dirty and
                        // the next deadline retries; explicit `checkpoint()` reports errors.
                        let due = self.schedule.due(Instant::now());
                        let _ = self.checkpoint(&due).await;
                        continue;
                    }
                },
            };
            let Some(first) = first else {
                let _ = self.checkpoint(&self.schedule.dirty()).await;
                return;
            };

            let mut appends = Vec::new();
            let mut controls = Vec::new();
            let mut msg = Some(first);
            while let Some(m) = msg.take() {
                match m {
                    Msg::Append(fields, reply) => appends.push((fields, reply)),
                    other => controls.push(other),
                }
                if appends.len() < self.max_batch {
                    msg = rx.try_recv().ok();
                }
            }

            if !appends.is_empty() {
                let fields: Vec<&RecordFields> = appends.iter().map(|(f, _)| &**f).collect();
                let done = self.commit(&fields).await;
                reply_all(appends.into_iter().map(|(_, r)| r), done);
            }

            for control in controls {
                let dirty = self.schedule.dirty();
                match control {
                    Msg::Checkpoint(reply) => {
                        let _ = reply.send(self.checkpoint(&dirty).await);
                    }
                    Msg::Close(reply) => {
                        rx.close();
                        // Appends that were queued behind the close are refused.
                        while let Ok(m) = rx.try_recv() {
                            if let Msg::Append(_, r) = m {
                                let _ = r.send(Err(Error::Closed));
                            }
                        }
                        let _ = reply.send(self.checkpoint(&dirty).await);
                        return;
                    }
                    Msg::Append(..) => {}
                }
            }
        }
    }

    /// One transaction: extend each tenant's chain, sign the heads that are due.
    async fn commit(&mut self, batch: &[&RecordFields]) -> Result<Vec<Appended>> {
        let now = Instant::now();
        let by_tenant = by_tenant(batch);
        let sign = self.schedule.to_sign(by_tenant.keys().copied(), now);
        let mut out: Vec<Option<Appended>> = vec![None; batch.len()];

        dispatch!(&self.store.db, pool, DB => {
            let mut tx = pool.begin_write().await?;
            for (tenant, idxs) in &by_tenant {
                let head = sqlx::query(LOCK_HEAD_SQL)
                    .bind(*tenant)
                    .bind(GENESIS.to_vec())
                    .fetch_one(&mut *tx)
                    .await?;
                let rows = extend_chain(
                    tenant,
                    idxs,
                    head.try_get("seq")?,
                    head.try_get("hash")?,
                    batch,
                    &mut out,
                );
                for chunk in rows.chunks(INSERT_CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<DB>::new(INSERT_RECORDS_SQL);
                    qb.push_values(chunk, |mut b, row| {
                        let f = batch[row.index];
                        let json = f.json_columns();
                        b.push_bind(f.tenant.clone())
                            .push_bind(row.seq)
                            .push_bind(row.prev_hash.clone())
                            .push_bind(row.hash.to_vec())
                            .push_bind(f.time_us)
                            .push_bind(f.key_id.clone())
                            .push_bind(f.request_id.clone())
                            .push_bind(f.endpoint.clone())
                            .push_bind(f.model.clone())
                            .push_bind(f.route.clone())
                            .push_bind(f.decision.clone())
                            .push_bind(json.reasons)
                            .push_bind(json.findings)
                            .push_bind(json.value_hashes)
                            .push_bind(f.prompt_tokens)
                            .push_bind(f.completion_tokens)
                            .push_bind(f.latency_us)
                            .push_bind(f.status)
                            .push_bind(f.upstream_error.clone())
                            .push_bind(f.redacted_prompt.clone());
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                let Some(head) = rows.last() else {
                    continue;
                };
                sqlx::query(UPDATE_HEAD_SQL)
                    .bind(head.seq)
                    .bind(head.hash.to_vec())
                    .bind(*tenant)
                    .execute(&mut *tx)
                    .await?;
                if sign.contains(tenant) {
                    let created = now_micros();
                    sqlx::query(INSERT_CHECKPOINT_SQL)
                        .bind(*tenant)
                        .bind(KIND_CHECKPOINT)
                        .bind(head.seq)
                        .bind(head.hash.to_vec())
                        .bind(created)
                        .bind(self.signer.key_id())
                        .bind(self.signer.sign(KIND_CHECKPOINT, tenant, head.seq, &head.hash, created))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
        });

        self.schedule
            .committed(by_tenant.keys().copied(), &sign, now);
        Ok(out.into_iter().flatten().collect())
    }

    /// Signs the current heads of `tenants` (skipping heads already signed) in one transaction.
    async fn checkpoint(&mut self, tenants: &[String]) -> Result<()> {
        if tenants.is_empty() {
            return Ok(());
        }
        let result = checkpoint_heads(&self.store, &self.signer, tenants).await;
        self.schedule.signed(tenants, result.is_ok());
        result
    }
}

/// A batch's record indexes per tenant, tenants in name order (the lock order: two writers
/// never wait on each other in a cycle).
fn by_tenant<'a>(batch: &[&'a RecordFields]) -> BTreeMap<&'a str, Vec<usize>> {
    let mut by_tenant: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in batch.iter().enumerate() {
        by_tenant.entry(f.tenant.as_str()).or_default().push(i);
    }
    by_tenant
}

/// Answers each append of a batch: its place in the chain, or the batch's shared error.
fn reply_all(
    replies: impl Iterator<Item = oneshot::Sender<Result<Appended>>>,
    done: Result<Vec<Appended>>,
) {
    match done {
        Ok(done) => {
            for (reply, appended) in replies.zip(done) {
                let _ = reply.send(Ok(appended));
            }
        }
        Err(e) => {
            let e = Arc::new(e);
            for reply in replies {
                let _ = reply.send(Err(Error::AuditUnavailable(e.clone())));
            }
        }
    }
}

/// A row to insert: the record at `index` of the batch, at `seq` in its tenant's chain.
struct ChainRow {
    pub index: usize,
    pub seq: i64,
    pub prev_hash: Vec<u8>,
    pub hash: [u8; 32],
}

/// Chains the records at `idxs` of `batch` after the tenant's head (`seq`, `prev`), in order,
/// and fills their `out` slots; the new head is the last row's (seq, hash).
fn extend_chain(
    tenant: &str,
    idxs: &[usize],
    mut seq: i64,
    mut prev: Vec<u8>,
    batch: &[&RecordFields],
    out: &mut [Option<Appended>],
) -> Vec<ChainRow> {
    let mut rows = Vec::with_capacity(idxs.len());
    for &index in idxs {
        seq += 1;
        let hash = hash_record(seq, &prev, batch[index]);
        let prev_hash = std::mem::replace(&mut prev, hash.to_vec());
        out[index] = Some(Appended {
            tenant: tenant.to_owned(),
            seq,
            hash,
        });
        rows.push(ChainRow {
            index,
            seq,
            prev_hash,
            hash,
        });
    }
    rows
}

/// Tenant names in lock order, once each.
fn sorted_unique(tenants: &[String]) -> Vec<&str> {
    let mut sorted: Vec<&str> = tenants.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
}

/// Signs the chain heads of `tenants` that no checkpoint covers yet, under the head locks.
pub(crate) async fn checkpoint_heads(
    store: &Store,
    signer: &AuditSigner,
    tenants: &[String],
) -> Result<()> {
    dispatch!(&store.db, pool => {
        let mut tx = pool.begin_write().await?;
        for tenant in sorted_unique(tenants) {
            let head = sqlx::query(LOCK_HEAD_SQL)
                .bind(tenant)
                .bind(GENESIS.to_vec())
                .fetch_one(&mut *tx)
                .await?;
            let seq: i64 = head.try_get("seq")?;
            let hash: Vec<u8> = head.try_get("hash")?;
            let signed: Option<i64> = sqlx::query_scalar(LAST_SIGNED_SQL)
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await?;
            if seq == 0 || signed.is_some_and(|s| s >= seq) {
                continue;
            }
            let created = now_micros();
            sqlx::query(INSERT_CHECKPOINT_SQL)
                .bind(tenant)
                .bind(KIND_CHECKPOINT)
                .bind(seq)
                .bind(hash.clone())
                .bind(created)
                .bind(signer.key_id())
                .bind(signer.sign(KIND_CHECKPOINT, tenant, seq, &hash, created))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}
