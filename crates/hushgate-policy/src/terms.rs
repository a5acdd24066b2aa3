//! Facts about a route, evaluated over its vendor chain, with the evidence relied on.
//!
//! A route calls one provider (link 0); if that provider is a SaaS `via` another, the chain
//! continues. Link 0's contract facts are the tenant's own (`tenants.<t>.contracts.<route>`),
//! then the operator's (`providers.<route>.contract`); link k's are the vendor's agreement with
//! it (`upstream` in the vendor's catalog entry) — never yours, because yours does not bind
//! the vendor. A fact holds for the route only if it holds at every link: the stricter terms
//! apply.

use std::sync::Arc;

use serde::Serialize;

use crate::Date;
use crate::catalog::{Availability, Basis, ContractFacts, Endpoint, ProviderTerms};
use crate::config::TenantPolicy;
use crate::rules::Fact;

/// One fact relied on for a decision, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The catalog id of the provider the fact is about.
    pub provider: String,
    /// The fact's name (`baa_signed`, `baa_endpoints`, `regions`, ...).
    pub fact: String,
    /// Its value, rendered (`true`, `chat, embeddings`, `us`): terms, never request data.
    pub value: String,
    pub from: EvidenceSource,
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceSource {
    /// Published terms, from the catalog.
    Catalog {
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        checked: Date,
        basis: Basis,
    },
    /// A contract fact from the configuration, at `at` (e.g. `providers.openai.contract`).
    Contract {
        at: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        checked: Option<Date>,
    },
    /// Not stated anywhere: the fail-closed default applies.
    Default { note: String },
    /// A tenant setting, at `at` (e.g. `tenants.shop.allowed_regions`).
    Tenant { at: String },
}

/// Where evidence goes: collected for the review, skipped on the request path.
pub(crate) struct Sink {
    on: bool,
    items: Vec<Evidence>,
}

impl Sink {
    fn add(&mut self, evidence: impl FnOnce() -> Evidence) {
        if self.on {
            self.items.push(evidence());
        }
    }
}

/// The result of checking one fact on a route.
#[derive(Debug, Clone)]
pub(crate) struct FactCheck {
    pub holds: bool,
    /// What failed down a chain, or specifics worth a reason's detail; `None` when the rule's
    /// own detail says it all.
    pub failure: Option<String>,
    /// The facts relied on (empty unless asked for).
    pub evidence: Vec<Evidence>,
}

/// A resolved route: its name, self-hosted or not, and its chain of terms.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub name: String,
    pub chain: Vec<Arc<ProviderTerms>>,
    pub contract: ContractFacts,
}

impl Route {
    /// Every link is self-hosted: no third party receives the data.
    pub fn self_hosted(&self) -> bool {
        self.chain.iter().all(|p| p.self_hosted)
    }

    /// The providers this route's provider is built on (`via`), in order.
    pub fn via(&self) -> Vec<String> {
        self.chain.iter().skip(1).map(|p| p.id.clone()).collect()
    }

    pub fn provider(&self) -> &ProviderTerms {
        &self.chain[0]
    }
}

/// Where a contract layer is stated; rendered only when evidence is collected.
enum Layer<'a> {
    Tenant(&'a str, &'a str),
    Route(&'a str),
    Upstream(&'a str),
}

impl std::fmt::Display for Layer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Layer::Tenant(t, r) => write!(f, "tenants.{t}.contracts.{r}"),
            Layer::Route(r) => write!(f, "providers.{r}.contract"),
            Layer::Upstream(vendor) => write!(f, "catalog.{vendor}.upstream"),
        }
    }
}

/// One link of a chain with its contract layers, most specific first.
struct Link<'a> {
    terms: &'a ProviderTerms,
    layers: Vec<(Layer<'a>, &'a ContractFacts)>,
    /// The vendor whose agreement this is (link k > 0).
    vendor: Option<&'a str>,
}

impl Link<'_> {
    /// The first layer stating a fact; its evidence goes to `sink`.
    fn contract<T>(
        &self,
        fact: &str,
        get: impl Fn(&ContractFacts) -> Option<T>,
        render: impl Fn(&T) -> String,
        sink: &mut Sink,
    ) -> Option<T> {
        self.layers.iter().find_map(|(at, c)| {
            get(c).inspect(|v| {
                sink.add(|| Evidence {
                    provider: self.terms.id.clone(),
                    fact: fact.to_owned(),
                    value: render(v),
                    from: EvidenceSource::Contract {
                        at: at.to_string(),
                        source: c.source.clone(),
                        checked: c.checked,
                    },
                })
            })
        })
    }

    fn published(&self, fact: &str, value: String) -> Evidence {
        // An empty list is not a stated fact: its parent's source says it (no BAA, no list).
        let parent = match fact {
            "baa_endpoints" => "baa",
            "zdr_endpoints" => "zdr",
            "regions_available" => "regions",
            other => other,
        };
        let src = self
            .terms
            .sources_for(fact)
            .into_iter()
            .chain(self.terms.sources_for(parent))
            .next();
        Evidence {
            provider: self.terms.id.clone(),
            fact: fact.to_owned(),
            value,
            from: match src {
                Some(s) => EvidenceSource::Catalog {
                    url: s.url.clone(),
                    checked: s.checked,
                    basis: s.basis,
                },
                // Validation guarantees a source for every stated fact.
                None => EvidenceSource::Default {
                    note: "no source".to_owned(),
                },
            },
        }
    }

    fn default(&self, fact: &str, value: &str, note: &str) -> Evidence {
        Evidence {
            provider: self.terms.id.clone(),
            fact: fact.to_owned(),
            value: value.to_owned(),
            from: EvidenceSource::Default {
                note: note.to_owned(),
            },
        }
    }

    /// Names this link for a failure message down a chain.
    fn who(&self) -> String {
        match self.vendor {
            Some(v) => format!("via `{}` (vendor `{v}`'s agreement)", self.terms.id),
            None => format!("`{}`", self.terms.id),
        }
    }
}

fn links<'a>(route: &'a Route, tenant: &'a TenantPolicy) -> Vec<Link<'a>> {
    route
        .chain
        .iter()
        .enumerate()
        .map(|(i, terms)| {
            let mut layers = Vec::new();
            let mut vendor = None;
            if i == 0 {
                if let Some(c) = tenant.contracts.get(&route.name) {
                    layers.push((Layer::Tenant(&tenant.name, &route.name), c));
                }
                layers.push((Layer::Route(&route.name), &route.contract));
            } else {
                let prev = &route.chain[i - 1];
                vendor = Some(prev.id.as_str());
                if let Some(up) = &prev.upstream {
                    layers.push((Layer::Upstream(&prev.id), up));
                }
            }
            Link {
                terms,
                layers,
                vendor,
            }
        })
        .collect()
}

fn list<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|x| x.to_string()).collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

/// Checks `fact` on `route` for `tenant` and `endpoint`; with `collect`, records the evidence.
pub(crate) fn check(
    fact: Fact,
    route: &Route,
    tenant: &TenantPolicy,
    endpoint: Endpoint,
    collect: bool,
) -> FactCheck {
    let mut evidence = Sink {
        on: collect,
        items: Vec::new(),
    };
    let mut failure = None;
    let mut holds = true;
    for (i, link) in links(route, tenant).iter().enumerate() {
        let (ok, why) = check_link(fact, link, tenant, endpoint, &mut evidence);
        if !ok && holds {
            holds = false;
            failure = if i > 0 {
                Some(format!("{}: {why}", link.who()))
            } else if fact == Fact::RegionsAllowed {
                Some(why)
            } else {
                None
            };
        }
    }
    FactCheck {
        holds,
        failure,
        evidence: evidence.items,
    }
}

fn check_link(
    fact: Fact,
    link: &Link<'_>,
    tenant: &TenantPolicy,
    endpoint: Endpoint,
    evidence: &mut Sink,
) -> (bool, String) {
    let t = link.terms;
    let self_hosted = t.self_hosted;
    match fact {
        Fact::SelfHosted => {
            evidence.add(|| link.published("self_hosted", t.self_hosted.to_string()));
            (self_hosted, "not self-hosted".to_owned())
        }
        // No third party on a self-hosted link: the agreements below are not needed there.
        Fact::BaaSigned
        | Fact::EndpointBaaCovered
        | Fact::DpaSigned
        | Fact::CcpaServiceProvider
            if self_hosted =>
        {
            evidence.add(|| link.published("self_hosted", "true".to_owned()));
            (true, String::new())
        }
        Fact::BaaSigned => {
            evidence.add(|| link.published("baa", t.baa.as_str().to_owned()));
            match link.contract("baa_signed", |c| c.baa_signed, bool::to_string, evidence) {
                Some(v) => (v, "no signed BAA".to_owned()),
                None => {
                    evidence.add(|| {
                        link.default(
                            "baa_signed",
                            "false",
                            "a BAA is never assumed: set baa_signed = true when one is signed",
                        )
                    });
                    (false, "no signed BAA".to_owned())
                }
            }
        }
        Fact::EndpointBaaCovered => {
            evidence.add(|| link.published("baa_endpoints", endpoint_list(&t.baa_endpoints)));
            let ok = t.baa.offered() && t.baa_endpoints.contains(endpoint);
            (ok, format!("its BAA does not cover `{endpoint}`"))
        }
        Fact::ZeroRetention => {
            if self_hosted {
                evidence.add(|| link.published("self_hosted", "true".to_owned()));
                return (true, String::new());
            }
            evidence.add(|| link.published("retention_days", t.retention_days.to_string()));
            evidence.add(|| link.published("zdr_endpoints", endpoint_list(&t.zdr_endpoints)));
            let enabled =
                match link.contract("zdr_enabled", |c| c.zdr_enabled, bool::to_string, evidence) {
                    Some(v) => v,
                    None => {
                        evidence.add(|| {
                            link.default(
                                "zdr_enabled",
                                "false",
                                "zero data retention is never assumed",
                            )
                        });
                        false
                    }
                };
            let ok = enabled && t.zdr.offered() && t.zdr_endpoints.contains(endpoint);
            (
                ok,
                format!("zero data retention is not in force for `{endpoint}`"),
            )
        }
        Fact::NoTraining => {
            let training = match link.contract(
                "trains_on_api_data",
                |c| c.trains_on_api_data,
                |t| t.as_str().to_owned(),
                evidence,
            ) {
                Some(v) => v,
                None => {
                    let tr = t.training(endpoint);
                    let fact = if t
                        .endpoint(endpoint)
                        .is_some_and(|e| e.trains_on_api_data.is_some())
                    {
                        "endpoints"
                    } else {
                        "trains_on_api_data"
                    };
                    evidence.add(|| link.published(fact, tr.as_str().to_owned()));
                    tr
                }
            };
            (!training.trains(), "it may train on API data".to_owned())
        }
        Fact::DpaSigned => {
            evidence.add(|| link.published("dpa", t.dpa.as_str().to_owned()));
            match link.contract("dpa_signed", |c| c.dpa_signed, bool::to_string, evidence) {
                Some(v) => (v, "no DPA in force".to_owned()),
                None => (
                    t.dpa == Availability::Standard,
                    "no DPA in force".to_owned(),
                ),
            }
        }
        Fact::CcpaServiceProvider => {
            match link.contract(
                "ccpa_service_provider",
                |c| c.ccpa_service_provider,
                bool::to_string,
                evidence,
            ) {
                Some(v) => (v, "no service-provider contract".to_owned()),
                None => {
                    evidence.add(|| {
                        link.published("ccpa_service_provider", t.ccpa_service_provider.to_string())
                    });
                    (
                        t.ccpa_service_provider,
                        "no service-provider contract".to_owned(),
                    )
                }
            }
        }
        Fact::RegionsAllowed => {
            let regions: Vec<String> = match link.contract(
                "regions",
                |c| c.regions.clone(),
                |r| list(r.iter()),
                evidence,
            ) {
                Some(v) => v,
                None if self_hosted => {
                    // Your own environment, wherever it is, unless the route says where.
                    evidence.add(|| link.published("self_hosted", "true".to_owned()));
                    return (true, String::new());
                }
                None => {
                    evidence.add(|| link.published("regions", list(t.regions.iter())));
                    t.regions.clone()
                }
            };
            evidence.add(|| Evidence {
                provider: t.id.clone(),
                fact: "allowed_regions".to_owned(),
                value: list(tenant.allowed_regions.iter()),
                from: EvidenceSource::Tenant {
                    at: format!("tenants.{}.allowed_regions", tenant.name),
                },
            });
            let outside: Vec<&String> = regions
                .iter()
                .filter(|r| !tenant.allowed_regions.contains(r))
                .collect();
            let ok = !regions.is_empty() && outside.is_empty();
            let why = if regions.is_empty() {
                "its processing regions are unknown".to_owned()
            } else {
                format!(
                    "processed in {}; allowed: {}",
                    list(regions.iter()),
                    list(tenant.allowed_regions.iter())
                )
            };
            (ok, why)
        }
    }
}

fn endpoint_list(set: &crate::catalog::EndpointSet) -> String {
    if set.missing().is_empty() {
        "all".to_owned()
    } else {
        list(Endpoint::ALL.iter().filter(|e| set.contains(**e)))
    }
}
