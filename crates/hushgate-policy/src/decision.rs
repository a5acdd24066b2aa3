//! What the gateway asks ([`Request`]) and what it gets back ([`Decision`]).

use std::collections::BTreeSet;

use hushgate_types::EntityType;
use serde::Serialize;

use crate::DataClass;
use crate::catalog::Endpoint;
use crate::rules::Action;
use crate::terms::Evidence;

/// One request to decide: who sends which kinds of data where.
///
/// Holds entity *types*, never text or values.
///
/// ```
/// use hushgate_policy::{Endpoint, Request};
/// use hushgate_types::EntityType;
/// let req = Request::new("clinic", "openai")
///     .endpoint(Endpoint::Chat)
///     .entities([EntityType::Person, EntityType::MedicalRecordNumber])
///     .clinical_context(true)
///     .fallbacks(["azure"])
///     .down(["azure"]);
/// assert_eq!(req.route, "openai");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub tenant: String,
    pub endpoint: Endpoint,
    /// The types of the findings (duplicates are fine).
    pub entities: Vec<EntityType>,
    /// Whether the text is a health context (see [`crate::clinical`]).
    pub clinical_context: bool,
    /// The requested route.
    pub route: String,
    /// Fallback routes, in order of preference.
    pub fallbacks: Vec<String>,
    /// Routes known to be down (health checks, open circuit breakers).
    pub down: BTreeSet<String>,
}

impl Request {
    /// A chat request from `tenant` to `route`, with no findings.
    pub fn new(tenant: &str, route: &str) -> Request {
        Request {
            tenant: tenant.to_owned(),
            endpoint: Endpoint::Chat,
            entities: Vec::new(),
            clinical_context: false,
            route: route.to_owned(),
            fallbacks: Vec::new(),
            down: BTreeSet::new(),
        }
    }

    pub fn endpoint(mut self, endpoint: Endpoint) -> Request {
        self.endpoint = endpoint;
        self
    }

    pub fn entities(mut self, entities: impl IntoIterator<Item = EntityType>) -> Request {
        self.entities = entities.into_iter().collect();
        self
    }

    pub fn clinical_context(mut self, clinical: bool) -> Request {
        self.clinical_context = clinical;
        self
    }

    pub fn fallbacks<S: Into<String>>(mut self, routes: impl IntoIterator<Item = S>) -> Request {
        self.fallbacks = routes.into_iter().map(Into::into).collect();
        self
    }

    pub fn down<S: Into<String>>(mut self, routes: impl IntoIterator<Item = S>) -> Request {
        self.down = routes.into_iter().map(Into::into).collect();
        self
    }
}

/// Why a route got its verdict: machine-readable, types and terms only, never values.
///
/// Serializes as e.g.
/// `{"class":"PHI","types":["PERSON"],"provider":"openai","rule":"hipaa.baa_required","action":"route_private","detail":"BAA not signed"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The class the rule governs; `None` for routing reasons (a route down).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<DataClass>,
    /// The entity types that carry the class in this request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<EntityType>,
    /// The route the reason is about.
    pub provider: String,
    /// The rule id (`hipaa.baa_required`) or routing reason (`routing.route_down`).
    pub rule: String,
    /// What the rule demands.
    pub action: Action,
    pub detail: String,
    /// The providers the route's provider is built on, when the stricter chain applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// The verdict for one candidate route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteVerdict {
    pub route: String,
    pub self_hosted: bool,
    /// Whether the caller reported it up.
    pub up: bool,
    /// The strictest action any rule demands here (`allow` if none).
    pub action: Action,
    /// With `pseudonymize`: the types to replace before sending.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pseudonymize: Vec<EntityType>,
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
}

/// One rule's outcome for one class on one route: the review's raw material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleOutcome {
    pub rule: String,
    pub cite: String,
    pub class: DataClass,
    /// The required fact held (or the rule never restricts here).
    pub passed: bool,
    /// What the rule demands when it does not pass (after the tenant's tightening).
    pub action: Action,
    pub detail: String,
    pub evidence: Vec<Evidence>,
}

/// The decision for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Overall: `allow` or `pseudonymize` on the requested route or a fallback,
    /// `route_private` when a self-hosted route takes what the requested one may not,
    /// `block` when no candidate that is up may take it.
    pub action: Action,
    /// The chosen route; `None` when blocked.
    pub route: Option<String>,
    /// The types to replace with placeholders before sending to `route`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pseudonymize: Vec<EntityType>,
    /// The classes found, each with the types that carry it.
    pub classes: crate::Classified,
    /// Why: the requested route's refusals or transformations, then routing reasons.
    pub reasons: Vec<Reason>,
    /// Every candidate, in order: requested, fallbacks, the tenant's private route.
    pub routes: Vec<RouteVerdict>,
}

impl Decision {
    /// The value for the `x-hushgate-decision` header.
    pub fn header_value(&self) -> &'static str {
        self.action.as_str()
    }

    /// Candidates that may receive the request, in order, with their verdict: what to try
    /// next if sending to the chosen one fails (each has its own `pseudonymize` set).
    pub fn acceptable(&self) -> impl Iterator<Item = &RouteVerdict> {
        self.routes.iter().filter(|r| r.up && r.action.sends())
    }
}
