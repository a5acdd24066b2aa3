use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{Error, Result};

/// Expands `$body` once per backend with `$pool` bound to that backend's pool and `$DB` to its
/// `sqlx::Database` type, so one piece of generic `sqlx` code serves both.
macro_rules! dispatch {
    ($db:expr, $pool:ident, $DB:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                #[allow(dead_code)]
                type $DB = sqlx::Sqlite;
                $body
            }
            $crate::db::Db::Postgres($pool) => {
                #[allow(dead_code)]
                type $DB = sqlx::Postgres;
                $body
            }
        }
    };
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use dispatch;

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One local file (WAL mode): a single gateway process.
    Sqlite,
    /// A PostgreSQL server shared by several gateway replicas.
    Postgres,
}

/// SQLite's `synchronous` setting, the durability/latency trade-off of a commit in WAL mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// A commit survives a crash of the process (`kill -9`), not of the machine: the WAL is
    /// written at commit and synced at checkpoints. SQLite's recommended setting for WAL.
    #[default]
    Normal,
    /// A commit also survives power loss: the WAL is synced at every commit.
    Full,
}

/// Connection settings; [`StoreOptions::default`] suits a gateway.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Pool size.
    pub max_connections: u32,
    /// How long to wait for a pooled connection before failing (and so failing closed).
    pub acquire_timeout: Duration,
    /// SQLite only: how long a writer waits for another writer's lock.
    pub busy_timeout: Duration,
    /// SQLite only: commit durability.
    pub synchronous: Synchronous,
    /// Apply the embedded migrations on connect.
    pub migrate: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
            synchronous: Synchronous::Normal,
            migrate: true,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The storage handle: clone it freely, every clone shares one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…` and applies the
    /// embedded migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// [`Store::connect`] with explicit settings.
    pub async fn connect_with(url: &str, opts: &StoreOptions) -> Result<Store> {
        let scheme = url.split(':').next().unwrap_or_default();
        let db = match scheme {
            "sqlite" => {
                let connect = SqliteConnectOptions::from_str(url)?;
                if !is_memory(url) {
                    create_private(connect.get_filename());
                }
                let connect = connect
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(opts.busy_timeout)
                    .foreign_keys(true)
                    // Checkpoints run beside the writers (see `checkpoint_beside`), not
                    // inside whichever commit crosses 1,000 WAL pages: that commit used to
                    // take ~10 ms, the p99 of every request.
                    .pragma("wal_autocheckpoint", "0")
                    .synchronous(match opts.synchronous {
                        Synchronous::Normal => SqliteSynchronous::Normal,
                        Synchronous::Full => SqliteSynchronous::Full,
                    });
                let pool = SqlitePoolOptions::new()
                    .max_connections(opts.max_connections)
                    .acquire_timeout(opts.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                if opts.migrate {
                    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                }
                checkpoint_beside(pool.clone());
                Db::Sqlite(pool)
            }
            "postgres" | "postgresql" => {
                let connect = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(opts.max_connections)
                    .acquire_timeout(opts.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                if opts.migrate {
                    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                }
                Db::Postgres(pool)
            }
            other => {
                return Err(Error::UnsupportedUrl {
                    scheme: other.chars().take(32).collect(),
                });
            }
        };
        Ok(Store { db })
    }

    /// Which backend this store uses.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// One round trip to the database: for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        dispatch!(&self.db, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes the pool; on SQLite the last connection to close checkpoints the WAL into the
    /// database file. Later calls on any clone fail.
    pub async fn close(&self) {
        dispatch!(&self.db, pool => pool.close().await);
    }
}

/// Creates a missing database file readable by its owner only (SQLite gives the `-wal` and
/// `-shm` files the same mode): the trail holds keyed hashes and key ids, the store API key
/// hashes. An existing file keeps its mode.
fn create_private(path: &std::path::Path) {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    // An existing file keeps its mode; a missing directory and the like are left for SQLite
    // to report, as it does.
    let _ = open.open(path);
}

/// `sqlite::memory:` and `sqlite://:memory:`, and URI forms with `mode=memory`.
fn is_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

/// Copies the WAL into the database file every 200 ms on a connection of its own
/// (`PASSIVE`: never waits for, nor blocks, writers or readers), until the pool closes.
/// Commits then only append to the WAL.
fn checkpoint_beside(pool: SqlitePool) {
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    handle.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            // A failed checkpoint is retried at the next tick; the WAL only grows meanwhile.
            let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await;
        }
    });
}

/// How each backend opens a transaction for the audit chain.
pub(crate) trait Begin {
    type Db: sqlx::Database;

    /// A transaction that takes the write lock at once (SQLite: `BEGIN IMMEDIATE`, so a
    /// reader never has to upgrade and deadlock; PostgreSQL locks rows as it goes).
    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Db>>;

    /// A read-only snapshot: every statement sees the same state (SQLite's WAL read
    /// transaction; PostgreSQL's `REPEATABLE READ`).
    async fn begin_snapshot(&self) -> sqlx::Result<sqlx::Transaction<'static, Self::Db>>;
}

impl Begin for SqlitePool {
    type Db = sqlx::Sqlite;

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }

    async fn begin_snapshot(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.begin().await
    }
}

impl Begin for PgPool {
    type Db = sqlx::Postgres;

    async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin().await
    }

    async fn begin_snapshot(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
    }
}
