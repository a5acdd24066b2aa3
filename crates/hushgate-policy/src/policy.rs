//! The validated policy and the rule interpreter.

use std::collections::{BTreeMap, BTreeSet};

use hushgate_types::EntityType;

use crate::DataClass;
use crate::catalog::{Catalog, Endpoint, check_name, check_region};
use crate::class::{Classified, builtin_mapping};
use crate::config::{ClinicalMode, PolicyConfig, TenantPolicy};
use crate::decision::{Decision, Reason, Request, RouteVerdict, RuleOutcome};
use crate::error::Error;
use crate::rules::{Action, Regime, Rule, RuleBook, RuleSet, Scope};
use crate::terms::{self, Route};

/// A validated policy: catalog, rules, routes and tenants, ready to decide.
///
/// Building one checks every reference (routes, catalog ids, classes, rule ids, regions) so
/// that deciding can only fail on bad *request* input (an unknown tenant, route or type).
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) catalog: Catalog,
    pub(crate) rules: RuleBook,
    pub(crate) custom: RuleSet,
    pub(crate) entity_classes: BTreeMap<EntityType, DataClass>,
    pub(crate) custom_classes: BTreeSet<DataClass>,
    pub(crate) routes: Vec<Route>,
    pub(crate) tenants: Vec<TenantPolicy>,
    pub(crate) stale_after_days: u32,
}

impl Policy {
    /// Validates `config` against the built-in catalog and rules.
    pub fn new(config: &PolicyConfig) -> Result<Policy, Error> {
        Policy::with_parts(config, Catalog::builtin()?, RuleBook::builtin()?)
    }

    /// Validates `config` against a given catalog and rule book.
    pub fn with_parts(
        config: &PolicyConfig,
        mut catalog: Catalog,
        rules: RuleBook,
    ) -> Result<Policy, Error> {
        catalog.extend(&config.catalog, "[[catalog]]")?;

        let mut custom_classes = BTreeSet::new();
        let mut custom_rules = Vec::new();
        for c in &config.classes {
            let here = format!("[[classes]] `{}`", c.name);
            if c.name.is_builtin() {
                return Err(Error::invalid(
                    here,
                    "is a built-in class: custom classes need a name of their own",
                ));
            }
            if !custom_classes.insert(c.name.clone()) {
                return Err(Error::invalid(here, "defined twice"));
            }
            if c.self_hosted == Action::RoutePrivate {
                return Err(Error::invalid(
                    here,
                    "self_hosted = \"route_private\" means nothing on a self-hosted route: use allow, pseudonymize or block",
                ));
            }
            let slug = c.name.as_str().to_ascii_lowercase();
            let cite = c
                .cite
                .clone()
                .unwrap_or_else(|| "policy config [[classes]]".to_owned());
            for (scope, action, suffix) in [
                (Scope::External, c.external, "external"),
                (Scope::SelfHosted, c.self_hosted, "self_hosted"),
            ] {
                if action != Action::Allow {
                    custom_rules.push(Rule {
                        id: format!("custom.{slug}.{suffix}"),
                        cite: cite.clone(),
                        classes: vec![c.name.clone()],
                        routes: scope,
                        require: None,
                        action,
                        detail: format!("{} data: {} on {suffix} routes", c.name, action),
                        gap: None,
                        todo: None,
                    });
                }
            }
        }
        let custom = RuleSet {
            name: "custom".to_owned(),
            version: 1,
            updated: None,
            title: "Custom classes from the policy config".to_owned(),
            source: Some("policy config [[classes]]".to_owned()),
            rules: custom_rules,
        };
        custom.validate("[[classes]]")?;

        for (t, class) in &config.entity_classes {
            if !class.is_builtin() && !custom_classes.contains(class) {
                return Err(Error::invalid(
                    format!("[entity_classes] {t}"),
                    Error::UnknownClass(class.to_string()).to_string(),
                ));
            }
        }

        let mut routes: Vec<Route> = Vec::new();
        for p in &config.providers {
            let here = format!("[[providers]] `{}`", p.name);
            check_name(&here, "name", &p.name)?;
            if routes.iter().any(|r| r.name == p.name) {
                return Err(Error::invalid(here, "defined twice"));
            }
            let chain = catalog.chain(p.catalog_id()).map_err(|e| match e {
                Error::UnknownProvider(id) => Error::invalid(
                    here.clone(),
                    format!("catalog entry `{id}` does not exist (add it under [[catalog]])"),
                ),
                other => other,
            })?;
            p.contract.validate(&format!("{here}.contract"))?;
            routes.push(Route {
                name: p.name.clone(),
                chain,
                contract: p.contract.clone(),
            });
        }

        let mut tenants: Vec<TenantPolicy> = Vec::new();
        for t in &config.tenants {
            let here = format!("[[tenants]] `{}`", t.name);
            check_name(&here, "name", &t.name)?;
            if tenants.iter().any(|x| x.name == t.name) {
                return Err(Error::invalid(here, "defined twice"));
            }
            if t.regimes.is_empty() {
                return Err(Error::invalid(
                    here,
                    "needs `regimes` (use [\"none\"] for no regulatory regime)",
                ));
            }
            if t.has(Regime::None) && t.regimes.len() > 1 {
                return Err(Error::invalid(
                    here,
                    "regime `none` cannot be combined with others",
                ));
            }
            for r in &t.allowed_regions {
                check_region(&here, r)?;
            }
            if let Some(private) = &t.private_route {
                let route = routes.iter().find(|r| &r.name == private).ok_or_else(|| {
                    Error::invalid(
                        here.clone(),
                        format!("private_route `{private}` is not a provider"),
                    )
                })?;
                if !route.self_hosted() {
                    return Err(Error::invalid(
                        here,
                        format!("private_route `{private}` is not self-hosted"),
                    ));
                }
            }
            for (route, c) in &t.contracts {
                if !routes.iter().any(|r| &r.name == route) {
                    return Err(Error::invalid(
                        here,
                        format!("contracts.{route}: `{route}` is not a provider"),
                    ));
                }
                c.validate(&format!("{here}.contracts.{route}"))?;
            }
            for (id, action) in &t.rule_actions {
                let rule = applicable_sets(&rules, &custom, t)
                    .find_map(|s| s.get(id))
                    .ok_or_else(|| {
                        Error::invalid(
                            here.clone(),
                            format!(
                                "rule_actions: no rule `{id}` applies to this tenant's regimes"
                            ),
                        )
                    })?;
                if *action < rule.action {
                    return Err(Error::invalid(
                        here,
                        format!(
                            "rule_actions: `{id}` may only be made stricter than `{}`, not `{action}`",
                            rule.action
                        ),
                    ));
                }
            }
            tenants.push(t.clone());
        }

        Ok(Policy {
            catalog,
            rules,
            custom,
            entity_classes: config.entity_classes.clone(),
            custom_classes,
            routes,
            tenants,
            stale_after_days: config.stale_after_days,
        })
    }

    /// Parses and validates a policy config file.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Policy, Error> {
        Policy::new(&PolicyConfig::from_toml_str(text, origin)?)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn rules(&self) -> &RuleBook {
        &self.rules
    }

    /// The rules generated from `[[classes]]`.
    pub fn custom_rules(&self) -> &RuleSet {
        &self.custom
    }

    pub fn tenants(&self) -> &[TenantPolicy] {
        &self.tenants
    }

    pub fn tenant(&self, name: &str) -> Result<&TenantPolicy, Error> {
        self.tenants
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::UnknownTenant(name.chars().take(64).collect()))
    }

    /// Route names, in config order.
    pub fn route_names(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|r| r.name.as_str())
    }

    pub(crate) fn route(&self, name: &str) -> Result<&Route, Error> {
        self.routes
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| Error::UnknownRoute(name.chars().take(64).collect()))
    }

    /// Whether route `name` is self-hosted (`None`: no such route).
    pub fn is_self_hosted(&self, name: &str) -> Option<bool> {
        self.route(name).ok().map(Route::self_hosted)
    }

    pub fn stale_after_days(&self) -> u32 {
        self.stale_after_days
    }

    /// Custom classes defined in the config.
    pub fn custom_classes(&self) -> impl Iterator<Item = &DataClass> {
        self.custom_classes.iter()
    }

    /// Whether findings of type `t` can be classified (else requests with them fail closed).
    pub fn is_classified(&self, t: &EntityType) -> bool {
        self.entity_classes.contains_key(t) || builtin_mapping(t).is_some()
    }

    /// Maps findings' types to data classes for `tenant` (see [`crate::class`]).
    ///
    /// Fails closed on a type with no class: an unmapped tenant type, or a built-in type
    /// newer than this crate.
    pub fn classify(
        &self,
        tenant: &str,
        entities: &[EntityType],
        clinical_context: bool,
    ) -> Result<Classified, Error> {
        let tenant = self.tenant(tenant)?;
        self.classify_for(tenant, entities, clinical_context)
    }

    fn classify_for(
        &self,
        tenant: &TenantPolicy,
        entities: &[EntityType],
        clinical_context: bool,
    ) -> Result<Classified, Error> {
        let mut mapped = Vec::with_capacity(entities.len());
        let mut implied = false;
        for t in entities {
            let builtin = builtin_mapping(t);
            let (classes, identifier) = match (self.entity_classes.get(t), builtin) {
                (Some(c), Some(m)) => (vec![c.clone()], m.hipaa_identifier),
                (Some(c), None) => (vec![c.clone()], *c == DataClass::Pii),
                (None, Some(m)) => (
                    m.classes.iter().map(|c| DataClass::from(*c)).collect(),
                    m.hipaa_identifier,
                ),
                (None, None) => return Err(Error::UnclassifiedEntity(t.clone())),
            };
            implied |= builtin.is_some_and(|m| m.implies_clinical);
            mapped.push((t, classes, identifier));
        }
        let health = tenant.has(Regime::Hipaa)
            && (clinical_context || tenant.clinical_context == ClinicalMode::Always || implied);
        let mut out = Classified::default();
        for (t, classes, identifier) in mapped {
            for c in classes {
                out.add(c, t);
            }
            if health && identifier {
                out.add(DataClass::Phi, t);
            }
        }
        Ok(out)
    }

    /// Decides where a request may go and in what form.
    ///
    /// Candidates are the requested route, its fallbacks, then the tenant's private route. Each
    /// gets a verdict from the rules; the first candidate that is up and may receive the
    /// request (`allow` or `pseudonymize`) is chosen. So the private route takes what the
    /// others may not (`route_private`), and is also the last resort when the others are down
    /// (then the action is its own verdict and a `routing.route_down` reason says why).
    /// Errors (unknown tenant, route or unclassified type) mean: block.
    pub fn decide(&self, req: &Request) -> Result<Decision, Error> {
        let tenant = self.tenant(&req.tenant)?;
        let classes = self.classify_for(tenant, &req.entities, req.clinical_context)?;

        let mut names: Vec<&str> = Vec::with_capacity(req.fallbacks.len() + 2);
        for name in std::iter::once(&req.route)
            .chain(&req.fallbacks)
            .chain(&tenant.private_route)
        {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        let mut verdicts = Vec::with_capacity(names.len());
        for name in names {
            let route = self.route(name)?;
            let (mut verdict, _) = self.evaluate(tenant, route, req.endpoint, &classes, false);
            verdict.up = !req.down.contains(name);
            verdicts.push(verdict);
        }

        let chosen = verdicts.iter().position(|v| v.up && v.action.sends());
        let requested = &verdicts[0];
        let mut reasons = Vec::new();
        let (action, route, pseudonymize) = match chosen {
            Some(0) => {
                reasons.extend(requested.reasons.iter().cloned());
                (
                    requested.action,
                    Some(requested.route.clone()),
                    requested.pseudonymize.clone(),
                )
            }
            Some(i) => {
                // Why each earlier candidate was passed over, then the chosen one's own.
                for skipped in &verdicts[..i] {
                    if !skipped.action.sends() {
                        reasons.extend(skipped.reasons.iter().cloned());
                    }
                    if !skipped.up {
                        reasons.push(route_down(&skipped.route));
                    }
                }
                let c = &verdicts[i];
                reasons.extend(c.reasons.iter().cloned());
                let rerouted = !requested.action.sends() && c.self_hosted;
                let action = if rerouted {
                    Action::RoutePrivate
                } else {
                    c.action
                };
                (action, Some(c.route.clone()), c.pseudonymize.clone())
            }
            None => {
                for v in &verdicts {
                    reasons.extend(v.reasons.iter().cloned());
                    if !v.up {
                        reasons.push(route_down(&v.route));
                    }
                }
                let private_refused = requested.action == Action::RoutePrivate;
                if private_refused && !verdicts.iter().any(|v| v.self_hosted) {
                    reasons.push(Reason {
                        class: None,
                        types: Vec::new(),
                        provider: requested.route.clone(),
                        rule: "routing.no_private_route".to_owned(),
                        action: Action::Block,
                        detail: "no self-hosted route is configured for this tenant".to_owned(),
                        via: Vec::new(),
                    });
                }
                (Action::Block, None, Vec::new())
            }
        };
        Ok(Decision {
            action,
            route,
            pseudonymize,
            classes,
            reasons,
            routes: verdicts,
        })
    }

    /// Runs every applicable rule for every class on one route: the interpreter. With
    /// `explain`, also returns every rule's outcome with the evidence (for the review).
    pub(crate) fn evaluate(
        &self,
        tenant: &TenantPolicy,
        route: &Route,
        endpoint: Endpoint,
        classes: &Classified,
        explain: bool,
    ) -> (RouteVerdict, Vec<RuleOutcome>) {
        let self_hosted = route.self_hosted();
        let via = route.via();
        let mut outcomes = Vec::new();
        let mut action = Action::Allow;
        let mut pseudonymize = BTreeSet::new();
        let mut reasons = Vec::new();
        for set in applicable_sets(&self.rules, &self.custom, tenant) {
            for rule in &set.rules {
                if !rule.routes.matches(self_hosted) {
                    continue;
                }
                for class in rule.classes.iter().filter(|c| classes.contains(c)) {
                    let check = rule
                        .require
                        .map(|f| terms::check(f, route, tenant, endpoint, explain));
                    let passed = check.as_ref().is_some_and(|c| c.holds);
                    let demanded = tenant
                        .rule_actions
                        .get(&rule.id)
                        .map_or(rule.action, |a| (*a).max(rule.action));
                    let (failure, evidence) = match check {
                        Some(c) => (c.failure, c.evidence),
                        None => (None, Vec::new()),
                    };
                    let detail = match &failure {
                        Some(f) => format!("{}: {f}", rule.detail),
                        None => rule.detail.clone(),
                    };
                    if !passed {
                        action = action.max(demanded);
                        let types: Vec<EntityType> = classes.types(class).cloned().collect();
                        if demanded == Action::Pseudonymize {
                            pseudonymize.extend(types.iter().cloned());
                        }
                        reasons.push(Reason {
                            class: Some(class.clone()),
                            types,
                            provider: route.name.clone(),
                            rule: rule.id.clone(),
                            action: demanded,
                            detail: detail.clone(),
                            via: via.clone(),
                        });
                    }
                    if !explain {
                        continue;
                    }
                    outcomes.push(RuleOutcome {
                        rule: rule.id.clone(),
                        cite: rule.cite.clone(),
                        class: class.clone(),
                        passed,
                        action: demanded,
                        detail,
                        evidence,
                    });
                }
            }
        }
        // The decisive reasons first: strictest action, then rule order.
        reasons.sort_by_key(|r| std::cmp::Reverse(r.action));
        let verdict = RouteVerdict {
            route: route.name.clone(),
            self_hosted,
            up: true,
            action,
            pseudonymize: if action == Action::Pseudonymize {
                pseudonymize.into_iter().collect()
            } else {
                Vec::new()
            },
            reasons,
            via,
        };
        (verdict, outcomes)
    }
}

/// The baseline, the tenant's regimes (each once) and the custom-class rules.
pub(crate) fn applicable_sets<'a>(
    rules: &'a RuleBook,
    custom: &'a RuleSet,
    tenant: &'a TenantPolicy,
) -> impl Iterator<Item = &'a RuleSet> {
    let regimes: BTreeSet<Regime> = tenant.regimes.iter().copied().collect();
    std::iter::once(rules.baseline())
        .chain(regimes.into_iter().filter_map(|r| rules.regime(r)))
        .chain(std::iter::once(custom))
}

fn route_down(route: &str) -> Reason {
    Reason {
        class: None,
        types: Vec::new(),
        provider: route.to_owned(),
        rule: "routing.route_down".to_owned(),
        action: Action::Block,
        detail: "route is down".to_owned(),
        via: Vec::new(),
    }
}
