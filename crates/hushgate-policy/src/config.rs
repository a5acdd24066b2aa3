//! The policy configuration: routes with your contract facts, tenants with their regimes,
//! custom classes, and catalog additions. Serde structs with `deny_unknown_fields`; field doc
//! comments are the reference. The config crate can embed [`PolicyConfig`] as a `[policy]`
//! section, or [`TenantPolicy`] / [`ProviderRoute`] inside its own tables.
//!
//! A whole file (`examples/policy.toml` in this crate is a complete, tested one):
//!
//! ```toml
//! stale_after_days = 180               # flag terms checked longer ago (default 180)
//!
//! [[providers]]                        # a route the gateway can send to
//! name = "openai"                      # the route's name, as models and fallbacks name it
//! catalog = "openai"                   # whose published terms apply (default: `name`)
//! [providers.contract]                 # what YOUR account has (see `ContractFacts`)
//! baa_signed = false
//! dpa_signed = true
//! source = "DPA executed 2025-01-10 via OpenAI's form"
//! checked = 2025-01-10
//!
//! [[providers]]
//! name = "private"
//! catalog = "self-hosted"
//!
//! [[tenants]]
//! name = "clinic"
//! regimes = ["hipaa"]                  # hipaa | gdpr | ccpa | pci | none (alone)
//! clinical_context = "always"          # or "detect" (default): the caller's signal decides
//! private_route = "private"            # where route_private sends; must be self-hosted
//! allowed_regions = ["us"]             # GDPR transfers: where data may be processed
//! rule_actions = { "gdpr.transfer_outside_allowed_regions" = "route_private" }  # stricter only
//! [tenants.contracts.openai]           # this tenant's own agreement with a route's provider
//! baa_signed = true
//!
//! [[classes]]                          # a custom data class
//! name = "CONFIDENTIAL"
//! external = "pseudonymize"            # what happens on external routes
//! self_hosted = "allow"                # and on self-hosted ones (default allow)
//!
//! [entity_classes]                     # entity type -> class, overriding the built-in map
//! PROJECT_CODE = "CONFIDENTIAL"
//! ORGANIZATION = "PII"
//!
//! [[catalog]]                          # add or replace catalog entries (see `ProviderTerms`)
//! ```

use std::collections::BTreeMap;

use hushgate_types::EntityType;
use serde::{Deserialize, Serialize};

use crate::DataClass;
use crate::catalog::{ContractFacts, ProviderTerms};
use crate::error::Error;
use crate::rules::{Action, Regime};

/// The whole policy configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Terms and contract facts checked longer ago than this are flagged stale (default 180).
    #[serde(default = "default_stale_after_days")]
    pub stale_after_days: u32,
    /// Catalog entries to add, or to replace built-in ones with the same `id`.
    #[serde(default)]
    pub catalog: Vec<ProviderTerms>,
    /// Custom data classes and what happens to them.
    #[serde(default)]
    pub classes: Vec<CustomClass>,
    /// Entity type -> data class, overriding the built-in mapping; required for every tenant
    /// type (deny-list and custom-pattern types) that can appear in findings.
    #[serde(default)]
    pub entity_classes: BTreeMap<EntityType, DataClass>,
    /// The routes, with the account's contract facts.
    #[serde(default)]
    pub providers: Vec<ProviderRoute>,
    #[serde(default)]
    pub tenants: Vec<TenantPolicy>,
}

fn default_stale_after_days() -> u32 {
    180
}

impl Default for PolicyConfig {
    fn default() -> PolicyConfig {
        PolicyConfig {
            stale_after_days: default_stale_after_days(),
            catalog: Vec::new(),
            classes: Vec::new(),
            entity_classes: BTreeMap::new(),
            providers: Vec::new(),
            tenants: Vec::new(),
        }
    }
}

impl PolicyConfig {
    /// Parses TOML; `origin` names the file in errors. Validation happens in
    /// [`Policy::new`](crate::Policy::new), which needs the catalog and the rules.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<PolicyConfig, Error> {
        toml::from_str(text).map_err(|e| Error::parse(origin, e))
    }
}

/// A route: a provider the gateway can send to, and what this account has agreed with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderRoute {
    /// The route's name (letters, digits, `-`, `_`, `.`), as models and fallbacks name it.
    pub name: String,
    /// The catalog entry whose published terms apply; defaults to `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// The account's contract facts (a BAA signed, ZDR enabled, data regions...).
    #[serde(default)]
    pub contract: ContractFacts,
}

impl ProviderRoute {
    pub fn catalog_id(&self) -> &str {
        self.catalog.as_deref().unwrap_or(&self.name)
    }
}

/// Whether a tenant's text counts as a health context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicalMode {
    /// The caller's `clinical_context` signal decides (see [`crate::clinical`]).
    #[default]
    Detect,
    /// Every request is a health context (a clinic, a health plan).
    Always,
}

/// A tenant's obligations and settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantPolicy {
    /// The tenant's name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// The regimes it is subject to; `none` must stand alone.
    pub regimes: Vec<Regime>,
    /// For HIPAA tenants: when identifiers count as PHI (default `detect`).
    #[serde(default)]
    pub clinical_context: ClinicalMode,
    /// For GDPR tenants: regions data may be processed in (e.g. `["eu"]`). Empty: none are, and
    /// personal data to external routes is pseudonymized.
    #[serde(default)]
    pub allowed_regions: Vec<String>,
    /// The self-hosted route that `route_private` sends to; without one, data that must stay
    /// private is blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_route: Option<String>,
    /// This tenant's own contract facts per route; they win over the route's.
    #[serde(default)]
    pub contracts: BTreeMap<String, ContractFacts>,
    /// Rule id -> a stricter action than the rule's own (never a looser one).
    #[serde(default)]
    pub rule_actions: BTreeMap<String, Action>,
}

impl TenantPolicy {
    /// A tenant with these regimes and default settings.
    pub fn new(name: &str, regimes: &[Regime]) -> TenantPolicy {
        TenantPolicy {
            name: name.to_owned(),
            regimes: regimes.to_vec(),
            clinical_context: ClinicalMode::Detect,
            allowed_regions: Vec::new(),
            private_route: None,
            contracts: BTreeMap::new(),
            rule_actions: BTreeMap::new(),
        }
    }

    pub fn has(&self, regime: Regime) -> bool {
        self.regimes.contains(&regime)
    }
}

/// A custom data class and what happens to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomClass {
    /// Upper snake case, not a built-in class name.
    pub name: DataClass,
    /// What happens on routes where a third party receives the data.
    pub external: Action,
    /// What happens on self-hosted routes (default `allow`).
    #[serde(default)]
    pub self_hosted: Action,
    /// Why (your internal policy, a contract clause); shown in reasons and the review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
}
