//! `hushgate review` and `hushgate check` as a user runs them: the real binary over
//! examples/clinic.toml (so the sample config stays valid and its review keeps naming
//! every gap a reader must see).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const TODAY: &str = "2026-11-24";

/// The values in the clinic's note: none may appear in reasons or the findings table.
const NOTE_VALUES: &[&str] = &[
    "Maria",
    "Delgado",
    "4111",
    "536-90-4399",
    "maria.delgado@example.com",
    "555 0132",
    "4471-2290",
    "Okafor",
];

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn clinic_toml() -> String {
    example("clinic.toml").display().to_string()
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    #[track_caller]
    fn ok(self) -> Out {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `hushgate` in `dir` (a fresh temp directory when `None`) with `stdin`.
fn run_in(dir: Option<&Path>, args: &[&str], stdin: &str) -> Out {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = dir.unwrap_or(tmp.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_hushgate"))
        .env_remove("HUSHGATE_CONFIG")
        .env_remove("OPENAI_API_KEY")
        .current_dir(cwd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn run(args: &[&str], stdin: &str) -> Out {
    run_in(None, args, stdin)
}

/// What every rendering of the clinic review must say, in Markdown's words (`code` spans).
const GAPS: &[&str] = &[
    // HIPAA: no BAA with OpenAI, so PHI goes to the private llama, or nowhere.
    "tenant `clinic` sends PHI to `openai` without a signed BAA",
    "PHI will be routed to `private`; if `private` is down, requests are blocked",
    // The SaaS: our BAA with the vendor does not reach OpenAI underneath.
    "tenant `clinic` sends PHI to `notes-ai` without a signed BAA",
    "via `openai` (vendor `acme-notes`",
    "route `notes-ai` is `acme-notes` built on `openai`",
    // GDPR: OpenAI processes in the US, the office allows the EU only.
    "tenant `eu-office` sends PII to `openai`, which processes data outside the tenant",
    "PII will be pseudonymized before it is sent to `openai`",
    // Stale terms and contract facts (checked more than 180 days before TODAY).
    "terms of `acme-notes` (Acme Notes (SaaS on OpenAI)) are stale, older than 180 days",
    "contract facts at `providers.openai.contract` were confirmed on 2026-03-02, 267 days ago",
    "contract facts at `providers.notes-ai.contract` were confirmed on 2026-05-01",
    // Facts not read from a live page are named for re-verification.
    "facts about `openai` (OpenAI API) were not read from a live page",
    // Abuse-monitoring retention of what does reach OpenAI.
    "`openai` may keep prompts and outputs up to 30 days for abuse monitoring",
    // The PCI shop's card numbers never leave unmasked.
    "card numbers never leave unmasked",
    // The CLI's own section: the default `pseudonymize = "all"`.
    "Tenant(s) `clinic`, `shop`, `eu-office` have `pseudonymize = \"all\"`",
];

#[track_caller]
fn assert_names_every_gap(doc: &str) {
    for gap in GAPS {
        assert!(doc.contains(gap), "missing {gap:?} in:\n{doc}");
    }
    // Azure is under a signed BAA: no BAA gap for it.
    assert!(!doc.contains("sends PHI to `azure-eu` without"), "{doc}");
}

#[test]
fn review_markdown_names_each_gap() {
    let out = run(
        &["review", "--config", &clinic_toml(), "--today", TODAY],
        "",
    )
    .ok();
    let md = &out.stdout;
    assert!(md.starts_with("# Hushgate data-flow review"), "{md}");
    assert!(md.contains(&format!("Generated on {TODAY}")), "{md}");
    assert_names_every_gap(md);

    // Per tenant flows: the shop's cards pseudonymized by the PCI rule, the clinic's PHI
    // to the private route under the BAA rule, the `none` tenant on the baseline only.
    let shop = section(md, "## Tenant `shop`");
    assert!(
        shop.contains("| `openai` | chat | PCI | **pseudonymize** |")
            && shop.contains("pci.pan_unreadable"),
        "{shop}"
    );
    let clinic = section(md, "## Tenant `clinic`");
    assert!(
        clinic.contains("| `openai` | chat | PHI | **route_private** |")
            && clinic.contains("✗ `hipaa.baa_required`: BAA not signed")
            && clinic.contains("| `azure-eu` | chat | PHI | **allow** |"),
        "{clinic}"
    );
    let lab = section(md, "## Tenant `lab`");
    assert!(
        lab.contains("No regulatory regime: only the baseline"),
        "{lab}"
    );
    // Contract facts are shown with their sources.
    assert!(
        md.contains("OpenAI DPA executed via the online form"),
        "{md}"
    );

    // Reproducible: the same date gives the same document.
    let again = run(
        &["review", "--config", &clinic_toml(), "--today", TODAY],
        "",
    )
    .ok();
    assert_eq!(again.stdout, out.stdout);
}

/// The text of a Markdown section, from its heading to the next `## `.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md.find(heading).unwrap_or_else(|| panic!("no {heading}"));
    let rest = &md[start + heading.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn review_html_is_one_self_contained_file_naming_each_gap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.html");
    let out = run(
        &[
            "review",
            "--config",
            &clinic_toml(),
            "--today",
            TODAY,
            "--format",
            "html",
            "--out",
            path.to_str().unwrap(),
        ],
        "",
    )
    .ok();
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(out.stderr.contains("review.html"), "{}", out.stderr);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.trim_end().ends_with("</html>"));
    // Self-contained: no scripts, no external stylesheets or images.
    for needle in ["<script", "<link", "<img", "src=\"http"] {
        assert!(!html.contains(needle), "{needle} in the page");
    }
    // The CLI's section sits inside the body.
    let notes = html
        .find("How the gateway applies these decisions")
        .unwrap();
    assert!(notes < html.find("</body>").unwrap());
    let text = html
        .replace("<code>", "`")
        .replace("</code>", "`")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert_names_every_gap(&text);
}

#[test]
fn review_json_parses_and_carries_the_gaps() {
    let out = run(
        &[
            "review",
            "--config",
            &clinic_toml(),
            "--today",
            TODAY,
            "--format",
            "json",
        ],
        "",
    )
    .ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["generated"], TODAY);
    let gaps = v["gaps"].as_array().unwrap();
    assert!(gaps.iter().any(|g| g["rule"] == "hipaa.baa_required"
        && g["tenant"] == "clinic"
        && g["route"] == "openai"));
    assert!(gaps.iter().any(|g| g["kind"] == "vendor_chain"));
    assert!(gaps.iter().any(|g| g["kind"] == "stale_terms"));
    assert_eq!(v["gateway"]["pseudonymize_all"][0], "clinic");
}

#[test]
fn review_without_regimes_says_how_to_add_them() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("plain.toml");
    std::fs::write(
        &cfg,
        "[[providers]]\nname = \"openai\"\nkind = \"openai\"\napi_key_env = \"OPENAI_API_KEY\"\n\
         [[models]]\nalias = \"gpt-4o-mini\"\nprovider = \"openai\"\n\
         [[tenants]]\nname = \"acme\"\n",
    )
    .unwrap();
    let out = run(
        &[
            "review",
            "--config",
            cfg.to_str().unwrap(),
            "--today",
            TODAY,
        ],
        "",
    )
    .ok();
    assert!(
        out.stderr.contains("no tenant has `regimes`")
            && out.stderr.contains("regimes = [\"hipaa\"]"),
        "{}",
        out.stderr
    );
    let md = &out.stdout;
    assert!(md.contains("### Tenants without regimes"), "{md}");
    assert!(md.contains("| `acme` | `openai` | none |"), "{md}");
    // The embedded default (tenant `default`) reviews too.
    let out = run(&["review", "--today", TODAY], "").ok();
    assert!(out.stdout.contains("| `default` |"), "{}", out.stdout);
}

#[test]
fn review_rejects_a_bad_date() {
    let out = run(
        &[
            "review",
            "--config",
            &clinic_toml(),
            "--today",
            "24/11/2026",
        ],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("YYYY-MM-DD"), "{}", out.stderr);
}

fn clinic_note() -> String {
    std::fs::read_to_string(example("clinic-note.txt")).unwrap()
}

/// The part of a `check` table before the text as sent: findings and reasons.
fn before_text(out: &str) -> &str {
    out.split("--- the text as").next().unwrap()
}

#[test]
fn check_routes_the_clinical_note_privately_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let note = example("clinic-note.txt");
    let out = run_in(
        Some(dir.path()),
        &[
            "check",
            "--config",
            &clinic_toml(),
            "--tenant",
            "clinic",
            "--model",
            "gpt-4o-mini",
            note.to_str().unwrap(),
        ],
        "",
    )
    .ok();
    let t = &out.stdout;
    assert!(t.contains("decision: route_private"), "{t}");
    assert!(t.contains("route:    private"), "{t}");
    assert!(t.contains("hipaa.baa_required"), "{t}");
    assert!(t.contains("BAA not signed"), "{t}");
    assert!(
        t.contains("--- the text as `private` would receive it ---"),
        "{t}"
    );
    let head = before_text(t);
    assert!(
        head.contains("PERSON") && head.contains("PHI, PII"),
        "{head}"
    );
    for v in NOTE_VALUES {
        assert!(
            !head.contains(v),
            "{v} shown outside the text as sent:\n{head}"
        );
    }
    // Nothing opened or created: no database, no audit key files.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");

    // The same as JSON, from standard input.
    let out = run(
        &[
            "check",
            "--config",
            &clinic_toml(),
            "--tenant",
            "clinic",
            "--format",
            "json",
        ],
        &clinic_note(),
    )
    .ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["tenant"], "clinic");
    assert_eq!(v["model"], "gpt-4o-mini");
    assert_eq!(v["decision"], "route_private");
    assert_eq!(v["route"], "private");
    assert_eq!(v["requested_route"], "openai");
    assert_eq!(v["clinical_context"], true);
    assert!(v["findings"]["PERSON"].as_u64().unwrap() >= 1);
    let reasons = v["reasons"].as_array().unwrap();
    let baa = reasons
        .iter()
        .find(|r| r["rule"] == "hipaa.baa_required")
        .unwrap();
    assert_eq!(baa["class"], "PHI");
    assert_eq!(baa["provider"], "openai");
    assert_eq!(baa["detail"], "BAA not signed");
    let reasons = v["reasons"].to_string();
    for value in NOTE_VALUES {
        assert!(
            !reasons.contains(value),
            "{value} in the reasons: {reasons}"
        );
    }
    assert!(
        v["classes"]["CREDIT_CARD"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "PCI")
    );
}

#[test]
fn check_the_clinic_through_the_saas_names_the_vendor_chain() {
    let out = run(
        &[
            "check",
            "--config",
            &clinic_toml(),
            "--tenant",
            "clinic",
            "--model",
            "notes",
            "--format",
            "json",
        ],
        &clinic_note(),
    )
    .ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["decision"], "route_private");
    assert_eq!(v["route"], "private");
    let baa = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "hipaa.baa_required")
        .cloned()
        .unwrap();
    assert_eq!(baa["provider"], "notes-ai");
    assert_eq!(baa["via"][0], "openai");
}

#[test]
fn check_the_shop_masks_card_numbers() {
    let text = "Refund card 4111 1111 1111 1111 for jane@example.org";
    let out = run(
        &["check", "--config", &clinic_toml(), "--tenant", "shop"],
        text,
    )
    .ok();
    let t = &out.stdout;
    assert!(t.contains("decision: pseudonymize"), "{t}");
    assert!(t.contains("pci.pan_unreadable"), "{t}");
    assert!(t.contains("[CREDIT_CARD_1]"), "{t}");
    assert!(!t.contains("4111"), "{t}");
}

#[test]
fn check_the_none_tenant_sends_as_configured() {
    let text = "Pt Jane Roe, diagnosed with T2DM, mail jane@example.org";
    let out = run(
        &[
            "check",
            "--config",
            &clinic_toml(),
            "--tenant",
            "lab",
            "--format",
            "json",
        ],
        text,
    )
    .ok();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    // `regimes = ["none"]` with `pseudonymize = "policy"`: only the baseline applies, so
    // personal data goes to OpenAI as it is; no PHI without HIPAA.
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["route"], "openai");
    assert_eq!(v["sent"], text);
    assert_eq!(v["reasons"].as_array().unwrap().len(), 0);
    assert!(!v["classes"].to_string().contains("PHI"), "{v}");

    // Secrets never leave, even for `none`.
    let text = "deploy with sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
    let out = run(
        &["check", "--config", &clinic_toml(), "--tenant", "lab"],
        text,
    )
    .ok();
    assert!(
        out.stdout.contains("baseline.secret_redacted"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("[API_KEY_1]"), "{}", out.stdout);
    assert!(!out.stdout.contains("sk-proj-abc"), "{}", out.stdout);
}

#[test]
fn check_errors_list_the_valid_names() {
    let out = run(
        &["check", "--config", &clinic_toml(), "--tenant", "nobody"],
        "x",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("unknown tenant `nobody` (configured: clinic, shop, eu-office, lab)"),
        "{}",
        out.stderr
    );
    let out = run(
        &[
            "check",
            "--config",
            &clinic_toml(),
            "--tenant",
            "lab",
            "--model",
            "gpt-4o-eu",
        ],
        "x",
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("it may use: gpt-4o-mini"),
        "{}",
        out.stderr
    );
    // The embedded default without OPENAI_API_KEY has no model to route to.
    let out = run(&["check", "--tenant", "default"], "x");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no [[models]]"), "{}", out.stderr);
}
