//! The file model: what a `hushgate.toml` may contain, exactly (unknown keys
//! are errors). The doc comments here are the configuration reference.
//!
//! Values are kept close to the text (names as strings, URLs unparsed) so
//! that validation can check them all and name the key of
//! every problem (`models[2].provider`), which serde alone cannot.

use std::collections::BTreeMap;

use hushgate_detect::{CustomPattern, DenyList, DetectOptions, EntityType};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The whole file. Every table is optional.
///
/// ```toml
/// listen = "127.0.0.1:8080"
/// [storage]
/// url = "sqlite://hushgate.db"
/// [[providers]]
/// name = "openai"
/// kind = "openai"
/// api_key_env = "OPENAI_API_KEY"
/// [[models]]
/// alias = "gpt-4o-mini"
/// provider = "openai"
/// model = "gpt-4o-mini"
/// [[tenants]]
/// name = "clinic"
/// regimes = ["hipaa"]
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    /// Address the gateway listens on. Default `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// `[storage]`: where keys, usage and the audit trail live.
    pub storage: FileStorage,
    /// `[server]`: request size limits.
    pub server: FileServer,
    /// `[limits]`: default per-key rate limits and budget.
    pub limits: FileLimits,
    /// `[detection]`: threshold, phone regions, allow/deny lists, custom patterns.
    pub detection: DetectOptions,
    /// `[redact]`: the transformation per entity type (`default`, and an
    /// `[redact.entities]` table such as `CREDIT_CARD = "mask"`).
    pub redact: hushgate_redact::RedactOptions,
    /// `[[providers]]`: upstream LLM APIs.
    pub providers: Vec<FileProvider>,
    /// `[[models]]`: the model aliases clients may ask for.
    pub models: Vec<FileModel>,
    /// `[[tenants]]`: the organisations API keys belong to.
    pub tenants: Vec<FileTenant>,
    /// `[policy]`: catalog additions, custom data classes, the entity type →
    /// class map and the staleness age of provider terms (see
    /// `hushgate_policy::PolicyConfig`).
    pub policy: FilePolicy,
    /// `[audit]`: where the audit trail's signing key and the server secret
    /// come from, retired verifying keys, and how the writer batches and signs.
    pub audit: FileAudit,
}

/// `[policy]`: what the policy engine needs beyond providers and tenants.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilePolicy {
    /// Flag provider terms checked longer ago than this many days. Default 180.
    pub stale_after_days: Option<u32>,
    /// `[[policy.catalog]]`: provider terms to add to, or replace in, the
    /// built-in catalog (crates/hushgate-policy/data/providers.toml).
    pub catalog: Vec<hushgate_policy::ProviderTerms>,
    /// `[[policy.classes]]`: custom data classes and what happens to them.
    pub classes: Vec<hushgate_policy::CustomClass>,
    /// `[policy.entity_classes]`: entity type → data class, e.g.
    /// `PATIENT_ID = "PHI"`.
    pub entity_classes: BTreeMap<EntityType, hushgate_policy::DataClass>,
}

/// `[audit]`. Secrets are never written in this file: each comes from an
/// environment variable (`*_env`) or a file (`*_file`), and a file that does
/// not exist yet is created with fresh random bytes (mode 0600) by the first
/// `hushgate serve` (or `hushgate keys create`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileAudit {
    /// Name of the environment variable holding the Ed25519 key that signs
    /// the audit chains' checkpoints: its 32-byte seed as 64 hex digits.
    /// Exclusive with `signing_key_file`.
    pub signing_key_env: Option<String>,
    /// File holding that seed as 64 hex digits, relative to the working
    /// directory. Default `hushgate-audit.key` (used when neither
    /// `signing_key_env` nor `signing_key_file` is given).
    pub signing_key_file: Option<String>,
    /// Not accepted: the signing key never belongs in the config file.
    pub signing_key: Option<IgnoredAny>,
    /// Public keys (64 hex digits each) of retired signing keys, so chains
    /// signed before a key rotation still verify. Default: none. The current
    /// key's public half is always trusted.
    pub verify_keys: Vec<String>,
    /// Name of the environment variable holding the server secret for keyed
    /// hashes (HMAC correlation of detected values): at least 32 bytes as hex
    /// digits. Exclusive with `secret_file`.
    pub secret_env: Option<String>,
    /// File holding that secret as hex digits, relative to the working
    /// directory. Default `hushgate-secret.key`.
    pub secret_file: Option<String>,
    /// Not accepted: the secret never belongs in the config file.
    pub secret: Option<IgnoredAny>,
    /// How often, at most, each tenant's chain head is signed while records
    /// arrive (and how long after its last record at the latest), in seconds;
    /// 0 signs at every commit. Deleting records from the tail of a chain is
    /// detectable once a checkpoint covers them. Default 1.
    pub checkpoint_interval_secs: Option<f64>,
    /// Most records committed in one transaction (group commit). Default 512.
    pub max_batch: Option<u64>,
    /// Appends waiting beyond this many make requests wait (back-pressure).
    /// Default 8192.
    pub queue_capacity: Option<u64>,
}

/// `[tenants.audit]`: a tenant's audit settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileTenantAudit {
    /// When the audit store is unavailable (the decision record cannot be
    /// made durable), refuse to forward this tenant's requests to external
    /// providers. Default true. `false` forwards without a record.
    pub fail_closed: Option<bool>,
    /// Keep the prompt *after redaction* in the audit record. Default false:
    /// records hold types, counts and keyed hashes only.
    pub store_redacted_prompt: Option<bool>,
}

/// `[storage]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileStorage {
    /// `sqlite://PATH` (created if missing; relative to the working
    /// directory), `sqlite::memory:`, or `postgres://USER:PASSWORD@HOST/DB`.
    /// Default `sqlite://hushgate.db`.
    pub url: Option<String>,
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileServer {
    /// Largest request body accepted, in bytes; larger ones get HTTP 413.
    /// Default 8388608 (8 MiB).
    pub max_body_bytes: Option<u64>,
    /// Most messages accepted in one chat request. Default 2048.
    pub max_messages: Option<u64>,
    /// Largest server-sent event accepted from an upstream stream, in bytes;
    /// a larger one ends the stream with an error. Default 1048576 (1 MiB).
    pub max_upstream_event_bytes: Option<u64>,
}

/// `[limits]` (defaults for every key) and `[tenants.limits]` (a tenant's
/// overrides). Omit a limit for none.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileLimits {
    /// Requests per minute per API key; beyond it HTTP 429 with `retry-after`.
    pub requests_per_minute: Option<u64>,
    /// Prompt plus completion tokens per minute per API key.
    pub tokens_per_minute: Option<u64>,
    /// Prompt plus completion tokens per API key per calendar month (UTC).
    pub monthly_token_budget: Option<u64>,
    /// Global `[limits]` only: keep the per-minute windows in Redis
    /// (`redis://HOST:PORT/DB`) instead of the storage database, for many
    /// replicas under high request rates. Budgets stay in the database.
    pub redis_url: Option<String>,
}

/// One `[[providers]]` entry: an upstream API.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileProvider {
    /// Unique name, referenced by `models[].provider`: letters, digits, `_`, `-`, `.`.
    pub name: Option<String>,
    /// `openai`, `azure_openai` or `openai_compatible` (vLLM, llama.cpp's
    /// server, Ollama, LiteLLM and other servers speaking OpenAI's API).
    pub kind: Option<String>,
    /// Base URL. `openai`: the API root including `/v1`, default
    /// `https://api.openai.com/v1`. `azure_openai`: the resource endpoint,
    /// `https://RESOURCE.openai.azure.com` (the `/openai/deployments/...`
    /// path is added). `openai_compatible`: the root that `/chat/completions`
    /// is appended to, usually ending in `/v1` (e.g. `http://127.0.0.1:11434/v1`
    /// for Ollama). http or https; no credentials, query or fragment.
    pub base_url: Option<String>,
    /// Name of the environment variable holding the upstream API key (e.g.
    /// `OPENAI_API_KEY`). Keys are never read from this file. Required for
    /// `openai` and `azure_openai`, optional for `openai_compatible`. A
    /// variable that is not set is a warning when the file is loaded and an
    /// error when the provider is used.
    pub api_key_env: Option<String>,
    /// Not accepted: an upstream key never belongs in the config file. Put it
    /// in an environment variable and name that variable in `api_key_env`.
    pub api_key: Option<IgnoredAny>,
    /// The provider runs on infrastructure you control (only for
    /// `openai_compatible`): prompts to it are not pseudonymized. Default false.
    pub self_hosted: Option<bool>,
    /// `azure_openai` only, required: the `api-version` query parameter, e.g.
    /// `2024-10-21`.
    pub api_version: Option<String>,
    /// `azure_openai` only: upstream model name → deployment name. A model
    /// missing from the map is sent to the deployment of the same name.
    pub deployments: BTreeMap<String, String>,
    /// Seconds to wait for a TCP (and TLS) connection. Default 10.
    pub connect_timeout_secs: Option<f64>,
    /// Longest silence tolerated from the upstream, in seconds: waiting for
    /// the response headers (a non-streaming completion arrives all at once,
    /// when done), then between two body chunks. Default 600.
    pub read_timeout_secs: Option<f64>,
    /// Retries after a failure that is safe to retry (connection refused or
    /// reset before sending; HTTP 502, 503 or 504 before any body). Default 2.
    pub max_retries: Option<u32>,
    /// The provider-terms catalog entry whose published terms apply
    /// (`openai`, `azure-openai`, `anthropic`, `vertex-ai`, `mistral`,
    /// `self-hosted`, or one added under `[[policy.catalog]]`). Default from
    /// `kind`: `openai`, `azure-openai`, and `self-hosted` for a self-hosted
    /// `openai_compatible`; any other provider needs it once a tenant has
    /// `regimes`.
    pub catalog: Option<String>,
    /// `[providers.contract]`: what YOUR account has agreed with this
    /// provider (`baa_signed`, `zdr_enabled`, `dpa_signed`, `regions`...,
    /// with `source` and `checked` date). Overrides the catalog.
    pub contract: Option<hushgate_policy::ContractFacts>,
}

/// One `[[models]]` entry: a model alias clients ask for. An alias with a
/// system prompt and defaults is a dedicated assistant (one per tenant, for
/// example).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileModel {
    /// What clients send as `model`; unique. No whitespace.
    pub alias: Option<String>,
    /// The `name` of the provider serving it.
    pub provider: Option<String>,
    /// The model name sent upstream. Default: the alias.
    pub model: Option<String>,
    /// A system message Hushgate puts first in every chat request to this alias.
    pub system_prompt: Option<String>,
    /// Default `temperature` (0–2) when the client sends none.
    pub temperature: Option<f64>,
    /// Default `max_tokens` when the client sends none.
    pub max_tokens: Option<u64>,
}

/// One `[[tenants]]` entry: an organisation whose API keys share rules.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileTenant {
    /// Unique name (used by `hushgate keys create --tenant NAME`): letters,
    /// digits, `_`, `-`, `.`.
    pub name: Option<String>,
    /// Compliance regimes: `hipaa`, `gdpr`, `ccpa`, `pci`, or `none` alone.
    /// Default: none.
    pub regimes: Vec<String>,
    /// Model aliases this tenant may use. Default: every alias.
    pub models: Option<Vec<String>>,
    /// Overrides of `[limits]` for this tenant's keys.
    pub limits: FileLimits,
    /// Overrides of `[detection]` for this tenant.
    pub detection: FileTenantDetection,
    /// Which findings are replaced before an external provider: `all`
    /// (default: every finding, whatever the regimes allow) or `policy`
    /// (only what the tenant's regimes demand; e.g. with `regimes = ["none"]`
    /// only secrets).
    pub pseudonymize: Option<String>,
    /// HIPAA: `detect` (default: a health context in the text makes
    /// identifiers PHI) or `always` (every request is a health context).
    pub clinical_context: Option<hushgate_policy::ClinicalMode>,
    /// GDPR: regions data may be processed in, e.g. `["eu"]`.
    pub allowed_regions: Vec<String>,
    /// The self-hosted provider that takes what may not leave
    /// (`route_private`); without one such requests are blocked.
    pub private_route: Option<String>,
    /// `[tenants.contracts.PROVIDER]`: this tenant's own agreement with a
    /// provider (e.g. its own BAA); wins over `[providers.contract]`.
    pub contracts: BTreeMap<String, hushgate_policy::ContractFacts>,
    /// Rule id → a stricter action than the rule's own, e.g.
    /// `{ "gdpr.no_training" = "block" }`.
    pub rule_actions: BTreeMap<String, hushgate_policy::Action>,
    /// `[tenants.audit]`: fail closed, store the redacted prompt.
    pub audit: FileTenantAudit,
    /// Image, audio and file parts cannot be scanned: `pass` (default)
    /// sends them as they are; `block` refuses requests that carry any.
    pub unscanned_content: Option<String>,
}

/// `[tenants.detection]`: a tenant's changes to `[detection]`. Scalars
/// replace the global value; lists are added to the global lists.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileTenantDetection {
    /// Replaces `detection.threshold`.
    pub threshold: Option<f32>,
    /// Replaces `detection.phone_regions`.
    pub phone_regions: Option<Vec<String>>,
    /// Replaces `detection.entities`.
    pub entities: Option<Vec<EntityType>>,
    /// Added to `detection.allow_list`.
    pub allow_list: Vec<String>,
    /// Added to `detection.deny_list`.
    pub deny_list: Vec<DenyList>,
    /// Added to `detection.patterns`.
    pub patterns: Vec<CustomPattern>,
}

impl FileTenantDetection {
    pub(crate) fn is_empty(&self) -> bool {
        self.threshold.is_none()
            && self.phone_regions.is_none()
            && self.entities.is_none()
            && self.allow_list.is_empty()
            && self.deny_list.is_empty()
            && self.patterns.is_empty()
    }
}
