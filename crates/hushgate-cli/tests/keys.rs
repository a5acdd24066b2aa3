//! `hushgate keys create|list|revoke` against a real SQLite file: the printed key
//! authenticates through hushgate-store, a revoked one does not, `list` never shows a key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Env;
use hushgate_store::Store;

#[tokio::test]
async fn create_list_revoke_round_trip() {
    let env = Env::sqlite();
    let out = env
        .run(&[
            "keys",
            "create",
            "--tenant",
            "clinic",
            "--name",
            "billing-app",
        ])
        .ok();
    // Only the key on stdout: `KEY=$(hushgate keys create ...)` works.
    let key = out.stdout.strip_suffix('\n').unwrap().to_owned();
    assert!(
        key.starts_with("hg_") && !key.contains(char::is_whitespace),
        "{key:?}"
    );
    assert_eq!(out.stdout.lines().count(), 1);
    let id = &key[3..19];
    assert!(
        out.stderr
            .contains(&format!("created key {id} for tenant `clinic`")),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains(&key[20..]),
        "the secret part went to stderr"
    );

    let other = env.run(&["keys", "create", "--tenant", "bank"]).ok().stdout;
    let other = other.trim();

    let store = Store::connect(&env.url).await.unwrap();
    let who = store.authenticate(&key).await.unwrap().unwrap();
    assert_eq!(
        (who.tenant.as_str(), who.label.as_deref()),
        ("clinic", Some("billing-app"))
    );
    assert_eq!(who.id.as_str(), id);
    assert_eq!(
        store.authenticate(other).await.unwrap().unwrap().tenant,
        "bank"
    );
    assert_eq!(store.list_tenants().await.unwrap(), ["bank", "clinic"]);

    let list = env.run(&["keys", "list"]).ok().stdout;
    assert!(list.starts_with("ID"), "{list}");
    assert!(list.contains(id) && list.contains("billing-app"), "{list}");
    assert_eq!(list.lines().count(), 3, "{list}");
    for secret in [&key[20..], &other[20..]] {
        assert!(!list.contains(secret), "list shows a key: {list}");
    }
    let clinic_only = env.run(&["keys", "list", "--tenant", "clinic"]).ok().stdout;
    assert_eq!(clinic_only.lines().count(), 2, "{clinic_only}");
    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["keys", "list", "--format", "json"]).ok().stdout).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["revoked"].is_null()));
    assert!(!json.to_string().contains(&key[20..]));

    let out = env.run(&["keys", "revoke", id]).ok();
    assert!(
        out.stderr.contains(&format!("revoked key {id}")),
        "{}",
        out.stderr
    );
    assert!(store.authenticate(&key).await.unwrap().is_none());
    assert!(store.authenticate(other).await.unwrap().is_some());
    // Revoking again is not an error; an unknown id is.
    let out = env.run(&["keys", "revoke", id]).ok();
    assert!(out.stderr.contains("already revoked"), "{}", out.stderr);
    let out = env.run(&["keys", "revoke", "0123456789abcdef"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no key with id 0123456789abcdef"),
        "{}",
        out.stderr
    );
    // A whole key pasted instead of the id is refused without being echoed.
    let out = env.run(&["keys", "revoke", other]);
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains(&other[20..]), "{}", out.stderr);
    assert!(store.authenticate(other).await.unwrap().is_some());

    let json: serde_json::Value =
        serde_json::from_str(&env.run(&["keys", "list", "--format", "json"]).ok().stdout).unwrap();
    let revoked = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert!(revoked["revoked"].is_string(), "{json}");
    store.close().await;
}

#[test]
fn the_tenant_must_be_configured() {
    let env = Env::sqlite();
    let out = env.run(&["keys", "create", "--tenant", "clinik"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("unknown tenant `clinik`: configured tenants are `clinic`, `bank`"),
        "{}",
        out.stderr
    );
    // Usage errors are clap's exit code 2.
    let out = env.run(&["keys", "create"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// A newcomer without a config file: the embedded default (tenant `default`, `hushgate.db`
/// in the working directory).
#[test]
fn the_embedded_default_has_a_default_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = common::hushgate();
    c.current_dir(dir.path())
        .args(["keys", "create", "--tenant", "default"]);
    let out = common::output(c).ok();
    assert!(out.stdout.starts_with("hg_"));
    assert!(dir.path().join("hushgate.db").exists());
    let mut c = common::hushgate();
    c.current_dir(dir.path())
        .args(["keys", "create", "--tenant", "clinic"]);
    let out = common::output(c);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("configured tenants are `default`"),
        "{}",
        out.stderr
    );
}

#[test]
fn help_teaches() {
    for cmd in [
        &["keys", "--help"][..],
        &["keys", "create", "--help"],
        &["keys", "list", "--help"],
        &["keys", "revoke", "--help"],
    ] {
        let mut c = common::hushgate();
        c.args(cmd);
        let out = common::output(c).ok();
        assert!(out.stdout.contains("Example"), "{cmd:?}: {}", out.stdout);
        assert!(
            out.stdout.contains("hushgate keys"),
            "{cmd:?}: {}",
            out.stdout
        );
    }
}

/// A storage URL with a password: errors show the URL with `***` instead.
#[test]
fn the_storage_password_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("pg.toml");
    std::fs::write(
        &cfg,
        "[storage]\nurl = \"postgres://hushgate:pw-canary-7f3a@127.0.0.1:1/hushgate\"\n\
         [[tenants]]\nname = \"clinic\"\n",
    )
    .unwrap();
    // Each attempt waits out the pool's 5 s acquire timeout: two commands, in parallel.
    std::thread::scope(|s| {
        for args in [&["keys", "list"][..], &["audit", "verify"]] {
            let (dir, cfg) = (&dir, &cfg);
            s.spawn(move || {
                let mut c = common::hushgate();
                c.current_dir(dir.path())
                    .arg("--config")
                    .arg(cfg)
                    .args(args);
                let out = common::output(c);
                assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
                assert!(
                    out.stderr.contains(
                        "cannot open storage postgres://hushgate:***@127.0.0.1:1/hushgate"
                    ),
                    "{args:?}: {}",
                    out.stderr
                );
                assert!(
                    !out.stderr.contains("pw-canary"),
                    "{args:?}: {}",
                    out.stderr
                );
                assert!(
                    !out.stdout.contains("pw-canary"),
                    "{args:?}: {}",
                    out.stdout
                );
            });
        }
    });
}
