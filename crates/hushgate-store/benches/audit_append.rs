//! Audit append cost per request under concurrent load, with group commit.
//!
//! ```sh
//! HUSHGATE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo bench -p hushgate-store --bench audit_append -- [--secs 10] [--rps 1000] [--concurrency 64]
//! ```
//!
//! For each backend (SQLite with `synchronous=NORMAL` and `FULL` on a temp file; PostgreSQL in
//! a fresh schema when the variable is set) it runs:
//! - **open loop**: appends started at a fixed rate (`--rps`), each timed from call to durable
//!   commit: what audit adds to a request at that load;
//! - **closed loop**: `--concurrency` tasks appending back to back: the ceiling.
//!
//! Prints one Markdown table row per run.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use hushgate_store::{
    AuditOptions, AuditRecord, AuditSigner, AuditWriter, CorrelationKey, Label, Store,
    StoreOptions, Synchronous, TokenUsage,
};
use hushgate_types::EntityType;
use tokio::sync::Mutex;

struct Args {
    secs: u64,
    rps: u64,
    concurrency: usize,
}

fn args() -> Args {
    let mut a = Args {
        secs: 10,
        rps: 1000,
        concurrency: 64,
    };
    let argv: Vec<String> = std::env::args().collect();
    for w in argv.windows(2) {
        let n = w[1].parse().ok();
        match (w[0].as_str(), n) {
            ("--secs", Some(n)) => a.secs = n,
            ("--rps", Some(n)) => a.rps = n,
            ("--concurrency", Some(n)) => a.concurrency = n as usize,
            _ => {}
        }
    }
    a
}

fn label(s: &str) -> Label {
    Label::new(s).unwrap()
}

/// A typical record: a few findings, their keyed hashes, a reason, usage.
fn record(i: u64, key: &CorrelationKey) -> AuditRecord {
    let mut r = AuditRecord::new(
        label(["clinic", "bank", "law", "support"][(i % 4) as usize]),
        label(&format!("req-{i:016x}")),
        label("/v1/chat/completions"),
        label("pseudonymize"),
    );
    r.model = Some(label("gpt-4o-mini"));
    r.route = Some(label("openai"));
    r.reasons = vec![label("hipaa.phi_to_external")];
    for (t, v) in [
        (EntityType::Person, "Ana Ruiz"),
        (EntityType::UsSsn, "078-05-1120"),
        (EntityType::EmailAddress, "ana@example.org"),
    ] {
        *r.findings.entry(t.clone()).or_default() += 1;
        r.value_hashes.push(key.hash(&t, v));
    }
    r.usage = Some(TokenUsage {
        prompt_tokens: 812,
        completion_tokens: 230,
    });
    r.latency = Duration::from_millis(420);
    r
}

struct Figures {
    n: usize,
    secs: f64,
    p50: Duration,
    p99: Duration,
    p999: Duration,
    max: Duration,
}

fn figures(mut lat: Vec<Duration>, elapsed: Duration) -> Figures {
    lat.sort();
    let q = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    Figures {
        n: lat.len(),
        secs: elapsed.as_secs_f64(),
        p50: q(0.50),
        p99: q(0.99),
        p999: q(0.999),
        max: *lat.last().unwrap(),
    }
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

async fn open_loop(w: &AuditWriter, rps: u64, secs: u64) -> Figures {
    let key = CorrelationKey::for_tenant(b"bench secret bench secret bench!", "t");
    let lat = Arc::new(Mutex::new(Vec::with_capacity((rps * secs) as usize)));
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rps));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..rps * secs {
        tick.tick().await;
        let (w, lat, rec) = (w.clone(), lat.clone(), record(i, &key));
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            w.append(rec).await.unwrap();
            lat.lock().await.push(t.elapsed());
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed();
    let lat = std::mem::take(&mut *lat.lock().await);
    figures(lat, elapsed)
}

async fn closed_loop(w: &AuditWriter, concurrency: usize, secs: u64) -> Figures {
    let key = CorrelationKey::for_tenant(b"bench secret bench secret bench!", "t");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..concurrency {
        let (w, key) = (w.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = c as u64;
            while Instant::now() < deadline {
                let rec = record(i, &key);
                let t = Instant::now();
                w.append(rec).await.unwrap();
                lat.push(t.elapsed());
                i += concurrency as u64;
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    figures(lat, start.elapsed())
}

async fn run(name: &str, url: &str, opts: &StoreOptions, a: &Args) {
    let store = Store::connect_with(url, opts).await.unwrap();
    let signer = AuditSigner::generate().unwrap();
    let w = AuditWriter::start(store.clone(), signer.clone(), AuditOptions::default());
    // Warm up the pool and the statement cache.
    open_loop(&w, 200, 1).await;
    let o = open_loop(&w, a.rps, a.secs).await;
    println!(
        "| {name} | open loop, {} req/s | {} | {:.0} | {} | {} | {} | {} |",
        a.rps,
        o.n,
        o.n as f64 / o.secs,
        us(o.p50),
        us(o.p99),
        us(o.p999),
        us(o.max)
    );
    let c = closed_loop(&w, a.concurrency, a.secs).await;
    println!(
        "| {name} | closed loop, {} tasks | {} | {:.0} | {} | {} | {} | {} |",
        a.concurrency,
        c.n,
        c.n as f64 / c.secs,
        us(c.p50),
        us(c.p99),
        us(c.p999),
        us(c.max)
    );
    w.close().await.unwrap();
    let t = Instant::now();
    let report = store.verify_audit(&signer.verifying_keys()).await.unwrap();
    eprintln!(
        "{name}: verified {} records in {:.2}s",
        report.records(),
        t.elapsed().as_secs_f64()
    );
    store.close().await;
}

/// The floor on this machine: the same transaction shape (lock the head row, insert one
/// record row, advance the head, commit) on a bare `rusqlite` connection to a store's file,
/// paced like the open loop on a thread of its own, with no chain, queue or async runtime.
fn bare_sqlite(path: &std::path::Path, rps: u64, secs: u64) -> Figures {
    use rusqlite::{TransactionBehavior, params};
    let mut c = rusqlite::Connection::open(path).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c.pragma_update(None, "synchronous", "NORMAL").unwrap();
    c.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    let json = r#"{"EMAIL_ADDRESS":1,"PERSON":1,"US_SSN":1}"#;
    let hashes = format!(
        r#"[["PERSON","{0}"],["US_SSN","{0}"],["EMAIL_ADDRESS","{0}"]]"#,
        "ab".repeat(32)
    );
    let period = Duration::from_nanos(1_000_000_000 / rps);
    let mut lat = Vec::with_capacity((rps * secs) as usize);
    let start = Instant::now();
    for i in 0..rps * secs {
        if let Some(d) = (start + period * i as u32).checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
        let t = Instant::now();
        let tx = c
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let seq: i64 = tx
            .prepare_cached(
                "INSERT INTO audit_heads (tenant, seq, hash) VALUES ('floor', 0, ?1) \
                 ON CONFLICT (tenant) DO UPDATE SET seq = audit_heads.seq RETURNING seq",
            )
            .unwrap()
            .query_row(params![[0u8; 32].as_slice()], |r| r.get(0))
            .unwrap();
        tx.prepare_cached(
            "INSERT INTO audit_records (tenant, seq, prev_hash, hash, time_us, key_id, \
             request_id, endpoint, model, route, decision, reasons, findings, value_hashes, \
             prompt_tokens, completion_tokens, latency_us, status, upstream_error, \
             redacted_prompt) VALUES ('floor', ?1, ?2, ?3, ?4, 'key', ?5, \
             '/v1/chat/completions', 'gpt-4o-mini', 'openai', 'pseudonymize', \
             '[\"hipaa.phi_to_external\"]', ?6, ?7, 812, 230, 420000, 200, NULL, NULL)",
        )
        .unwrap()
        .execute(params![
            seq + 1,
            [1u8; 32].as_slice(),
            [2u8; 32].as_slice(),
            i as i64,
            format!("req-{i:016x}"),
            json,
            hashes
        ])
        .unwrap();
        tx.prepare_cached("UPDATE audit_heads SET seq = ?1, hash = ?2 WHERE tenant = 'floor'")
            .unwrap()
            .execute(params![seq + 1, [2u8; 32].as_slice()])
            .unwrap();
        tx.commit().unwrap();
        lat.push(t.elapsed());
    }
    figures(lat, start.elapsed())
}

#[tokio::main]
async fn main() {
    let a = args();
    println!("| backend | load | appends | appends/s | p50 µs | p99 µs | p99.9 µs | max µs |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let dir = tempfile::tempdir().unwrap();
    for (name, sync) in [
        ("SQLite (synchronous=NORMAL)", Synchronous::Normal),
        ("SQLite (synchronous=FULL)", Synchronous::Full),
    ] {
        let path = dir.path().join(format!("{sync:?}.db"));
        let opts = StoreOptions {
            synchronous: sync,
            ..StoreOptions::default()
        };
        run(name, &format!("sqlite://{}", path.display()), &opts, &a).await;
    }
    // The same machine's floor for the NORMAL rows above, with the pool (and its WAL
    // checkpointer) open on the file as in the gateway.
    let path = dir.path().join("floor.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (rps, secs) = (a.rps, a.secs);
    let f = tokio::task::spawn_blocking(move || bare_sqlite(&path, rps, secs))
        .await
        .unwrap();
    println!(
        "| SQLite floor: the bare transaction, no chain or queue (rusqlite, synchronous=NORMAL) | open loop, {rps} req/s | {} | {:.0} | {} | {} | {} | {} |",
        f.n,
        f.n as f64 / f.secs,
        us(f.p50),
        us(f.p99),
        us(f.p999),
        us(f.max)
    );
    store.close().await;
    if let Ok(base) = std::env::var("HUSHGATE_TEST_POSTGRES_URL") {
        let schema = format!("hg_bench_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&base).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        run("PostgreSQL", &url, &StoreOptions::default(), &a).await;
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await
            .unwrap();
    } else {
        eprintln!("PostgreSQL skipped: HUSHGATE_TEST_POSTGRES_URL is not set");
    }
}
