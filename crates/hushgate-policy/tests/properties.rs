//! Properties over arbitrary configurations and requests.

// Helpers outside #[test] functions may fail loudly too: this is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use hushgate_policy::catalog::Training;
use hushgate_policy::{
    Action, ClinicalMode, ContractFacts, Endpoint, Policy, PolicyConfig, ProviderRoute, Regime,
    Request, TenantPolicy,
};
use hushgate_types::EntityType;
use proptest::prelude::*;

const EXTERNAL: &[&str] = &[
    "openai",
    "azure-openai",
    "anthropic",
    "vertex-ai",
    "mistral",
];
const REGIONS: &[&str] = &["us", "eu", "global"];

fn contract() -> impl Strategy<Value = ContractFacts> {
    (
        any::<Option<bool>>(),
        any::<Option<bool>>(),
        any::<Option<bool>>(),
        any::<Option<bool>>(),
        prop::option::of(prop::sample::select(vec![
            Training::No,
            Training::OptIn,
            Training::OptOut,
            Training::Yes,
        ])),
        prop::option::of(prop::sample::subsequence(REGIONS.to_vec(), 0..=3)),
    )
        .prop_map(|(baa, zdr, dpa, ccpa, trains, regions)| ContractFacts {
            baa_signed: baa,
            zdr_enabled: zdr,
            dpa_signed: dpa,
            ccpa_service_provider: ccpa,
            trains_on_api_data: trains,
            regions: regions.map(|r| r.iter().map(|s| (*s).to_owned()).collect()),
            source: None,
            checked: None,
        })
}

#[derive(Debug, Clone)]
struct Setup {
    regimes: Vec<Regime>,
    always_clinical: bool,
    allowed_regions: Vec<&'static str>,
    tighten_secret: bool,
    tighten_transfer: bool,
    routes: Vec<(usize, ContractFacts)>,
    tenant_contract: Option<(usize, ContractFacts)>,
    private: bool,
    entities: Vec<usize>,
    endpoint: usize,
    clinical: bool,
    down: Vec<bool>,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::sample::subsequence(
            vec![Regime::Hipaa, Regime::Gdpr, Regime::Ccpa, Regime::Pci],
            0..=4,
        ),
        any::<bool>(),
        prop::sample::subsequence(REGIONS.to_vec(), 0..=3),
        any::<(bool, bool)>(),
        prop::collection::vec((0..EXTERNAL.len(), contract()), 1..4),
        prop::option::of((0..3usize, contract())),
        any::<bool>(),
        prop::collection::vec(0..EntityType::BUILTIN.len(), 0..6),
        0..Endpoint::ALL.len(),
        any::<bool>(),
        prop::collection::vec(any::<bool>(), 5),
    )
        .prop_map(
            |(
                regimes,
                always_clinical,
                allowed_regions,
                (tighten_secret, tighten_transfer),
                routes,
                tenant_contract,
                private,
                entities,
                endpoint,
                clinical,
                down,
            )| Setup {
                regimes,
                always_clinical,
                allowed_regions,
                tighten_secret,
                tighten_transfer,
                routes,
                tenant_contract,
                private,
                entities,
                endpoint,
                clinical,
                down,
            },
        )
}

fn build(s: &Setup) -> (Policy, Request) {
    let mut providers: Vec<ProviderRoute> = s
        .routes
        .iter()
        .enumerate()
        .map(|(i, (catalog, contract))| ProviderRoute {
            name: format!("r{i}"),
            catalog: Some(EXTERNAL[*catalog].to_owned()),
            contract: contract.clone(),
        })
        .collect();
    if s.private {
        providers.push(ProviderRoute {
            name: "private".to_owned(),
            catalog: Some("self-hosted".to_owned()),
            contract: ContractFacts::default(),
        });
    }
    let regimes = if s.regimes.is_empty() {
        vec![Regime::None]
    } else {
        s.regimes.clone()
    };
    let mut tenant = TenantPolicy::new("t", &regimes);
    tenant.clinical_context = if s.always_clinical {
        ClinicalMode::Always
    } else {
        ClinicalMode::Detect
    };
    tenant.allowed_regions = s.allowed_regions.iter().map(|r| (*r).to_owned()).collect();
    tenant.private_route = s.private.then(|| "private".to_owned());
    let mut rule_actions = BTreeMap::new();
    if s.tighten_secret {
        rule_actions.insert("baseline.secret_redacted".to_owned(), Action::Block);
    }
    if s.tighten_transfer && regimes.contains(&Regime::Gdpr) {
        rule_actions.insert(
            "gdpr.transfer_outside_allowed_regions".to_owned(),
            Action::RoutePrivate,
        );
    }
    tenant.rule_actions = rule_actions;
    if let Some((i, c)) = s
        .tenant_contract
        .as_ref()
        .filter(|(i, _)| *i < s.routes.len())
    {
        tenant.contracts.insert(format!("r{i}"), c.clone());
    }
    let config = PolicyConfig {
        providers,
        tenants: vec![tenant],
        ..PolicyConfig::default()
    };
    let policy = Policy::new(&config).unwrap_or_else(|e| panic!("{e}"));
    let mut entities: Vec<EntityType> = s
        .entities
        .iter()
        .map(|i| EntityType::BUILTIN[*i].clone())
        .collect();
    entities.push(EntityType::ApiKey);
    let names: Vec<String> = (0..s.routes.len()).map(|i| format!("r{i}")).collect();
    let down: Vec<String> = names
        .iter()
        .chain(s.private.then(|| "private".to_owned()).as_ref())
        .zip(&s.down)
        .filter(|(_, d)| **d)
        .map(|(n, _)| n.clone())
        .collect();
    let req = Request::new("t", &names[0])
        .endpoint(Endpoint::ALL[s.endpoint])
        .entities(entities)
        .clinical_context(s.clinical)
        .fallbacks(names[1..].iter().cloned())
        .down(down);
    (policy, req)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No decision ever lets a secret reach an external provider unredacted.
    #[test]
    fn secrets_never_reach_an_external_provider_in_the_clear(s in setup()) {
        let (policy, req) = build(&s);
        let d = policy.decide(&req).unwrap();
        for v in &d.routes {
            if !v.self_hosted {
                prop_assert_ne!(v.action, Action::Allow, "{:?}", v);
                if v.action == Action::Pseudonymize {
                    prop_assert!(v.pseudonymize.contains(&EntityType::ApiKey), "{:?}", v);
                }
            }
        }
        prop_assert_ne!(d.action, Action::Allow);
        if d.route.is_some() {
            prop_assert!(d.pseudonymize.contains(&EntityType::ApiKey), "{:?}", d);
        }
    }

    /// The chosen route is up and its own verdict sends; a block chooses nothing; and a
    /// decision is a pure function of its input.
    #[test]
    fn the_chosen_route_is_up_and_acceptable(s in setup()) {
        let (policy, req) = build(&s);
        let d = policy.decide(&req).unwrap();
        match &d.route {
            Some(r) => {
                let v = d.routes.iter().find(|v| &v.route == r).unwrap();
                prop_assert!(v.up && v.action.sends());
                prop_assert_eq!(&d.pseudonymize, &v.pseudonymize);
                prop_assert_ne!(d.action, Action::Block);
            }
            None => {
                prop_assert_eq!(d.action, Action::Block);
                prop_assert!(d.acceptable().next().is_none());
                prop_assert!(!d.reasons.is_empty());
            }
        }
        prop_assert_eq!(policy.decide(&req).unwrap(), d);
    }

    /// PHI never reaches an external route whose chain lacks a BAA covering the endpoint.
    #[test]
    fn phi_goes_external_only_under_a_covering_baa(s in setup()) {
        let (policy, req) = build(&s);
        let d = policy.decide(&req).unwrap();
        let has_phi = d.classes.contains(&"PHI".parse().unwrap());
        let external = d.route.as_deref().filter(|r| policy.is_self_hosted(r) == Some(false));
        if let (true, Some(route)) = (has_phi, external) {
            let tenant = policy.tenant("t").unwrap();
            let i: usize = route[1..].parse().unwrap();
            let baa = tenant
                .contracts
                .get(route)
                .and_then(|c| c.baa_signed)
                .or(s.routes[i].1.baa_signed);
            prop_assert_eq!(baa, Some(true), "{:?}", d);
            let terms = policy.catalog().get(EXTERNAL[s.routes[i].0]).unwrap();
            prop_assert!(terms.baa_endpoints.contains(req.endpoint));
        }
    }
}
