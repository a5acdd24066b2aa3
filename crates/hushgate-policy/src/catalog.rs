//! The provider-terms catalog: what each provider publishes about how it handles API data,
//! with the source of every fact and the date it was checked.
//!
//! The built-in catalog is `data/providers.toml` (embedded); the policy config adds entries or
//! replaces them by `id` (`[[catalog]]`), and states the account's *contract* facts
//! ([`ContractFacts`]) separately. Published terms say what is available (a BAA on request);
//! contract facts say what this account has (a BAA signed). Rules read both.
//!
//! # TOML shape of one entry
//!
//! ```toml
//! [[providers]]                       # `[[catalog]]` in a policy config
//! id = "openai"                       # what `catalog = "..."` and `via = "..."` refer to
//! name = "OpenAI API"
//! self_hosted = false                 # default false
//! via = "openai"                      # optional: a SaaS built on another provider's API
//! upstream = { baa_signed = false }   # optional, with `via`: the vendor's agreement with it
//! trains_on_api_data = "opt_in"       # no | opt_in | opt_out | yes
//! retention_days = 30                 # abuse-monitoring retention of prompts and outputs
//! zdr = "on_request"                  # zero data retention: no | on_request | standard
//! zdr_endpoints = ["chat", "embeddings"]   # or ["*"]
//! baa = "on_request"                  # HIPAA business associate agreement
//! baa_endpoints = ["chat", "embeddings"]
//! dpa = "on_request"                  # GDPR Art. 28 processor agreement; "standard" = in force
//!                                     # with the terms of service
//! ccpa_service_provider = true        # terms carry the CCPA 1798.140(ag) restrictions
//! regions = ["us"]                    # where data is processed by default
//! regions_available = ["us", "eu"]    # what an account can choose
//! note = "..."
//!
//! [[providers.endpoints]]             # where an endpoint differs
//! endpoint = "files"
//! stores_content = "until_deleted"    # or a number of days
//! note = "..."
//!
//! [[providers.sources]]               # every fact above must be backed by a source
//! url = "https://..."
//! checked = 2026-11-24
//! basis = "live_page"                 # live_page | stored_copy | general_knowledge
//! facts = ["trains_on_api_data", "retention_days"]   # or ["*"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Date;
use crate::error::Error;

macro_rules! endpoints {
    ($($variant:ident => $name:literal;)*) => {
        /// An API surface. Terms often differ by endpoint: stateful ones (files, assistants,
        /// batch) keep content until deleted and are rarely covered by ZDR or a BAA.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Endpoint {
            $($variant,)*
        }

        impl Endpoint {
            /// Every endpoint, in declaration order.
            pub const ALL: &'static [Endpoint] = &[$(Endpoint::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Endpoint::$variant => $name,)*
                }
            }
        }

        impl std::str::FromStr for Endpoint {
            type Err = Error;
            fn from_str(s: &str) -> Result<Endpoint, Error> {
                match s {
                    $($name => Ok(Endpoint::$variant),)*
                    _ => Err(Error::invalid("endpoint", format!("unknown endpoint `{}`", s.chars().take(40).collect::<String>()))),
                }
            }
        }
    };
}

endpoints! {
    Chat => "chat";
    Responses => "responses";
    Completions => "completions";
    Embeddings => "embeddings";
    Files => "files";
    Assistants => "assistants";
    Batch => "batch";
    Realtime => "realtime";
    Images => "images";
    Audio => "audio";
    Moderations => "moderations";
    FineTuning => "fine_tuning";
}

impl Endpoint {
    /// The endpoint of an OpenAI- or Anthropic-style request path, `None` if unknown (the
    /// gateway should refuse what it cannot classify).
    ///
    /// ```
    /// use hushgate_policy::Endpoint;
    /// assert_eq!(Endpoint::from_path("/v1/chat/completions"), Some(Endpoint::Chat));
    /// assert_eq!(Endpoint::from_path("/openai/deployments/x/embeddings"), Some(Endpoint::Embeddings));
    /// assert_eq!(Endpoint::from_path("/v1/messages/batches"), Some(Endpoint::Batch));
    /// assert_eq!(Endpoint::from_path("/v1/unknown"), None);
    /// ```
    pub fn from_path(path: &str) -> Option<Endpoint> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let has = |s: &str| segments.contains(&s);
        let last_pair = |a: &str, b: &str| segments.windows(2).any(|w| w[0] == a && w[1] == b);
        Some(if has("batches") {
            Endpoint::Batch
        } else if last_pair("chat", "completions") || has("messages") {
            Endpoint::Chat
        } else if has("responses") {
            Endpoint::Responses
        } else if has("completions") {
            Endpoint::Completions
        } else if has("embeddings") {
            Endpoint::Embeddings
        } else if has("files") || has("uploads") {
            Endpoint::Files
        } else if has("assistants") || has("threads") || has("vector_stores") {
            Endpoint::Assistants
        } else if has("realtime") {
            Endpoint::Realtime
        } else if has("images") {
            Endpoint::Images
        } else if has("audio") {
            Endpoint::Audio
        } else if has("moderations") {
            Endpoint::Moderations
        } else if has("fine_tuning") || has("fine-tunes") {
            Endpoint::FineTuning
        } else {
            return None;
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of endpoints written as a list of names, or `["*"]` for all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointSet {
    all: bool,
    list: BTreeSet<Endpoint>,
}

impl EndpointSet {
    pub fn all() -> EndpointSet {
        EndpointSet {
            all: true,
            list: BTreeSet::new(),
        }
    }

    pub fn contains(&self, e: Endpoint) -> bool {
        self.all || self.list.contains(&e)
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.list.is_empty()
    }

    /// The endpoints not in the set, in declaration order.
    pub fn missing(&self) -> Vec<Endpoint> {
        Endpoint::ALL
            .iter()
            .copied()
            .filter(|e| !self.contains(*e))
            .collect()
    }
}

impl FromIterator<Endpoint> for EndpointSet {
    fn from_iter<I: IntoIterator<Item = Endpoint>>(iter: I) -> EndpointSet {
        EndpointSet {
            all: false,
            list: iter.into_iter().collect(),
        }
    }
}

impl Serialize for EndpointSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.all {
            vec!["*"].serialize(s)
        } else {
            self.list.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for EndpointSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EndpointSet, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut set = EndpointSet::default();
        for name in names {
            if name == "*" {
                set.all = true;
            } else {
                set.list
                    .insert(name.parse().map_err(serde::de::Error::custom)?);
            }
        }
        Ok(set)
    }
}

/// Whether a provider trains its models on API data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Training {
    /// Never.
    No,
    /// Only if the account opts in (OpenAI's data sharing program).
    OptIn,
    /// By default, unless the account opts out.
    OptOut,
    /// Yes.
    Yes,
}

impl Training {
    /// Whether data sent under these terms may be trained on.
    pub fn trains(self) -> bool {
        matches!(self, Training::OptOut | Training::Yes)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Training::No => "no",
            Training::OptIn => "opt_in",
            Training::OptOut => "opt_out",
            Training::Yes => "yes",
        }
    }
}

/// Whether an agreement or control is offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    No,
    /// Must be requested, approved or accepted per account.
    OnRequest,
    /// In force with the standard terms.
    Standard,
}

impl Availability {
    pub fn offered(self) -> bool {
        self != Availability::No
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Availability::No => "no",
            Availability::OnRequest => "on_request",
            Availability::Standard => "standard",
        }
    }
}

/// How long content is kept: a number of days, or until the customer deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    Days(u32),
    UntilDeleted,
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Retention::Days(d) => write!(f, "{d} days"),
            Retention::UntilDeleted => f.write_str("until deleted"),
        }
    }
}

impl Serialize for Retention {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Retention::Days(d) => s.serialize_u32(*d),
            Retention::UntilDeleted => s.serialize_str("until_deleted"),
        }
    }
}

impl<'de> Deserialize<'de> for Retention {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Retention, D::Error> {
        use serde::de::Error as _;
        match toml::Value::deserialize(d)? {
            toml::Value::Integer(n) => u32::try_from(n)
                .map(Retention::Days)
                .map_err(|_| D::Error::custom("retention days must be 0 or more")),
            toml::Value::String(s) if s == "until_deleted" => Ok(Retention::UntilDeleted),
            _ => Err(D::Error::custom(
                "expected a number of days or \"until_deleted\"",
            )),
        }
    }
}

/// How a source was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The live page was read on the `checked` date.
    LivePage,
    /// A stored copy of the page was read on the `checked` date; the copy may be older.
    StoredCopy,
    /// Written from general knowledge on the `checked` date, not from a page read then.
    GeneralKnowledge,
    /// Stated by whoever runs the deployment (a self-hosted model); there is no page.
    Operator,
}

impl Basis {
    /// Whether a fact with this basis should be re-verified before it is relied on.
    pub fn needs_verification(self) -> bool {
        matches!(self, Basis::StoredCopy | Basis::GeneralKnowledge)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::LivePage => "live page",
            Basis::StoredCopy => "stored copy",
            Basis::GeneralKnowledge => "general knowledge",
            Basis::Operator => "operator",
        }
    }
}

/// Where a set of published facts comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Required unless `basis = "operator"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub checked: Date,
    pub basis: Basis,
    /// The fact names this source backs (`["*"]`: all).
    pub facts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Source {
    pub fn backs(&self, fact: &str) -> bool {
        self.facts.iter().any(|f| f == fact || f == "*")
    }
}

/// Where an endpoint's terms differ from the provider's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointTerms {
    pub endpoint: Endpoint,
    /// Content kept as application state (files, threads, batches), beyond abuse monitoring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stores_content: Option<Retention>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trains_on_api_data: Option<Training>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a provider publishes about API data: one catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderTerms {
    pub id: String,
    pub name: String,
    /// Runs in an environment the operator controls: no third party sees the data.
    #[serde(default)]
    pub self_hosted: bool,
    /// The provider whose API this one is built on: its terms apply too, and the stricter wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// With `via`: the vendor's own agreement with that provider (not yours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<ContractFacts>,
    pub trains_on_api_data: Training,
    /// Days prompts and outputs may be kept for abuse monitoring (0: none).
    pub retention_days: u32,
    pub zdr: Availability,
    #[serde(default)]
    pub zdr_endpoints: EndpointSet,
    pub baa: Availability,
    #[serde(default)]
    pub baa_endpoints: EndpointSet,
    pub dpa: Availability,
    pub ccpa_service_provider: bool,
    pub regions: Vec<String>,
    #[serde(default)]
    pub regions_available: Vec<String>,
    #[serde(default)]
    pub endpoints: Vec<EndpointTerms>,
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ProviderTerms {
    /// The terms specific to `endpoint`, if they differ.
    pub fn endpoint(&self, endpoint: Endpoint) -> Option<&EndpointTerms> {
        self.endpoints.iter().find(|e| e.endpoint == endpoint)
    }

    /// Training on `endpoint`, with its override.
    pub fn training(&self, endpoint: Endpoint) -> Training {
        self.endpoint(endpoint)
            .and_then(|e| e.trains_on_api_data)
            .unwrap_or(self.trains_on_api_data)
    }

    /// The sources backing `fact`, oldest check first.
    pub fn sources_for(&self, fact: &str) -> Vec<&Source> {
        let mut v: Vec<&Source> = self.sources.iter().filter(|s| s.backs(fact)).collect();
        v.sort_by_key(|s| s.checked);
        v
    }

    /// The facts this entry states, which sources must back.
    fn stated_facts(&self) -> Vec<&'static str> {
        let mut v = vec![
            "trains_on_api_data",
            "retention_days",
            "zdr",
            "baa",
            "dpa",
            "ccpa_service_provider",
            "regions",
        ];
        let optional = [
            ("zdr_endpoints", !self.zdr_endpoints.is_empty()),
            ("baa_endpoints", !self.baa_endpoints.is_empty()),
            ("regions_available", !self.regions_available.is_empty()),
            ("endpoints", !self.endpoints.is_empty()),
            ("self_hosted", self.self_hosted),
            ("via", self.via.is_some()),
            ("upstream", self.upstream.is_some()),
        ];
        v.extend(optional.iter().filter(|(_, on)| *on).map(|(f, _)| *f));
        v
    }

    fn validate(&self, origin: &str) -> Result<(), Error> {
        let here = format!("{origin}: provider `{}`", self.id);
        check_name(&here, "id", &self.id)?;
        if self.sources.is_empty() {
            return Err(Error::invalid(
                here,
                "has no [[sources]]: every fact needs a source URL and a checked date",
            ));
        }
        for fact in self.stated_facts() {
            if !self.sources.iter().any(|s| s.backs(fact)) {
                return Err(Error::invalid(
                    here,
                    format!("fact `{fact}` is backed by no source (list it in a source's `facts`)"),
                ));
            }
        }
        for s in &self.sources {
            let url_ok = match &s.url {
                Some(u) => u.starts_with("https://") || u.starts_with("http://"),
                None => s.basis == Basis::Operator,
            };
            if !url_ok {
                return Err(Error::invalid(
                    here,
                    "every source needs an http(s) `url` (only basis = \"operator\" may omit it)",
                ));
            }
            for f in &s.facts {
                if f != "*" && !KNOWN_FACTS.contains(&f.as_str()) {
                    return Err(Error::invalid(
                        here,
                        format!("a source names an unknown fact `{f}`"),
                    ));
                }
            }
        }
        for r in self.regions.iter().chain(&self.regions_available) {
            check_region(&here, r)?;
        }
        if self.upstream.is_some() && self.via.is_none() {
            return Err(Error::invalid(here, "`upstream` needs `via`"));
        }
        if let Some(u) = &self.upstream {
            u.validate(&format!("{here}.upstream"))?;
        }
        if self.self_hosted && self.via.is_some() {
            return Err(Error::invalid(
                here,
                "a self-hosted provider cannot be `via` another",
            ));
        }
        let mut seen = BTreeSet::new();
        for e in &self.endpoints {
            if !seen.insert(e.endpoint) {
                return Err(Error::invalid(
                    here,
                    format!("endpoint `{}` listed twice", e.endpoint),
                ));
            }
        }
        Ok(())
    }
}

const KNOWN_FACTS: &[&str] = &[
    "trains_on_api_data",
    "retention_days",
    "zdr",
    "zdr_endpoints",
    "baa",
    "baa_endpoints",
    "dpa",
    "ccpa_service_provider",
    "regions",
    "regions_available",
    "endpoints",
    "self_hosted",
    "via",
    "upstream",
];

/// An account's contract facts with a provider; every field overrides the published default.
///
/// Used in three places: a route's `contract` (the operator's account), a tenant's
/// `contracts.<route>` (a tenant's own agreement, which wins), and a catalog entry's `upstream`
/// (a SaaS vendor's agreement with the provider it is built on).
///
/// ```toml
/// baa_signed = true            # a BAA is signed (default false: a BAA is never assumed)
/// zdr_enabled = true           # zero data retention is enabled (default false)
/// dpa_signed = true            # default: true only where the catalog says dpa = "standard"
/// ccpa_service_provider = true # default: the catalog's value
/// trains_on_api_data = "no"    # e.g. after opting out
/// regions = ["eu"]             # e.g. an EU data-residency project
/// source = "BAA countersigned 2025-03-02, contract #4411"
/// checked = 2025-03-02
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baa_signed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zdr_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpa_signed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccpa_service_provider: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trains_on_api_data: Option<Training>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Where these facts come from (a contract reference, a console setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When they were last confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Date>,
}

impl ContractFacts {
    pub(crate) fn validate(&self, origin: &str) -> Result<(), Error> {
        for r in self.regions.iter().flatten() {
            check_region(origin, r)?;
        }
        Ok(())
    }
}

/// The built-in catalog file, embedded.
pub const BUILTIN_CATALOG: &str = include_str!("../data/providers.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: u32,
    providers: Vec<ProviderTerms>,
}

/// Provider terms by id.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    version: u32,
    entries: BTreeMap<String, Arc<ProviderTerms>>,
}

impl Catalog {
    /// The built-in catalog (`data/providers.toml`).
    ///
    /// Fails only if the embedded file is broken, which a test rules out.
    pub fn builtin() -> Result<Catalog, Error> {
        Catalog::from_toml_str(BUILTIN_CATALOG, "data/providers.toml")
    }

    /// Parses a catalog file; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Catalog, Error> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| Error::parse(origin, e))?;
        let mut catalog = Catalog {
            version: file.version,
            entries: BTreeMap::new(),
        };
        for p in file.providers {
            if catalog.entries.contains_key(&p.id) {
                return Err(Error::invalid(
                    origin,
                    format!("provider `{}` listed twice", p.id),
                ));
            }
            catalog.entries.insert(p.id.clone(), Arc::new(p));
        }
        catalog.validate(origin)?;
        Ok(catalog)
    }

    /// Adds entries, replacing built-in ones with the same `id`.
    pub fn extend(&mut self, entries: &[ProviderTerms], origin: &str) -> Result<(), Error> {
        let mut ids = BTreeSet::new();
        for p in entries {
            if !ids.insert(&p.id) {
                return Err(Error::invalid(
                    origin,
                    format!("provider `{}` listed twice", p.id),
                ));
            }
            self.entries.insert(p.id.clone(), Arc::new(p.clone()));
        }
        self.validate(origin)
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn get(&self, id: &str) -> Option<&Arc<ProviderTerms>> {
        self.entries.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<ProviderTerms>> {
        self.entries.values()
    }

    /// The chain of terms starting at `id`: itself, then what it is built on.
    pub fn chain(&self, id: &str) -> Result<Vec<Arc<ProviderTerms>>, Error> {
        let mut chain: Vec<Arc<ProviderTerms>> = Vec::new();
        let mut next = Some(id.to_owned());
        while let Some(id) = next {
            if chain.iter().any(|p| p.id == id) {
                return Err(Error::invalid(
                    "catalog",
                    format!("provider `{id}` is its own vendor (a `via` cycle)"),
                ));
            }
            let p = self
                .get(&id)
                .ok_or_else(|| Error::UnknownProvider(id.clone()))?;
            next = p.via.clone();
            chain.push(Arc::clone(p));
        }
        Ok(chain)
    }

    fn validate(&self, origin: &str) -> Result<(), Error> {
        for p in self.entries.values() {
            p.validate(origin)?;
            self.chain(&p.id).map_err(|e| match e {
                Error::UnknownProvider(via) => Error::invalid(
                    origin,
                    format!("provider `{}` is `via` unknown provider `{via}`", p.id),
                ),
                other => other,
            })?;
        }
        Ok(())
    }
}

/// Names of routes, tenants and catalog entries: short, printable, safe in any report.
pub(crate) fn check_name(origin: &str, what: &str, name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            origin,
            format!(
                "{what} `{}` must be 1-64 letters, digits, `-`, `_` or `.`",
                name.chars().take(64).collect::<String>()
            ),
        ))
    }
}

pub(crate) fn check_region(origin: &str, region: &str) -> Result<(), Error> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            origin,
            format!(
                "region `{}` must be lowercase letters, digits and `-` (e.g. us, eu, eu-west)",
                region.chars().take(32).collect::<String>()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_loads_with_every_required_provider() {
        let c = Catalog::builtin().unwrap();
        for id in [
            "openai",
            "azure-openai",
            "anthropic",
            "vertex-ai",
            "mistral",
            "self-hosted",
        ] {
            let p = c.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(!p.sources.is_empty());
            for s in &p.sources {
                let https = s.url.as_deref().is_some_and(|u| u.starts_with("https://"));
                assert!(https || s.basis == Basis::Operator, "{id}: {:?}", s.url);
            }
        }
        assert!(c.get("self-hosted").unwrap().self_hosted);
    }

    #[test]
    fn unbacked_fact_is_refused() {
        let entry = r#"
version = 1
[[providers]]
id = "x"
name = "X"
trains_on_api_data = "no"
retention_days = 0
zdr = "no"
baa = "no"
dpa = "no"
ccpa_service_provider = false
regions = ["us"]
[[providers.sources]]
url = "https://example.invalid"
checked = 2026-01-01
basis = "live_page"
facts = ["trains_on_api_data"]
"#;
        let err = Catalog::from_toml_str(entry, "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("retention_days"), "{err}");
        let all = entry.replace("facts = [\"trains_on_api_data\"]", "facts = [\"*\"]");
        Catalog::from_toml_str(&all, "t.toml").unwrap();
        let typo = entry.replace(
            "facts = [\"trains_on_api_data\"]",
            "facts = [\"*\", \"bba\"]",
        );
        let err = Catalog::from_toml_str(&typo, "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bba"), "{err}");
    }

    #[test]
    fn via_cycles_and_dangling_vias_are_refused() {
        let entry = |id: &str, via: &str| {
            format!(
                r#"
[[providers]]
id = "{id}"
name = "{id}"
via = "{via}"
trains_on_api_data = "no"
retention_days = 0
zdr = "no"
baa = "no"
dpa = "no"
ccpa_service_provider = false
regions = ["us"]
sources = [{{ url = "https://example.invalid", checked = 2026-01-01, basis = "live_page", facts = ["*"] }}]
"#
            )
        };
        let cycle = format!("version = 1\n{}{}", entry("a", "b"), entry("b", "a"));
        let err = Catalog::from_toml_str(&cycle, "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("cycle"), "{err}");
        let dangling = format!("version = 1\n{}", entry("a", "nowhere"));
        let err = Catalog::from_toml_str(&dangling, "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("nowhere"), "{err}");
    }

    #[test]
    fn endpoint_paths() {
        for (path, e) in [
            ("/v1/chat/completions", Endpoint::Chat),
            ("/v1/completions", Endpoint::Completions),
            ("/v1/responses", Endpoint::Responses),
            ("/v1/embeddings?x=1", Endpoint::Embeddings),
            ("/v1/files/file-abc/content", Endpoint::Files),
            ("/v1/threads/t/runs", Endpoint::Assistants),
            ("/v1/batches", Endpoint::Batch),
            ("/v1/realtime/sessions", Endpoint::Realtime),
            ("/v1/images/generations", Endpoint::Images),
            ("/v1/audio/transcriptions", Endpoint::Audio),
            ("/v1/moderations", Endpoint::Moderations),
            ("/v1/fine_tuning/jobs", Endpoint::FineTuning),
            ("/v1/messages", Endpoint::Chat),
            ("/openai/deployments/gpt/chat/completions", Endpoint::Chat),
        ] {
            assert_eq!(Endpoint::from_path(path), Some(e), "{path}");
        }
        assert_eq!(Endpoint::from_path("/v1/models"), None);
        assert_eq!(Endpoint::from_path(""), None);
    }
}
