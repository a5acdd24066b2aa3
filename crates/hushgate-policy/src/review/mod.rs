//! The data-flow review: for every tenant × route × data class, the decision, the rules behind
//! it, the contract facts relied on (with sources and dates), the gaps, and what to do.
//!
//! [`review`] builds a [`Review`] (serializable, for `--format json`); [`render_markdown`] and
//! [`render_html`] turn it into documents. The CLI is glue:
//!
//! ```
//! use hushgate_policy::{review, Policy, PolicyConfig};
//! let policy = Policy::new(&PolicyConfig::default()).unwrap();
//! let r = review::review(&policy, &review::ReviewOptions::new("2026-11-24".parse().unwrap()));
//! let md = review::render_markdown(&r);
//! let html = review::render_html(&r);
//! assert!(md.starts_with("# Hushgate data-flow review"));
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! ```

mod html;
mod markdown;

use std::collections::{BTreeMap, BTreeSet};

use hushgate_types::EntityType;
use serde::Serialize;

pub use html::{esc as escape_html, render_html};
pub use markdown::render_markdown;

use crate::catalog::{Availability, Basis, Endpoint, EndpointTerms, ProviderTerms};
use crate::class::Classified;
use crate::config::{ClinicalMode, TenantPolicy};
use crate::decision::RuleOutcome;
use crate::policy::applicable_sets;
use crate::rules::{Action, Fact, Regime, RuleSet, render_template};
use crate::terms::{self, Route};
use crate::{DataClass, Date, Policy};

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOptions {
    /// Today's date: staleness is measured from it.
    pub today: Date,
    /// Endpoints shown in the per-tenant flow tables (default: chat). Gaps always consider
    /// every endpoint.
    pub endpoints: Vec<Endpoint>,
    /// Entity types the detection config can emit (deny-list and custom-pattern types): any
    /// without a data class is a gap, because requests carrying it are blocked.
    pub entity_types: Vec<EntityType>,
}

impl ReviewOptions {
    pub fn new(today: Date) -> ReviewOptions {
        ReviewOptions {
            today,
            endpoints: vec![Endpoint::Chat],
            entity_types: Vec::new(),
        }
    }
}

/// The whole review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub generated: Date,
    pub stale_after_days: u32,
    pub catalog_version: u32,
    pub gaps: Vec<Gap>,
    pub tenants: Vec<TenantReview>,
    pub routes: Vec<RouteReview>,
    pub rule_sets: Vec<RuleSet>,
}

impl Review {
    /// Gaps of one kind.
    pub fn gaps_of(&self, kind: GapKind) -> impl Iterator<Item = &Gap> {
        self.gaps.iter().filter(move |g| g.kind == kind)
    }
}

/// A tenant's settings and flows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantReview {
    pub name: String,
    pub regimes: Vec<Regime>,
    pub clinical_context: ClinicalMode,
    pub allowed_regions: Vec<String>,
    pub private_route: Option<String>,
    /// How to read the flows (what counts as PHI for this tenant, what `none` means).
    pub notes: Vec<String>,
    pub flows: Vec<Flow>,
}

/// What happens to one class sent by one tenant to one route on one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub route: String,
    pub endpoint: Endpoint,
    pub class: DataClass,
    /// The route's verdict for this class alone.
    pub action: Action,
    /// In words, including where `route_private` leads.
    pub outcome: String,
    /// Every rule checked, passed or not, with the facts relied on.
    pub rules: Vec<RuleOutcome>,
}

/// A route and the terms it relies on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteReview {
    pub name: String,
    pub self_hosted: bool,
    /// The route's provider, then what it is built on.
    pub chain: Vec<ProviderSummary>,
    /// Contract facts stated for this route (operator's, then per tenant).
    pub contracts: Vec<ContractSummary>,
}

/// One provider's published terms, with sources and their state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderSummary {
    pub id: String,
    pub name: String,
    pub facts: Vec<TermsFact>,
    pub endpoints: Vec<EndpointTerms>,
    pub note: Option<String>,
}

/// One published fact and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermsFact {
    pub fact: String,
    pub value: String,
    pub source: Option<String>,
    pub checked: Option<Date>,
    pub basis: Option<Basis>,
    /// Checked longer ago than `stale_after_days`.
    pub stale: bool,
    /// Not read from a live page: re-verify before relying on it.
    pub verify: bool,
}

/// Contract facts stated at one place in the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractSummary {
    /// Where: `providers.openai.contract`, `tenants.clinic.contracts.openai`.
    pub at: String,
    pub facts: Vec<(String, String)>,
    pub source: Option<String>,
    pub checked: Option<Date>,
    pub stale: bool,
}

/// Something the reader must know or fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub kind: GapKind,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<DataClass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: String,
    pub todo: String,
}

/// The kinds of gap, for machines (and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// A rule refuses or transforms a class on a route (its `gap` text says why).
    Rule,
    /// A type the detection config can emit has no class: requests with it are blocked.
    UnclassifiedEntity,
    /// A GDPR tenant lists no allowed regions.
    NoAllowedRegions,
    /// A contract fact claims what the published terms do not offer.
    ContractContradicts,
    /// Published terms checked longer ago than `stale_after_days`.
    StaleTerms,
    /// Contract facts confirmed longer ago than `stale_after_days`.
    StaleContract,
    /// Published facts not read from a live page.
    Unverified,
    /// A route's provider is built on another's API.
    VendorChain,
    /// Regulated data may be kept by the provider for abuse monitoring.
    Retention,
}

/// How urgent a gap is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Data is rerouted or blocked, or requests fail.
    High,
    /// Data is transformed, or a decision rests on unverified or stale facts.
    Medium,
    /// Worth knowing.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Info => "info",
        }
    }
}

/// Builds the review of `policy`.
pub fn review(policy: &Policy, opts: &ReviewOptions) -> Review {
    let mut gaps = Vec::new();
    let tenants = policy
        .tenants
        .iter()
        .map(|t| tenant_review(policy, t, opts, &mut gaps))
        .collect();
    let routes = policy
        .routes
        .iter()
        .map(|r| route_review(policy, r, opts))
        .collect();
    gaps.extend(
        policy
            .routes
            .iter()
            .filter_map(|r| retention_gap(policy, r)),
    );
    terms_gaps(policy, opts, &mut gaps);
    entity_gaps(policy, opts, &mut gaps);
    gaps.sort_by(|a, b| {
        (a.severity, a.kind, &a.tenant, &a.route).cmp(&(b.severity, b.kind, &b.tenant, &b.route))
    });
    let mut rule_sets: Vec<RuleSet> = policy.rules.sets().cloned().collect();
    if !policy.custom.rules.is_empty() {
        rule_sets.push(policy.custom.clone());
    }
    Review {
        generated: opts.today,
        stale_after_days: policy.stale_after_days,
        catalog_version: policy.catalog.version(),
        gaps,
        tenants,
        routes,
        rule_sets,
    }
}

/// The classes a tenant can send: PHI only under HIPAA.
fn tenant_classes(policy: &Policy, t: &TenantPolicy) -> Vec<DataClass> {
    DataClass::BUILTIN
        .into_iter()
        .filter(|c| *c != DataClass::Phi || t.has(Regime::Hipaa))
        .chain(policy.custom_classes.iter().cloned())
        .collect()
}

fn join_classes(classes: &BTreeSet<DataClass>) -> String {
    let names: Vec<&str> = classes.iter().map(|c| c.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What an action means for a tenant, in words.
fn outcome(action: Action, route: &str, private: Option<&str>) -> String {
    match (action, private) {
        (Action::Allow, _) => format!("sent to `{route}` as it is"),
        (Action::Pseudonymize, _) => format!("pseudonymized, then sent to `{route}`"),
        (Action::RoutePrivate, Some(p)) => {
            format!("routed to `{p}`; if `{p}` is down, requests are blocked")
        }
        (Action::RoutePrivate, None) => {
            "blocked: the tenant has no private route to send it to".to_owned()
        }
        (Action::Block, _) => "blocked".to_owned(),
    }
}

/// The same, phrased after "PHI will be".
fn gap_outcome(action: Action, route: &str, private: Option<&str>) -> String {
    match action {
        Action::Pseudonymize => format!("pseudonymized before it is sent to `{route}`"),
        other => outcome(other, route, private),
    }
}

fn severity_of(action: Action) -> Severity {
    if action >= Action::RoutePrivate {
        Severity::High
    } else {
        Severity::Medium
    }
}

struct RuleGap {
    classes: BTreeSet<DataClass>,
    endpoints: BTreeSet<Endpoint>,
    action: Action,
    failures: BTreeSet<String>,
}

fn tenant_review(
    policy: &Policy,
    t: &TenantPolicy,
    opts: &ReviewOptions,
    gaps: &mut Vec<Gap>,
) -> TenantReview {
    let classes = tenant_classes(policy, t);
    let private = t.private_route.as_deref();
    let mut flows = Vec::new();
    for route in &policy.routes {
        // (rule id) -> what it does across classes and endpoints
        let mut rule_gaps: BTreeMap<String, RuleGap> = BTreeMap::new();
        for &endpoint in Endpoint::ALL {
            for class in &classes {
                let (verdict, outcomes) =
                    policy.evaluate(t, route, endpoint, &Classified::only(class.clone()), true);
                for o in outcomes.iter().filter(|o| !o.passed) {
                    let g = rule_gaps.entry(o.rule.clone()).or_insert_with(|| RuleGap {
                        classes: BTreeSet::new(),
                        endpoints: BTreeSet::new(),
                        action: Action::Allow,
                        failures: BTreeSet::new(),
                    });
                    g.classes.insert(o.class.clone());
                    g.endpoints.insert(endpoint);
                    g.action = g.action.max(o.action);
                    let failure = find_rule(policy, t, &o.rule)
                        .and_then(|r| o.detail.strip_prefix(&format!("{}: ", r.detail)));
                    if let Some(f) = failure {
                        g.failures.insert(f.to_owned());
                    }
                }
                if opts.endpoints.contains(&endpoint) {
                    flows.push(Flow {
                        route: route.name.clone(),
                        endpoint,
                        class: class.clone(),
                        action: verdict.action,
                        outcome: outcome(verdict.action, &route.name, private),
                        rules: outcomes,
                    });
                }
            }
        }
        // A gap that another rule's gap already says (same endpoints, same or more classes,
        // an action at least as strict) adds nothing: "no BAA" makes "endpoint not covered
        // by the BAA" moot when both hit every endpoint.
        let subsumed: BTreeSet<String> = rule_gaps
            .iter()
            .filter(|(id, g)| {
                rule_gaps.iter().any(|(other, h)| {
                    rule_rank(policy, t, other) < rule_rank(policy, t, id)
                        && h.endpoints == g.endpoints
                        && h.classes.is_superset(&g.classes)
                        && h.action >= g.action
                        && find_rule(policy, t, other).is_some_and(|r| r.gap.is_some())
                })
            })
            .map(|(id, _)| id.clone())
            .collect();
        for (id, g) in rule_gaps {
            if subsumed.contains(&id) {
                continue;
            }
            let Some(rule) = find_rule(policy, t, &id) else {
                continue;
            };
            let Some(template) = &rule.gap else { continue };
            let classes = join_classes(&g.classes);
            let values = [
                ("tenant", t.name.as_str()),
                ("route", route.name.as_str()),
                ("provider", route.provider().name.as_str()),
                ("classes", classes.as_str()),
            ];
            let what = render_template(template, &values).unwrap_or_else(|| template.clone());
            let endpoints = if g.endpoints.len() == Endpoint::ALL.len() {
                String::new()
            } else {
                let names: Vec<&str> = g.endpoints.iter().map(|e| e.as_str()).collect();
                format!(" ({})", names.join(", "))
            };
            let failures = if g.failures.is_empty() {
                String::new()
            } else {
                let f: Vec<&str> = g.failures.iter().map(String::as_str).collect();
                format!(" [{}]", f.join("; "))
            };
            let todo = rule
                .todo
                .as_ref()
                .and_then(|t| render_template(t, &values))
                .unwrap_or_else(|| format!("See rule `{id}` ({}).", rule.cite));
            gaps.push(Gap {
                kind: GapKind::Rule,
                severity: severity_of(g.action),
                tenant: Some(t.name.clone()),
                route: Some(route.name.clone()),
                classes: g.classes.iter().cloned().collect(),
                rule: Some(id.clone()),
                message: format!(
                    "tenant `{}` {what}{endpoints}{failures}: {classes} will be {}",
                    t.name,
                    gap_outcome(g.action, &route.name, private),
                ),
                todo,
            });
        }
    }
    if t.has(Regime::Gdpr) && t.allowed_regions.is_empty() {
        gaps.push(Gap {
            kind: GapKind::NoAllowedRegions,
            severity: Severity::Medium,
            tenant: Some(t.name.clone()),
            route: None,
            classes: vec![DataClass::Pii],
            rule: Some("gdpr.transfer_outside_allowed_regions".to_owned()),
            message: format!(
                "tenant `{}` is under GDPR but lists no allowed_regions: personal data to every external route is pseudonymized",
                t.name
            ),
            todo: "List the regions your transfer mechanisms cover in allowed_regions (e.g. [\"eu\"]).".to_owned(),
        });
    }
    let mut notes = Vec::new();
    if t.has(Regime::Hipaa) {
        notes.push(match t.clinical_context {
            ClinicalMode::Always => "Every request is a health context: HIPAA identifiers (names, locations, dates, contact details, record, account and licence numbers...) are PHI as well as PII or PCI, so the PHI row decides for them.".to_owned(),
            ClinicalMode::Detect => "HIPAA identifiers are PHI as well as PII or PCI when a request reads as clinical (detected per request) or carries a medical record number; the PHI row then decides for them.".to_owned(),
        });
    }
    if t.has(Regime::None) {
        notes.push("No regulatory regime: only the baseline and custom classes apply.".to_owned());
    }
    notes
        .push("Card numbers are PCI and PII; secrets are pseudonymized on every route.".to_owned());
    TenantReview {
        name: t.name.clone(),
        regimes: t.regimes.clone(),
        clinical_context: t.clinical_context,
        allowed_regions: t.allowed_regions.clone(),
        private_route: t.private_route.clone(),
        notes,
        flows,
    }
}

/// A rule's position among the tenant's rules (baseline, regimes, custom), for precedence.
fn rule_rank(policy: &Policy, t: &TenantPolicy, id: &str) -> usize {
    applicable_sets(&policy.rules, &policy.custom, t)
        .flat_map(|s| s.rules.iter())
        .position(|r| r.id == id)
        .unwrap_or(usize::MAX)
}

fn find_rule<'a>(
    policy: &'a Policy,
    t: &'a TenantPolicy,
    id: &str,
) -> Option<&'a crate::rules::Rule> {
    applicable_sets(&policy.rules, &policy.custom, t).find_map(|s| s.get(id))
}

/// Regulated data that a provider may keep for abuse monitoring, per route.
fn retention_gap(policy: &Policy, route: &Route) -> Option<Gap> {
    if route.self_hosted() {
        return None;
    }
    let days = route
        .chain
        .iter()
        .map(|p| p.retention_days)
        .max()
        .unwrap_or(0);
    if days == 0 {
        return None;
    }
    let mut tenants = Vec::new();
    let mut sent = BTreeSet::new();
    for t in policy.tenants.iter().filter(|t| !t.has(Regime::None)) {
        if terms::check(Fact::ZeroRetention, route, t, Endpoint::Chat, false).holds {
            continue;
        }
        let classes: Vec<DataClass> = tenant_classes(policy, t)
            .into_iter()
            .filter(|c| *c != DataClass::Secret)
            .filter(|c| {
                let one = Classified::only(c.clone());
                policy
                    .evaluate(t, route, Endpoint::Chat, &one, false)
                    .0
                    .action
                    .sends()
            })
            .collect();
        if !classes.is_empty() {
            tenants.push(format!("`{}`", t.name));
            sent.extend(classes);
        }
    }
    if tenants.is_empty() {
        return None;
    }
    let p = route.provider();
    let todo = if route.chain.iter().all(|p| p.zdr.offered()) {
        format!(
            "Zero data retention is {} with {}: once enabled, set zdr_enabled = true in the route's contract facts.",
            if p.zdr == Availability::Standard {
                "standard"
            } else {
                "available on request"
            },
            p.name
        )
    } else {
        format!(
            "{} offers no zero data retention: keep regulated data pseudonymized or private.",
            p.name
        )
    };
    Some(Gap {
        kind: GapKind::Retention,
        severity: Severity::Info,
        tenant: None,
        route: Some(route.name.clone()),
        classes: sent.iter().cloned().collect(),
        rule: None,
        message: format!(
            "`{}` may keep prompts and outputs up to {days} days for abuse monitoring, and zero data retention is not in force: {} from tenant(s) {} reach it (pseudonymized or not)",
            route.name,
            join_classes(&sent),
            tenants.join(", ")
        ),
        todo,
    })
}

fn is_stale(checked: Date, opts: &ReviewOptions, policy: &Policy) -> bool {
    checked.days_until(opts.today) > i64::from(policy.stale_after_days)
}

fn route_review(policy: &Policy, route: &Route, opts: &ReviewOptions) -> RouteReview {
    let chain = route
        .chain
        .iter()
        .map(|p| provider_summary(policy, p, opts))
        .collect();
    let mut contracts = Vec::new();
    let mut push = |at: String, c: &crate::ContractFacts| {
        let facts = contract_facts(c);
        if facts.is_empty() && c.source.is_none() {
            return;
        }
        contracts.push(ContractSummary {
            at,
            facts,
            source: c.source.clone(),
            checked: c.checked,
            stale: c.checked.is_some_and(|d| is_stale(d, opts, policy)),
        });
    };
    push(
        format!("providers.{}.contract", route.name),
        &route.contract,
    );
    for t in &policy.tenants {
        if let Some(c) = t.contracts.get(&route.name) {
            push(format!("tenants.{}.contracts.{}", t.name, route.name), c);
        }
    }
    for w in route.chain.windows(2) {
        if let Some(up) = &w[0].upstream {
            push(
                format!(
                    "catalog.{}.upstream ({} with {})",
                    w[0].id, w[0].id, w[1].id
                ),
                up,
            );
        }
    }
    RouteReview {
        name: route.name.clone(),
        self_hosted: route.self_hosted(),
        chain,
        contracts,
    }
}

fn contract_facts(c: &crate::ContractFacts) -> Vec<(String, String)> {
    let mut v = Vec::new();
    let mut b = |k: &str, x: Option<bool>| {
        if let Some(x) = x {
            v.push((k.to_owned(), x.to_string()));
        }
    };
    b("baa_signed", c.baa_signed);
    b("zdr_enabled", c.zdr_enabled);
    b("dpa_signed", c.dpa_signed);
    b("ccpa_service_provider", c.ccpa_service_provider);
    if let Some(t) = c.trains_on_api_data {
        v.push(("trains_on_api_data".to_owned(), t.as_str().to_owned()));
    }
    if let Some(r) = &c.regions {
        v.push(("regions".to_owned(), r.join(", ")));
    }
    v
}

fn provider_summary(policy: &Policy, p: &ProviderTerms, opts: &ReviewOptions) -> ProviderSummary {
    let endpoints = |set: &crate::catalog::EndpointSet| {
        if set.missing().is_empty() {
            "all".to_owned()
        } else if set.is_empty() {
            "none".to_owned()
        } else {
            Endpoint::ALL
                .iter()
                .filter(|e| set.contains(**e))
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut rows: Vec<(&str, String)> = Vec::new();
    if p.self_hosted {
        rows.push(("self_hosted", "true".to_owned()));
    }
    rows.extend([
        (
            "trains_on_api_data",
            p.trains_on_api_data.as_str().to_owned(),
        ),
        ("retention_days", p.retention_days.to_string()),
        ("zdr", p.zdr.as_str().to_owned()),
        ("zdr_endpoints", endpoints(&p.zdr_endpoints)),
        ("baa", p.baa.as_str().to_owned()),
        ("baa_endpoints", endpoints(&p.baa_endpoints)),
        ("dpa", p.dpa.as_str().to_owned()),
        ("ccpa_service_provider", p.ccpa_service_provider.to_string()),
        ("regions", p.regions.join(", ")),
    ]);
    if !p.regions_available.is_empty() {
        rows.push(("regions_available", p.regions_available.join(", ")));
    }
    if let Some(via) = &p.via {
        rows.push(("via", via.clone()));
    }
    let facts = rows
        .into_iter()
        .map(|(fact, value)| {
            let parent = match fact {
                "baa_endpoints" => "baa",
                "zdr_endpoints" => "zdr",
                other => other,
            };
            let src = p
                .sources_for(fact)
                .into_iter()
                .chain(p.sources_for(parent))
                .next();
            TermsFact {
                fact: fact.to_owned(),
                value,
                source: src.and_then(|s| s.url.clone()),
                checked: src.map(|s| s.checked),
                basis: src.map(|s| s.basis),
                stale: src.is_some_and(|s| {
                    s.basis != Basis::Operator && is_stale(s.checked, opts, policy)
                }),
                verify: src.is_some_and(|s| s.basis.needs_verification()),
            }
        })
        .collect();
    ProviderSummary {
        id: p.id.clone(),
        name: p.name.clone(),
        facts,
        endpoints: p.endpoints.clone(),
        note: p.note.clone(),
    }
}

/// Gaps about the terms themselves: stale, unverified, vendor chains, contradictions.
fn terms_gaps(policy: &Policy, opts: &ReviewOptions, gaps: &mut Vec<Gap>) {
    let mut seen = BTreeSet::new();
    for route in &policy.routes {
        for p in &route.chain {
            if !seen.insert(p.id.clone()) {
                continue;
            }
            let stale: Vec<String> = p
                .sources
                .iter()
                .filter(|s| s.basis != Basis::Operator && is_stale(s.checked, opts, policy))
                .map(|s| {
                    format!(
                        "{} checked {} ({} days ago)",
                        s.url.as_deref().unwrap_or("operator"),
                        s.checked,
                        s.checked.days_until(opts.today)
                    )
                })
                .collect();
            if !stale.is_empty() {
                gaps.push(Gap {
                    kind: GapKind::StaleTerms,
                    severity: Severity::Medium,
                    tenant: None,
                    route: Some(route.name.clone()),
                    classes: Vec::new(),
                    rule: None,
                    message: format!(
                        "terms of `{}` ({}) are stale, older than {} days: {}",
                        p.id,
                        p.name,
                        policy.stale_after_days,
                        stale.join("; ")
                    ),
                    todo: "Re-read each source, update the facts in the catalog (data/providers.toml or [[catalog]]) and set checked to today.".to_owned(),
                });
            }
            let unverified: BTreeSet<&str> = p
                .sources
                .iter()
                .filter(|s| s.basis.needs_verification())
                .flat_map(|s| s.facts.iter().map(String::as_str))
                .collect();
            if !unverified.is_empty() {
                let urls: BTreeSet<&str> = p
                    .sources
                    .iter()
                    .filter(|s| s.basis.needs_verification())
                    .filter_map(|s| s.url.as_deref())
                    .collect();
                gaps.push(Gap {
                    kind: GapKind::Unverified,
                    severity: Severity::Medium,
                    tenant: None,
                    route: Some(route.name.clone()),
                    classes: Vec::new(),
                    rule: None,
                    message: format!(
                        "facts about `{}` ({}) were not read from a live page (general knowledge or a stored copy): {}",
                        p.id,
                        p.name,
                        unverified.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                    todo: format!(
                        "Re-read {} and set basis = \"live_page\" with today's date.",
                        urls.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
        if route.chain.len() > 1 {
            let vendor = route.provider();
            let ups = route.via();
            gaps.push(Gap {
                kind: GapKind::VendorChain,
                severity: Severity::Info,
                tenant: None,
                route: Some(route.name.clone()),
                classes: Vec::new(),
                rule: None,
                message: format!(
                    "route `{}` is `{}` built on {}: the stricter terms of each apply, and `{}`'s own agreement with {} — not yours — is in control",
                    route.name,
                    vendor.id,
                    ups.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(" then "),
                    vendor.id,
                    ups.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", "),
                ),
                todo: format!(
                    "Ask {} for its agreements (BAA, DPA, ZDR) with {} and record them under `upstream` in its catalog entry.",
                    vendor.name,
                    ups.join(", ")
                ),
            });
        }
        contradiction_gaps(policy, route, gaps);
    }
    for route in &policy.routes {
        let mut places = vec![(
            format!("providers.{}.contract", route.name),
            &route.contract,
        )];
        for t in &policy.tenants {
            if let Some(c) = t.contracts.get(&route.name) {
                places.push((format!("tenants.{}.contracts.{}", t.name, route.name), c));
            }
        }
        for (at, c) in places {
            if let Some(d) = c.checked.filter(|d| is_stale(*d, opts, policy)) {
                gaps.push(Gap {
                    kind: GapKind::StaleContract,
                    severity: Severity::Medium,
                    tenant: None,
                    route: Some(route.name.clone()),
                    classes: Vec::new(),
                    rule: None,
                    message: format!(
                        "contract facts at `{at}` were confirmed on {d}, {} days ago (more than {})",
                        d.days_until(opts.today),
                        policy.stale_after_days
                    ),
                    todo: "Confirm the agreements are still in force and set checked to today.".to_owned(),
                });
            }
        }
    }
}

fn contradiction_gaps(policy: &Policy, route: &Route, gaps: &mut Vec<Gap>) {
    let p = route.provider();
    let mut places = vec![(
        format!("providers.{}.contract", route.name),
        &route.contract,
    )];
    for t in &policy.tenants {
        if let Some(c) = t.contracts.get(&route.name) {
            places.push((format!("tenants.{}.contracts.{}", t.name, route.name), c));
        }
    }
    for (at, c) in places {
        let mut claims = Vec::new();
        if c.baa_signed == Some(true) && !p.baa.offered() {
            claims.push("a signed BAA");
        }
        if c.zdr_enabled == Some(true) && !p.zdr.offered() {
            claims.push("zero data retention");
        }
        if c.dpa_signed == Some(true) && !p.dpa.offered() && !p.self_hosted {
            claims.push("a DPA");
        }
        if !claims.is_empty() {
            gaps.push(Gap {
                kind: GapKind::ContractContradicts,
                severity: Severity::Medium,
                tenant: None,
                route: Some(route.name.clone()),
                classes: Vec::new(),
                rule: None,
                message: format!(
                    "`{at}` claims {} with `{}`, whose published terms offer none",
                    claims.join(" and "),
                    p.id
                ),
                todo:
                    "Check the contract; if it is real, update the catalog entry with its source."
                        .to_owned(),
            });
        }
    }
}

fn entity_gaps(policy: &Policy, opts: &ReviewOptions, gaps: &mut Vec<Gap>) {
    for t in &opts.entity_types {
        if !policy.is_classified(t) {
            gaps.push(Gap {
                kind: GapKind::UnclassifiedEntity,
                severity: Severity::High,
                tenant: None,
                route: None,
                classes: Vec::new(),
                rule: None,
                message: format!(
                    "entity type {t} has no data class: every request in which it is found is blocked"
                ),
                todo: format!("Map it in [entity_classes], e.g. {t} = \"PII\" or a custom class."),
            });
        }
    }
}
