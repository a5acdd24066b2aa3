//! Persisted vault blobs: the redactor's encrypted placeholder maps, kept so a conversation's
//! placeholders can be restored by any replica. The store sees opaque bytes, a tenant and an
//! expiry; encryption and its keys belong to `hushgate-redact`.

use time::OffsetDateTime;

use crate::db::dispatch;
use crate::util::{now_micros, to_micros};
use crate::{Result, Store};

impl Store {
    /// Stores (or replaces) blob `id` of `tenant`, to be forgotten after `expires_at`.
    pub async fn put_vault_blob(
        &self,
        id: &str,
        tenant: &str,
        blob: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        let sql = "INSERT INTO vault_blobs (id, tenant, blob, created_us, expires_us) VALUES ($1, $2, $3, $4, $5) \
                   ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, blob = excluded.blob, \
                     created_us = excluded.created_us, expires_us = excluded.expires_us";
        dispatch!(&self.db, pool => {
            sqlx::query(sql)
                .bind(id).bind(tenant).bind(blob).bind(now_micros()).bind(to_micros(expires_at))
                .execute(pool).await?;
        });
        Ok(())
    }

    /// Blob `id` if it belongs to `tenant` and has not expired.
    pub async fn get_vault_blob(&self, id: &str, tenant: &str) -> Result<Option<Vec<u8>>> {
        let sql = "SELECT blob FROM vault_blobs WHERE id = $1 AND tenant = $2 AND expires_us > $3";
        let blob = dispatch!(&self.db, pool => {
            sqlx::query_scalar::<_, Vec<u8>>(sql)
                .bind(id).bind(tenant).bind(now_micros())
                .fetch_optional(pool).await?
        });
        Ok(blob)
    }

    /// Deletes blob `id` of `tenant`; `false` if there was none.
    pub async fn delete_vault_blob(&self, id: &str, tenant: &str) -> Result<bool> {
        let sql = "DELETE FROM vault_blobs WHERE id = $1 AND tenant = $2";
        let n = dispatch!(&self.db, pool => {
            sqlx::query(sql).bind(id).bind(tenant).execute(pool).await?.rows_affected()
        });
        Ok(n > 0)
    }

    /// Deletes every blob expired at `now`, and rate-limit windows older than two minutes
    /// (which no limiter reads any more); returns how many blobs went. Run it periodically.
    pub async fn purge_expired(&self, now: OffsetDateTime) -> Result<u64> {
        let now_us = to_micros(now);
        let stale_window = now.unix_timestamp() - 120;
        let n = dispatch!(&self.db, pool => {
            let n = sqlx::query("DELETE FROM vault_blobs WHERE expires_us <= $1")
                .bind(now_us).execute(pool).await?.rows_affected();
            sqlx::query("DELETE FROM rate_windows WHERE window_start < $1")
                .bind(stale_window).execute(pool).await?;
            n
        });
        Ok(n)
    }
}
