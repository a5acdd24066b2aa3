//! Per-minute rate limits that hold across replicas.
//!
//! Fixed one-minute windows: a counter per (scope, minute). The database implementation is
//! one conditional upsert on a `rate_windows` row; the Redis implementation is `INCRBY` +
//! `EXPIRE` in a Lua script (atomic on the server). Both refuse without counting, so a client
//! hammering a limited key does not push its own window further out. A scope is a caller-chosen
//! string, by convention `rpm:key:<id>` or `tpm:key:<id>`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionManager;

use crate::db::dispatch;
use crate::util::{to_i64, to_u64};
use crate::{Result, Store};

/// Windows are kept this long in Redis: the current minute plus slack for clock skew.
const REDIS_TTL_SECS: u64 = 120;

/// KEYS[1] window counter; ARGV: cost, limit, ttl. Returns {allowed, count}.
const ACQUIRE_LUA: &str = r"
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if n > tonumber(ARGV[2]) then
  n = redis.call('DECRBY', KEYS[1], ARGV[1])
  return {0, n}
end
return {1, n}
";

/// KEYS[1] window counter; ARGV: delta, ttl. Returns the new count.
const ADD_LUA: &str = r"
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return n
";

/// The answer to [`Limiter::acquire`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateDecision {
    /// Counted.
    Allowed {
        /// Units used in the current minute, including this one.
        used: u64,
        /// Units left in the current minute.
        remaining: u64,
    },
    /// Over the limit; nothing was counted. Retry when the window turns.
    Limited {
        /// Until the current window ends (at least one second): the `retry-after` header.
        retry_after: Duration,
    },
}

/// A rate limiter shared by every replica: the store's database, or Redis when
/// `[limits] redis_url` is set. Cheap to clone.
#[derive(Clone)]
pub struct Limiter(Inner);

#[derive(Clone)]
enum Inner {
    Database(Store),
    Redis {
        conn: ConnectionManager,
        acquire: redis::Script,
        add: redis::Script,
    },
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Inner::Database(_) => "Limiter(database)",
            Inner::Redis { .. } => "Limiter(redis)",
        })
    }
}

struct Window {
    start: i64,
    retry_after: Duration,
}

fn current_window() -> Window {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let start = secs - secs % 60;
    let end = Duration::from_secs(start + 60);
    Window {
        start: to_i64(start),
        retry_after: end.saturating_sub(now).max(Duration::from_secs(1)),
    }
}

impl Limiter {
    /// Limits kept in the store's database (`rate_windows`).
    pub fn database(store: Store) -> Limiter {
        Limiter(Inner::Database(store))
    }

    /// Limits kept in Redis at `url` (`redis://host:port/db`). The connection reconnects by
    /// itself; while Redis is down, calls fail within about a second (and the gateway fails
    /// closed) rather than queueing behind retries.
    pub async fn redis(url: &str) -> Result<Limiter> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500))
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_millis(500)));
        let conn = client.get_connection_manager_with_config(config).await?;
        Ok(Limiter(Inner::Redis {
            conn,
            acquire: redis::Script::new(ACQUIRE_LUA),
            add: redis::Script::new(ADD_LUA),
        }))
    }

    /// Counts `cost` units in `scope`'s current minute if that keeps it within `limit`.
    pub async fn acquire(&self, scope: &str, cost: u64, limit: u64) -> Result<RateDecision> {
        let w = current_window();
        if cost > limit {
            return Ok(RateDecision::Limited {
                retry_after: w.retry_after,
            });
        }
        let counted: Option<u64> = match &self.0 {
            Inner::Database(store) => {
                let sql = "INSERT INTO rate_windows (scope, window_start, hits) VALUES ($1, $2, $3) \
                           ON CONFLICT (scope, window_start) DO UPDATE SET hits = rate_windows.hits + excluded.hits \
                           WHERE rate_windows.hits + excluded.hits <= $4 \
                           RETURNING hits";
                let hits: Option<i64> = dispatch!(&store.db, pool => {
                    sqlx::query_scalar(sql)
                        .bind(scope).bind(w.start).bind(to_i64(cost)).bind(to_i64(limit))
                        .fetch_optional(pool).await?
                });
                hits.map(to_u64)
            }
            Inner::Redis { conn, acquire, .. } => {
                let mut conn = conn.clone();
                let (ok, n): (i64, i64) = acquire
                    .key(redis_key(scope, w.start))
                    .arg(cost)
                    .arg(limit)
                    .arg(REDIS_TTL_SECS)
                    .invoke_async(&mut conn)
                    .await?;
                (ok == 1).then_some(to_u64(n))
            }
        };
        Ok(match counted {
            Some(used) => RateDecision::Allowed {
                used,
                remaining: limit.saturating_sub(used),
            },
            None => RateDecision::Limited {
                retry_after: w.retry_after,
            },
        })
    }

    /// Adds `delta` units to `scope`'s current minute without a limit (e.g. the tokens of a
    /// response, known only once it is done); returns the new count.
    pub async fn add(&self, scope: &str, delta: i64) -> Result<u64> {
        let w = current_window();
        let n: i64 = match &self.0 {
            Inner::Database(store) => {
                let sql = "INSERT INTO rate_windows (scope, window_start, hits) VALUES ($1, $2, $3) \
                           ON CONFLICT (scope, window_start) DO UPDATE SET hits = rate_windows.hits + excluded.hits \
                           RETURNING hits";
                dispatch!(&store.db, pool => {
                    sqlx::query_scalar(sql)
                        .bind(scope).bind(w.start).bind(delta)
                        .fetch_one(pool).await?
                })
            }
            Inner::Redis { conn, add, .. } => {
                let mut conn = conn.clone();
                add.key(redis_key(scope, w.start))
                    .arg(delta)
                    .arg(REDIS_TTL_SECS)
                    .invoke_async(&mut conn)
                    .await?
            }
        };
        Ok(to_u64(n))
    }
}

fn redis_key(scope: &str, window_start: i64) -> String {
    format!("hushgate:rate:{scope}:{window_start}")
}
