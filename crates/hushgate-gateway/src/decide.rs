//! The decision for one request's texts: detection, the tenant's policy (or
//! "pseudonymize everything external" for a tenant without regimes), and
//! the transformation it calls for. CPU work only, no IO: the gateway runs
//! it per request, `hushgate check` runs it without sending anything.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hushgate_config::Config;
use hushgate_detect::Engine;
use hushgate_policy::{Policy, Request as PolicyRequest, clinical};
use hushgate_providers::Endpoint;
use hushgate_redact::{Redactor, Vault};
use hushgate_store::{CorrelationKey, ValueHash};
use hushgate_types::{EntityType, Finding};
use serde_json::Value;

use crate::error::ApiError;
use crate::server::StartError;

pub(crate) fn build_redactor(
    config: &Config,
    detection: &hushgate_detect::DetectOptions,
    tenant: &str,
) -> Result<Redactor, StartError> {
    let engine = Engine::with_options(detection).map_err(|e| StartError::Engine {
        tenant: tenant.to_owned(),
        message: e.to_string(),
    })?;
    Redactor::new(engine, config.redact.clone()).map_err(|e| StartError::Engine {
        tenant: tenant.to_owned(),
        message: e.to_string(),
    })
}

/// What the decision needs to know of a request (no text).
pub(crate) struct Ask {
    pub(crate) endpoint: Endpoint,
    pub(crate) tenant: String,
    pub(crate) route: String,
    /// The tenant has regimes: the policy engine decides.
    pub(crate) governed: bool,
    pub(crate) pseudonymize_all: bool,
    pub(crate) requested_self_hosted: bool,
    pub(crate) down: Vec<String>,
    pub(crate) media_parts: usize,
    pub(crate) block_unscanned: bool,
}

/// The texts as they will be sent, and why.
pub(crate) struct Outcome {
    pub(crate) texts: Vec<String>,
    pub(crate) vault: Vault,
    pub(crate) counts: BTreeMap<EntityType, usize>,
    pub(crate) value_hashes: Vec<ValueHash>,
    pub(crate) replaced: usize,
    pub(crate) action: &'static str,
    /// `None`: blocked.
    pub(crate) route: Option<String>,
    pub(crate) reasons: Value,
}

/// Detection, decision and transformation of one request's texts: CPU work,
/// run on the blocking pool for large requests.
pub(crate) fn scan_and_apply(
    redactor: &Redactor,
    policy: &Policy,
    self_hosted: &HashMap<String, bool>,
    correlation: &CorrelationKey,
    ask: &Ask,
    texts: Vec<String>,
    mut vault: Vault,
) -> Result<Outcome, ApiError> {
    let findings: Vec<Vec<Finding>> = texts.iter().map(|t| redactor.engine().scan(t)).collect();
    let mut counts: BTreeMap<EntityType, usize> = BTreeMap::new();
    let mut hashes = BTreeSet::new();
    for (text, fs) in texts.iter().zip(&findings) {
        for f in fs {
            *counts.entry(f.entity_type.clone()).or_default() += 1;
            if let Some(v) = text.get(f.start..f.end) {
                hashes.insert(correlation.hash(&f.entity_type, v));
            }
        }
    }
    // Which types to replace, on which route.
    let (action, route, replace, reasons): (
        &'static str,
        Option<String>,
        Option<Vec<EntityType>>,
        Value,
    ) = if ask.governed {
        let clinical = texts.iter().any(|t| clinical::has_clinical_context(t));
        let req = PolicyRequest::new(&ask.tenant, &ask.route)
            .endpoint(policy_endpoint(ask.endpoint))
            .entities(counts.keys().cloned())
            .clinical_context(clinical)
            .down(ask.down.iter().cloned());
        match policy.decide(&req) {
            Ok(d) => {
                let reasons = serde_json::to_value(&d.reasons).unwrap_or(Value::Null);
                let external = d
                    .route
                    .as_ref()
                    .is_some_and(|r| !self_hosted.get(r).copied().unwrap_or(false));
                let replace = if external && ask.pseudonymize_all {
                    None
                } else {
                    Some(d.pseudonymize.clone())
                };
                (d.action.as_str(), d.route.clone(), replace, reasons)
            }
            // Nothing unknown passes (an unclassified entity type, say): the
            // request is blocked with the policy's own message, which names
            // types, tenants and routes, never values.
            Err(e) => {
                let reason = serde_json::json!([{
                    "provider": ask.route,
                    "rule": "policy.undecidable",
                    "action": "block",
                    "detail": e.to_string(),
                }]);
                ("block", None, Some(Vec::new()), reason)
            }
        }
    } else if ask.requested_self_hosted {
        (
            "allow",
            Some(ask.route.clone()),
            Some(Vec::new()),
            Value::Null,
        )
    } else {
        let action = if counts.is_empty() {
            "allow"
        } else {
            "pseudonymize"
        };
        (action, Some(ask.route.clone()), None, Value::Null)
    };
    let (action, route, reasons) = if ask.block_unscanned && ask.media_parts > 0 {
        let reason = serde_json::json!([{
            "provider": ask.route,
            "rule": "gateway.unscanned_content",
            "action": "block",
            "detail": format!(
                "{} image, audio or file part(s) cannot be scanned, and this tenant's \
                 unscanned_content is `block`",
                ask.media_parts
            ),
        }]);
        ("block", None, reason)
    } else {
        (action, route, reasons)
    };
    let keep = |f: &Finding| {
        replace
            .as_ref()
            .is_none_or(|types| types.contains(&f.entity_type))
    };
    let selected: Vec<Vec<Finding>> = findings
        .into_iter()
        .map(|fs| fs.into_iter().filter(|f| keep(f)).collect())
        .collect();
    let replaced: usize = selected.iter().map(Vec::len).sum();
    let texts = if replaced == 0 || route.is_none() {
        texts
    } else {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        redactor
            .apply_batch(&refs, &selected, &mut vault)
            .into_iter()
            .map(|r| r.text)
            .collect()
    };
    Ok(Outcome {
        texts,
        vault,
        counts,
        value_hashes: hashes.into_iter().collect(),
        replaced,
        action,
        route,
        reasons,
    })
}

pub(crate) fn policy_endpoint(e: Endpoint) -> hushgate_policy::Endpoint {
    match e {
        Endpoint::Completions => hushgate_policy::Endpoint::Completions,
        Endpoint::Embeddings => hushgate_policy::Endpoint::Embeddings,
        _ => hushgate_policy::Endpoint::Chat,
    }
}

/// What would happen to a text sent by a tenant to a model alias, computed
/// exactly as the gateway does, without sending anything (`hushgate check`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DryRun {
    pub tenant: String,
    pub model: String,
    /// Findings per entity type.
    pub findings: BTreeMap<EntityType, usize>,
    /// `allow`, `pseudonymize`, `route_private` or `block`.
    pub decision: &'static str,
    /// Where it would go; `None` when blocked.
    pub route: Option<String>,
    /// Findings that would be replaced.
    pub replaced: usize,
    /// The policy's reasons (types, rules, providers; never values).
    pub reasons: Value,
    /// The text as the route would receive it; `None` when blocked.
    pub sent: Option<String>,
}

/// Why a dry run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("unknown tenant `{0}` (configured: {1})")]
    UnknownTenant(String, String),
    #[error("tenant `{0}` may not use model alias `{1}` (it may use: {2})")]
    UnknownModel(String, String, String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("the decision failed: {0}")]
    Decide(String),
}

/// Runs detection, the decision and the transformation on `text` as the
/// gateway would for `tenant` asking for `alias` (default: the tenant's
/// first allowed alias) on `endpoint`. Providers are taken as up.
pub fn dry_run(
    config: &Config,
    tenant: &str,
    alias: Option<&str>,
    endpoint: Endpoint,
    text: &str,
) -> Result<DryRun, CheckError> {
    let t = config.tenant(tenant).ok_or_else(|| {
        let known: Vec<&str> = config.tenants.iter().map(|t| t.name.as_str()).collect();
        CheckError::UnknownTenant(tenant.to_owned(), known.join(", "))
    })?;
    let allowed: Vec<&str> = config
        .models
        .iter()
        .filter(|m| t.allows_model(&m.alias))
        .map(|m| m.alias.as_str())
        .collect();
    let model = alias
        .or_else(|| allowed.first().copied())
        .and_then(|a| config.model(a))
        .filter(|m| t.allows_model(&m.alias))
        .ok_or_else(|| {
            CheckError::UnknownModel(
                tenant.to_owned(),
                alias.unwrap_or("(none)").to_owned(),
                if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                },
            )
        })?;
    let redactor = build_redactor(config, &t.detection, &t.name)?;
    let policy = Policy::new(&config.policy).map_err(|e| StartError::Policy(e.to_string()))?;
    let self_hosted: HashMap<String, bool> = config
        .providers
        .iter()
        .map(|p| (p.name.clone(), p.self_hosted))
        .collect();
    let ask = Ask {
        endpoint,
        tenant: t.name.clone(),
        route: model.provider.clone(),
        governed: !t.regimes.is_empty(),
        pseudonymize_all: t.pseudonymize_all,
        requested_self_hosted: self_hosted.get(&model.provider).copied().unwrap_or(false),
        down: Vec::new(),
        media_parts: 0,
        block_unscanned: t.block_unscanned,
    };
    let tenant_id = t
        .name
        .parse()
        .map_err(|_| StartError::Tenant(t.name.clone()))?;
    // Hashes are not shown: any key will do.
    let correlation = CorrelationKey::from_bytes([0; 32]);
    let outcome = scan_and_apply(
        &redactor,
        &policy,
        &self_hosted,
        &correlation,
        &ask,
        vec![text.to_owned()],
        Vault::new(tenant_id),
    )
    .map_err(|e| CheckError::Decide(e.body()["error"]["message"].to_string()))?;
    let sent = outcome.route.as_ref().and(outcome.texts.into_iter().next());
    Ok(DryRun {
        tenant: t.name.clone(),
        model: model.alias.clone(),
        findings: outcome.counts,
        decision: outcome.action,
        route: outcome.route,
        replaced: outcome.replaced,
        reasons: outcome.reasons,
        sent,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const CONFIG: &str = r#"
[[providers]]
name = "openai"
kind = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"
catalog = "openai"

[[providers]]
name = "private"
kind = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"
self_hosted = true

[[models]]
alias = "gpt-4o-mini"
provider = "openai"

[[models]]
alias = "local"
provider = "private"

[[tenants]]
name = "clinic"
regimes = ["hipaa"]
private_route = "private"

[[tenants]]
name = "plain"
"#;

    #[test]
    fn an_unclassified_type_blocks_with_the_policy_s_reason() {
        // Config validation refuses this; the gateway blocks it anyway.
        let mut c = config();
        let clinic = c.tenants.iter_mut().find(|t| t.name == "clinic").unwrap();
        clinic.detection.deny_list.push(hushgate_detect::DenyList {
            entity_type: "PATIENT_ID".parse().unwrap(),
            terms: vec!["RC-PATIENT".into()],
            score: 0.9,
        });
        let d = dry_run(
            &c,
            "clinic",
            None,
            Endpoint::ChatCompletions,
            "id RC-PATIENT-7",
        )
        .unwrap();
        assert_eq!((d.decision, d.route.as_deref()), ("block", None), "{d:?}");
        assert_eq!(d.reasons[0]["rule"], "policy.undecidable");
        assert!(!d.reasons.to_string().contains("RC-PATIENT-7"));
    }

    fn config() -> Config {
        Config::from_toml_str(CONFIG, Path::new("test.toml")).unwrap()
    }

    #[test]
    fn dry_run_decides_like_the_gateway_without_sending() {
        let note = "Pt Jane Doe, MRN 0012345, diagnosed with T2DM.";
        let c = config();
        let d = dry_run(&c, "clinic", None, Endpoint::ChatCompletions, note).unwrap();
        assert_eq!(
            (d.decision, d.route.as_deref()),
            ("route_private", Some("private"))
        );
        assert!(d.findings.contains_key(&EntityType::Person));

        let d = dry_run(
            &c,
            "plain",
            Some("gpt-4o-mini"),
            Endpoint::ChatCompletions,
            note,
        )
        .unwrap();
        assert_eq!(d.decision, "pseudonymize");
        let sent = d.sent.unwrap();
        assert!(
            sent.contains("[PERSON_1]") && !sent.contains("Jane Doe"),
            "{sent}"
        );

        let e = dry_run(&c, "nobody", None, Endpoint::ChatCompletions, note).unwrap_err();
        assert!(e.to_string().contains("clinic, plain"), "{e}");
        let e = dry_run(&c, "plain", Some("gpt-9"), Endpoint::ChatCompletions, note).unwrap_err();
        assert!(e.to_string().contains("gpt-4o-mini, local"), "{e}");
    }
}
