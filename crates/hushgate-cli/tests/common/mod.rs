//! A workspace for one CLI test: a temp directory with a config file, a database (a SQLite
//! file there, or a fresh PostgreSQL schema when `HUSHGATE_TEST_POSTGRES_URL` is set, dropped
//! afterwards), and the real `hushgate` binary run against them.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hushgate_config::Config;
use hushgate_store::{AuditKeys, AuditOptions, AuditRecord, AuditWriter, Label, Store};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use tempfile::TempDir;

pub const PG_ENV: &str = "HUSHGATE_TEST_POSTGRES_URL";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub enum Db {
    Sqlite(PathBuf),
    Postgres { base: String, schema: String },
}

pub struct Env {
    pub dir: TempDir,
    pub url: String,
    pub db: Db,
    pub config: PathBuf,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    #[track_caller]
    pub fn ok(self) -> Out {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The `[tenants]` and `[audit]` tables every test config has; the signing key and secret
/// are files in the test's directory (created on first use, like a newcomer's).
fn config_text(url: &str, dir: &Path) -> String {
    format!(
        r#"[storage]
url = "{url}"

[audit]
signing_key_file = "{key}"
secret_file = "{secret}"
checkpoint_interval_secs = 0

[[tenants]]
name = "clinic"
regimes = ["hipaa"]

[[tenants]]
name = "bank"
"#,
        key = dir.join("audit.key").display(),
        secret = dir.join("secret.key").display(),
    )
}

impl Env {
    pub fn sqlite() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hushgate.db");
        let url = format!("sqlite://{}", path.display());
        Env::new(dir, url, Db::Sqlite(path))
    }

    /// `None` (and a note) when `HUSHGATE_TEST_POSTGRES_URL` is unset.
    pub async fn postgres() -> Option<Env> {
        let Ok(base) = std::env::var(PG_ENV) else {
            eprintln!("skipped: {PG_ENV} is not set");
            return None;
        };
        let schema = format!(
            "hg_cli_{}_{}_{:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let admin = PgPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Some(Env::new(
            tempfile::tempdir().unwrap(),
            url,
            Db::Postgres { base, schema },
        ))
    }

    fn new(dir: TempDir, url: String, db: Db) -> Env {
        let config = dir.path().join("hushgate.toml");
        std::fs::write(&config, config_text(&url, dir.path())).unwrap();
        Env {
            dir,
            url,
            db,
            config,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Postgres { .. })
    }

    pub fn cfg(&self) -> Config {
        Config::load(&self.config).unwrap()
    }

    /// Runs `hushgate --config <this config> ARGS` in the test's directory.
    pub fn run(&self, args: &[&str]) -> Out {
        let mut c = hushgate();
        c.current_dir(self.dir.path())
            .arg("--config")
            .arg(&self.config)
            .args(args);
        output(c)
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.unwrap()
    }

    /// Appends `records` as the gateway would: signing key and secret from this config.
    pub async fn append(&self, records: Vec<AuditRecord>) {
        let cfg = self.cfg();
        let keys = AuditKeys::load(&cfg.audit).unwrap();
        let store = self.store().await;
        let w = AuditWriter::start(
            store.clone(),
            keys.signer.clone(),
            AuditOptions::from_config(&cfg.audit),
        );
        for r in records {
            w.append(r).await.unwrap();
        }
        w.close().await.unwrap();
        store.close().await;
    }

    /// A connection that bypasses the store, as an attacker with database access has.
    pub async fn exec(&self, sql: &str) {
        match &self.db {
            Db::Sqlite(_) => {
                let p = SqlitePool::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&p).await.unwrap();
                p.close().await;
            }
            Db::Postgres { .. } => {
                let p = PgPool::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&p).await.unwrap();
                p.close().await;
            }
        }
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.db {
            Db::Sqlite(_) => {
                let p = SqlitePool::connect(&self.url).await.unwrap();
                let v = sqlx::query_scalar(sql).fetch_one(&p).await.unwrap();
                p.close().await;
                v
            }
            Db::Postgres { .. } => {
                let p = PgPool::connect(&self.url).await.unwrap();
                let v = sqlx::query_scalar(sql).fetch_one(&p).await.unwrap();
                p.close().await;
                v
            }
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Db::Postgres { base, schema } = &self.db {
            let (base, schema) = (base.clone(), schema.clone());
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

impl Env {
    /// Appends to the config a provider `double` at `base_url` (the provider double, OpenAI's
    /// catalog), the alias `gpt-4o-mini` on it, and `extra` TOML.
    pub fn append_double_provider(&self, base_url: &str, extra: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.config)
            .unwrap();
        write!(
            f,
            r#"
[[providers]]
name = "double"
kind = "openai_compatible"
base_url = "{base_url}"
read_timeout_secs = 10
max_retries = 0
catalog = "openai"

[[models]]
alias = "gpt-4o-mini"
provider = "double"
model = "upstream-model"
{extra}
"#
        )
        .unwrap();
    }
}

pub mod load;
pub mod served;
#[allow(unused_imports)] // not every test binary starts a gateway
pub use served::Served;

/// `hushgate --config <env's config> serve --listen 127.0.0.1:0`, run in the env's directory.
pub fn serve_command(env: &Env) -> Command {
    let mut c = hushgate();
    c.current_dir(env.dir.path())
        .arg("--config")
        .arg(&env.config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HUSHGATE_LOG", "warn");
    c
}

pub fn hushgate() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hushgate"));
    c.env_remove("HUSHGATE_CONFIG").env_remove("OPENAI_API_KEY");
    c
}

pub fn output(mut c: Command) -> Out {
    let out = c.output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

pub fn label(s: &str) -> Label {
    Label::new(s).unwrap()
}

/// Request `n` of `tenant`: every third blocked (no route), the others pseudonymized to openai.
pub fn record(tenant: &str, n: usize) -> AuditRecord {
    let blocked = n.is_multiple_of(3);
    let mut r = AuditRecord::new(
        label(tenant),
        label(&format!("req-{n}")),
        label("/v1/chat/completions"),
        label(if blocked { "block" } else { "pseudonymize" }),
    );
    r.model = Some(label("gpt-4o-mini"));
    r.route = (!blocked).then(|| label("openai"));
    r.status = if blocked { 403 } else { 200 };
    r.reasons = vec![label("hipaa.phi_to_external")];
    r.findings
        .insert(hushgate_types::EntityType::EmailAddress, 1 + (n % 2) as u32);
    r.latency = Duration::from_micros(1000 + n as u64);
    r
}

pub fn records(tenant: &str, n: usize) -> Vec<AuditRecord> {
    (0..n).map(|i| record(tenant, i)).collect()
}
