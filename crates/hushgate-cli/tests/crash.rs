//! Crash safety on SQLite: the real `hushgate serve` under concurrent load is killed with
//! SIGKILL; every request whose client got a 200 must have its decision record (written and
//! committed before forwarding) in the database, and after a restart on the same files and a
//! graceful stop `hushgate audit verify` must pass.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::load::{Seen, load_counting};
use common::{Env, Served};
use hushgate_store::{AuditFilter, OUTCOME_DECISION, StoredRecord};
use hushgate_testkit::{Behaviour, ProviderDouble};
use serde_json::{Value, json};
fn chat() -> Value {
    json!({
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Summarize the quarterly report in one line."}],
    })
}

async fn all_records(env: &Env) -> Vec<StoredRecord> {
    let store = env.store().await;
    let mut out = Vec::new();
    loop {
        let after = out.last().map_or(0, |r: &StoredRecord| r.id);
        let page = store
            .audit_records(&AuditFilter::default(), after, 1000)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        out.extend(page);
    }
    store.close().await;
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_decision_record_and_the_trail_verifies() {
    let started = Instant::now();
    let env = Env::sqlite();
    // Checkpoints signed at most every second: the kill leaves an unsigned tail, as it would
    // in production.
    let text = std::fs::read_to_string(&env.config).unwrap().replace(
        "checkpoint_interval_secs = 0",
        "checkpoint_interval_secs = 1",
    );
    std::fs::write(&env.config, text).unwrap();
    let double = ProviderDouble::start(Behaviour::echo().delay(Duration::from_millis(30))).await;
    env.append_double_provider(&double.base_url(), "");
    let key = env
        .run(&["keys", "create", "--tenant", "bank"])
        .ok()
        .stdout
        .trim()
        .to_owned();

    let mut gw = Served::start(common::serve_command(&env));
    let ok = Arc::new(AtomicUsize::new(0));
    let fired = {
        let (bases, key, ok) = (vec![gw.base.clone()], key.clone(), Arc::clone(&ok));
        tokio::spawn(async move { load_counting(&bases, &key, &chat(), 200, 16, ok).await })
    };
    // Kill in the middle: once 80 clients have their 200 (about 16 more are in flight).
    let deadline = Instant::now() + Duration::from_secs(30);
    while ok.load(Ordering::SeqCst) < 80 {
        assert!(
            Instant::now() < deadline,
            "only {} requests succeeded in 30 s:\n{}",
            ok.load(Ordering::SeqCst),
            gw.log()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    gw.kill9();
    let seen = fired.await.unwrap();

    let answered: Vec<&str> = seen
        .iter()
        .filter(|s| s.status == 200)
        .map(|s| s.request_id.as_str())
        .collect();
    // Status 0: the request failed in transport (the kill).
    let failed = seen.iter().filter(|s| s.status == 0).count();
    let other: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.status != 200 && s.status != 0)
        .collect();
    assert!(
        other.is_empty(),
        "non-200 answers before the kill: {other:?}"
    );
    assert!(
        answered.len() >= 80 && failed > 0,
        "the kill should land mid-load: {} answered, {failed} failed",
        answered.len()
    );
    assert!(answered.iter().all(|id| id.starts_with("req_")));

    // Every answered request has its decision record (status 0) in the database.
    let records = all_records(&env).await;
    let decisions: HashMap<&str, &StoredRecord> = records
        .iter()
        .filter(|r| r.fields.decision != OUTCOME_DECISION)
        .map(|r| (r.fields.request_id.as_str(), r))
        .collect();
    let missing: Vec<&&str> = answered
        .iter()
        .filter(|id| !decisions.contains_key(**id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} answered requests have no decision record: {missing:?}",
        missing.len(),
        answered.len()
    );
    for id in &answered {
        let r = decisions[id];
        assert_eq!(r.fields.status, 0, "{r:?}");
        assert_eq!(r.fields.tenant, "bank");
    }
    let outcomes: HashSet<&str> = records
        .iter()
        .filter(|r| r.fields.decision == OUTCOME_DECISION)
        .map(|r| r.fields.request_id.as_str())
        .collect();
    let without_outcome = answered
        .iter()
        .filter(|id| !outcomes.contains(**id))
        .count();
    eprintln!(
        "killed after {} answered / {failed} failed; {} records ({} decisions, {} outcomes); \
         {without_outcome} answered requests lost their outcome record",
        answered.len(),
        records.len(),
        decisions.len(),
        outcomes.len()
    );
    // The chain as the crash left it (unsigned tail included) verifies.
    env.run(&["audit", "verify"]).ok();

    // Restart on the same files, a few more requests, a graceful stop.
    let mut gw = Served::start(common::serve_command(&env));
    let client = reqwest::Client::new();
    let mut after = Vec::new();
    for _ in 0..5 {
        let resp = client
            .post(format!("{}/chat/completions", gw.base))
            .bearer_auth(&key)
            .json(&chat())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{}", gw.log());
        after.push(resp.headers()["x-request-id"].to_str().unwrap().to_owned());
    }
    let status = gw.terminate();
    assert!(status.success(), "exit {status:?}:\n{}", gw.log());

    let records = all_records(&env).await;
    for id in &after {
        let mine: Vec<&StoredRecord> = records
            .iter()
            .filter(|r| &r.fields.request_id == id)
            .collect();
        assert_eq!(mine.len(), 2, "{id}: {mine:?}");
        assert_eq!(mine[0].fields.status, 0);
        assert_eq!(mine[1].fields.decision, OUTCOME_DECISION);
        assert_eq!(mine[1].fields.status, 200);
    }
    let out = env.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout.starts_with("audit trail intact: "),
        "{}",
        out.stdout
    );
    // The graceful stop signed the head: the whole chain is covered.
    let seqs = records.len();
    assert!(
        out.stdout.contains(&format!("signed through seq {seqs}")),
        "{}",
        out.stdout
    );
    eprintln!("crash test took {:?}", started.elapsed());
}
