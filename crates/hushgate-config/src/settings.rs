//! The validated, typed configuration. Everything here has been checked:
//! names are unique, references resolve, URLs parse, numbers are in range.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use hushgate_detect::DetectOptions;
use hushgate_policy::Regime;
use url::Url;

/// Upstream dialects. Deliberately exhaustive: adding one (e.g. `Anthropic`)
/// makes the compiler point at every place that must learn it, starting with
/// `hushgate_providers::dialect::for_config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// api.openai.com: `Authorization: Bearer`, `{base}/chat/completions`.
    OpenAi,
    /// Azure OpenAI: `api-key` header,
    /// `{base}/openai/deployments/{deployment}/chat/completions?api-version=`.
    AzureOpenAi,
    /// vLLM, llama.cpp's server, Ollama...: OpenAI's API with an optional key.
    OpenAiCompatible,
}

impl ProviderKind {
    /// Every kind, in the order documented.
    pub const ALL: [ProviderKind; 3] = [
        ProviderKind::OpenAi,
        ProviderKind::AzureOpenAi,
        ProviderKind::OpenAiCompatible,
    ];

    /// The name used in the config file (`kind = "..."`), metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::AzureOpenAi => "azure_openai",
            ProviderKind::OpenAiCompatible => "openai_compatible",
        }
    }

    /// Parses a config-file name.
    pub fn from_name(name: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the provider cannot be used without an API key.
    pub fn requires_api_key(self) -> bool {
        !matches!(self, ProviderKind::OpenAiCompatible)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[storage]`. `Debug` hides a password in the URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorageConfig {
    /// `sqlite://...`, `sqlite::memory:` or `postgres://...`.
    pub url: String,
}

impl StorageConfig {
    pub fn new(url: impl Into<String>) -> StorageConfig {
        StorageConfig { url: url.into() }
    }

    /// The URL with any password replaced by `***`, for messages and logs.
    pub fn redacted_url(&self) -> String {
        match Url::parse(&self.url) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => self.url.clone(),
        }
    }
}

impl fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageConfig")
            .field("url", &self.redacted_url())
            .finish()
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    pub max_body_bytes: usize,
    pub max_messages: usize,
    pub max_upstream_event_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 8 << 20,
            max_messages: 2048,
            max_upstream_event_bytes: 1 << 20,
        }
    }
}

/// Rate limits and budget of one API key. `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    pub requests_per_minute: Option<u64>,
    pub tokens_per_minute: Option<u64>,
    pub monthly_token_budget: Option<u64>,
}

/// One upstream API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ProviderConfig {
    pub name: String,
    pub kind: ProviderKind,
    /// No trailing slash, no query, no credentials.
    pub base_url: Url,
    /// Name of the environment variable holding the key (never the key).
    pub api_key_env: Option<String>,
    /// Prompts to it are not pseudonymized; only `openai_compatible`.
    pub self_hosted: bool,
    /// Azure's `api-version`; `Some` exactly for `azure_openai`.
    pub api_version: Option<String>,
    /// Azure: upstream model name → deployment name.
    pub deployments: BTreeMap<String, String>,
    pub connect_timeout: Duration,
    /// Longest silence: before the response headers, then between chunks.
    pub read_timeout: Duration,
    pub max_retries: u32,
}

impl ProviderConfig {
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(600);
    pub const DEFAULT_MAX_RETRIES: u32 = 2;

    /// A provider with default timeouts and retries, no key, not self-hosted.
    pub fn new(name: impl Into<String>, kind: ProviderKind, base_url: Url) -> ProviderConfig {
        ProviderConfig {
            name: name.into(),
            kind,
            base_url,
            api_key_env: None,
            self_hosted: false,
            api_version: None,
            deployments: BTreeMap::new(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            read_timeout: Self::DEFAULT_READ_TIMEOUT,
            max_retries: Self::DEFAULT_MAX_RETRIES,
        }
    }

    /// Azure: the deployment serving upstream model `model`.
    pub fn deployment_for<'a>(&'a self, model: &'a str) -> &'a str {
        self.deployments.get(model).map_or(model, String::as_str)
    }
}

/// One model alias.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ModelConfig {
    pub alias: String,
    /// Name of an existing provider.
    pub provider: String,
    /// Sent upstream as `model`.
    pub model: String,
    pub system_prompt: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
}

/// Where a secret comes from. The configuration names the place; reading it
/// (and creating a missing file) is `hushgate_store::AuditKeys::load`'s job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The environment variable of this name.
    Env(String),
    /// This file; a relative path is relative to the working directory.
    File(PathBuf),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "environment variable {name}"),
            SecretSource::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// `[audit]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditConfig {
    /// The Ed25519 checkpoint signing key's 32-byte seed, as 64 hex digits.
    pub signing_key: SecretSource,
    /// Public keys of retired signing keys, 64 lowercase hex digits each.
    pub verify_keys: Vec<String>,
    /// The server secret for keyed hashes of detected values (hex, >= 32 bytes).
    pub secret: SecretSource,
    /// Longest time a tenant's chain head stays unsigned while records arrive;
    /// zero signs at every commit.
    pub checkpoint_interval: Duration,
    /// Most records per group commit.
    pub max_batch: usize,
    /// Queued appends beyond which callers wait.
    pub queue_capacity: usize,
}

impl AuditConfig {
    /// Default `signing_key_file`.
    pub const DEFAULT_SIGNING_KEY_FILE: &str = "hushgate-audit.key";
    /// Default `secret_file`.
    pub const DEFAULT_SECRET_FILE: &str = "hushgate-secret.key";
    /// Default `checkpoint_interval_secs`.
    pub const DEFAULT_CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);
    /// Default `max_batch`.
    pub const DEFAULT_MAX_BATCH: usize = 512;
    /// Default `queue_capacity`.
    pub const DEFAULT_QUEUE_CAPACITY: usize = 8192;
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            signing_key: SecretSource::File(PathBuf::from(Self::DEFAULT_SIGNING_KEY_FILE)),
            verify_keys: Vec::new(),
            secret: SecretSource::File(PathBuf::from(Self::DEFAULT_SECRET_FILE)),
            checkpoint_interval: Self::DEFAULT_CHECKPOINT_INTERVAL,
            max_batch: Self::DEFAULT_MAX_BATCH,
            queue_capacity: Self::DEFAULT_QUEUE_CAPACITY,
        }
    }
}

/// `[tenants.audit]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantAuditConfig {
    /// If the audit record cannot be made durable, do not forward to an
    /// external provider (the request fails). Default true.
    pub fail_closed: bool,
    /// Keep the redacted prompt in the audit record. Default false.
    pub store_redacted_prompt: bool,
}

impl Default for TenantAuditConfig {
    fn default() -> Self {
        TenantAuditConfig {
            fail_closed: true,
            store_redacted_prompt: false,
        }
    }
}

/// One tenant, with `[limits]` and `[detection]` already merged in.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TenantConfig {
    pub name: String,
    /// As written, deduplicated: `[Regime::None]` for `none`, empty when
    /// the key is absent (`hushgate_policy::TenantPolicy::new` takes either).
    pub regimes: Vec<Regime>,
    /// `None`: every alias.
    pub models: Option<Vec<String>>,
    /// The effective limits of this tenant's keys.
    pub limits: Limits,
    /// The effective detection options for this tenant's requests.
    pub detection: DetectOptions,
    /// Whether `detection` differs from the global `[detection]` (so the
    /// gateway needs an engine of its own for this tenant).
    pub custom_detection: bool,
    /// `pseudonymize = "all"` (the default): every finding is replaced
    /// before an external provider, whatever the regimes allow; `"policy"`:
    /// only what the policy decision lists.
    pub pseudonymize_all: bool,
    /// `unscanned_content = "block"`: refuse requests with media parts.
    pub block_unscanned: bool,
    /// `[tenants.audit]`.
    pub audit: TenantAuditConfig,
}

impl TenantConfig {
    /// Whether this tenant may use model alias `alias`.
    pub fn allows_model(&self, alias: &str) -> bool {
        self.models
            .as_ref()
            .is_none_or(|m| m.iter().any(|a| a == alias))
    }
}

/// Something odd but not fatal, found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The key it is about, e.g. `providers[0].api_key_env`.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// The default listen address.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::LOCALHOST,
    8080,
));

/// The default storage URL (a SQLite file in the working directory).
pub const DEFAULT_STORAGE_URL: &str = "sqlite://hushgate.db";

/// OpenAI's API root, the default `base_url` of `kind = "openai"`.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
