//! Decisions, table-driven: every example the product promises, and the corners around them.

// Helpers outside #[test] functions may fail loudly too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use hushgate_policy::{Action, Endpoint, Error, Policy, Request};
use hushgate_types::EntityType;

/// Routes and tenants the cases below refer to. Every contract fact a case depends on is
/// stated here, next to the route or tenant it belongs to.
const CONFIG: &str = r#"
[[providers]]
name = "openai"                      # no BAA, DPA executed
contract = { dpa_signed = true }

[[providers]]
name = "openai-nodpa"                # no BAA, no DPA
catalog = "openai"

[[providers]]
name = "openai-baa"                  # BAA signed
catalog = "openai"
contract = { baa_signed = true, dpa_signed = true }

[[providers]]
name = "openai-eu"                   # EU data residency, ZDR
catalog = "openai"
contract = { dpa_signed = true, regions = ["eu"], zdr_enabled = true }

[[providers]]
name = "azure-eu"                    # Microsoft BAA, Data Zone EU
catalog = "azure-openai"
contract = { baa_signed = true, regions = ["eu"] }

[[providers]]
name = "azure-global"                # a Global deployment: any region
catalog = "azure-openai"

[[providers]]
name = "mistral"

[[providers]]
name = "notes-ai"                    # SaaS on OpenAI; the vendor has no BAA with OpenAI
catalog = "acme-notes"
contract = { baa_signed = true }

[[providers]]
name = "notes-health"                # SaaS on OpenAI; the vendor has a BAA with OpenAI
catalog = "acme-health"
contract = { baa_signed = true }

[[providers]]
name = "trainbot"                    # trains on what it gets
catalog = "trainbot"

[[providers]]
name = "private"
catalog = "self-hosted"

[[providers]]
name = "private-2"
catalog = "self-hosted"

[[tenants]]
name = "clinic"
regimes = ["hipaa"]
clinical_context = "always"
private_route = "private"

[[tenants]]
name = "clinic-detect"
regimes = ["hipaa"]
private_route = "private"

[[tenants]]
name = "clinic-noprivate"
regimes = ["hipaa"]
clinical_context = "always"

[[tenants]]
name = "clinic-own-baa"
regimes = ["hipaa"]
clinical_context = "always"
private_route = "private"
contracts.openai = { baa_signed = true, source = "tenant's own BAA with OpenAI" }

[[tenants]]
name = "shop"
regimes = ["pci"]
private_route = "private"

[[tenants]]
name = "shop-strict"
regimes = ["pci"]
private_route = "private"
rule_actions = { "pci.pan_unreadable" = "route_private" }

[[tenants]]
name = "eu"
regimes = ["gdpr"]
allowed_regions = ["eu"]
private_route = "private"

[[tenants]]
name = "eu-strict"
regimes = ["gdpr"]
allowed_regions = ["eu"]
private_route = "private"
rule_actions = { "gdpr.transfer_outside_allowed_regions" = "route_private" }

[[tenants]]
name = "eu-shop"
regimes = ["gdpr", "pci"]
allowed_regions = ["eu"]
private_route = "private"

[[tenants]]
name = "eu-clinic"
regimes = ["hipaa", "gdpr"]
clinical_context = "always"
allowed_regions = ["eu"]
private_route = "private"

[[tenants]]
name = "ca"
regimes = ["ccpa"]
private_route = "private"

[[tenants]]
name = "lab"
regimes = ["none"]

[[tenants]]
name = "vault"
regimes = ["none"]
private_route = "private"
rule_actions = { "baseline.secret_redacted" = "block" }

[[classes]]
name = "CONFIDENTIAL"
external = "pseudonymize"

[[classes]]
name = "EXPORT_CONTROLLED"
external = "block"
self_hosted = "allow"

[entity_classes]
PROJECT_CODE = "CONFIDENTIAL"
ITAR_PART = "EXPORT_CONTROLLED"
CUSTOMER_ID = "PII"

[[catalog]]
id = "acme-notes"
name = "Acme Notes"
via = "openai"
upstream = { baa_signed = false, dpa_signed = true }
trains_on_api_data = "no"
retention_days = 30
zdr = "no"
baa = "on_request"
baa_endpoints = ["*"]
dpa = "standard"
ccpa_service_provider = true
regions = ["eu"]
sources = [{ url = "https://acme-notes.example/trust", checked = 2026-09-01, basis = "live_page", facts = ["*"] }]

[[catalog]]
id = "acme-health"
name = "Acme Health"
via = "openai"
upstream = { baa_signed = true, dpa_signed = true }
trains_on_api_data = "no"
retention_days = 0
zdr = "standard"
zdr_endpoints = ["*"]
baa = "on_request"
baa_endpoints = ["*"]
dpa = "standard"
ccpa_service_provider = true
regions = ["us"]
sources = [{ url = "https://acme-health.example/trust", checked = 2026-09-01, basis = "live_page", facts = ["*"] }]

[[catalog]]
id = "trainbot"
name = "TrainBot"
trains_on_api_data = "yes"
retention_days = 365
zdr = "no"
baa = "no"
dpa = "standard"
ccpa_service_provider = true
regions = ["eu"]
sources = [{ url = "https://trainbot.example/terms", checked = 2026-09-01, basis = "live_page", facts = ["*"] }]
"#;

fn policy() -> Policy {
    Policy::from_toml_str(CONFIG, "tests/decisions.rs").unwrap_or_else(|e| panic!("{e}"))
}

fn t(name: &str) -> EntityType {
    name.parse().unwrap()
}

use EntityType::{
    ApiKey, CreditCard, DateTime, EmailAddress, MedicalRecordNumber, Organization, Person, UsSsn,
};

struct Case {
    name: &'static str,
    tenant: &'static str,
    route: &'static str,
    fallbacks: &'static [&'static str],
    down: &'static [&'static str],
    endpoint: Endpoint,
    entities: Vec<EntityType>,
    clinical: bool,
    /// Expected overall action and chosen route.
    action: Action,
    chosen: Option<&'static str>,
    /// Expected types to pseudonymize (sorted as `EntityType` sorts).
    pseudonymize: Vec<EntityType>,
    /// Rule ids that must appear among the reasons.
    rules: &'static [&'static str],
    /// Rule ids that must not.
    not_rules: &'static [&'static str],
}

impl Default for Case {
    fn default() -> Case {
        Case {
            name: "",
            tenant: "",
            route: "",
            fallbacks: &[],
            down: &[],
            endpoint: Endpoint::Chat,
            entities: Vec::new(),
            clinical: false,
            action: Action::Allow,
            chosen: None,
            pseudonymize: Vec::new(),
            rules: &[],
            not_rules: &[],
        }
    }
}

fn cases() -> Vec<Case> {
    vec![
        // ---- HIPAA: PHI goes to OpenAI only with a signed BAA on a BAA-covered endpoint. ----
        Case {
            name: "hipaa: PHI to OpenAI without a BAA is routed to the private model",
            tenant: "clinic",
            route: "openai",
            entities: vec![Person, MedicalRecordNumber],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        Case {
            name: "hipaa: ... and blocked when the private model is down",
            tenant: "clinic",
            route: "openai",
            down: &["private"],
            entities: vec![Person, MedicalRecordNumber],
            action: Action::Block,
            rules: &["hipaa.baa_required", "routing.route_down"],
            ..Case::default()
        },
        Case {
            name: "hipaa: ... and blocked when the tenant has no private route",
            tenant: "clinic-noprivate",
            route: "openai",
            entities: vec![Person],
            action: Action::Block,
            rules: &["hipaa.baa_required", "routing.no_private_route"],
            ..Case::default()
        },
        Case {
            name: "hipaa: with a signed BAA on a covered endpoint, PHI goes to OpenAI",
            tenant: "clinic",
            route: "openai-baa",
            entities: vec![Person, MedicalRecordNumber, DateTime],
            action: Action::Allow,
            chosen: Some("openai-baa"),
            ..Case::default()
        },
        Case {
            name: "hipaa: embeddings are covered too",
            tenant: "clinic",
            route: "openai-baa",
            endpoint: Endpoint::Embeddings,
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("openai-baa"),
            ..Case::default()
        },
        Case {
            name: "hipaa: a signed BAA does not cover the files endpoint",
            tenant: "clinic",
            route: "openai-baa",
            endpoint: Endpoint::Files,
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.endpoint_not_covered"],
            not_rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        Case {
            name: "hipaa: nor assistants, nor batch",
            tenant: "clinic",
            route: "openai-baa",
            endpoint: Endpoint::Assistants,
            entities: vec![EmailAddress],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.endpoint_not_covered"],
            ..Case::default()
        },
        Case {
            name: "hipaa: batch endpoint, private down: blocked",
            tenant: "clinic",
            route: "openai-baa",
            endpoint: Endpoint::Batch,
            down: &["private"],
            entities: vec![EmailAddress],
            action: Action::Block,
            rules: &["hipaa.endpoint_not_covered", "routing.route_down"],
            ..Case::default()
        },
        Case {
            name: "hipaa: the tenant's own BAA with OpenAI counts for the OpenAI route",
            tenant: "clinic-own-baa",
            route: "openai",
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("openai"),
            ..Case::default()
        },
        Case {
            name: "hipaa: a fallback with a BAA takes PHI before the private model",
            tenant: "clinic",
            route: "openai",
            fallbacks: &["azure-eu"],
            entities: vec![Person, UsSsn],
            action: Action::Allow,
            chosen: Some("azure-eu"),
            rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        Case {
            name: "hipaa: detected context off, identifiers are PII only: allowed",
            tenant: "clinic-detect",
            route: "openai",
            entities: vec![Person, EmailAddress],
            action: Action::Allow,
            chosen: Some("openai"),
            ..Case::default()
        },
        Case {
            name: "hipaa: detected context on, the same identifiers are PHI",
            tenant: "clinic-detect",
            route: "openai",
            entities: vec![Person, EmailAddress],
            clinical: true,
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        Case {
            name: "hipaa: a medical record number is a health context by itself",
            tenant: "clinic-detect",
            route: "openai",
            entities: vec![MedicalRecordNumber],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            ..Case::default()
        },
        Case {
            name: "hipaa: an organization name is not one of the 18 identifiers",
            tenant: "clinic",
            route: "openai",
            entities: vec![Organization],
            action: Action::Allow,
            chosen: Some("openai"),
            ..Case::default()
        },
        Case {
            name: "hipaa: no findings, nothing to protect",
            tenant: "clinic",
            route: "openai",
            action: Action::Allow,
            chosen: Some("openai"),
            ..Case::default()
        },
        Case {
            name: "hipaa: requested route down, PHI-capable fallback down, private up: private",
            tenant: "clinic",
            route: "openai-baa",
            fallbacks: &["azure-eu"],
            down: &["openai-baa", "azure-eu"],
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("private"),
            rules: &["routing.route_down"],
            ..Case::default()
        },
        Case {
            name: "hipaa: a secret in a clinical note goes private, and pseudonymized",
            tenant: "clinic",
            route: "openai",
            entities: vec![Person, ApiKey],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            pseudonymize: vec![ApiKey],
            rules: &["hipaa.baa_required", "baseline.secret_redacted"],
            ..Case::default()
        },
        Case {
            name: "hipaa: Azure under Microsoft's BAA takes PHI",
            tenant: "clinic",
            route: "azure-eu",
            endpoint: Endpoint::Files,
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("azure-eu"),
            ..Case::default()
        },
        Case {
            name: "hipaa: Mistral offers no BAA",
            tenant: "clinic",
            route: "mistral",
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.baa_required", "hipaa.endpoint_not_covered"],
            ..Case::default()
        },
        // ---- Vendor chains inherit the underlying provider's terms. ----
        Case {
            name: "chain: our BAA with the SaaS is not enough when it has none with OpenAI",
            tenant: "clinic",
            route: "notes-ai",
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        Case {
            name: "chain: our own BAA with OpenAI does not bind the vendor's use of OpenAI",
            tenant: "clinic-own-baa",
            route: "notes-ai",
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        Case {
            name: "chain: BAAs at every link: PHI allowed on a covered endpoint",
            tenant: "clinic",
            route: "notes-health",
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("notes-health"),
            ..Case::default()
        },
        Case {
            name: "chain: ... but OpenAI's endpoint limits still apply through the vendor",
            tenant: "clinic",
            route: "notes-health",
            endpoint: Endpoint::Files,
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["hipaa.endpoint_not_covered"],
            ..Case::default()
        },
        Case {
            name: "chain: an EU SaaS on a US provider is a transfer outside the EU",
            tenant: "eu",
            route: "notes-ai",
            entities: vec![Person],
            action: Action::Pseudonymize,
            chosen: Some("notes-ai"),
            pseudonymize: vec![Person],
            rules: &["gdpr.transfer_outside_allowed_regions"],
            ..Case::default()
        },
        // ---- PCI: card numbers never leave unmasked. ----
        Case {
            name: "pci: card numbers are pseudonymized before OpenAI, other data is not",
            tenant: "shop",
            route: "openai",
            entities: vec![CreditCard, Person],
            action: Action::Pseudonymize,
            chosen: Some("openai"),
            pseudonymize: vec![CreditCard],
            rules: &["pci.pan_unreadable"],
            ..Case::default()
        },
        Case {
            name: "pci: no contract fact lifts it (BAA, ZDR, EU residency)",
            tenant: "shop",
            route: "openai-eu",
            entities: vec![CreditCard],
            action: Action::Pseudonymize,
            chosen: Some("openai-eu"),
            pseudonymize: vec![CreditCard],
            rules: &["pci.pan_unreadable"],
            ..Case::default()
        },
        Case {
            name: "pci: a fallback does not get them unmasked either",
            tenant: "shop",
            route: "openai",
            fallbacks: &["azure-eu"],
            down: &["openai"],
            entities: vec![CreditCard],
            action: Action::Pseudonymize,
            chosen: Some("azure-eu"),
            pseudonymize: vec![CreditCard],
            rules: &["pci.pan_unreadable", "routing.route_down"],
            ..Case::default()
        },
        Case {
            name: "pci: the private model may see them",
            tenant: "shop",
            route: "private",
            entities: vec![CreditCard],
            action: Action::Allow,
            chosen: Some("private"),
            ..Case::default()
        },
        Case {
            name: "pci: a tenant may keep card numbers private instead",
            tenant: "shop-strict",
            route: "openai",
            entities: vec![CreditCard],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["pci.pan_unreadable"],
            ..Case::default()
        },
        // ---- SECRET: always redacted or blocked. ----
        Case {
            name: "secret: pseudonymized for a tenant with no regime",
            tenant: "lab",
            route: "openai",
            entities: vec![ApiKey, Person],
            action: Action::Pseudonymize,
            chosen: Some("openai"),
            pseudonymize: vec![ApiKey],
            rules: &["baseline.secret_redacted"],
            ..Case::default()
        },
        Case {
            name: "secret: pseudonymized even for the self-hosted model",
            tenant: "lab",
            route: "private",
            entities: vec![ApiKey],
            action: Action::Pseudonymize,
            chosen: Some("private"),
            pseudonymize: vec![ApiKey],
            ..Case::default()
        },
        Case {
            name: "secret: a tenant may block instead, everywhere",
            tenant: "vault",
            route: "openai",
            fallbacks: &["private-2"],
            entities: vec![ApiKey],
            action: Action::Block,
            rules: &["baseline.secret_redacted"],
            ..Case::default()
        },
        // ---- GDPR: outside the allowed regions, pseudonymized or routed privately. ----
        Case {
            name: "gdpr: personal data to a US provider is pseudonymized",
            tenant: "eu",
            route: "openai",
            entities: vec![Person, EmailAddress, DateTime],
            action: Action::Pseudonymize,
            chosen: Some("openai"),
            pseudonymize: vec![Person, EmailAddress],
            rules: &["gdpr.transfer_outside_allowed_regions"],
            not_rules: &["gdpr.processor_contract", "gdpr.no_training"],
            ..Case::default()
        },
        Case {
            name: "gdpr: ... or routed privately when the tenant allows no transfer",
            tenant: "eu-strict",
            route: "openai",
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["gdpr.transfer_outside_allowed_regions"],
            ..Case::default()
        },
        Case {
            name: "gdpr: OpenAI with EU data residency is inside the allowed regions",
            tenant: "eu",
            route: "openai-eu",
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("openai-eu"),
            ..Case::default()
        },
        Case {
            name: "gdpr: Azure pinned to the EU is allowed",
            tenant: "eu",
            route: "azure-eu",
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("azure-eu"),
            ..Case::default()
        },
        Case {
            name: "gdpr: an Azure Global deployment may process anywhere",
            tenant: "eu",
            route: "azure-global",
            entities: vec![Person],
            action: Action::Pseudonymize,
            chosen: Some("azure-global"),
            pseudonymize: vec![Person],
            rules: &["gdpr.transfer_outside_allowed_regions"],
            ..Case::default()
        },
        Case {
            name: "gdpr: Mistral processes in the EU under its standard DPA",
            tenant: "eu",
            route: "mistral",
            entities: vec![Person, t("CUSTOMER_ID")],
            action: Action::Allow,
            chosen: Some("mistral"),
            ..Case::default()
        },
        Case {
            name: "gdpr: no DPA, no personal data at all",
            tenant: "eu",
            route: "openai-nodpa",
            entities: vec![EmailAddress],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &[
                "gdpr.processor_contract",
                "gdpr.transfer_outside_allowed_regions",
            ],
            ..Case::default()
        },
        Case {
            name: "gdpr: a provider that trains on API data gets pseudonyms",
            tenant: "eu",
            route: "trainbot",
            entities: vec![Person],
            action: Action::Pseudonymize,
            chosen: Some("trainbot"),
            pseudonymize: vec![Person],
            rules: &["gdpr.no_training"],
            not_rules: &["gdpr.transfer_outside_allowed_regions"],
            ..Case::default()
        },
        Case {
            name: "gdpr + pci: card numbers are personal data and card data",
            tenant: "eu-shop",
            route: "openai",
            entities: vec![CreditCard, Person],
            action: Action::Pseudonymize,
            chosen: Some("openai"),
            pseudonymize: vec![Person, CreditCard],
            rules: &[
                "pci.pan_unreadable",
                "gdpr.transfer_outside_allowed_regions",
            ],
            ..Case::default()
        },
        Case {
            name: "gdpr + hipaa: both regimes must be satisfied",
            tenant: "eu-clinic",
            route: "openai-baa",
            entities: vec![Person],
            action: Action::Pseudonymize,
            chosen: Some("openai-baa"),
            pseudonymize: vec![Person],
            rules: &["gdpr.transfer_outside_allowed_regions"],
            not_rules: &["hipaa.baa_required"],
            ..Case::default()
        },
        // ---- CCPA: service providers only. ----
        Case {
            name: "ccpa: OpenAI's terms make it a service provider",
            tenant: "ca",
            route: "openai",
            entities: vec![Person, EmailAddress],
            action: Action::Allow,
            chosen: Some("openai"),
            ..Case::default()
        },
        Case {
            name: "ccpa: no service-provider contract: private",
            tenant: "ca",
            route: "mistral",
            entities: vec![Person],
            action: Action::RoutePrivate,
            chosen: Some("private"),
            rules: &["ccpa.service_provider_contract"],
            ..Case::default()
        },
        Case {
            name: "ccpa: training outside the business purpose: pseudonymized",
            tenant: "ca",
            route: "trainbot",
            entities: vec![Person],
            action: Action::Pseudonymize,
            chosen: Some("trainbot"),
            pseudonymize: vec![Person],
            rules: &["ccpa.no_training"],
            ..Case::default()
        },
        // ---- none: allowed through. ----
        Case {
            name: "none: everything but secrets goes as it is",
            tenant: "lab",
            route: "openai",
            entities: vec![Person, EmailAddress, CreditCard, UsSsn, MedicalRecordNumber],
            clinical: true,
            action: Action::Allow,
            chosen: Some("openai"),
            ..Case::default()
        },
        Case {
            name: "none: requested route down, fallback takes it",
            tenant: "lab",
            route: "openai",
            fallbacks: &["mistral"],
            down: &["openai"],
            entities: vec![Person],
            action: Action::Allow,
            chosen: Some("mistral"),
            rules: &["routing.route_down"],
            ..Case::default()
        },
        Case {
            name: "none: every route down: blocked",
            tenant: "lab",
            route: "openai",
            fallbacks: &["mistral"],
            down: &["openai", "mistral"],
            action: Action::Block,
            rules: &["routing.route_down"],
            ..Case::default()
        },
        // ---- Custom classes. ----
        Case {
            name: "custom: confidential project codes are pseudonymized outside",
            tenant: "lab",
            route: "openai",
            entities: vec![t("PROJECT_CODE")],
            action: Action::Pseudonymize,
            chosen: Some("openai"),
            pseudonymize: vec![t("PROJECT_CODE")],
            rules: &["custom.confidential.external"],
            ..Case::default()
        },
        Case {
            name: "custom: and allowed on the self-hosted model",
            tenant: "lab",
            route: "private",
            entities: vec![t("PROJECT_CODE")],
            action: Action::Allow,
            chosen: Some("private"),
            ..Case::default()
        },
        Case {
            name: "custom: a blocked class falls back to a self-hosted route",
            tenant: "lab",
            route: "openai",
            fallbacks: &["private-2"],
            entities: vec![t("ITAR_PART")],
            action: Action::RoutePrivate,
            chosen: Some("private-2"),
            rules: &["custom.export_controlled.external"],
            ..Case::default()
        },
        Case {
            name: "custom: ... and is blocked without one",
            tenant: "lab",
            route: "openai",
            entities: vec![t("ITAR_PART")],
            action: Action::Block,
            rules: &["custom.export_controlled.external"],
            ..Case::default()
        },
    ]
}

#[test]
fn decision_table() {
    let policy = policy();
    let mut failures = Vec::new();
    for c in cases() {
        let req = Request::new(c.tenant, c.route)
            .endpoint(c.endpoint)
            .entities(c.entities.clone())
            .clinical_context(c.clinical)
            .fallbacks(c.fallbacks.iter().copied())
            .down(c.down.iter().copied());
        let d = match policy.decide(&req) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: error {e}", c.name));
                continue;
            }
        };
        let rules: Vec<&str> = d.reasons.iter().map(|r| r.rule.as_str()).collect();
        let mut expected_pseudo = c.pseudonymize.clone();
        expected_pseudo.sort();
        let problems: Vec<String> = [
            (d.action != c.action).then(|| format!("action {} != {}", d.action, c.action)),
            (d.route.as_deref() != c.chosen)
                .then(|| format!("route {:?} != {:?}", d.route, c.chosen)),
            (d.pseudonymize != expected_pseudo)
                .then(|| format!("pseudonymize {:?} != {:?}", d.pseudonymize, expected_pseudo)),
        ]
        .into_iter()
        .flatten()
        .chain(
            c.rules
                .iter()
                .filter(|r| !rules.contains(r))
                .map(|r| format!("missing reason {r} in {rules:?}")),
        )
        .chain(
            c.not_rules
                .iter()
                .filter(|r| rules.contains(r))
                .map(|r| format!("unexpected reason {r}")),
        )
        .collect();
        if !problems.is_empty() {
            failures.push(format!("{}: {}", c.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn reasons_are_machine_readable_and_carry_types_not_values() {
    let d = policy()
        .decide(&Request::new("clinic", "openai").entities([Person, MedicalRecordNumber]))
        .unwrap();
    let json = serde_json::to_value(&d.reasons[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "class": "PHI",
            "types": ["PERSON", "MEDICAL_RECORD_NUMBER"],
            "provider": "openai",
            "rule": "hipaa.baa_required",
            "action": "route_private",
            "detail": "BAA not signed"
        })
    );
    assert_eq!(d.header_value(), "route_private");
    let whole = serde_json::to_value(&d).unwrap();
    assert_eq!(whole["route"], "private");
    assert_eq!(
        whole["classes"]["PHI"],
        serde_json::json!(["PERSON", "MEDICAL_RECORD_NUMBER"])
    );
}

#[test]
fn chain_reasons_name_the_link_that_failed() {
    let d = policy()
        .decide(&Request::new("clinic", "notes-ai").entities([Person]))
        .unwrap();
    let r = d
        .reasons
        .iter()
        .find(|r| r.rule == "hipaa.baa_required")
        .unwrap();
    assert_eq!(r.via, ["openai"]);
    assert_eq!(
        r.detail,
        "BAA not signed: via `openai` (vendor `acme-notes`'s agreement): no signed BAA"
    );
}

#[test]
fn route_verdicts_cover_every_candidate_in_order() {
    let d = policy()
        .decide(
            &Request::new("clinic", "openai")
                .entities([Person])
                .fallbacks(["mistral", "azure-eu"])
                .down(["azure-eu"]),
        )
        .unwrap();
    let order: Vec<(&str, Action, bool)> = d
        .routes
        .iter()
        .map(|v| (v.route.as_str(), v.action, v.up))
        .collect();
    assert_eq!(
        order,
        [
            ("openai", Action::RoutePrivate, true),
            ("mistral", Action::RoutePrivate, true),
            ("azure-eu", Action::Allow, false),
            ("private", Action::Allow, true),
        ]
    );
    assert_eq!(d.route.as_deref(), Some("private"));
    let next: Vec<&str> = d.acceptable().map(|v| v.route.as_str()).collect();
    assert_eq!(next, ["private"]);
}

#[test]
fn fails_closed_on_unknown_input() {
    let p = policy();
    let err = p.decide(&Request::new("nobody", "openai")).unwrap_err();
    assert_eq!(err, Error::UnknownTenant("nobody".into()));
    let err = p.decide(&Request::new("lab", "nowhere")).unwrap_err();
    assert_eq!(err, Error::UnknownRoute("nowhere".into()));
    let err = p
        .decide(&Request::new("lab", "openai").fallbacks(["nowhere"]))
        .unwrap_err();
    assert_eq!(err, Error::UnknownRoute("nowhere".into()));
    let err = p
        .decide(&Request::new("lab", "openai").entities([t("BADGE_NUMBER")]))
        .unwrap_err();
    assert_eq!(err, Error::UnclassifiedEntity(t("BADGE_NUMBER")));
    assert!(err.to_string().contains("[entity_classes]"));
}

#[test]
fn invalid_configs_are_typed_errors() {
    let base = "[[providers]]\nname = \"openai\"\n[[providers]]\nname = \"private\"\ncatalog = \"self-hosted\"\n";
    for (extra, needle) in [
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"sox\"]\n",
            "unknown variant `sox`",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = []\n",
            "needs `regimes`",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"none\", \"gdpr\"]\n",
            "cannot be combined",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"hipaa\"]\nprivate_route = \"openai\"\n",
            "not self-hosted",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"hipaa\"]\nprivate_route = \"gone\"\n",
            "not a provider",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"pci\"]\nrule_actions = { \"pci.pan_unreadable\" = \"allow\" }\n",
            "only be made stricter",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"pci\"]\nrule_actions = { \"hipaa.baa_required\" = \"block\" }\n",
            "no rule `hipaa.baa_required`",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"hipaa\"]\ncontracts.gone = { baa_signed = true }\n",
            "`gone` is not a provider",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"gdpr\"]\nallowed_regions = [\"EU\"]\n",
            "region `EU`",
        ),
        (
            "[[tenants]]\nname = \"x y\"\nregimes = [\"none\"]\n",
            "must be 1-64 letters",
        ),
        (
            "[[tenants]]\nname = \"x\"\nregimes = [\"none\"]\ncolour = 1\n",
            "unknown field `colour`",
        ),
        (
            "[[providers]]\nname = \"acme\"\n",
            "catalog entry `acme` does not exist",
        ),
        ("[[providers]]\nname = \"openai\"\n", "defined twice"),
        (
            "[[providers]]\nname = \"o2\"\ncatalog = \"openai\"\ncontract = { bba_signed = true }\n",
            "unknown field `bba_signed`",
        ),
        (
            "[entity_classes]\nPROJECT_CODE = \"SECRETISH\"\n",
            "unknown data class `SECRETISH`",
        ),
        (
            "[entity_classes]\nPROJECT_CODE = \"pii\"\n",
            "not a data class name",
        ),
        (
            "[[classes]]\nname = \"PII\"\nexternal = \"block\"\n",
            "is a built-in class",
        ),
        (
            "[[classes]]\nname = \"X\"\nexternal = \"block\"\nself_hosted = \"route_private\"\n",
            "means nothing on a self-hosted route",
        ),
    ] {
        let err = Policy::from_toml_str(&format!("{base}{extra}"), "t.toml")
            .map(|_| ())
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(needle), "{extra:?}: {msg}");
        assert!(
            matches!(err, Error::Parse { .. } | Error::Invalid { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn classify_documents_phi_as_additive() {
    let p = policy();
    let c = p
        .classify("clinic", &[Person, CreditCard, ApiKey, DateTime], false)
        .unwrap();
    let classes: Vec<&str> = c.classes().map(|c| c.as_str()).collect();
    assert_eq!(classes, ["PHI", "PII", "PCI", "SECRET"]);
    let phi: Vec<&EntityType> = c.types(&"PHI".parse().unwrap()).collect();
    assert_eq!(phi, [&Person, &DateTime, &CreditCard]);
    // Without HIPAA there is no PHI, whatever the context.
    let c = p
        .classify("eu", &[Person, MedicalRecordNumber], true)
        .unwrap();
    assert!(!c.contains(&"PHI".parse().unwrap()));
}
