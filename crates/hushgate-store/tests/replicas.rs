//! Several gateway replicas sharing one PostgreSQL (and one Redis): each replica is its own
//! pool and its own group-commit writer. Skipped only when `HUSHGATE_TEST_POSTGRES_URL`
//! (or `HUSHGATE_TEST_REDIS_URL` for the Redis test) is unset.

#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{TestDb, record, signer, unique};
use hushgate_store::{AuditOptions, AuditWriter, Limiter, RateDecision};

fn minute() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 60
}

/// Fires `n` acquires of 1 against `limit`, alternating between the limiters; returns how
/// many were allowed and whether the minute stayed the same throughout.
async fn hammer(limiters: &[Limiter], scope: &str, n: usize, limit: u64) -> (usize, bool) {
    let before = minute();
    let mut tasks = Vec::new();
    for i in 0..n {
        let l = limiters[i % limiters.len()].clone();
        let scope = scope.to_owned();
        tasks.push(tokio::spawn(async move {
            l.acquire(&scope, 1, limit).await.unwrap()
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), RateDecision::Allowed { .. }) {
            allowed += 1;
        }
    }
    (allowed, before == minute())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_append_concurrently_without_loss() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let s = signer();
    let replicas = [db.store().await, db.store().await];
    let writers: Vec<AuditWriter> = replicas
        .iter()
        .map(|store| {
            AuditWriter::start(
                store.clone(),
                s.clone(),
                AuditOptions {
                    checkpoint_interval: Duration::from_millis(20),
                    ..AuditOptions::default()
                },
            )
        })
        .collect();
    let mut tasks = Vec::new();
    for task in 0..16 {
        let w = writers[task % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            for i in 0..50 {
                let tenant = ["clinic", "bank", "law"][(task + i) % 3];
                let a = w.append(record(tenant, task * 1000 + i)).await.unwrap();
                done.push((a.tenant, a.seq));
            }
            done
        }));
    }
    let mut seen = BTreeSet::new();
    for t in tasks {
        for placed in t.await.unwrap() {
            assert!(seen.insert(placed.clone()), "{placed:?} handed out twice");
        }
    }
    assert_eq!(seen.len(), 800);
    for w in &writers {
        w.close().await.unwrap();
    }
    let report = replicas[0].verify_audit(&s.verifying_keys()).await.unwrap();
    assert_eq!(report.records(), 800);
    for chain in &report.chains {
        let seqs: Vec<i64> = seen
            .iter()
            .filter(|(t, _)| *t == chain.tenant)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(seqs, (1..=chain.last_seq).collect::<Vec<_>>());
        assert_eq!(chain.unsigned_tail, 0, "close() signs the final heads");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn limits_hold_across_two_postgres_replicas() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let limiters = [
        Limiter::database(db.store().await),
        Limiter::database(db.store().await),
    ];
    let scope = unique("rpm:key");
    let (allowed, same_minute) = hammer(&limiters, &scope, 100, 40).await;
    if same_minute {
        assert_eq!(allowed, 40);
    } else {
        assert!((40..=80).contains(&allowed), "{allowed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn limits_hold_across_two_redis_replicas() {
    let Ok(url) = std::env::var(common::REDIS_ENV) else {
        eprintln!("skipped: {} is not set", common::REDIS_ENV);
        return;
    };
    let limiters = [
        Limiter::redis(&url).await.unwrap(),
        Limiter::redis(&url).await.unwrap(),
    ];
    let scope = unique("rpm:key");
    let (allowed, same_minute) = hammer(&limiters, &scope, 100, 40).await;
    if same_minute {
        assert_eq!(allowed, 40);
    } else {
        assert!((40..=80).contains(&allowed), "{allowed}");
    }
    // Refused requests were not counted, and the window expires on its own.
    let window = minute() * 60;
    let key = format!("hushgate:rate:{scope}:{window}");
    let mut conn = redis::Client::open(url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let (count, ttl): (Option<i64>, i64) = redis::pipe()
        .get(&key)
        .ttl(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    if same_minute && minute() * 60 == window {
        assert_eq!(count, Some(40));
        assert!((1..=120).contains(&ttl), "{ttl}");
    }

    let tpm = unique("tpm:key");
    assert_eq!(limiters[0].add(&tpm, 500).await.unwrap(), 500);
    assert_eq!(limiters[1].add(&tpm, -100).await.unwrap(), 400);
    assert!(
        matches!(
            limiters[0].acquire(&tpm, 700, 1000).await.unwrap(),
            RateDecision::Limited { .. }
        ) || minute() * 60 != window
    );

    // An unreachable Redis is an error, not a hang.
    let started = std::time::Instant::now();
    assert!(Limiter::redis("redis://127.0.0.1:1/").await.is_err());
    assert!(started.elapsed() < Duration::from_secs(5));
}
