//! Test databases: a temp SQLite file, or a fresh schema on the PostgreSQL server named by
//! `HUSHGATE_TEST_POSTGRES_URL` (tests on PostgreSQL skip only when it is unset). Each
//! PostgreSQL test gets its own schema, dropped when the `TestDb` drops (also on panic).

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hushgate_store::{
    AuditOptions, AuditRecord, AuditSigner, AuditWriter, Label, RecordFields, Store, StoreOptions,
};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use tempfile::TempDir;

pub const PG_ENV: &str = "HUSHGATE_TEST_POSTGRES_URL";
pub const REDIS_ENV: &str = "HUSHGATE_TEST_REDIS_URL";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{nanos:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

pub enum Kind {
    Sqlite {
        dir: TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        base: String,
        schema: String,
    },
}

pub struct TestDb {
    pub url: String,
    pub kind: Kind,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hushgate.db");
        TestDb {
            url: format!("sqlite://{}", path.display()),
            kind: Kind::Sqlite { dir, path },
        }
    }

    /// `None` (and a note on stderr) when the environment variable is unset.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(base) = std::env::var(PG_ENV) else {
            eprintln!("skipped: {PG_ENV} is not set");
            return None;
        };
        let schema = unique("hg_test");
        let admin = PgPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(TestDb {
            url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
            kind: Kind::Postgres { base, schema },
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.kind, Kind::Postgres { .. })
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.unwrap()
    }

    pub async fn store_with(&self, opts: &StoreOptions) -> Store {
        Store::connect_with(&self.url, opts).await.unwrap()
    }

    /// A connection that bypasses the store, as an attacker with database access would.
    pub async fn raw(&self) -> Raw {
        match &self.kind {
            Kind::Sqlite { .. } => Raw::Sqlite(SqlitePool::connect(&self.url).await.unwrap()),
            Kind::Postgres { .. } => Raw::Postgres(PgPool::connect(&self.url).await.unwrap()),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Kind::Postgres { base, schema } = &self.kind {
            let (base, schema) = (base.clone(), schema.clone());
            // Drop runs outside any runtime we may block on: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) = PgPool::connect(&base).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .execute(&admin)
                            .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Raw {
    pub async fn exec(&self, sql: &str) {
        match self {
            Raw::Sqlite(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
            Raw::Postgres(p) => {
                sqlx::query(sql).execute(p).await.unwrap();
            }
        }
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        match self {
            Raw::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Raw::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    pub async fn bytes(&self, sql: &str) -> Vec<u8> {
        match self {
            Raw::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Raw::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }

    /// Inserts a record row with every column given (ids are assigned by the database).
    pub async fn insert_record(&self, seq: i64, prev: &[u8], hash: &[u8], f: &RecordFields) {
        let sql = "INSERT INTO audit_records (tenant, seq, prev_hash, hash, time_us, key_id, \
            request_id, endpoint, model, route, decision, reasons, findings, value_hashes, \
            prompt_tokens, completion_tokens, latency_us, status, upstream_error, redacted_prompt) \
            VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)";
        macro_rules! run {
            ($p:expr) => {
                sqlx::query(sql)
                    .bind(&f.tenant)
                    .bind(seq)
                    .bind(prev)
                    .bind(hash)
                    .bind(f.time_us)
                    .bind(&f.key_id)
                    .bind(&f.request_id)
                    .bind(&f.endpoint)
                    .bind(&f.model)
                    .bind(&f.route)
                    .bind(&f.decision)
                    .bind(serde_json::to_string(&f.reasons).unwrap())
                    .bind(serde_json::to_string(&f.findings).unwrap())
                    .bind(serde_json::to_string(&f.value_hashes).unwrap())
                    .bind(f.prompt_tokens)
                    .bind(f.completion_tokens)
                    .bind(f.latency_us)
                    .bind(f.status)
                    .bind(&f.upstream_error)
                    .bind(&f.redacted_prompt)
                    .execute($p)
                    .await
                    .unwrap()
            };
        }
        match self {
            Raw::Sqlite(p) => {
                run!(p);
            }
            Raw::Postgres(p) => {
                run!(p);
            }
        }
    }

    /// Every row of every table, as text: what `pg_dump --data-only` would hold.
    pub async fn pg_dump_text(&self, schema: &str) -> String {
        let Raw::Postgres(p) = self else {
            panic!("not postgres")
        };
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
        )
        .bind(schema)
        .fetch_all(p)
        .await
        .unwrap();
        assert!(tables.len() >= 7, "{tables:?}");
        let mut dump = String::new();
        for t in tables {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT t::text FROM {schema}.{t} t"))
                    .fetch_all(p)
                    .await
                    .unwrap();
            for r in rows {
                dump.push_str(&r);
                dump.push('\n');
            }
        }
        dump
    }

    pub async fn close(&self) {
        match self {
            Raw::Sqlite(p) => p.close().await,
            Raw::Postgres(p) => p.close().await,
        }
    }
}

pub fn label(s: &str) -> Label {
    Label::new(s).unwrap()
}

pub fn record(tenant: &str, n: usize) -> AuditRecord {
    let mut r = AuditRecord::new(
        label(tenant),
        label(&format!("req-{n}")),
        label("/v1/chat/completions"),
        label(if n.is_multiple_of(3) {
            "block"
        } else {
            "pseudonymize"
        }),
    );
    r.model = Some(label("gpt-4o-mini"));
    r.route = (!n.is_multiple_of(3)).then(|| label("openai"));
    r.reasons = vec![label("hipaa.phi_to_external")];
    r.findings
        .insert(hushgate_types::EntityType::EmailAddress, (n % 4) as u32);
    r.latency = Duration::from_micros(1000 + n as u64);
    r
}

/// A writer that signs at every commit, so every record is covered by a checkpoint.
pub fn writer(store: &Store, signer: &AuditSigner) -> AuditWriter {
    AuditWriter::start(
        store.clone(),
        signer.clone(),
        AuditOptions {
            checkpoint_interval: Duration::ZERO,
            ..AuditOptions::default()
        },
    )
}

pub fn signer() -> AuditSigner {
    AuditSigner::from_seed([42u8; 32])
}
