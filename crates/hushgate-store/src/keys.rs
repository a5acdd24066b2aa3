//! Tenants and API keys.
//!
//! A key is `hg_` + a 16-hex-digit key id + `_` + 64 hex digits of secret (256 bits from the
//! OS). Only SHA-256 of the whole key is stored: with that much entropy a fast hash is as good
//! as a slow one, and it keeps authentication to one indexed lookup by id plus one hash.

use std::fmt;

use sha2::{Digest, Sha256};
use sqlx::Row;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::db::dispatch;
use crate::label::Label;
use crate::util::{from_micros, now_micros, random_bytes};
use crate::{Error, Result, Store};

const PREFIX: &str = "hg_";
const ID_HEX: usize = 16;
const SECRET_HEX: usize = 64;
const KEY_LEN: usize = PREFIX.len() + ID_HEX + 1 + SECRET_HEX;

/// The public identifier of an API key: safe to log, to show, and to put in audit records.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct KeyId(String);

impl KeyId {
    /// Parses a key id as shown by `list_keys` (16 lowercase hex digits).
    pub fn parse(s: &str) -> Result<KeyId> {
        if s.len() == ID_HEX && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(KeyId(s.to_owned()))
        } else {
            Err(Error::invalid("key id", "expected 16 lowercase hex digits"))
        }
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A freshly created API key: returned once by [`Store::create_key`], never stored.
/// `Debug` and `Display` show only the key id.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key, to hand to the client once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.0.get(..PREFIX.len() + ID_HEX).unwrap_or_default();
        write!(f, "ApiKey({id}…)")
    }
}

/// What the store knows about a key: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id (also embedded in the key).
    pub id: KeyId,
    /// The tenant the key belongs to.
    pub tenant: String,
    /// A human label given at creation ("billing app").
    pub label: Option<String>,
    /// When the key was created.
    pub created_at: OffsetDateTime,
    /// When the key was revoked; a revoked key no longer authenticates.
    pub revoked_at: Option<OffsetDateTime>,
}

/// Splits `hg_<id>_<secret>` into its id, checking the shape without branching on secret bytes.
fn parse_key(presented: &str) -> Option<KeyId> {
    let b = presented.as_bytes();
    if b.len() != KEY_LEN || !presented.starts_with(PREFIX) || b[PREFIX.len() + ID_HEX] != b'_' {
        return None;
    }
    KeyId::parse(presented.get(PREFIX.len()..PREFIX.len() + ID_HEX)?).ok()
}

fn key_hash(presented: &str) -> [u8; 32] {
    Sha256::digest(presented.as_bytes()).into()
}

impl Store {
    /// Records a tenant if it is not known yet (idempotent). Tenants come from configuration;
    /// the store keeps their names so keys and usage can refer to them.
    pub async fn ensure_tenant(&self, name: &str) -> Result<()> {
        Label::new(name).map_err(|_| {
            Error::invalid(
                "tenant",
                "names are 1-128 printable ASCII characters without spaces",
            )
        })?;
        let sql =
            "INSERT INTO tenants (name, created_us) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
        dispatch!(&self.db, pool => {
            sqlx::query(sql).bind(name).bind(now_micros()).execute(pool).await?;
        });
        Ok(())
    }

    /// Every known tenant, by name.
    pub async fn list_tenants(&self) -> Result<Vec<String>> {
        let sql = "SELECT name FROM tenants ORDER BY name";
        let names = dispatch!(&self.db, pool => {
            sqlx::query_scalar::<_, String>(sql).fetch_all(pool).await?
        });
        Ok(names)
    }

    /// Creates a key for `tenant` (recording the tenant if new). The returned [`ApiKey`] is
    /// the only copy: show it once.
    pub async fn create_key(&self, tenant: &str, label: Option<&str>) -> Result<(KeyInfo, ApiKey)> {
        self.ensure_tenant(tenant).await?;
        let id = KeyId(hex::encode(random_bytes::<{ ID_HEX / 2 }>()?));
        let key = ApiKey(format!(
            "{PREFIX}{}_{}",
            id.0,
            hex::encode(random_bytes::<{ SECRET_HEX / 2 }>()?)
        ));
        let created = now_micros();
        let sql = "INSERT INTO api_keys (id, tenant, label, key_hash, created_us) VALUES ($1, $2, $3, $4, $5)";
        dispatch!(&self.db, pool => {
            sqlx::query(sql)
                .bind(id.as_str())
                .bind(tenant)
                .bind(label)
                .bind(key_hash(key.expose()).to_vec())
                .bind(created)
                .execute(pool)
                .await?;
        });
        let info = KeyInfo {
            id,
            tenant: tenant.to_owned(),
            label: label.map(str::to_owned),
            created_at: from_micros(created),
            revoked_at: None,
        };
        Ok((info, key))
    }

    /// Keys, newest first; all tenants when `tenant` is `None`. Revoked keys are included.
    pub async fn list_keys(&self, tenant: Option<&str>) -> Result<Vec<KeyInfo>> {
        let sql = "SELECT id, tenant, label, created_us, revoked_us FROM api_keys \
                   WHERE ($1 IS NULL OR tenant = $1) ORDER BY created_us DESC, id";
        let keys = dispatch!(&self.db, pool => {
            let rows = sqlx::query(sql).bind(tenant).fetch_all(pool).await?;
            rows.iter()
                .map(|r| -> Result<KeyInfo> {
                    Ok(KeyInfo {
                        id: KeyId(r.try_get("id")?),
                        tenant: r.try_get("tenant")?,
                        label: r.try_get("label")?,
                        created_at: from_micros(r.try_get("created_us")?),
                        revoked_at: r.try_get::<Option<i64>, _>("revoked_us")?.map(from_micros),
                    })
                })
                .collect::<Result<Vec<_>>>()?
        });
        Ok(keys)
    }

    /// Revokes a key; `false` if no such key or it was already revoked.
    pub async fn revoke_key(&self, id: &KeyId) -> Result<bool> {
        let sql = "UPDATE api_keys SET revoked_us = $1 WHERE id = $2 AND revoked_us IS NULL";
        let n = dispatch!(&self.db, pool => {
            sqlx::query(sql).bind(now_micros()).bind(id.as_str()).execute(pool).await?.rows_affected()
        });
        Ok(n == 1)
    }

    /// The key behind an `Authorization: Bearer …` value, if it is a live key.
    ///
    /// The row is found by the key id embedded in the key (ids are not secret); the stored
    /// hash is compared in constant time, so response timing does not reveal how much of a
    /// guessed secret was right. Malformed, unknown and revoked keys all give `None`.
    pub async fn authenticate(&self, presented: &str) -> Result<Option<KeyInfo>> {
        let Some(id) = parse_key(presented) else {
            return Ok(None);
        };
        let sql =
            "SELECT tenant, label, key_hash, created_us, revoked_us FROM api_keys WHERE id = $1";
        let row = dispatch!(&self.db, pool => {
            match sqlx::query(sql).bind(id.as_str()).fetch_optional(pool).await? {
                None => None,
                Some(r) => Some((
                    r.try_get::<String, _>("tenant")?,
                    r.try_get::<Option<String>, _>("label")?,
                    r.try_get::<Vec<u8>, _>("key_hash")?,
                    r.try_get::<i64, _>("created_us")?,
                    r.try_get::<Option<i64>, _>("revoked_us")?,
                )),
            }
        });
        let presented_hash = key_hash(presented);
        let Some((tenant, label, stored, created, revoked)) = row else {
            // Same work as a hit, so an unknown id costs what a known one does.
            let _ = presented_hash.ct_eq(&[0u8; 32]);
            return Ok(None);
        };
        if !bool::from(presented_hash.as_slice().ct_eq(stored.as_slice())) || revoked.is_some() {
            return Ok(None);
        }
        Ok(Some(KeyInfo {
            id,
            tenant,
            label,
            created_at: from_micros(created),
            revoked_at: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shape() {
        let k = format!("hg_0123456789abcdef_{}", "ab".repeat(32));
        assert_eq!(parse_key(&k).unwrap().as_str(), "0123456789abcdef");
        assert!(parse_key(&k[..k.len() - 1]).is_none());
        assert!(parse_key(&k.replace("hg_", "hx_")).is_none());
        assert!(parse_key(&k.replacen('_', "-", 2)).is_none());
        assert!(parse_key("").is_none());
        // Multi-byte characters across the id boundary must not panic.
        let tricky = format!("hg_0123456789abcdeÿ{}", "a".repeat(64));
        assert_eq!(tricky.len(), KEY_LEN);
        assert!(parse_key(&tricky).is_none());
        let shown = format!("{:?}", ApiKey(k.clone()));
        assert_eq!(shown, "ApiKey(hg_0123456789abcdef…)");
    }
}
