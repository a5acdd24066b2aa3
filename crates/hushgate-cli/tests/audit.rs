//! `hushgate audit verify|export|purge|stats` as an operator runs them: the real binary, a
//! config file, a real database written by hushgate-store's `AuditWriter` with the signing
//! key of that config. Tamper tests edit the database behind the store's back and run on
//! SQLite and, when `HUSHGATE_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, record, records};
use serde_json::Value;
use time::OffsetDateTime;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Env::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(env) = super::Env::postgres().await else { return };
                    super::$name(env).await;
                }
            )*
        }
    };
}

on_both_backends!(
    verify_passes_on_an_intact_trail,
    verify_names_an_edited_record,
    verify_names_a_deleted_record,
    verify_names_an_inserted_record,
    verify_names_swapped_records,
    verify_names_a_truncated_tail,
    purge_keeps_the_trail_verifiable,
    export_jsonl_and_csv,
    stats_table_and_json,
    canaries_stay_out_of_the_database_and_exports,
);

/// Eight clinic records and three bank records, every one covered by a signed checkpoint.
async fn trail(env: &Env) {
    env.append(records("clinic", 8)).await;
    env.append(records("bank", 3)).await;
    env.run(&["audit", "verify"]).ok();
}

async fn id_of(env: &Env, seq: i64) -> i64 {
    env.scalar(&format!(
        "SELECT id FROM audit_records WHERE tenant = 'clinic' AND seq = {seq}"
    ))
    .await
}

/// `audit verify` fails with exit code 1 and a message naming the record.
#[track_caller]
fn verify_fails(env: &Env, needles: &[&str]) {
    let out = env.run(&["audit", "verify"]);
    assert_eq!(
        out.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr
            .starts_with("hushgate: error: audit verify FAILED: audit trail tampered: "),
        "{}",
        out.stderr
    );
    for n in needles {
        assert!(out.stderr.contains(n), "{n:?} not in {}", out.stderr);
    }
}

async fn verify_passes_on_an_intact_trail(env: Env) {
    trail(&env).await;
    let out = env.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout
            .starts_with("audit trail intact: 11 record(s) in 2 chain(s), "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  clinic: 8 record(s), seq 1..=8, signed through seq 8"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("  bank: 3 record(s)"), "{}", out.stdout);
    if env.is_postgres() {
        // The URL is shown, never a password (the test URL has none; see redacted_url).
        assert!(out.stdout.contains("postgres"), "{}", out.stdout);
    }
    // A verifier holding only the public key (an auditor) gets the same answer.
    let public = hushgate_store::AuditSigner::load(
        &env.cfg().audit.signing_key,
        hushgate_store::Missing::Skip,
    )
    .unwrap()
    .unwrap()
    .public_hex();
    let text = std::fs::read_to_string(&env.config).unwrap().replace(
        &format!(
            "signing_key_file = \"{}\"",
            env.dir.path().join("audit.key").display()
        ),
        &format!(
            "signing_key_file = \"{}\"\nverify_keys = [\"{public}\"]",
            env.dir.path().join("absent.key").display()
        ),
    );
    std::fs::write(&env.config, text).unwrap();
    env.run(&["audit", "verify"]).ok();
    assert!(!env.dir.path().join("absent.key").exists());
}

async fn verify_names_an_edited_record(env: Env) {
    trail(&env).await;
    let id = id_of(&env, 4).await;
    env.exec("UPDATE audit_records SET decision = 'forward' WHERE tenant = 'clinic' AND seq = 4")
        .await;
    verify_fails(
        &env,
        &[
            &format!("tenant `clinic`, record seq 4 (id {id})"),
            "content does not match its hash (edited)",
        ],
    );
}

async fn verify_names_a_deleted_record(env: Env) {
    trail(&env).await;
    let id = id_of(&env, 6).await;
    env.exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq = 5")
        .await;
    verify_fails(
        &env,
        &[
            &format!("tenant `clinic`, record seq 6 (id {id})"),
            "record seq 5 before it is missing (deleted)",
        ],
    );
}

/// A copy of record 3 slipped in as a new seq 4 (later rows renumbered): the row order and
/// the signed checkpoints give it away.
async fn verify_names_an_inserted_record(env: Env) {
    trail(&env).await;
    env.exec("UPDATE audit_records SET seq = seq + 1000 WHERE tenant = 'clinic' AND seq >= 4")
        .await;
    env.exec("UPDATE audit_records SET seq = seq - 999 WHERE tenant = 'clinic' AND seq >= 1000")
        .await;
    env.exec(
        "INSERT INTO audit_records (tenant, seq, prev_hash, hash, time_us, key_id, request_id, \
         endpoint, model, route, decision, reasons, findings, value_hashes, prompt_tokens, \
         completion_tokens, latency_us, status, upstream_error, redacted_prompt) \
         SELECT tenant, 4, hash, hash, time_us, key_id, request_id, endpoint, model, route, \
         'forward', reasons, findings, value_hashes, prompt_tokens, completion_tokens, \
         latency_us, status, upstream_error, redacted_prompt \
         FROM audit_records WHERE tenant = 'clinic' AND seq = 3",
    )
    .await;
    let forged = env
        .scalar("SELECT MAX(id) FROM audit_records WHERE tenant = 'clinic'")
        .await;
    verify_fails(
        &env,
        &[&format!("tenant `clinic`, record seq 4 (id {forged})")],
    );
}

async fn verify_names_swapped_records(env: Env) {
    trail(&env).await;
    let id4 = id_of(&env, 4).await;
    env.exec("UPDATE audit_records SET seq = -1 WHERE tenant = 'clinic' AND seq = 3")
        .await;
    env.exec("UPDATE audit_records SET seq = 3 WHERE tenant = 'clinic' AND seq = 4")
        .await;
    env.exec("UPDATE audit_records SET seq = 4 WHERE tenant = 'clinic' AND seq = -1")
        .await;
    verify_fails(
        &env,
        &[
            &format!("tenant `clinic`, record seq 3 (id {id4})"),
            "rows were reordered",
        ],
    );
}

async fn verify_names_a_truncated_tail(env: Env) {
    trail(&env).await;
    env.exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq >= 7")
        .await;
    verify_fails(
        &env,
        &[
            "tenant `clinic`, seq 7",
            "the chain ends at seq 6",
            "covers seq 8 (tail truncated)",
        ],
    );
}

async fn purge_keeps_the_trail_verifiable(env: Env) {
    let old = OffsetDateTime::now_utc() - time::Duration::days(40);
    let mut recs = records("clinic", 10);
    for (i, r) in recs.iter_mut().take(6).enumerate() {
        r.time = old + time::Duration::minutes(i as i64);
    }
    env.append(recs).await;
    env.append(records("bank", 2)).await;

    let out = env.run(&["audit", "purge", "--older-than", "30d"]).ok();
    assert!(
        out.stdout.starts_with("purged 6 record(s) older than "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "  clinic: deleted 6 record(s); the chain now starts after seq 6 (signed anchor)"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("bank"), "{}", out.stdout);

    let out = env.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout
            .contains("  clinic: 4 record(s), seq 7..=10, purged through seq 6 (signed anchor)"),
        "{}",
        out.stdout
    );
    // Again: nothing left to purge. Other units.
    let out = env.run(&["audit", "purge", "--older-than", "2w"]).ok();
    assert!(out.stdout.starts_with("nothing purged"), "{}", out.stdout);
    env.run(&["audit", "purge", "--older-than", "12h"]).ok();
    // The chain keeps growing after a purge, and still verifies.
    env.append(vec![record("clinic", 10)]).await;
    env.run(&["audit", "verify"]).ok();

    // A tampered trail is not purged: the evidence stays.
    env.exec("UPDATE audit_records SET status = 299 WHERE tenant = 'clinic' AND seq = 11")
        .await;
    let out = env.run(&["audit", "purge", "--older-than", "1m"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("refusing to purge: the audit trail does not verify"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("record seq 11"), "{}", out.stderr);
    let left = env
        .scalar("SELECT COUNT(*) FROM audit_records WHERE tenant = 'clinic'")
        .await;
    assert_eq!(left, 5);
}

async fn export_jsonl_and_csv(env: Env) {
    trail(&env).await;
    let out = env.run(&["audit", "export"]).ok();
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 11);
    assert_eq!(out.stderr.trim(), "hushgate: exported 11 record(s)");
    let first = &lines[0];
    assert_eq!(first["tenant"], "clinic");
    assert_eq!(first["seq"], 1);
    assert_eq!(first["decision"], "block");
    assert_eq!(first["findings"]["EMAIL_ADDRESS"], 1);
    assert_eq!(first["hash"].as_str().unwrap().len(), 64);
    assert_eq!(lines[1]["prev_hash"], first["hash"]);

    let out = env
        .run(&["audit", "export", "--tenant", "bank", "--format", "csv"])
        .ok();
    let rows: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(rows.len(), 4, "{}", out.stdout);
    assert!(rows[0].starts_with("id,tenant,seq,time,"), "{}", rows[0]);
    assert!(
        rows[1..].iter().all(|r| r.contains(",bank,")),
        "{}",
        out.stdout
    );

    // Periods: everything was written just now.
    let out = env.run(&["audit", "export", "--since", "1h"]).ok();
    assert_eq!(out.stdout.lines().count(), 11);
    let out = env.run(&["audit", "export", "--until", "2000-01-01"]).ok();
    assert_eq!(out.stdout, "");
    let out = env
        .run(&[
            "audit",
            "export",
            "--since",
            "2000-01-01T00:00:00Z",
            "--until",
            "1d",
        ])
        .ok();
    assert_eq!(out.stdout, "");
    // Usage errors exit 2 (clap's convention).
    let out = env.run(&["audit", "export", "--since", "yesterday"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is not a date"), "{}", out.stderr);
    let out = env.run(&["audit", "export", "--format", "xml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

async fn stats_table_and_json(env: Env) {
    trail(&env).await;
    let mut blocked_with_error = record("bank", 3);
    blocked_with_error.upstream_error = Some(common::label("timeout"));
    blocked_with_error.route = Some(common::label("azure"));
    blocked_with_error.status = 504;
    env.append(vec![blocked_with_error]).await;

    let out = env.run(&["audit", "stats"]).ok();
    let text = &out.stdout;
    assert!(text.starts_with("audit stats, all records\n"), "{text}");
    let line = |prefix: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in\n{text}"))
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        line("TENANT"),
        [
            "TENANT",
            "ROUTE",
            "REQUESTS",
            "DECISIONS",
            "FINDINGS",
            "UPSTREAM_ERRORS",
            "TOKENS"
        ]
    );
    // clinic: records 0, 3, 6 blocked (no route); 1, 2, 4, 5, 7 to openai.
    let clinic_blocked: Vec<_> = text.lines().filter(|l| l.starts_with("clinic")).collect();
    assert_eq!(clinic_blocked.len(), 2, "{text}");
    let row = |tenant: &str, route: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                l.split("  ")
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .find(|c| c[0] == tenant && c[1] == route)
            .unwrap_or_else(|| panic!("no row {tenant} {route} in\n{text}"))
    };
    assert_eq!(
        row("clinic", "-"),
        ["clinic", "-", "3", "block=3", "EMAIL_ADDRESS=4", "0", "0"]
    );
    assert_eq!(
        row("clinic", "openai"),
        [
            "clinic",
            "openai",
            "5",
            "pseudonymize=5",
            "EMAIL_ADDRESS=8",
            "0",
            "0"
        ]
    );
    assert_eq!(
        row("bank", "azure"),
        ["bank", "azure", "1", "block=1", "EMAIL_ADDRESS=2", "1", "0"]
    );
    assert_eq!(line("TOTAL")[1], "12");

    let out = env
        .run(&[
            "audit", "stats", "--tenant", "clinic", "--since", "1d", "--format", "json",
        ])
        .ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 2);
    assert_eq!(v["total"]["requests"], 8);
    assert_eq!(v["total"]["decisions"]["block"], 3);
    assert_eq!(v["total"]["findings"]["EMAIL_ADDRESS"], 12);
    assert!(v["since"].is_string() && v["until"].is_null(), "{v}");

    let out = env.run(&[
        "audit",
        "stats",
        "--since",
        "2026-02-01",
        "--until",
        "2026-01-01",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("is not before --until"),
        "{}",
        out.stderr
    );
}

/// Requests full of canary values reach the audit trail only as keyed hashes (HMAC with the
/// server secret of the config): the database (the SQLite file, its WAL; every PostgreSQL
/// row as text, and `pg_dump`) and both export formats never hold a canary, in any case or as hex.
async fn canaries_stay_out_of_the_database_and_exports(env: Env) {
    use hushgate_types::EntityType;
    let canaries = [
        (EntityType::UsSsn, "078-05-1120"),
        (EntityType::CreditCard, "4111111111111111"),
        (EntityType::EmailAddress, "canary.leak@example.org"),
        (EntityType::Person, "Zebulon Canaryfield"),
        (EntityType::ApiKey, "sk-canary-9f8e7d6c5b4a3f2e1d0c"),
    ];
    let keys = hushgate_store::AuditKeys::load(&env.cfg().audit).unwrap();
    let hasher = keys.secret.correlation_key("clinic");
    let mut recs = records("clinic", 40);
    for r in &mut recs {
        for (t, v) in &canaries {
            *r.findings.entry(t.clone()).or_default() += 1;
            r.value_hashes.push(hasher.hash(t, v));
        }
    }
    env.append(recs).await;
    env.run(&["audit", "verify"]).ok();

    let jsonl = env.run(&["audit", "export"]).ok().stdout;
    let csv = env.run(&["audit", "export", "--format", "csv"]).ok().stdout;
    // The keyed hashes are there, so correlation works...
    let ssn_hash = hex::encode(hasher.hash(&EntityType::UsSsn, "078-05-1120").digest);
    assert_eq!(jsonl.matches(&ssn_hash).count(), 40);
    assert_eq!(csv.matches(&ssn_hash).count(), 40);

    let mut haystacks = vec![("jsonl", jsonl), ("csv", csv)];
    match &env.db {
        common::Db::Sqlite(path) => {
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
                let p = entry.unwrap().path();
                if p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("hushgate.db")
                {
                    bytes.extend(std::fs::read(p).unwrap());
                }
            }
            assert!(bytes.len() > 4096);
            haystacks.push(("sqlite files", String::from_utf8_lossy(&bytes).into_owned()));
        }
        common::Db::Postgres { schema, .. } => {
            let pool = sqlx::PgPool::connect(&env.url).await.unwrap();
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
            )
            .bind(schema)
            .fetch_all(&pool)
            .await
            .unwrap();
            let mut dump = String::new();
            for t in tables {
                let rows: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT t::text FROM {schema}.{t} t"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                dump.extend(rows.into_iter().map(|r| r + "\n"));
            }
            pool.close().await;
            assert!(dump.contains(&ssn_hash));
            haystacks.push(("postgres rows", dump));
            // And what an operator's backup holds: pg_dump of the schema.
            let out = std::process::Command::new("pg_dump")
                .args(["--schema", schema, "--dbname", &env.url])
                .output()
                .expect("pg_dump (postgresql-client) is needed for this test");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let dump = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(dump.contains(&ssn_hash), "pg_dump holds the keyed hashes");
            haystacks.push(("pg_dump", dump));
        }
    }
    for (what, hay) in &haystacks {
        let hay = hay.to_lowercase();
        for (_, c) in &canaries {
            assert!(!hay.contains(&c.to_lowercase()), "{c} leaked into {what}");
            assert!(
                !hay.contains(&hex::encode(c)),
                "{c} leaked into {what} as hex"
            );
        }
    }
}

#[test]
fn purge_needs_an_age() {
    let env = Env::sqlite();
    let out = env.run(&["audit", "purge"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = env.run(&["audit", "purge", "--older-than", "30x"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is not an age"), "{}", out.stderr);
}

#[test]
fn help_teaches() {
    for cmd in [
        &["audit", "--help"][..],
        &["audit", "verify", "--help"],
        &["audit", "export", "--help"],
        &["audit", "purge", "--help"],
        &["audit", "stats", "--help"],
    ] {
        let mut c = common::hushgate();
        c.args(cmd);
        let out = common::output(c).ok();
        assert!(out.stdout.contains("Example"), "{cmd:?}: {}", out.stdout);
        assert!(
            out.stdout.contains("hushgate audit"),
            "{cmd:?}: {}",
            out.stdout
        );
    }
}

/// Without a signing key file and without verify_keys there is nothing to verify against:
/// fine on an empty trail (before the first `hushgate serve`), a clear error otherwise, and
/// `verify` never creates a key.
#[tokio::test]
async fn verify_without_any_key_says_so() {
    let env = Env::sqlite();
    let out = env.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout.starts_with("audit trail empty: no records yet"),
        "{}",
        out.stdout
    );
    let out = env.run(&["audit", "stats"]).ok();
    assert_eq!(out.stdout, "audit stats, all records\nno audit records\n");
    assert!(!env.dir.path().join("audit.key").exists());

    env.append(records("clinic", 2)).await;
    std::fs::remove_file(env.dir.path().join("audit.key")).unwrap();
    let out = env.run(&["audit", "verify"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("audit signing key from file")
            && out.stderr.contains("no audit.verify_keys are configured"),
        "{}",
        out.stderr
    );
    assert!(!env.dir.path().join("audit.key").exists());
}
