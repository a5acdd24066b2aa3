//! Retention: delete old records behind a signed anchor.
//!
//! For each tenant, the cut is placed at the newest signed checkpoint whose seq lies before
//! the first record that must be kept (time >= cutoff). Records up to that seq are deleted,
//! checkpoints before it too, and a new signed *anchor* (kind `anchor`) records "this chain
//! legitimately starts after seq N, whose hash was H". `verify` then starts the walk from the
//! anchor, and still detects any deletion that an attacker without the signing key makes.
//! Records a little older than the cutoff may stay (up to one checkpoint interval); records
//! newer than it are never deleted.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

use super::chain::GENESIS;
use super::sign::SignatureCheck;
use super::writer::{INSERT_CHECKPOINT_SQL, LOCK_HEAD_SQL};
use super::{AuditSigner, CHECKPOINT_COLUMNS, KIND_ANCHOR, read_checkpoint};
use crate::db::{Begin, dispatch};
use crate::util::{now_micros, to_micros};
use crate::{Error, Result, Store};

/// What a purge removed, per tenant that lost records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// (tenant, records deleted, seq of the new anchor).
    pub chains: Vec<(String, u64, i64)>,
}

impl PurgeReport {
    /// Records deleted across every chain.
    pub fn deleted(&self) -> u64 {
        self.chains.iter().map(|(_, n, _)| n).sum()
    }
}

impl Store {
    /// Deletes audit records older than `older_than`, keeping every chain verifiable by
    /// anchoring it on a signed checkpoint (see the module docs). Run `verify_audit` first:
    /// a purge destroys the evidence in the part it deletes.
    pub async fn purge_audit(
        &self,
        older_than: OffsetDateTime,
        signer: &AuditSigner,
    ) -> Result<PurgeReport> {
        let cutoff = to_micros(older_than);
        let keys = signer.verifying_keys();
        let checkpoint_sql = format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM audit_checkpoints \
             WHERE tenant = $1 AND seq < $2 ORDER BY seq DESC, id DESC LIMIT 1"
        );
        let mut report = PurgeReport::default();
        dispatch!(&self.db, pool => {
            let tenants: Vec<String> =
                sqlx::query_scalar("SELECT tenant FROM audit_heads ORDER BY tenant")
                    .fetch_all(pool)
                    .await?;
            for tenant in tenants {
                let mut tx = pool.begin_write().await?;
                let head = sqlx::query(LOCK_HEAD_SQL)
                    .bind(&tenant)
                    .bind(GENESIS.to_vec())
                    .fetch_one(&mut *tx)
                    .await?;
                let head_seq: i64 = head.try_get("seq")?;
                let keep_from: Option<i64> = sqlx::query_scalar(
                    "SELECT MIN(seq) FROM audit_records WHERE tenant = $1 AND time_us >= $2",
                )
                .bind(&tenant)
                .bind(cutoff)
                .fetch_one(&mut *tx)
                .await?;
                let keep_from = keep_from.unwrap_or(head_seq + 1);
                let Some(row) = sqlx::query(&checkpoint_sql)
                    .bind(&tenant)
                    .bind(keep_from)
                    .fetch_optional(&mut *tx)
                    .await?
                else {
                    tx.rollback().await?;
                    continue;
                };
                let cp = read_checkpoint!(&row);
                if cp.kind == KIND_ANCHOR {
                    // Already cut here.
                    tx.rollback().await?;
                    continue;
                }
                if cp.key_id == signer.key_id() && keys.check(&cp) != SignatureCheck::Good {
                    return Err(Error::invalid(
                        "audit purge",
                        format!("checkpoint id {} of tenant `{tenant}` has an invalid signature: run verify", cp.id),
                    ));
                }
                let stored: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT hash FROM audit_records WHERE tenant = $1 AND seq = $2",
                )
                .bind(&tenant)
                .bind(cp.seq)
                .fetch_optional(&mut *tx)
                .await?;
                if stored.is_some_and(|h| h != cp.hash) {
                    return Err(Error::invalid(
                        "audit purge",
                        format!("tenant `{tenant}` record seq {} differs from its signed checkpoint: run verify", cp.seq),
                    ));
                }
                let deleted = sqlx::query("DELETE FROM audit_records WHERE tenant = $1 AND seq <= $2")
                    .bind(&tenant)
                    .bind(cp.seq)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                sqlx::query("DELETE FROM audit_checkpoints WHERE tenant = $1 AND seq < $2")
                    .bind(&tenant)
                    .bind(cp.seq)
                    .execute(&mut *tx)
                    .await?;
                let created = now_micros();
                sqlx::query(INSERT_CHECKPOINT_SQL)
                    .bind(&tenant)
                    .bind(KIND_ANCHOR)
                    .bind(cp.seq)
                    .bind(cp.hash.clone())
                    .bind(created)
                    .bind(signer.key_id())
                    .bind(signer.sign(KIND_ANCHOR, &tenant, cp.seq, &cp.hash, created))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                report.chains.push((tenant, deleted, cp.seq));
            }
        });
        Ok(report)
    }
}
