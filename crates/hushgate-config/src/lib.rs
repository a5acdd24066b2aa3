//! Hushgate's configuration file (TOML), loaded in two stages: the file model
//! ([`file`](mod@file), `deny_unknown_fields`, whose doc comments are the reference),
//! then validation into a typed [`Config`] in which names are unique,
//! references resolve and values are in range. Every error names the file
//! and the key (`models[2].provider: unknown provider ...`), and all problems
//! are reported at once.
//!
//! ```
//! use std::path::Path;
//! use hushgate_config::{Config, ProviderKind};
//!
//! let cfg = Config::from_toml_str(r#"
//!     listen = "127.0.0.1:9000"
//!     [[providers]]
//!     name = "private"
//!     kind = "openai_compatible"
//!     base_url = "http://127.0.0.1:8000/v1"
//!     self_hosted = true
//!     [[models]]
//!     alias = "assistant"
//!     provider = "private"
//!     model = "llama-3.1-8b-instruct"
//!     system_prompt = "You are the clinic's assistant."
//!     [[tenants]]
//!     name = "clinic"
//!     regimes = ["hipaa"]
//!     [detection]
//!     threshold = 0.6
//! "#, Path::new("inline.toml")).unwrap();
//! assert_eq!(cfg.detection.threshold, 0.6);
//! let model = cfg.model("assistant").unwrap();
//! assert_eq!(cfg.provider(&model.provider).unwrap().kind, ProviderKind::OpenAiCompatible);
//! assert!(cfg.tenant("clinic").unwrap().allows_model("assistant"));
//!
//! let err = Config::from_toml_str(
//!     "[[models]]\nalias = \"a\"\nprovider = \"opnai\"\n",
//!     Path::new("x.toml"),
//! ).unwrap_err();
//! assert!(err.to_string().contains("x.toml: models[0].provider: unknown provider `opnai`"));
//! ```

pub mod file;
mod settings;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hushgate_detect::DetectOptions;
use thiserror::Error;

/// Regimes are the policy crate's (one list of names, one parser).
pub use hushgate_policy::Regime;
pub use settings::{
    AuditConfig, DEFAULT_LISTEN, DEFAULT_STORAGE_URL, Limits, ModelConfig, OPENAI_BASE_URL,
    ProviderConfig, ProviderKind, SecretSource, ServerConfig, StorageConfig, TenantAuditConfig,
    TenantConfig, Warning,
};
pub use validate::Problem;

/// A validated configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Address the gateway listens on.
    pub listen: SocketAddr,
    pub storage: StorageConfig,
    pub server: ServerConfig,
    /// Default limits of every key (tenants' effective limits are in
    /// [`TenantConfig::limits`]).
    pub limits: Limits,
    /// Global detection options (tenants' effective options are in
    /// [`TenantConfig::detection`]).
    pub detection: DetectOptions,
    /// `[redact]`: the transformation per entity type.
    pub redact: hushgate_redact::RedactOptions,
    pub providers: Vec<ProviderConfig>,
    pub models: Vec<ModelConfig>,
    pub tenants: Vec<TenantConfig>,
    /// The policy engine's configuration, assembled from `[[providers]]`
    /// (`catalog`, `contract`), the tenants that have `regimes`, and
    /// `[policy]`; already checked by `hushgate_policy::Policy::new`.
    pub policy: hushgate_policy::PolicyConfig,
    /// `[limits] redis_url`: rate-limit windows in Redis instead of the
    /// storage database. May hold a password: print it only through
    /// [`StorageConfig::redacted_url`]-style masking.
    pub redis_url: Option<String>,
    /// `[audit]`: signing key, retired verifying keys, server secret, writer
    /// tuning (tenants' audit settings are in [`TenantConfig::audit`]).
    pub audit: AuditConfig,
    /// Non-fatal findings (e.g. an `api_key_env` variable that is not set),
    /// for the caller to print at startup.
    pub warnings: Vec<Warning>,
}

/// Why a configuration could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// TOML syntax, an unknown key or a wrong type; `message` names the key
    /// and the line.
    #[error("invalid config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// The file parsed but values are not usable: every problem, each naming
    /// its key.
    #[error("invalid config file {}: {}", path.display(), list(problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn list(problems: &[Problem]) -> String {
    match problems {
        [one] => one.to_string(),
        many => many
            .iter()
            .map(|p| format!("\n  - {p}"))
            .collect::<String>(),
    }
}

impl Default for Config {
    /// Defaults of every key, with no provider, model or tenant (see
    /// [`Config::embedded_default`] for what `hushgate serve` runs without a file).
    fn default() -> Self {
        Config {
            listen: DEFAULT_LISTEN,
            storage: StorageConfig::new(DEFAULT_STORAGE_URL),
            server: ServerConfig::default(),
            limits: Limits::default(),
            detection: DetectOptions::default(),
            redact: hushgate_redact::RedactOptions::default(),
            providers: Vec::new(),
            models: Vec::new(),
            tenants: Vec::new(),
            policy: hushgate_policy::PolicyConfig::default(),
            redis_url: None,
            audit: AuditConfig::default(),
            warnings: Vec::new(),
        }
    }
}

/// What `hushgate serve` runs without a config file: listen on
/// 127.0.0.1:8080, keys in `hushgate.db`, one tenant `default` (no regime).
/// `[audit]` takes its defaults: the signing key in `hushgate-audit.key` and
/// the server secret in `hushgate-secret.key`, both created on first use.
pub const EMBEDDED_DEFAULT_TOML: &str = r#"listen = "127.0.0.1:8080"

[storage]
url = "sqlite://hushgate.db"

[[tenants]]
name = "default"
"#;

/// Added to [`EMBEDDED_DEFAULT_TOML`] when `OPENAI_API_KEY` is set.
pub const EMBEDDED_OPENAI_TOML: &str = r#"
[[providers]]
name = "openai"
kind = "openai"
base_url = "https://api.openai.com/v1"
api_key_env = "OPENAI_API_KEY"

[[models]]
alias = "gpt-4o-mini"
provider = "openai"
model = "gpt-4o-mini"

[[models]]
alias = "gpt-4o"
provider = "openai"
model = "gpt-4o"

[[models]]
alias = "text-embedding-3-small"
provider = "openai"
model = "text-embedding-3-small"
"#;

impl Config {
    /// Reads and validates `path`. Unset `api_key_env` variables are
    /// [warnings](Config::warnings), not errors.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::from_toml_str(&text, path)
    }

    /// Parses and validates TOML text; `path` is only used in error messages.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::from_toml_str_with_env(text, path, &|name| std::env::var_os(name).is_some())
    }

    /// Like [`from_toml_str`](Config::from_toml_str), asking `env_is_set`
    /// whether an environment variable is set (for tests and tools).
    pub fn from_toml_str_with_env(
        text: &str,
        path: &Path,
        env_is_set: &dyn Fn(&str) -> bool,
    ) -> Result<Config, ConfigError> {
        let file: file::FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        validate::validate(file, env_is_set).map_err(|problems| ConfigError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }

    /// The configuration `hushgate serve` runs without a file: see
    /// [`EMBEDDED_DEFAULT_TOML`], plus [`EMBEDDED_OPENAI_TOML`] if the
    /// `OPENAI_API_KEY` environment variable is set.
    pub fn embedded_default() -> Config {
        Config::embedded_default_with_env(&|name| std::env::var_os(name).is_some())
    }

    /// [`embedded_default`](Config::embedded_default) with `env_is_set`
    /// answering for the environment.
    pub fn embedded_default_with_env(env_is_set: &dyn Fn(&str) -> bool) -> Config {
        let mut text = EMBEDDED_DEFAULT_TOML.to_owned();
        if env_is_set("OPENAI_API_KEY") {
            text.push_str(EMBEDDED_OPENAI_TOML);
        }
        // Both texts are constants covered by tests; fall back to the plain
        // defaults rather than panic should that ever not hold.
        Config::from_toml_str_with_env(&text, Path::new("<embedded default>"), env_is_set)
            .unwrap_or_default()
    }

    /// The provider named `name`.
    pub fn provider(&self, name: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.name == name)
    }

    /// The model alias `alias`.
    pub fn model(&self, alias: &str) -> Option<&ModelConfig> {
        self.models.iter().find(|m| m.alias == alias)
    }

    /// The tenant named `name`.
    pub fn tenant(&self, name: &str) -> Option<&TenantConfig> {
        self.tenants.iter().find(|t| t.name == name)
    }
}

#[cfg(test)]
mod tests;
