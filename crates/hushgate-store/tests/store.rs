//! One suite, two backends: every test here runs on a temp SQLite file and on a fresh
//! PostgreSQL schema (`HUSHGATE_TEST_POSTGRES_URL`; skipped only when unset).

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{TestDb, label, record, signer, unique, writer};
use hushgate_store::{
    AuditFilter, AuditRecord, BudgetDecision, CorrelationKey, Error, ExportFormat, KeyId, Limiter,
    RateDecision, RedactedPrompt, Store, TamperKind, TokenUsage,
};
use hushgate_types::EntityType;
use time::OffsetDateTime;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = super::TestDb::sqlite();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = super::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

on_both_backends!(
    keys_are_hashed_listed_and_revoked,
    budgets_are_atomic,
    vault_blobs_expire,
    database_rate_limit_holds_under_concurrency,
    appended_records_verify_and_read_back,
    append_is_durable_when_it_returns,
    appends_fail_closed_when_the_store_is_gone,
    tamper_edit_a_field,
    tamper_edit_a_list_column,
    tamper_delete_a_row,
    tamper_delete_the_first_rows,
    tamper_insert_a_forged_row,
    tamper_insert_a_row_at_the_tail,
    tamper_swap_two_rows,
    tamper_truncate_the_tail,
    tamper_truncate_the_tail_and_head_row,
    tamper_rehash_the_chain,
    tamper_forge_a_checkpoint,
    purge_keeps_the_chain_verifiable,
    export_and_stats,
    canaries_never_reach_the_database,
    idle_checkpoints_cover_the_tail,
);

fn tamper(e: Error) -> hushgate_store::Tamper {
    match e {
        Error::Tampered(t) => *t,
        other => panic!("expected a tamper finding, got {other}"),
    }
}

async fn append_n(store: &Store, tenant: &str, n: usize) {
    let w = writer(store, &signer());
    for i in 0..n {
        w.append(record(tenant, i)).await.unwrap();
    }
    w.close().await.unwrap();
}

async fn keys_are_hashed_listed_and_revoked(db: &TestDb) {
    let store = db.store().await;
    let (info, key) = store
        .create_key("clinic", Some("billing app"))
        .await
        .unwrap();
    let (_, other) = store.create_key("bank", None).await.unwrap();
    assert!(key.expose().starts_with("hg_"));
    assert!(!format!("{key:?}").contains(&key.expose()[20..]));

    let who = store.authenticate(key.expose()).await.unwrap().unwrap();
    assert_eq!(who.id, info.id);
    assert_eq!(who.tenant, "clinic");
    assert_eq!(who.label.as_deref(), Some("billing app"));

    // A right id with a wrong secret, a malformed key, an unknown id: all just "no".
    let mut wrong = key.expose().to_owned();
    wrong.replace_range(
        wrong.len() - 1..,
        if wrong.ends_with('0') { "1" } else { "0" },
    );
    assert!(store.authenticate(&wrong).await.unwrap().is_none());
    assert!(store.authenticate("hg_nope").await.unwrap().is_none());
    assert!(
        store
            .authenticate(&format!("hg_{}_{}", "0".repeat(16), "0".repeat(64)))
            .await
            .unwrap()
            .is_none()
    );

    let all = store.list_keys(None).await.unwrap();
    assert_eq!(all.len(), 2);
    let clinic = store.list_keys(Some("clinic")).await.unwrap();
    assert_eq!(clinic.len(), 1);
    assert_eq!(clinic[0].id, info.id);
    assert_eq!(
        store.list_tenants().await.unwrap(),
        vec!["bank".to_string(), "clinic".to_string()]
    );

    assert!(store.revoke_key(&info.id).await.unwrap());
    assert!(!store.revoke_key(&info.id).await.unwrap());
    assert!(
        !store
            .revoke_key(&KeyId::parse("0123456789abcdef").unwrap())
            .await
            .unwrap()
    );
    assert!(store.authenticate(key.expose()).await.unwrap().is_none());
    assert!(store.authenticate(other.expose()).await.unwrap().is_some());
    let listed = store.list_keys(Some("clinic")).await.unwrap();
    assert!(listed[0].revoked_at.is_some());

    // Only the hash is stored.
    let raw = db.raw().await;
    let stored = raw
        .bytes(&format!(
            "SELECT key_hash FROM api_keys WHERE id = '{}'",
            info.id
        ))
        .await;
    assert_eq!(stored.len(), 32);
    assert!(store.create_key("two words", None).await.is_err());
}

async fn budgets_are_atomic(db: &TestDb) {
    let a = db.store().await;
    let b = db.store().await; // a second pool: another replica
    let period = "2026-11";
    // 40 concurrent reservations of 10 tokens against a budget of 250 -> exactly 25 fit.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            s.reserve_budget("key:k1", period, 10, 250).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), BudgetDecision::Allowed { .. }) {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 25);
    let u = a.usage("key:k1", period).await.unwrap();
    assert_eq!((u.tokens, u.requests), (250, 25));
    assert_eq!(
        a.reserve_budget("key:k1", period, 1, 250).await.unwrap(),
        BudgetDecision::Exhausted { used: 250 }
    );
    // Correct an estimate downwards once the real usage is known.
    let u = a.add_usage("key:k1", period, -50, 0).await.unwrap();
    assert_eq!(u.tokens, 200);
    assert_eq!(
        b.reserve_budget("key:k1", period, 50, 250).await.unwrap(),
        BudgetDecision::Allowed {
            used: 250,
            remaining: 0
        }
    );
    assert_eq!(
        a.usage("key:other", period).await.unwrap(),
        Default::default()
    );
}

async fn vault_blobs_expire(db: &TestDb) {
    let store = db.store().await;
    let now = OffsetDateTime::now_utc();
    let blob = [0u8, 1, 2, 255];
    store
        .put_vault_blob("v1", "clinic", &blob, now + time::Duration::hours(1))
        .await
        .unwrap();
    store
        .put_vault_blob("v2", "clinic", &blob, now - time::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        store.get_vault_blob("v1", "clinic").await.unwrap().unwrap(),
        blob
    );
    assert!(store.get_vault_blob("v1", "bank").await.unwrap().is_none());
    assert!(
        store
            .get_vault_blob("v2", "clinic")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.purge_expired(now).await.unwrap(), 1);
    assert!(store.delete_vault_blob("v1", "clinic").await.unwrap());
    assert!(!store.delete_vault_blob("v1", "clinic").await.unwrap());
}

async fn database_rate_limit_holds_under_concurrency(db: &TestDb) {
    let a = Limiter::database(db.store().await);
    let b = Limiter::database(db.store().await);
    let scope = unique("rpm");
    let mut tasks = Vec::new();
    for i in 0..60 {
        let l = if i % 2 == 0 { a.clone() } else { b.clone() };
        let scope = scope.clone();
        tasks.push(tokio::spawn(async move {
            l.acquire(&scope, 1, 25).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        match t.await.unwrap() {
            RateDecision::Allowed { .. } => allowed += 1,
            RateDecision::Limited { retry_after } => {
                assert!(retry_after >= Duration::from_secs(1));
                assert!(retry_after <= Duration::from_secs(60));
            }
        }
    }
    // A window may turn during the test; then the new minute allows more.
    assert!((25..=50).contains(&allowed), "{allowed}");
    assert!(matches!(
        a.acquire(&scope, 30, 25).await.unwrap(),
        RateDecision::Limited { .. }
    ));
    let tpm = unique("tpm");
    assert_eq!(a.add(&tpm, 120).await.unwrap(), 120);
    assert_eq!(b.add(&tpm, 30).await.unwrap(), 150);
}

async fn appended_records_verify_and_read_back(db: &TestDb) {
    let store = db.store().await;
    let s = signer();
    let w = writer(&store, &s);
    let mut tasks = Vec::new();
    for i in 0..60 {
        let w = w.clone();
        let tenant = ["clinic", "bank", "law"][i % 3];
        tasks.push(tokio::spawn(async move {
            w.append(record(tenant, i)).await.unwrap()
        }));
    }
    let mut seqs: Vec<(String, i64)> = Vec::new();
    for t in tasks {
        let a = t.await.unwrap();
        seqs.push((a.tenant, a.seq));
    }
    seqs.sort();
    for tenant in ["bank", "clinic", "law"] {
        let got: Vec<i64> = seqs
            .iter()
            .filter(|(t, _)| t == tenant)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(got, (1..=20).collect::<Vec<_>>(), "{tenant}");
    }
    w.close().await.unwrap();
    assert!(matches!(
        w.append(record("clinic", 0)).await,
        Err(Error::Closed)
    ));

    let report = store.verify_audit(&s.verifying_keys()).await.unwrap();
    assert_eq!(report.records(), 60);
    assert_eq!(report.chains.len(), 3);
    for c in &report.chains {
        assert_eq!((c.first_seq, c.last_seq), (Some(1), 20));
        assert_eq!(c.last_signed_seq, Some(20));
        assert_eq!(c.unsigned_tail, 0);
    }

    // A verifier holding only the public key agrees.
    let mut public = hushgate_store::VerifyingKeys::new();
    public.add_public_hex(&s.public_hex()).unwrap();
    store.verify_audit(&public).await.unwrap();
    // Another key does not.
    let other = hushgate_store::AuditSigner::from_seed([1u8; 32]);
    let e = tamper(
        store
            .verify_audit(&other.verifying_keys())
            .await
            .unwrap_err(),
    );
    assert!(matches!(e.kind, TamperKind::UnknownKey { .. }), "{e}");

    let page = store
        .audit_records(
            &AuditFilter {
                tenant: Some("clinic".into()),
                ..Default::default()
            },
            0,
            1000,
        )
        .await
        .unwrap();
    assert_eq!(page.len(), 20);
    assert!(page.iter().all(|r| r.fields.tenant == "clinic"));
    assert_eq!(page[0].fields.endpoint, "/v1/chat/completions");
}

async fn append_is_durable_when_it_returns(db: &TestDb) {
    let store = db.store().await;
    let w = writer(&store, &signer());
    let raw = db.raw().await;
    for i in 0..5 {
        let a = w.append(record("clinic", i)).await.unwrap();
        // Seen at once by an unrelated connection: the batch had committed.
        let n = raw
            .scalar_i64(&format!(
                "SELECT COUNT(*) FROM audit_records WHERE tenant = 'clinic' AND seq = {}",
                a.seq
            ))
            .await;
        assert_eq!(n, 1);
    }
    w.close().await.unwrap();
}

async fn appends_fail_closed_when_the_store_is_gone(db: &TestDb) {
    let store = db.store().await;
    let w = writer(&store, &signer());
    w.append(record("clinic", 0)).await.unwrap();
    store.close().await;
    let started = std::time::Instant::now();
    let err = w.append(record("clinic", 1)).await.unwrap_err();
    assert!(matches!(err, Error::AuditUnavailable(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Nothing was half-written.
    let fresh = db.store().await;
    assert_eq!(
        fresh
            .audit_records(&AuditFilter::default(), 0, 100)
            .await
            .unwrap()
            .len(),
        1
    );
    fresh
        .verify_audit(&signer().verifying_keys())
        .await
        .unwrap();
    // An unreachable PostgreSQL fails fast at connect.
    if db.is_postgres() {
        let opts = hushgate_store::StoreOptions {
            acquire_timeout: Duration::from_secs(2),
            ..Default::default()
        };
        assert!(
            Store::connect_with("postgres://postgres@127.0.0.1:1/none", &opts)
                .await
                .is_err()
        );
    }
}

/// A chain of `n` records for tenant `clinic`, every one covered by a checkpoint.
async fn chain(db: &TestDb, n: usize) -> Store {
    let store = db.store().await;
    append_n(&store, "clinic", n).await;
    store
        .verify_audit(&signer().verifying_keys())
        .await
        .unwrap();
    store
}

async fn verify_err(store: &Store) -> hushgate_store::Tamper {
    tamper(
        store
            .verify_audit(&signer().verifying_keys())
            .await
            .unwrap_err(),
    )
}

async fn id_of(db: &TestDb, seq: i64) -> i64 {
    db.raw()
        .await
        .scalar_i64(&format!(
            "SELECT id FROM audit_records WHERE tenant = 'clinic' AND seq = {seq}"
        ))
        .await
}

async fn tamper_edit_a_field(db: &TestDb) {
    let store = chain(db, 8).await;
    let id = id_of(db, 4).await;
    db.raw()
        .await
        .exec("UPDATE audit_records SET decision = 'forward' WHERE tenant = 'clinic' AND seq = 4")
        .await;
    let t = verify_err(&store).await;
    assert_eq!(
        (t.seq, t.record_id, t.kind.clone()),
        (Some(4), Some(id), TamperKind::HashMismatch)
    );
    assert!(t.to_string().contains("record seq 4"), "{t}");
}

async fn tamper_edit_a_list_column(db: &TestDb) {
    let store = chain(db, 5).await;
    let raw = db.raw().await;
    raw.exec(
        "UPDATE audit_records SET findings = '{\"EMAIL_ADDRESS\":0}' WHERE tenant = 'clinic' AND seq = 2",
    )
    .await;
    let t = verify_err(&store).await;
    assert_eq!((t.seq, t.kind.clone()), (Some(2), TamperKind::HashMismatch));
    raw.exec("UPDATE audit_records SET reasons = 'not json' WHERE tenant = 'clinic' AND seq = 1")
        .await;
    let t = verify_err(&store).await;
    assert_eq!(
        (t.seq, t.kind.clone()),
        (Some(1), TamperKind::Unreadable { column: "reasons" })
    );
}

async fn tamper_delete_a_row(db: &TestDb) {
    let store = chain(db, 8).await;
    let id = id_of(db, 6).await;
    db.raw()
        .await
        .exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq = 5")
        .await;
    let t = verify_err(&store).await;
    assert_eq!(
        (t.seq, t.record_id, t.kind.clone()),
        (Some(6), Some(id), TamperKind::Missing { from: 5, to: 5 })
    );
    assert!(t.to_string().contains("seq 5"), "{t}");
}

async fn tamper_delete_the_first_rows(db: &TestDb) {
    let store = chain(db, 6).await;
    db.raw()
        .await
        .exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq <= 2")
        .await;
    let t = verify_err(&store).await;
    assert_eq!(
        (t.seq, t.kind.clone()),
        (Some(3), TamperKind::Missing { from: 1, to: 2 })
    );
}

/// The strongest insertion: later rows renumbered, the forged row correctly linked and
/// hashed. Only the row order (and the signed checkpoints) give it away.
async fn tamper_insert_a_forged_row(db: &TestDb) {
    let store = chain(db, 6).await;
    let raw = db.raw().await;
    let records = store
        .audit_records(&AuditFilter::default(), 0, 100)
        .await
        .unwrap();
    raw.exec("UPDATE audit_records SET seq = seq + 1000 WHERE tenant = 'clinic' AND seq >= 4")
        .await;
    raw.exec("UPDATE audit_records SET seq = seq - 999 WHERE tenant = 'clinic' AND seq >= 1000")
        .await;
    let mut forged = records[3].fields.clone();
    forged.decision = "forward".into();
    let prev = &records[2].hash;
    let hash = hushgate_store::hash_record(4, prev, &forged);
    raw.insert_record(4, prev, &hash, &forged).await;
    let forged_id = raw
        .scalar_i64("SELECT MAX(id) FROM audit_records WHERE tenant = 'clinic'")
        .await;
    let t = verify_err(&store).await;
    assert_eq!(
        (t.seq, t.record_id, t.kind.clone()),
        (Some(4), Some(forged_id), TamperKind::Inserted)
    );
}

async fn tamper_insert_a_row_at_the_tail(db: &TestDb) {
    let store = chain(db, 4).await;
    let records = store
        .audit_records(&AuditFilter::default(), 0, 100)
        .await
        .unwrap();
    let raw = db.raw().await;
    // A careless forger: a made-up prev_hash.
    raw.insert_record(5, &[7u8; 32], &[7u8; 32], &records[0].fields)
        .await;
    let t = verify_err(&store).await;
    assert_eq!((t.seq, t.kind.clone()), (Some(5), TamperKind::BrokenLink));
}

async fn tamper_swap_two_rows(db: &TestDb) {
    let store = chain(db, 8).await;
    let raw = db.raw().await;
    let id4 = id_of(db, 4).await;
    raw.exec("UPDATE audit_records SET seq = -1 WHERE tenant = 'clinic' AND seq = 3")
        .await;
    raw.exec("UPDATE audit_records SET seq = 3 WHERE tenant = 'clinic' AND seq = 4")
        .await;
    raw.exec("UPDATE audit_records SET seq = 4 WHERE tenant = 'clinic' AND seq = -1")
        .await;
    let t = verify_err(&store).await;
    // The row now at seq 3 (formerly seq 4) is the first out of place.
    assert_eq!(
        (t.seq, t.record_id, t.kind.clone()),
        (Some(3), Some(id4), TamperKind::BrokenLink)
    );
}

async fn tamper_truncate_the_tail(db: &TestDb) {
    let store = chain(db, 8).await;
    db.raw()
        .await
        .exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq >= 7")
        .await;
    let t = verify_err(&store).await;
    assert_eq!(t.seq, Some(7));
    assert!(
        matches!(
            t.kind,
            TamperKind::Truncated {
                last_seq: 6,
                signed_seq: 8,
                checkpoint_id: Some(_)
            }
        ),
        "{t}"
    );
}

/// The attacker also rewinds the (unsigned) head row: the signed checkpoint still tells.
async fn tamper_truncate_the_tail_and_head_row(db: &TestDb) {
    let store = chain(db, 8).await;
    let raw = db.raw().await;
    let hash6 = raw
        .bytes("SELECT hash FROM audit_records WHERE tenant = 'clinic' AND seq = 6")
        .await;
    raw.exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq >= 7")
        .await;
    raw.exec(&format!(
        "UPDATE audit_heads SET seq = 6, hash = {} WHERE tenant = 'clinic'",
        sql_bytes(db, &hash6)
    ))
    .await;
    let t = verify_err(&store).await;
    assert!(
        matches!(
            t.kind,
            TamperKind::Truncated {
                last_seq: 6,
                signed_seq: 8,
                checkpoint_id: Some(_)
            }
        ),
        "{t}"
    );
    assert!(t.to_string().contains("tail truncated"), "{t}");
}

fn sql_bytes(db: &TestDb, b: &[u8]) -> String {
    if db.is_postgres() {
        format!("'\\x{}'::bytea", hex::encode(b))
    } else {
        format!("X'{}'", hex::encode(b))
    }
}

/// Edit a record and recompute every later hash: self-consistent, but not what was signed.
async fn tamper_rehash_the_chain(db: &TestDb) {
    let store = chain(db, 6).await;
    let mut records = store
        .audit_records(&AuditFilter::default(), 0, 100)
        .await
        .unwrap();
    let raw = db.raw().await;
    raw.exec("DELETE FROM audit_records WHERE tenant = 'clinic' AND seq >= 3")
        .await;
    records[2].fields.decision = "forward".into();
    let mut prev = records[1].hash.clone();
    for r in &records[2..] {
        let hash = hushgate_store::hash_record(r.seq, &prev, &r.fields);
        raw.insert_record(r.seq, &prev, &hash, &r.fields).await;
        prev = hash.to_vec();
    }
    let t = verify_err(&store).await;
    assert_eq!(t.seq, Some(3));
    assert!(
        matches!(t.kind, TamperKind::CheckpointMismatch { since: 3, .. }),
        "{t}"
    );
}

async fn tamper_forge_a_checkpoint(db: &TestDb) {
    let store = chain(db, 3).await;
    db.raw()
        .await
        .exec("UPDATE audit_checkpoints SET seq = 2 WHERE tenant = 'clinic' AND seq = 3")
        .await;
    let t = verify_err(&store).await;
    assert!(matches!(t.kind, TamperKind::BadSignature { .. }), "{t}");
}

async fn purge_keeps_the_chain_verifiable(db: &TestDb) {
    let store = db.store().await;
    let s = signer();
    let w = writer(&store, &s);
    let old = OffsetDateTime::now_utc() - time::Duration::days(40);
    for i in 0..6 {
        let mut r = record("clinic", i);
        r.time = old + time::Duration::minutes(i as i64);
        w.append(r).await.unwrap();
    }
    for i in 6..10 {
        w.append(record("clinic", i)).await.unwrap();
    }
    w.append(record("bank", 0)).await.unwrap();
    let cutoff = OffsetDateTime::now_utc() - time::Duration::days(30);

    let report = store.purge_audit(cutoff, &s).await.unwrap();
    assert_eq!(report.chains, vec![("clinic".to_string(), 6, 6)]);
    let v = store.verify_audit(&s.verifying_keys()).await.unwrap();
    let clinic = v.chains.iter().find(|c| c.tenant == "clinic").unwrap();
    assert_eq!(
        (clinic.records, clinic.first_seq, clinic.anchor_seq),
        (4, Some(7), Some(6))
    );
    // Idempotent.
    assert_eq!(store.purge_audit(cutoff, &s).await.unwrap().deleted(), 0);
    // The chain keeps growing from where it was.
    assert_eq!(w.append(record("clinic", 10)).await.unwrap().seq, 11);
    store.verify_audit(&s.verifying_keys()).await.unwrap();

    // Purging everything leaves an anchor at the head.
    let all = store
        .purge_audit(OffsetDateTime::now_utc() + time::Duration::days(1), &s)
        .await
        .unwrap();
    assert_eq!(all.deleted(), 6);
    let v = store.verify_audit(&s.verifying_keys()).await.unwrap();
    assert_eq!(v.records(), 0);
    assert_eq!(w.append(record("clinic", 11)).await.unwrap().seq, 12);
    store.verify_audit(&s.verifying_keys()).await.unwrap();
    w.close().await.unwrap();

    // An attacker who deletes the anchor exposes the gap.
    db.raw()
        .await
        .exec("DELETE FROM audit_checkpoints WHERE kind = 'anchor' AND tenant = 'clinic'")
        .await;
    let t = verify_err(&store).await;
    assert!(matches!(t.kind, TamperKind::Missing { from: 1, .. }), "{t}");
}

async fn export_and_stats(db: &TestDb) {
    let store = db.store().await;
    let s = signer();
    let w = writer(&store, &s);
    let key = CorrelationKey::for_tenant(b"a server secret of at least 32 bytes", "clinic");
    for i in 0..9 {
        let mut r = record(if i < 6 { "clinic" } else { "bank" }, i);
        r.value_hashes = vec![key.hash(&EntityType::UsSsn, "078-05-1120")];
        r.usage = Some(TokenUsage {
            prompt_tokens: 10,
            completion_tokens: 5,
        });
        if i == 1 {
            r.upstream_error = Some(label("timeout"));
            r.status = 504;
            r.redacted_prompt = Some(RedactedPrompt::from_redacted(
                "Patient <PERSON_1>, \"quoted\", two\nlines".into(),
            ));
        }
        w.append(r).await.unwrap();
    }
    w.close().await.unwrap();

    let clinic = AuditFilter {
        tenant: Some("clinic".into()),
        ..Default::default()
    };
    let mut jsonl = Vec::new();
    let n = store
        .export_audit(&clinic, ExportFormat::Jsonl, &mut jsonl)
        .await
        .unwrap();
    assert_eq!(n, 6);
    let lines: Vec<serde_json::Value> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["tenant"], "clinic");
    assert_eq!(lines[0]["seq"], 1);
    assert_eq!(lines[0]["value_hashes"][0][0], "US_SSN");
    assert_eq!(lines[1]["upstream_error"], "timeout");
    assert!(lines[0]["time"].as_str().unwrap().ends_with('Z'));

    let mut csv = Vec::new();
    store
        .export_audit(&AuditFilter::default(), ExportFormat::Csv, &mut csv)
        .await
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("id,tenant,seq,time,"));
    assert!(csv.contains("\"Patient <PERSON_1>, \"\"quoted\"\", two\nlines\""));

    let future = AuditFilter {
        since: Some(OffsetDateTime::now_utc() + time::Duration::hours(1)),
        ..Default::default()
    };
    let mut none = Vec::new();
    assert_eq!(
        store
            .export_audit(&future, ExportFormat::Jsonl, &mut none)
            .await
            .unwrap(),
        0
    );

    let stats = store.audit_stats(&AuditFilter::default()).await.unwrap();
    let total = stats.total();
    assert_eq!(total.requests, 9);
    assert_eq!(total.decisions["block"], 3);
    assert_eq!(total.decisions["pseudonymize"], 6);
    assert_eq!(total.upstream_errors, 1);
    assert_eq!(total.statuses[&504], 1);
    assert_eq!(total.prompt_tokens, 90);
    assert_eq!(
        total.findings["EMAIL_ADDRESS"],
        (0..9).map(|i| (i % 4) as u64).sum::<u64>()
    );
    // Rows per (tenant, route): blocked requests have no route.
    let clinic_blocked = stats
        .rows
        .iter()
        .find(|r| r.tenant == "clinic" && r.route.is_none())
        .unwrap();
    assert_eq!(clinic_blocked.requests, 2);
    assert_eq!(stats.rows.len(), 4);
    assert!(store.audit_stats(&future).await.unwrap().rows.is_empty());
}

/// Requests full of sensitive values go through the public API the way the gateway will use
/// it (keyed hashes, counts, labels); none of the values may reach the database. Neither
/// may an API key's secret.
async fn canaries_never_reach_the_database(db: &TestDb) {
    let canaries = [
        "078-05-1120",
        "CANARY4111111111111111",
        "canary.leak@example.org",
        "Zebulon Canaryfield",
        "sk-canary-9f8e7d6c5b4a3f2e1d0c",
        "DE89370400440532013000",
    ];
    let store = db.store().await;
    let (_, key) = store.create_key("clinic", Some("app")).await.unwrap();
    let secret = key.expose()[20..].to_owned();
    let w = writer(&store, &signer());
    let hasher = CorrelationKey::for_tenant(b"a server secret of at least 32 bytes", "clinic");
    let types = [
        EntityType::UsSsn,
        EntityType::CreditCard,
        EntityType::EmailAddress,
        EntityType::Person,
        EntityType::ApiKey,
        EntityType::IbanCode,
    ];
    for i in 0..50 {
        let mut r: AuditRecord = record("clinic", i);
        for (t, v) in types.iter().zip(canaries) {
            *r.findings.entry(t.clone()).or_default() += 1;
            r.value_hashes.push(hasher.hash(t, v));
        }
        r.redacted_prompt = Some(RedactedPrompt::from_redacted(
            "Patient <PERSON_1>, SSN <US_SSN_1>".into(),
        ));
        w.append(r).await.unwrap();
    }
    w.close().await.unwrap();
    store
        .verify_audit(&signer().verifying_keys())
        .await
        .unwrap();

    let mut haystack = Vec::new();
    match &db.kind {
        common::Kind::Sqlite { dir, .. } => {
            store.close().await;
            for entry in std::fs::read_dir(dir.path()).unwrap() {
                // The last connection to close deletes the WAL and shared-memory files, and
                // the pool's worker threads may still be closing: a file gone is not read.
                match std::fs::read(entry.unwrap().path()) {
                    Ok(bytes) => haystack.extend(bytes),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => panic!("{e}"),
                }
            }
            assert!(haystack.len() > 4096);
        }
        common::Kind::Postgres { schema, .. } => {
            let raw = db.raw().await;
            haystack.extend(raw.pg_dump_text(schema).await.into_bytes());
            assert!(String::from_utf8_lossy(&haystack).contains("<PERSON_1>"));
        }
    }
    let haystack = String::from_utf8_lossy(&haystack).to_lowercase();
    for c in canaries.iter().copied().chain([secret.as_str()]) {
        assert!(!haystack.contains(&c.to_lowercase()), "{c} leaked");
        assert!(!haystack.contains(&hex::encode(c)), "{c} leaked as hex");
    }
}

async fn idle_checkpoints_cover_the_tail(db: &TestDb) {
    let store = db.store().await;
    let s = signer();
    let w = hushgate_store::AuditWriter::start(
        store.clone(),
        s.clone(),
        hushgate_store::AuditOptions {
            checkpoint_interval: Duration::from_secs(2),
            ..Default::default()
        },
    );
    for i in 0..5 {
        w.append(record("clinic", i)).await.unwrap();
    }
    // Within the interval only the first record's commit was signed ...
    let v = store.verify_audit(&s.verifying_keys()).await.unwrap();
    assert_eq!(v.chains[0].last_signed_seq, Some(1));
    assert_eq!(v.chains[0].unsigned_tail, 4);
    // ... and once the writer is idle past it, the head is signed without further appends.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let v = store.verify_audit(&s.verifying_keys()).await.unwrap();
    assert_eq!(v.chains[0].last_signed_seq, Some(5));
    assert_eq!(v.chains[0].unsigned_tail, 0);
    w.close().await.unwrap();
}

/// The database file (and the WAL beside it) is readable by its owner only.
#[cfg(unix)]
#[tokio::test]
async fn a_new_sqlite_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hushgate.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let w = writer(&store, &signer());
    w.append(record("clinic", 0)).await.unwrap();
    for name in ["hushgate.db", "hushgate.db-wal"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}: {mode:o}");
    }
    w.close().await.unwrap();
    store.close().await;
}
