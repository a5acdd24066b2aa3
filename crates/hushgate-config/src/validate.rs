//! File model → typed config. Every check records a [`Problem`] naming the
//! key instead of stopping at the first, so one run reports them all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use hushgate_detect::{DetectOptions, Engine};
use url::Url;

use crate::Config;
use crate::file::{FileAudit, FileConfig, FileLimits, FileProvider, FileTenant};
use crate::settings::{
    AuditConfig, DEFAULT_LISTEN, DEFAULT_STORAGE_URL, Limits, ModelConfig, OPENAI_BASE_URL,
    ProviderConfig, ProviderKind, SecretSource, ServerConfig, StorageConfig, TenantAuditConfig,
    TenantConfig, Warning,
};
use hushgate_policy::{Policy, PolicyConfig, ProviderRoute, Regime, TenantPolicy};

/// One thing wrong with the file: the key and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// e.g. `models[2].provider`.
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// How the environment is consulted (only to warn about unset variables).
pub(crate) type EnvIsSet<'a> = &'a dyn Fn(&str) -> bool;

#[derive(Default)]
struct Report {
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
}

impl Report {
    fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            key: key.into(),
            message: message.into(),
        });
    }
}

/// Validates a parsed file. `Err` holds every problem found.
pub(crate) fn validate(file: FileConfig, env_is_set: EnvIsSet<'_>) -> Result<Config, Vec<Problem>> {
    let mut r = Report::default();

    let listen = match &file.listen {
        None => DEFAULT_LISTEN,
        Some(s) => s.parse::<SocketAddr>().unwrap_or_else(|_| {
            r.problem(
                "listen",
                format!("`{s}` is not an IP address and port, e.g. \"127.0.0.1:8080\""),
            );
            DEFAULT_LISTEN
        }),
    };

    let storage = StorageConfig::new(file.storage.url.as_deref().unwrap_or(DEFAULT_STORAGE_URL));
    if !(storage.url.starts_with("sqlite:")
        || storage.url.starts_with("postgres://")
        || storage.url.starts_with("postgresql://"))
    {
        r.problem(
            "storage.url",
            format!(
                "`{}` is neither a sqlite: nor a postgres:// URL",
                storage.redacted_url()
            ),
        );
    }

    let server = server(&file, &mut r);
    let audit = audit(&file.audit, env_is_set, &mut r);
    let limits = limits(&file.limits, None, "limits", &mut r);
    let redis_url = file.limits.redis_url.clone();
    if let Some(u) = &redis_url
        && !(u.starts_with("redis://") || u.starts_with("rediss://"))
    {
        r.problem("limits.redis_url", "must be a redis:// or rediss:// URL");
    }

    if let Err(e) = Engine::with_options(&file.detection) {
        r.problem("detection", e.to_string());
    }

    let mut providers: Vec<ProviderConfig> = Vec::new();
    for (i, p) in file.providers.iter().enumerate() {
        if let Some(p) = provider(p, &format!("providers[{i}]"), env_is_set, &mut r) {
            if providers.iter().any(|q| q.name == p.name) {
                r.problem(
                    format!("providers[{i}].name"),
                    format!("duplicate provider name `{}`", p.name),
                );
            } else {
                providers.push(p);
            }
        }
    }

    let mut models: Vec<ModelConfig> = Vec::new();
    for (i, m) in file.models.iter().enumerate() {
        let key = format!("models[{i}]");
        let Some(alias) = required(&m.alias, &key, "alias", &mut r) else {
            continue;
        };
        if alias.is_empty() || alias.chars().any(|c| c.is_whitespace() || c.is_control()) {
            r.problem(
                format!("{key}.alias"),
                "must be non-empty without spaces or control characters",
            );
        }
        if models.iter().any(|m| m.alias == alias) {
            r.problem(
                format!("{key}.alias"),
                format!("duplicate model alias `{alias}`"),
            );
            continue;
        }
        let model = m.model.clone().unwrap_or_else(|| alias.clone());
        if model.trim().is_empty() {
            r.problem(format!("{key}.model"), "must not be empty");
        }
        let Some(provider) = required(&m.provider, &key, "provider", &mut r) else {
            continue;
        };
        match providers.iter().find(|p| p.name == provider) {
            Some(p) => {
                if p.kind == ProviderKind::AzureOpenAi
                    && !p.deployments.is_empty()
                    && !p.deployments.contains_key(&model)
                {
                    r.problem(
                        format!("{key}.model"),
                        format!(
                            "provider `{provider}` has no deployment for `{model}` (add it to providers.deployments)"
                        ),
                    );
                }
            }
            // A provider that failed its own checks was already reported.
            None if file
                .providers
                .iter()
                .any(|p| p.name.as_deref() == Some(&provider)) => {}
            None => r.problem(
                format!("{key}.provider"),
                format!(
                    "unknown provider `{provider}` ({})",
                    known("providers", providers.iter().map(|p| p.name.as_str()))
                ),
            ),
        }
        if let Some(t) = m.temperature.filter(|t| !(0.0..=2.0).contains(t)) {
            r.problem(
                format!("{key}.temperature"),
                format!("{t} is outside 0..=2"),
            );
        }
        if m.max_tokens == Some(0) {
            r.problem(format!("{key}.max_tokens"), "must be at least 1");
        }
        models.push(ModelConfig {
            alias,
            provider,
            model,
            system_prompt: m.system_prompt.clone(),
            temperature: m.temperature,
            max_tokens: m.max_tokens,
        });
    }

    let mut tenants: Vec<TenantConfig> = Vec::new();
    for (i, t) in file.tenants.iter().enumerate() {
        let key = format!("tenants[{i}]");
        if let Some(t) = tenant(t, &key, &file, &models, &limits, &mut r) {
            if tenants.iter().any(|u| u.name == t.name) {
                r.problem(
                    format!("{key}.name"),
                    format!("duplicate tenant name `{}`", t.name),
                );
            } else {
                tenants.push(t);
            }
        }
    }

    let policy = if r.problems.is_empty() {
        policy(&file, &providers, &tenants, &mut r)
    } else {
        PolicyConfig::default()
    };

    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    Ok(Config {
        listen,
        storage,
        server,
        limits,
        detection: file.detection,
        redact: file.redact,
        providers,
        models,
        tenants,
        policy,
        audit,
        redis_url,
        warnings: r.warnings,
    })
}

/// Assembles the policy engine's configuration and checks it with the
/// engine itself (catalog ids, private routes, rule ids...).
fn policy(
    file: &FileConfig,
    providers: &[ProviderConfig],
    tenants: &[TenantConfig],
    r: &mut Report,
) -> PolicyConfig {
    let governed = tenants.iter().any(|t| !t.regimes.is_empty());
    let mut routes = Vec::new();
    for (i, fp) in file.providers.iter().enumerate() {
        let Some(p) = providers.iter().find(|p| Some(&p.name) == fp.name.as_ref()) else {
            continue;
        };
        let default = match p.kind {
            ProviderKind::OpenAi => Some("openai"),
            ProviderKind::AzureOpenAi => Some("azure-openai"),
            ProviderKind::OpenAiCompatible if p.self_hosted => Some("self-hosted"),
            ProviderKind::OpenAiCompatible => None,
        };
        let Some(catalog) = fp.catalog.clone().or(default.map(str::to_owned)) else {
            if governed {
                r.problem(
                    format!("providers[{i}].catalog"),
                    "is required once a tenant has `regimes`: name the published terms that \
                     apply (openai, azure-openai, anthropic, vertex-ai, mistral, self-hosted, \
                     or an entry of [[policy.catalog]]), or set `self_hosted = true`",
                );
            }
            continue;
        };
        routes.push(ProviderRoute {
            name: p.name.clone(),
            catalog: Some(catalog),
            contract: fp.contract.clone().unwrap_or_default(),
        });
    }
    let mut tenant_policies = Vec::new();
    for (t, ft) in tenants.iter().zip(&file.tenants) {
        if t.regimes.is_empty() {
            continue;
        }
        let mut tp = TenantPolicy::new(&t.name, &t.regimes);
        tp.clinical_context = ft.clinical_context.unwrap_or_default();
        tp.allowed_regions.clone_from(&ft.allowed_regions);
        tp.private_route.clone_from(&ft.private_route);
        tp.contracts.clone_from(&ft.contracts);
        tp.rule_actions.clone_from(&ft.rule_actions);
        tenant_policies.push(tp);
    }
    let mut cfg = PolicyConfig {
        catalog: file.policy.catalog.clone(),
        classes: file.policy.classes.clone(),
        entity_classes: file.policy.entity_classes.clone(),
        providers: routes,
        tenants: tenant_policies,
        ..PolicyConfig::default()
    };
    if let Some(days) = file.policy.stale_after_days {
        cfg.stale_after_days = days;
    }
    if governed && r.problems.is_empty() {
        match Policy::new(&cfg) {
            Err(e) => r.problem("policy", e.to_string()),
            // A tenant's own types (deny lists, patterns) need a data class,
            // or every request carrying one would be blocked: say so now.
            Ok(policy) => {
                for (i, t) in tenants.iter().enumerate() {
                    if t.regimes.is_empty() {
                        continue;
                    }
                    let d = &t.detection;
                    let types = d
                        .deny_list
                        .iter()
                        .map(|l| &l.entity_type)
                        .chain(d.patterns.iter().map(|p| &p.entity_type));
                    for ty in types {
                        if !policy.is_classified(ty) {
                            r.problem(
                                format!("tenants[{i}].detection"),
                                format!(
                                    "entity type `{ty}` has no data class: map it under \
                                     [policy.entity_classes] (e.g. {ty} = \"PHI\")"
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    cfg
}

fn required(v: &Option<String>, key: &str, field: &str, r: &mut Report) -> Option<String> {
    if v.is_none() {
        r.problem(format!("{key}.{field}"), "is required");
    }
    v.clone()
}

fn known<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<_> = names.map(|n| format!("`{n}`")).collect();
    if names.is_empty() {
        format!("no {what} are configured")
    } else {
        format!("{what}: {}", names.join(", "))
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn valid_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// `{field}_env` / `{field}_file` → where the secret comes from.
fn secret_source(
    env: &Option<String>,
    file: &Option<String>,
    default_file: &str,
    key: &str,
    env_is_set: EnvIsSet<'_>,
    r: &mut Report,
) -> SecretSource {
    let default = SecretSource::File(PathBuf::from(default_file));
    match (env, file) {
        (Some(_), Some(_)) => {
            r.problem(
                format!("audit.{key}_env"),
                format!("give either `{key}_env` or `{key}_file`, not both"),
            );
            default
        }
        (Some(v), None) if !valid_env_name(v) => {
            r.problem(
                format!("audit.{key}_env"),
                // Do not echo: people paste the secret itself here.
                "is not an environment variable name (it must be the *name* of the variable \
                 holding the value, e.g. HUSHGATE_AUDIT_KEY; the value is not shown)",
            );
            default
        }
        (Some(v), None) => {
            if !env_is_set(v) {
                r.warn(
                    format!("audit.{key}_env"),
                    format!("environment variable {v} is not set: the audit trail cannot be written or verified until it is"),
                );
            }
            SecretSource::Env(v.clone())
        }
        (None, Some(f)) if f.trim().is_empty() => {
            r.problem(format!("audit.{key}_file"), "must not be empty");
            default
        }
        (None, Some(f)) => SecretSource::File(PathBuf::from(f)),
        (None, None) => default,
    }
}

fn audit(a: &FileAudit, env_is_set: EnvIsSet<'_>, r: &mut Report) -> AuditConfig {
    let d = AuditConfig::default();
    for (field, given) in [
        ("signing_key", a.signing_key.is_some()),
        ("secret", a.secret.is_some()),
    ] {
        if given {
            // Never echo the value.
            r.problem(
                format!("audit.{field}"),
                format!(
                    "secrets are never read from the config file: name an environment \
                     variable in `{field}_env` or a file in `{field}_file` (default: a file \
                     created on first use)"
                ),
            );
        }
    }
    let signing_key = secret_source(
        &a.signing_key_env,
        &a.signing_key_file,
        AuditConfig::DEFAULT_SIGNING_KEY_FILE,
        "signing_key",
        env_is_set,
        r,
    );
    let secret = secret_source(
        &a.secret_env,
        &a.secret_file,
        AuditConfig::DEFAULT_SECRET_FILE,
        "secret",
        env_is_set,
        r,
    );
    let mut verify_keys: Vec<String> = Vec::new();
    for (i, k) in a.verify_keys.iter().enumerate() {
        let k = k.trim().to_ascii_lowercase();
        if k.len() != 64 || !k.bytes().all(|b| b.is_ascii_hexdigit()) {
            // A public key is not secret, but a seed pasted here by mistake is: do not echo.
            r.problem(
                format!("audit.verify_keys[{i}]"),
                "expected an Ed25519 public key as 64 hex digits (the value is not shown)",
            );
        } else if !verify_keys.contains(&k) {
            verify_keys.push(k);
        }
    }
    let checkpoint_interval = match a.checkpoint_interval_secs {
        None => d.checkpoint_interval,
        Some(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Duration::from_secs_f64(s),
        Some(s) => {
            r.problem(
                "audit.checkpoint_interval_secs",
                format!("{s} is not a number of seconds in [0, 86400]"),
            );
            d.checkpoint_interval
        }
    };
    let mut count = |field: &str, v: Option<u64>, default: usize| match v {
        None => default,
        Some(n) if (1..=1_000_000).contains(&n) => usize::try_from(n).unwrap_or(default),
        Some(_) => {
            r.problem(format!("audit.{field}"), "must be between 1 and 1000000");
            default
        }
    };
    let max_batch = count("max_batch", a.max_batch, d.max_batch);
    let queue_capacity = count("queue_capacity", a.queue_capacity, d.queue_capacity);
    AuditConfig {
        signing_key,
        verify_keys,
        secret,
        checkpoint_interval,
        max_batch,
        queue_capacity,
    }
}

fn server(file: &FileConfig, r: &mut Report) -> ServerConfig {
    let d = ServerConfig::default();
    let mut size = |field: &str, v: Option<u64>, default: usize, min: u64| match v {
        None => default,
        Some(n) if n < min => {
            r.problem(format!("server.{field}"), format!("must be at least {min}"));
            default
        }
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    ServerConfig {
        max_body_bytes: size(
            "max_body_bytes",
            file.server.max_body_bytes,
            d.max_body_bytes,
            1024,
        ),
        max_messages: size("max_messages", file.server.max_messages, d.max_messages, 1),
        max_upstream_event_bytes: size(
            "max_upstream_event_bytes",
            file.server.max_upstream_event_bytes,
            d.max_upstream_event_bytes,
            1024,
        ),
    }
}

/// `file` over `base` (the global limits when validating a tenant).
fn limits(file: &FileLimits, base: Option<&Limits>, key: &str, r: &mut Report) -> Limits {
    if base.is_some() && file.redis_url.is_some() {
        r.problem(
            format!("{key}.redis_url"),
            "belongs in the global [limits] table: every tenant shares one limiter",
        );
    }
    let mut one = |field: &str, v: Option<u64>, inherited: Option<u64>| match v {
        Some(0) => {
            r.problem(
                format!("{key}.{field}"),
                "must be at least 1 (omit it for no limit)",
            );
            None
        }
        Some(n) => Some(n),
        None => inherited,
    };
    Limits {
        requests_per_minute: one(
            "requests_per_minute",
            file.requests_per_minute,
            base.and_then(|b| b.requests_per_minute),
        ),
        tokens_per_minute: one(
            "tokens_per_minute",
            file.tokens_per_minute,
            base.and_then(|b| b.tokens_per_minute),
        ),
        monthly_token_budget: one(
            "monthly_token_budget",
            file.monthly_token_budget,
            base.and_then(|b| b.monthly_token_budget),
        ),
    }
}

fn provider(
    p: &FileProvider,
    key: &str,
    env_is_set: EnvIsSet<'_>,
    r: &mut Report,
) -> Option<ProviderConfig> {
    let before = r.problems.len();
    let name = required(&p.name, key, "name", r);
    if let Some(n) = name.as_deref().filter(|n| !valid_name(n)) {
        r.problem(
            format!("{key}.name"),
            format!("`{n}` must be 1-64 letters, digits, `_`, `-` or `.`"),
        );
    }
    if p.api_key.is_some() {
        // Never echo the value: it is a secret.
        r.problem(
            format!("{key}.api_key"),
            "keys are never read from the config file: put the key in an environment \
             variable and name that variable in `api_key_env`",
        );
    }
    let kind = match p.kind.as_deref() {
        None => {
            r.problem(
                format!("{key}.kind"),
                "is required (openai, azure_openai or openai_compatible)",
            );
            None
        }
        Some(k) => {
            let kind = ProviderKind::from_name(k);
            if kind.is_none() {
                r.problem(
                    format!("{key}.kind"),
                    format!(
                        "unknown provider kind `{k}` (expected openai, azure_openai or openai_compatible)"
                    ),
                );
            }
            kind
        }
    };

    let base_url = match (&p.base_url, kind) {
        (None, Some(ProviderKind::OpenAi)) => Url::parse(OPENAI_BASE_URL).ok(),
        (None, Some(_)) => {
            r.problem(format!("{key}.base_url"), "is required for this kind");
            None
        }
        (None, None) => None,
        (Some(s), _) => base_url(s, kind, &format!("{key}.base_url"), r),
    };

    match (&p.api_key_env, kind) {
        (Some(v), _) if !valid_env_name(v) => r.problem(
            format!("{key}.api_key_env"),
            // Do not echo: people paste the key itself here.
            "is not an environment variable name (it must be the *name* of the variable \
             holding the key, e.g. OPENAI_API_KEY; the value is not shown)",
        ),
        (Some(v), _) => {
            if !env_is_set(v) {
                r.warn(
                    format!("{key}.api_key_env"),
                    format!(
                        "environment variable {v} is not set: provider `{}` cannot be used until it is",
                        name.as_deref().unwrap_or("?")
                    ),
                );
            }
        }
        (None, Some(k)) if k.requires_api_key() => r.problem(
            format!("{key}.api_key_env"),
            format!(
                "is required for kind = \"{k}\" (the name of the environment variable holding the key)"
            ),
        ),
        (None, _) => {}
    }

    let self_hosted = p.self_hosted.unwrap_or(false);
    if self_hosted && kind.is_some_and(|k| k != ProviderKind::OpenAiCompatible) {
        r.problem(
            format!("{key}.self_hosted"),
            "only an openai_compatible provider can be self-hosted",
        );
    }

    let is_azure = kind == Some(ProviderKind::AzureOpenAi);
    if is_azure {
        match &p.api_version {
            None => r.problem(
                format!("{key}.api_version"),
                "is required for kind = \"azure_openai\" (e.g. \"2024-10-21\")",
            ),
            Some(v)
                if v.is_empty()
                    || !v
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.')) =>
            {
                r.problem(
                    format!("{key}.api_version"),
                    format!("`{v}` is not an API version like \"2024-10-21\""),
                );
            }
            Some(_) => {}
        }
        for (model, dep) in &p.deployments {
            if dep.is_empty() || dep.contains('/') || dep == "." || dep == ".." {
                r.problem(
                    format!("{key}.deployments.{model}"),
                    "a deployment name is non-empty, has no `/` and is not `.` or `..`",
                );
            }
        }
    } else if kind.is_some() {
        if p.api_version.is_some() {
            r.problem(
                format!("{key}.api_version"),
                "only for kind = \"azure_openai\"",
            );
        }
        if !p.deployments.is_empty() {
            r.problem(
                format!("{key}.deployments"),
                "only for kind = \"azure_openai\"",
            );
        }
    }

    let mut secs = |field: &str, v: Option<f64>, default: Duration| match v {
        None => default,
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Duration::from_secs_f64(s),
        Some(s) => {
            r.problem(
                format!("{key}.{field}"),
                format!("{s} is not a number of seconds in (0, 86400]"),
            );
            default
        }
    };
    let connect_timeout = secs(
        "connect_timeout_secs",
        p.connect_timeout_secs,
        ProviderConfig::DEFAULT_CONNECT_TIMEOUT,
    );
    let read_timeout = secs(
        "read_timeout_secs",
        p.read_timeout_secs,
        ProviderConfig::DEFAULT_READ_TIMEOUT,
    );
    let max_retries = p.max_retries.unwrap_or(ProviderConfig::DEFAULT_MAX_RETRIES);
    if max_retries > 10 {
        r.problem(format!("{key}.max_retries"), "must be at most 10");
    }

    if r.problems.len() > before {
        return None;
    }
    let (Some(name), Some(kind), Some(base_url)) = (name, kind, base_url) else {
        return None;
    };
    Some(ProviderConfig {
        api_key_env: p.api_key_env.clone(),
        self_hosted,
        api_version: p.api_version.clone(),
        deployments: p.deployments.clone(),
        connect_timeout,
        read_timeout,
        max_retries,
        ..ProviderConfig::new(name, kind, base_url)
    })
}

fn base_url(s: &str, kind: Option<ProviderKind>, key: &str, r: &mut Report) -> Option<Url> {
    let mut url = match Url::parse(s) {
        Ok(u) => u,
        Err(e) => {
            r.problem(key, format!("`{s}` is not a URL: {e}"));
            return None;
        }
    };
    if !matches!(url.scheme(), "http" | "https") {
        r.problem(key, format!("`{s}`: the scheme must be http or https"));
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Do not echo the URL: it holds a credential.
        r.problem(
            key,
            "must not contain credentials; put the key in an environment variable named by api_key_env",
        );
        return None;
    }
    if url.query().is_some() || url.fragment().is_some() {
        r.problem(key, format!("`{s}` must not have a query or fragment"));
        return None;
    }
    if kind == Some(ProviderKind::AzureOpenAi) && url.path().contains("/openai") {
        r.problem(
            key,
            format!(
                "`{s}`: give the resource endpoint only (https://RESOURCE.openai.azure.com); \
                 the /openai/deployments/... path is added"
            ),
        );
        return None;
    }
    // One canonical form: no trailing slash, so dialects append `/path`.
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Some(url)
}

fn tenant(
    t: &FileTenant,
    key: &str,
    file: &FileConfig,
    models: &[ModelConfig],
    global_limits: &Limits,
    r: &mut Report,
) -> Option<TenantConfig> {
    let name = required(&t.name, key, "name", r)?;
    if !valid_name(&name) {
        r.problem(
            format!("{key}.name"),
            format!("`{name}` must be 1-64 letters, digits, `_`, `-` or `.`"),
        );
    }

    let mut regimes = Vec::new();
    for (j, s) in t.regimes.iter().enumerate() {
        match s.parse::<Regime>() {
            Ok(reg) if !regimes.contains(&reg) => regimes.push(reg),
            Ok(_) => {}
            Err(_) => r.problem(
                format!("{key}.regimes[{j}]"),
                format!("unknown regime `{s}` (expected hipaa, gdpr, ccpa, pci or none)"),
            ),
        }
    }
    if regimes.contains(&Regime::None) && regimes.len() > 1 {
        r.problem(
            format!("{key}.regimes"),
            "`none` cannot be combined with other regimes",
        );
    }

    if let Some(allowed) = &t.models {
        if allowed.is_empty() {
            r.problem(
                format!("{key}.models"),
                "an empty list allows no model; omit the key to allow every alias",
            );
        }
        for (j, alias) in allowed.iter().enumerate() {
            if !models.iter().any(|m| &m.alias == alias)
                && !file.models.iter().any(|m| m.alias.as_ref() == Some(alias))
            {
                r.problem(
                    format!("{key}.models[{j}]"),
                    format!(
                        "unknown model alias `{alias}` ({})",
                        known("aliases", models.iter().map(|m| m.alias.as_str()))
                    ),
                );
            }
        }
    }

    let limits = limits(&t.limits, Some(global_limits), &format!("{key}.limits"), r);

    let custom_detection = !t.detection.is_empty();
    let detection = if custom_detection {
        let d = &t.detection;
        let g = &file.detection;
        // Start from a clone so options added to `[detection]` later are
        // inherited without touching this code.
        let mut merged: DetectOptions = g.clone();
        if let Some(t) = d.threshold {
            merged.threshold = t;
        }
        if let Some(p) = &d.phone_regions {
            merged.phone_regions.clone_from(p);
        }
        if d.entities.is_some() {
            merged.entities.clone_from(&d.entities);
        }
        merged.allow_list.extend(d.allow_list.iter().cloned());
        merged.deny_list.extend(d.deny_list.iter().cloned());
        merged.patterns.extend(d.patterns.iter().cloned());
        if let Err(e) = Engine::with_options(&merged) {
            r.problem(format!("{key}.detection"), e.to_string());
        }
        merged
    } else {
        file.detection.clone()
    };

    let pseudonymize_all = match t.pseudonymize.as_deref() {
        None | Some("all") => true,
        Some("policy") => false,
        Some(other) => {
            r.problem(
                format!("{key}.pseudonymize"),
                format!("`{other}` is neither `all` nor `policy`"),
            );
            true
        }
    };
    let block_unscanned = match t.unscanned_content.as_deref() {
        None | Some("pass") => false,
        Some("block") => true,
        Some(other) => {
            r.problem(
                format!("{key}.unscanned_content"),
                format!("`{other}` is neither `pass` nor `block`"),
            );
            true
        }
    };
    if regimes.is_empty() {
        let policy_keys = [
            ("pseudonymize", t.pseudonymize.as_deref() == Some("policy")),
            ("clinical_context", t.clinical_context.is_some()),
            ("allowed_regions", !t.allowed_regions.is_empty()),
            ("private_route", t.private_route.is_some()),
            ("contracts", !t.contracts.is_empty()),
            ("rule_actions", !t.rule_actions.is_empty()),
        ];
        for (k, set) in policy_keys {
            if set {
                r.problem(
                    format!("{key}.{k}"),
                    "takes effect only with `regimes` (use [\"none\"] for no regulatory regime)",
                );
            }
        }
    }
    let d = TenantAuditConfig::default();
    let audit = TenantAuditConfig {
        fail_closed: t.audit.fail_closed.unwrap_or(d.fail_closed),
        store_redacted_prompt: t
            .audit
            .store_redacted_prompt
            .unwrap_or(d.store_redacted_prompt),
    };

    Some(TenantConfig {
        name,
        regimes,
        models: t.models.clone(),
        limits,
        detection,
        custom_detection,
        pseudonymize_all,
        block_unscanned,
        audit,
    })
}
