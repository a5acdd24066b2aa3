use std::path::Path;
use std::time::Duration;

use super::*;

fn load(text: &str) -> Result<Config, ConfigError> {
    // A fixed environment: only OPENAI_API_KEY is "set".
    Config::from_toml_str_with_env(text, Path::new("x.toml"), &|n| n == "OPENAI_API_KEY")
}

fn err(text: &str) -> String {
    let e = load(text).unwrap_err().to_string();
    assert!(e.contains("x.toml"), "error does not name the file: {e}");
    e
}

const ISSUE_EXAMPLE: &str = r#"
listen = "127.0.0.1:8080"
[storage]
url = "sqlite://hushgate.db"

[[providers]]
name = "openai"
kind = "openai"
base_url = "https://api.openai.com/v1"
api_key_env = "OPENAI_API_KEY"

[[providers]]
name = "private"
kind = "openai_compatible"
base_url = "http://127.0.0.1:8000/v1"
self_hosted = true

[[models]]
alias = "gpt-4o-mini"      # what clients ask for
provider = "openai"
model = "gpt-4o-mini"      # what the provider is sent

[[tenants]]
name = "clinic"
regimes = ["hipaa"]
"#;

#[test]
fn the_issue_example_loads() {
    let cfg = load(ISSUE_EXAMPLE).unwrap();
    assert_eq!(cfg.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(cfg.storage.url, "sqlite://hushgate.db");
    assert_eq!(cfg.providers.len(), 2);
    let p = cfg.provider("private").unwrap();
    assert!(p.self_hosted);
    assert_eq!(p.kind, ProviderKind::OpenAiCompatible);
    assert_eq!(p.api_key_env, None);
    assert_eq!(p.base_url.as_str(), "http://127.0.0.1:8000/v1");
    assert_eq!(p.connect_timeout, Duration::from_secs(10));
    assert_eq!(p.max_retries, 2);
    assert_eq!(cfg.model("gpt-4o-mini").unwrap().provider, "openai");
    let t = cfg.tenant("clinic").unwrap();
    assert_eq!(t.regimes, [Regime::Hipaa]);
    assert!(t.allows_model("gpt-4o-mini") && t.allows_model("anything"));
    assert!(!t.custom_detection);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
}

#[test]
fn empty_file_is_the_defaults() {
    let cfg = load("").unwrap();
    assert_eq!(cfg.listen, DEFAULT_LISTEN);
    assert_eq!(cfg.storage.url, DEFAULT_STORAGE_URL);
    assert_eq!(cfg.server, ServerConfig::default());
    assert!(cfg.providers.is_empty() && cfg.models.is_empty() && cfg.tenants.is_empty());
}

#[test]
fn unknown_key_is_named() {
    let e = err("[detection]\nthreshhold = 0.5\n");
    assert!(e.contains("threshhold"), "{e}");
    let e = err("[[providers]]\nname = \"a\"\nkind = \"openai\"\ntimeout = 3\n");
    assert!(e.contains("timeout"), "{e}");
}

#[test]
fn detection_errors_are_named() {
    let e = err("[[detection.patterns]]\nentity_type = \"CUSTOMER_ID\"\nregex = \"CUST-(\"\n");
    assert!(e.contains("detection"), "{e}");
    assert!(e.contains("CUST-("), "{e}");
    let e = err("[detection]\nthreshold = 2.0\n");
    assert!(e.contains("threshold"), "{e}");
}

#[test]
fn unknown_provider_names_the_key_and_lists_the_known_ones() {
    let e = err(&format!(
        "{ISSUE_EXAMPLE}\n[[models]]\nalias = \"b\"\nprovider = \"opnai\"\n"
    ));
    assert!(
        e.contains("models[1].provider: unknown provider `opnai` (providers: `openai`, `private`)"),
        "{e}"
    );
}

#[test]
fn duplicates_are_errors() {
    let e = err(&format!(
        "{ISSUE_EXAMPLE}\n[[models]]\nalias = \"gpt-4o-mini\"\nprovider = \"private\"\n\
         [[providers]]\nname = \"openai\"\nkind = \"openai_compatible\"\nbase_url = \"http://h/v1\"\n\
         [[tenants]]\nname = \"clinic\"\n"
    ));
    assert!(
        e.contains("models[1].alias: duplicate model alias `gpt-4o-mini`"),
        "{e}"
    );
    assert!(
        e.contains("providers[2].name: duplicate provider name `openai`"),
        "{e}"
    );
    assert!(
        e.contains("tenants[1].name: duplicate tenant name `clinic`"),
        "{e}"
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let e = err(r#"
listen = "localhost"
[storage]
url = "mysql://x"
[[providers]]
name = "o"
kind = "opnai"
[[models]]
alias = "m"
provider = "o"
temperature = 3.0
[[tenants]]
name = "t"
regimes = ["hipa", "gdpr"]
models = ["nope"]
"#);
    for needle in [
        "listen: `localhost` is not an IP address and port",
        "storage.url:",
        "providers[0].kind: unknown provider kind `opnai`",
        "models[0].temperature: 3 is outside 0..=2",
        "tenants[0].regimes[0]: unknown regime `hipa`",
        "tenants[0].models[0]: unknown model alias `nope`",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
    // A model pointing at a provider that failed its own checks is not
    // reported twice.
    assert!(!e.contains("models[0].provider"), "{e}");
}

#[test]
fn bad_urls() {
    for (url, needle) in [
        ("not a url", "is not a URL"),
        ("ftp://h/v1", "scheme must be http or https"),
        ("https://h/v1?x=1", "query or fragment"),
    ] {
        let e = err(&format!(
            "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"{url}\"\n"
        ));
        assert!(
            e.contains("providers[0].base_url") && e.contains(needle),
            "{e}"
        );
    }
    // Credentials in the URL: refused without echoing them.
    let e = err(
        "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"https://u:hunter2@h/v1\"\n",
    );
    assert!(
        e.contains("must not contain credentials") && !e.contains("hunter2"),
        "{e}"
    );
    // Trailing slashes are normalised away.
    let cfg = load(
        "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"http://h:1/v1/\"\n",
    )
    .unwrap();
    assert_eq!(cfg.providers[0].base_url.as_str(), "http://h:1/v1");
}

#[test]
fn keys_are_never_read_from_the_file_nor_echoed() {
    let e = err(
        "[[providers]]\nname = \"o\"\nkind = \"openai\"\napi_key = \"sk-live-canary123\"\napi_key_env = \"OPENAI_API_KEY\"\n",
    );
    assert!(
        e.contains("providers[0].api_key: keys are never read"),
        "{e}"
    );
    assert!(!e.contains("canary123"), "{e}");
    // The key pasted where the variable name belongs.
    let e = err(
        "[[providers]]\nname = \"o\"\nkind = \"openai\"\napi_key_env = \"sk-live-canary123\"\n",
    );
    assert!(
        e.contains("providers[0].api_key_env: is not an environment variable name"),
        "{e}"
    );
    assert!(!e.contains("canary123"), "{e}");
}

#[test]
fn key_requirements_by_kind_and_unset_variables_warn() {
    let e = err("[[providers]]\nname = \"o\"\nkind = \"openai\"\n");
    assert!(e.contains("providers[0].api_key_env: is required"), "{e}");
    let cfg = load(
        "[[providers]]\nname = \"o\"\nkind = \"openai\"\napi_key_env = \"HUSHGATE_TEST_UNSET_KEY\"\n\
         [[providers]]\nname = \"l\"\nkind = \"openai_compatible\"\nbase_url = \"http://h/v1\"\n",
    )
    .unwrap();
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    let w = cfg.warnings[0].to_string();
    assert!(
        w.starts_with(
            "providers[0].api_key_env: environment variable HUSHGATE_TEST_UNSET_KEY is not set"
        ),
        "{w}"
    );
    // The default base URL of kind = "openai".
    assert_eq!(cfg.providers[0].base_url.as_str(), OPENAI_BASE_URL);
}

#[test]
fn azure_settings() {
    let ok = r#"
[[providers]]
name = "az"
kind = "azure_openai"
base_url = "https://res.openai.azure.com/"
api_key_env = "OPENAI_API_KEY"
api_version = "2024-10-21"
deployments = { "gpt-4o-mini" = "prod-mini" }
[[models]]
alias = "mini"
provider = "az"
model = "gpt-4o-mini"
"#;
    let cfg = load(ok).unwrap();
    let p = cfg.provider("az").unwrap();
    assert_eq!(p.deployment_for("gpt-4o-mini"), "prod-mini");
    assert_eq!(p.deployment_for("other"), "other");
    assert_eq!(p.base_url.as_str(), "https://res.openai.azure.com/");

    let e = err(&ok.replace("model = \"gpt-4o-mini\"", "model = \"gpt-4o\""));
    assert!(
        e.contains("models[0].model: provider `az` has no deployment for `gpt-4o`"),
        "{e}"
    );
    let e = err(&ok.replace("\"prod-mini\"", "\"..\""));
    assert!(e.contains("providers[0].deployments.gpt-4o-mini"), "{e}");
    let e = err(&ok.replace("api_version = \"2024-10-21\"\n", ""));
    assert!(e.contains("providers[0].api_version: is required"), "{e}");
    let e = err(&ok.replace(
        "https://res.openai.azure.com/",
        "https://res.openai.azure.com/openai",
    ));
    assert!(e.contains("resource endpoint only"), "{e}");
    let e = err(
        "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"http://h\"\napi_version = \"1\"\n",
    );
    assert!(
        e.contains("providers[0].api_version: only for kind = \"azure_openai\""),
        "{e}"
    );
}

#[test]
fn only_openai_compatible_can_be_self_hosted() {
    let e = err(
        "[[providers]]\nname = \"o\"\nkind = \"openai\"\napi_key_env = \"OPENAI_API_KEY\"\nself_hosted = true\n",
    );
    assert!(e.contains("providers[0].self_hosted"), "{e}");
}

#[test]
fn timeouts_and_retries() {
    let cfg = load(
        "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"http://h\"\n\
         connect_timeout_secs = 0.5\nread_timeout_secs = 30\nmax_retries = 0\n",
    )
    .unwrap();
    let p = &cfg.providers[0];
    assert_eq!(p.connect_timeout, Duration::from_millis(500));
    assert_eq!(p.read_timeout, Duration::from_secs(30));
    assert_eq!(p.max_retries, 0);
    let e = err(
        "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"http://h\"\n\
         connect_timeout_secs = -1\nmax_retries = 11\n",
    );
    assert!(e.contains("providers[0].connect_timeout_secs"), "{e}");
    assert!(
        e.contains("providers[0].max_retries: must be at most 10"),
        "{e}"
    );
}

#[test]
fn tenants_limits_and_detection_overrides() {
    let cfg = load(&format!(
        r#"{ISSUE_EXAMPLE}
[limits]
requests_per_minute = 60
tokens_per_minute = 10000

[[tenants]]
name = "shop"
regimes = ["pci", "ccpa"]
models = ["gpt-4o-mini"]
[tenants.limits]
requests_per_minute = 600
monthly_token_budget = 1000000
[tenants.detection]
threshold = 0.7
allow_list = ["Shop Support"]
[[tenants.detection.deny_list]]
entity_type = "PROJECT_CODE"
terms = ["Falcon"]

[policy.entity_classes]
PROJECT_CODE = "PII"
"#
    ))
    .unwrap();
    assert_eq!(cfg.limits.requests_per_minute, Some(60));
    let clinic = cfg.tenant("clinic").unwrap();
    assert_eq!(clinic.limits, cfg.limits, "no overrides: the global limits");
    let shop = cfg.tenant("shop").unwrap();
    assert_eq!(shop.regimes, [Regime::Pci, Regime::Ccpa]);
    assert!(shop.allows_model("gpt-4o-mini") && !shop.allows_model("gpt-4o"));
    assert_eq!(shop.limits.requests_per_minute, Some(600));
    assert_eq!(shop.limits.tokens_per_minute, Some(10000), "inherited");
    assert_eq!(shop.limits.monthly_token_budget, Some(1_000_000));
    assert!(shop.custom_detection);
    assert_eq!(shop.detection.threshold, 0.7);
    assert_eq!(shop.detection.allow_list, ["Shop Support"]);
    assert_eq!(shop.detection.deny_list.len(), 1);
    assert_eq!(
        cfg.detection.threshold, 0.4,
        "the global options are untouched"
    );

    let cfg = load("[[tenants]]\nname = \"t\"\nregimes = [\"none\"]\n").unwrap();
    assert_eq!(cfg.tenants[0].regimes, [Regime::None]);
    let e = err("[limits]\ntokens_per_minute = 0\n");
    assert!(
        e.contains("limits.tokens_per_minute: must be at least 1"),
        "{e}"
    );
    let e = err("[[tenants]]\nname = \"t\"\nregimes = [\"none\", \"gdpr\"]\nmodels = []\n");
    assert!(
        e.contains("tenants[0].regimes: `none` cannot be combined"),
        "{e}"
    );
    assert!(
        e.contains("tenants[0].models: an empty list allows no model"),
        "{e}"
    );
    let e = err("[[tenants]]\nname = \"t\"\n[tenants.detection]\nthreshold = 5.0\n");
    assert!(e.contains("tenants[0].detection"), "{e}");
    let e = err("[[tenants]]\nname = \"bad name\"\n");
    assert!(e.contains("tenants[0].name"), "{e}");
}

#[test]
fn model_defaults() {
    let cfg = load(&format!(
        "{ISSUE_EXAMPLE}\n[[models]]\nalias = \"clinic-assistant\"\nprovider = \"private\"\n\
         system_prompt = \"Be brief.\"\ntemperature = 0.2\nmax_tokens = 256\n"
    ))
    .unwrap();
    let m = cfg.model("clinic-assistant").unwrap();
    assert_eq!(
        m.model, "clinic-assistant",
        "the upstream model defaults to the alias"
    );
    assert_eq!(m.system_prompt.as_deref(), Some("Be brief."));
    assert_eq!((m.temperature, m.max_tokens), (Some(0.2), Some(256)));
    let e = err(
        "[[providers]]\nname = \"p\"\nkind = \"openai_compatible\"\nbase_url = \"http://h\"\n\
                 [[models]]\nalias = \"has space\"\nprovider = \"p\"\nmax_tokens = 0\n",
    );
    assert!(e.contains("models[0].alias"), "{e}");
    assert!(e.contains("models[0].max_tokens"), "{e}");
}

#[test]
fn storage_url_debug_hides_the_password() {
    let cfg = load("[storage]\nurl = \"postgres://hg:s3cret@db/hushgate\"\n").unwrap();
    let dbg = format!("{cfg:?}");
    assert!(
        !dbg.contains("s3cret") && dbg.contains("postgres://hg:***@db/hushgate"),
        "{dbg}"
    );
}

#[test]
fn embedded_default() {
    let without = Config::embedded_default_with_env(&|_| false);
    assert_eq!(without.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(without.storage.url, "sqlite://hushgate.db");
    assert!(without.providers.is_empty() && without.models.is_empty());
    assert!(without.tenant("default").is_some());
    // The audit trail works without a file: key and secret in files created on first use.
    assert_eq!(without.audit, AuditConfig::default());
    assert_eq!(
        without.audit.signing_key,
        SecretSource::File("hushgate-audit.key".into())
    );
    assert_eq!(
        without.audit.secret,
        SecretSource::File("hushgate-secret.key".into())
    );
    assert!(without.tenant("default").unwrap().audit.fail_closed);

    let with = Config::embedded_default_with_env(&|n| n == "OPENAI_API_KEY");
    let p = with.provider("openai").unwrap();
    assert_eq!(p.api_key_env.as_deref(), Some("OPENAI_API_KEY"));
    assert!(!p.self_hosted);
    assert!(with.model("gpt-4o-mini").is_some());
    assert!(with.warnings.is_empty());
    // Both texts validate on their own (embedded_default falls back silently).
    load(EMBEDDED_DEFAULT_TOML).unwrap();
    load(&format!("{EMBEDDED_DEFAULT_TOML}{EMBEDDED_OPENAI_TOML}")).unwrap();
}

#[test]
fn redact_table_is_checked() {
    let cfg = Config::from_toml_str(
        "[redact]\ndefault = \"surrogate\"\n[redact.entities]\nCREDIT_CARD = \"mask\"\n",
        Path::new("x.toml"),
    )
    .unwrap();
    assert_eq!(cfg.redact.entities.len(), 1);
    let err = Config::from_toml_str("[redact]\ndefault = \"shred\"\n", Path::new("x.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("shred"), "{err}");
}

#[test]
fn policy_is_assembled_from_providers_and_governed_tenants() {
    let c = load(&format!(
        "{ISSUE_EXAMPLE}
private_route = \"private\"
[tenants.contracts.openai]
baa_signed = true
[[tenants]]
name = \"lab\"
"
    ))
    .unwrap();
    let routes: Vec<(&str, Option<&str>)> = c
        .policy
        .providers
        .iter()
        .map(|p| (p.name.as_str(), p.catalog.as_deref()))
        .collect();
    assert_eq!(
        routes,
        [("openai", Some("openai")), ("private", Some("self-hosted"))]
    );
    // Only tenants with regimes are governed by the policy engine.
    assert_eq!(c.policy.tenants.len(), 1);
    assert_eq!(
        c.policy.tenants[0].private_route.as_deref(),
        Some("private")
    );
    assert!(c.tenant("lab").unwrap().pseudonymize_all);
}

#[test]
fn policy_errors_name_the_key() {
    // A hosted OpenAI-compatible provider has no default terms.
    let e = err(r#"
[[providers]]
name = "groq"
kind = "openai_compatible"
base_url = "https://api.groq.example/v1"
[[tenants]]
name = "clinic"
regimes = ["hipaa"]
"#);
    assert!(e.contains("providers[0].catalog"), "{e}");
    // The policy engine's own checks: a private route that is not self-hosted.
    let e = err(&format!("{ISSUE_EXAMPLE}\nprivate_route = \"openai\"\n"));
    assert!(e.contains("policy"), "{e}");
    // Policy keys without regimes have no effect: an error, not silence.
    let e = err(
        "[[tenants]]\nname = \"a\"\nprivate_route = \"x\"\n[[providers]]\nname = \"x\"\nkind = \"openai_compatible\"\nbase_url = \"http://127.0.0.1:1/v1\"\nself_hosted = true\n",
    );
    assert!(e.contains("tenants[0].private_route"), "{e}");
    // A governed tenant's own entity type needs a data class.
    let e = err(&format!(
        "{ISSUE_EXAMPLE}\n[[tenants.detection.deny_list]]\nentity_type = \"PATIENT_ID\"\nterms = [\"RC-\"]\n"
    ));
    assert!(
        e.contains("tenants[0].detection") && e.contains("PATIENT_ID"),
        "{e}"
    );
}

#[test]
fn audit_table() {
    let cfg = load("").unwrap();
    assert_eq!(cfg.audit, AuditConfig::default());
    assert_eq!(cfg.audit.checkpoint_interval, Duration::from_secs(1));
    assert_eq!((cfg.audit.max_batch, cfg.audit.queue_capacity), (512, 8192));

    let pk = "AB".repeat(32);
    let cfg = load(&format!(
        "[audit]\nsigning_key_env = \"HG_AUDIT_KEY\"\nsecret_file = \"/etc/hushgate/secret\"\n\
         verify_keys = [\"{pk}\", \"{pk}\"]\ncheckpoint_interval_secs = 0\nmax_batch = 64\n\
         queue_capacity = 100\n\
         [[tenants]]\nname = \"clinic\"\n[tenants.audit]\nfail_closed = false\n\
         store_redacted_prompt = true\n[[tenants]]\nname = \"shop\"\n"
    ))
    .unwrap();
    let a = &cfg.audit;
    assert_eq!(a.signing_key, SecretSource::Env("HG_AUDIT_KEY".into()));
    assert_eq!(a.secret, SecretSource::File("/etc/hushgate/secret".into()));
    assert_eq!(a.verify_keys, vec!["ab".repeat(32)]);
    assert_eq!(a.checkpoint_interval, Duration::ZERO);
    assert_eq!((a.max_batch, a.queue_capacity), (64, 100));
    let clinic = cfg.tenant("clinic").unwrap().audit;
    assert!(!clinic.fail_closed && clinic.store_redacted_prompt);
    assert_eq!(
        cfg.tenant("shop").unwrap().audit,
        TenantAuditConfig::default()
    );
    // The named variable is not set in this test environment: a warning, as for providers.
    assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
    assert!(
        cfg.warnings[0]
            .to_string()
            .starts_with("audit.signing_key_env: environment variable HG_AUDIT_KEY is not set"),
        "{:?}",
        cfg.warnings
    );
    assert_eq!(
        SecretSource::Env("X".into()).to_string(),
        "environment variable X"
    );
}

#[test]
fn audit_secrets_are_never_read_from_the_file_nor_echoed() {
    let canary = "c0ffee".repeat(10) + "cafe";
    let e = err(&format!(
        "[audit]\nsigning_key = \"{canary}\"\nsecret = \"{canary}\"\n\
         signing_key_env = \"sk-{canary}\"\nverify_keys = [\"{canary}x\"]\n"
    ));
    assert!(
        e.contains("audit.signing_key: secrets are never read from the config file"),
        "{e}"
    );
    assert!(e.contains("audit.secret: secrets are never read"), "{e}");
    assert!(
        e.contains("audit.signing_key_env: is not an environment variable name"),
        "{e}"
    );
    assert!(
        e.contains("audit.verify_keys[0]: expected an Ed25519 public key"),
        "{e}"
    );
    assert!(!e.contains("c0ffee"), "{e}");
}

#[test]
fn audit_values_are_checked() {
    let e = err(
        "[audit]\nsecret_env = \"A\"\nsecret_file = \"b\"\nsigning_key_file = \" \"\n\
         checkpoint_interval_secs = -1\nmax_batch = 0\nqueue_capacity = 2000000\n",
    );
    for needle in [
        "audit.secret_env: give either `secret_env` or `secret_file`, not both",
        "audit.signing_key_file: must not be empty",
        "audit.checkpoint_interval_secs: -1 is not a number of seconds",
        "audit.max_batch: must be between 1 and 1000000",
        "audit.queue_capacity: must be between 1 and 1000000",
    ] {
        assert!(e.contains(needle), "{needle}: {e}");
    }
    let e = err("[[tenants]]\nname = \"t\"\n[tenants.audit]\nfail_open = true\n");
    assert!(e.contains("fail_open"), "{e}");
}
