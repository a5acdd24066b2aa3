//! Regimes as data: each is a versioned rule file in `rules/`, embedded at build time.
//!
//! A rule names the data classes it governs, which routes it looks at, one fact that must
//! hold for the data to go as it is, and the action to take when the fact does not hold:
//!
//! ```toml
//! name = "hipaa"                 # the regime (or "baseline": applies to every tenant)
//! version = 1                    # bump on every change to a rule's meaning
//! updated = 2026-11-24
//! title = "HIPAA Privacy Rule"
//! source = "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164"
//!
//! [[rules]]
//! id = "hipaa.baa_required"      # stable; `<name>.<rule>`; appears in every reason
//! cite = "45 CFR 164.502(e)(1), 164.504(e)"
//! classes = ["PHI"]
//! routes = "external"            # external (default) | self_hosted | any
//! require = "baa_signed"         # a fact (see `Fact`); omitted: the rule always applies
//! action = "route_private"       # pseudonymize | route_private | block
//! detail = "BAA not signed"      # the reason's detail: types and terms only, never values
//! gap = "sends {classes} to `{route}` without a signed BAA"   # optional: the review's wording
//! todo = "Sign a BAA with {provider} and set baa_signed = true, or keep {classes} private."
//! ```
//!
//! The interpreter ([`crate::Policy::decide`]) evaluates every rule of the baseline and of the
//! tenant's regimes for every class present; the strictest action wins
//! (allow < pseudonymize < route_private < block). A tenant may make a rule stricter
//! (`rule_actions`), never looser.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::{DataClass, Date};

/// What happens to a request, or what a rule demands, from least to most restrictive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Send as it is.
    #[default]
    Allow,
    /// Send after the values of the listed types are replaced by placeholders.
    Pseudonymize,
    /// Do not send to this route; send to a self-hosted route instead.
    RoutePrivate,
    /// Do not send at all.
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Pseudonymize => "pseudonymize",
            Action::RoutePrivate => "route_private",
            Action::Block => "block",
        }
    }

    /// Whether a route with this verdict may receive the request (transformed or not).
    pub fn sends(self) -> bool {
        matches!(self, Action::Allow | Action::Pseudonymize)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A regulatory regime a tenant is subject to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    Hipaa,
    Gdpr,
    Ccpa,
    Pci,
    /// No regulatory regime: only the baseline (secrets) applies.
    None,
}

impl Regime {
    pub const ALL: [Regime; 5] = [
        Regime::Hipaa,
        Regime::Gdpr,
        Regime::Ccpa,
        Regime::Pci,
        Regime::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Hipaa => "hipaa",
            Regime::Gdpr => "gdpr",
            Regime::Ccpa => "ccpa",
            Regime::Pci => "pci",
            Regime::None => "none",
        }
    }
}

impl FromStr for Regime {
    type Err = Error;
    fn from_str(s: &str) -> Result<Regime, Error> {
        Regime::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| Error::UnknownRegime(s.chars().take(40).collect()))
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fact about a route (its provider's terms, your contract, the tenant's settings) that a
/// rule can require. Over a vendor chain (`via`), a fact holds only if it holds for every link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// Every link runs in an environment the operator controls.
    SelfHosted,
    /// A BAA is signed with the provider (and, down a chain, by each vendor with the next).
    BaaSigned,
    /// The endpoint is among those the provider's BAA covers.
    EndpointBaaCovered,
    /// Zero data retention is enabled for the account and the endpoint is eligible.
    ZeroRetention,
    /// The provider does not train on this data.
    NoTraining,
    /// A GDPR Art. 28 processor agreement (DPA) is in force.
    DpaSigned,
    /// Every region the data may be processed in is among the tenant's `allowed_regions`.
    RegionsAllowed,
    /// The provider's terms carry the CCPA service-provider restrictions.
    CcpaServiceProvider,
}

impl Fact {
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::SelfHosted => "self_hosted",
            Fact::BaaSigned => "baa_signed",
            Fact::EndpointBaaCovered => "endpoint_baa_covered",
            Fact::ZeroRetention => "zero_retention",
            Fact::NoTraining => "no_training",
            Fact::DpaSigned => "dpa_signed",
            Fact::RegionsAllowed => "regions_allowed",
            Fact::CcpaServiceProvider => "ccpa_service_provider",
        }
    }
}

/// Which routes a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Routes where some link is not self-hosted (a third party receives the data).
    #[default]
    External,
    /// Self-hosted routes only.
    SelfHosted,
    /// Every route.
    Any,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::External => "external",
            Scope::SelfHosted => "self_hosted",
            Scope::Any => "any",
        }
    }

    pub(crate) fn matches(self, self_hosted: bool) -> bool {
        match self {
            Scope::External => !self_hosted,
            Scope::SelfHosted => self_hosted,
            Scope::Any => true,
        }
    }
}

/// One rule. See the module docs for the file format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub cite: String,
    pub classes: Vec<DataClass>,
    #[serde(default)]
    pub routes: Scope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require: Option<Fact>,
    pub action: Action,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub todo: Option<String>,
}

/// Placeholders a rule's `gap` and `todo` may use.
pub(crate) const TEMPLATE_KEYS: &[&str] = &["tenant", "route", "provider", "classes"];

/// Replaces `{key}` by its value; `None` if the template uses an unknown key or an unclosed
/// brace.
pub(crate) fn render_template(template: &str, values: &[(&str, &str)]) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let key = &after[..close];
        let (_, value) = values.iter().find(|(k, _)| *k == key)?;
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A regime's rules, as loaded from one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// The regime name (`hipaa`), `baseline`, or `custom` for config-defined classes.
    pub name: String,
    pub version: u32,
    /// When the file last changed (required in rule files; `None` for config-defined rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Date>,
    pub title: String,
    /// The text of the law or standard (required when the set has rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// Parses and checks one rule file; `origin` names it in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<RuleSet, Error> {
        let set: RuleSet = toml::from_str(text).map_err(|e| Error::parse(origin, e))?;
        if set.updated.is_none() {
            return Err(Error::invalid(
                origin,
                "a rule file needs `updated = YYYY-MM-DD`",
            ));
        }
        set.validate(origin)?;
        Ok(set)
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub(crate) fn validate(&self, origin: &str) -> Result<(), Error> {
        let prefix = format!("{}.", self.name);
        if !self.rules.is_empty() && self.source.is_none() {
            return Err(Error::invalid(
                origin,
                "a rule set with rules needs a `source` (the text it encodes)",
            ));
        }
        let mut ids = BTreeSet::new();
        for rule in &self.rules {
            let here = format!("{origin}: rule `{}`", rule.id);
            let suffix_ok = rule.id.strip_prefix(&prefix).is_some_and(|s| {
                !s.is_empty()
                    && s.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.'
                    })
            });
            if !suffix_ok {
                return Err(Error::invalid(
                    here,
                    format!("ids are `{prefix}<lowercase_name>`"),
                ));
            }
            if !ids.insert(&rule.id) {
                return Err(Error::invalid(here, "listed twice"));
            }
            if rule.classes.is_empty() {
                return Err(Error::invalid(here, "names no classes"));
            }
            if rule.action == Action::Allow {
                return Err(Error::invalid(
                    here,
                    "action `allow` never restricts anything: use pseudonymize, route_private or block",
                ));
            }
            if rule.cite.trim().is_empty() || rule.detail.trim().is_empty() {
                return Err(Error::invalid(here, "needs a `cite` and a `detail`"));
            }
            let dummy: Vec<(&str, &str)> = TEMPLATE_KEYS.iter().map(|k| (*k, "x")).collect();
            for t in rule.gap.iter().chain(&rule.todo) {
                if render_template(t, &dummy).is_none() {
                    return Err(Error::invalid(
                        here,
                        format!(
                            "`gap`/`todo` may only use the placeholders {}",
                            TEMPLATE_KEYS
                                .iter()
                                .map(|k| format!("{{{k}}}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The built-in rule files, embedded: (file, text).
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    (
        "rules/baseline.toml",
        include_str!("../rules/baseline.toml"),
    ),
    ("rules/hipaa.toml", include_str!("../rules/hipaa.toml")),
    ("rules/gdpr.toml", include_str!("../rules/gdpr.toml")),
    ("rules/ccpa.toml", include_str!("../rules/ccpa.toml")),
    ("rules/pci.toml", include_str!("../rules/pci.toml")),
    ("rules/none.toml", include_str!("../rules/none.toml")),
];

/// The baseline and one rule set per regime.
#[derive(Debug, Clone)]
pub struct RuleBook {
    baseline: RuleSet,
    regimes: BTreeMap<Regime, RuleSet>,
}

impl RuleBook {
    /// The built-in rules (`rules/*.toml`). Fails only if an embedded file is broken, which a
    /// test rules out.
    pub fn builtin() -> Result<RuleBook, Error> {
        RuleBook::from_files(BUILTIN_RULE_FILES)
    }

    /// Loads a rule book from (origin, text) pairs: one `baseline` and one file per regime.
    pub fn from_files(files: &[(&str, &str)]) -> Result<RuleBook, Error> {
        let mut baseline = None;
        let mut regimes = BTreeMap::new();
        for (origin, text) in files {
            let set = RuleSet::from_toml_str(text, origin)?;
            for rule in &set.rules {
                if let Some(c) = rule.classes.iter().find(|c| !c.is_builtin()) {
                    return Err(Error::invalid(
                        *origin,
                        format!(
                            "rule `{}`: class `{c}` is not built in; custom classes get their rules from [[classes]]",
                            rule.id
                        ),
                    ));
                }
            }
            if set.name == "baseline" {
                baseline = Some(set);
            } else {
                let regime: Regime = set.name.parse()?;
                if regimes.insert(regime, set).is_some() {
                    return Err(Error::invalid(
                        *origin,
                        format!("regime `{regime}` defined twice"),
                    ));
                }
            }
        }
        let baseline = baseline.ok_or_else(|| Error::invalid("rules", "no `baseline` rule set"))?;
        if let Some(missing) = Regime::ALL.iter().find(|r| !regimes.contains_key(r)) {
            return Err(Error::invalid(
                "rules",
                format!("no rule set for regime `{missing}`"),
            ));
        }
        Ok(RuleBook { baseline, regimes })
    }

    pub fn baseline(&self) -> &RuleSet {
        &self.baseline
    }

    pub fn regime(&self, r: Regime) -> Option<&RuleSet> {
        self.regimes.get(&r)
    }

    /// The baseline, then every regime's set in `Regime` order.
    pub fn sets(&self) -> impl Iterator<Item = &RuleSet> {
        std::iter::once(&self.baseline).chain(self.regimes.values())
    }

    /// A rule by id, in any set.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.sets().find_map(|s| s.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load_and_cite() {
        let book = RuleBook::builtin().unwrap();
        for set in book.sets().filter(|s| !s.rules.is_empty()) {
            let source = set.source.as_deref().unwrap_or_default();
            assert!(source.starts_with("https://"), "{}", set.name);
            for rule in &set.rules {
                assert!(!rule.cite.is_empty(), "{}", rule.id);
            }
        }
        let hipaa = book.regime(Regime::Hipaa).unwrap();
        let baa = hipaa.get("hipaa.baa_required").unwrap();
        assert_eq!(baa.require, Some(Fact::BaaSigned));
        assert_eq!(baa.classes, [DataClass::Phi]);
        assert!(book.regime(Regime::None).unwrap().rules.is_empty());
        assert!(
            book.baseline()
                .rules
                .iter()
                .any(|r| r.classes.contains(&DataClass::Secret) && r.routes == Scope::Any)
        );
    }

    #[test]
    fn rule_files_are_checked() {
        let head = "name = \"hipaa\"\nversion = 1\nupdated = 2026-01-01\ntitle = \"t\"\nsource = \"https://x\"\n";
        let rule = |body: &str| format!("{head}[[rules]]\n{body}\n");
        let ok = "id = \"hipaa.x\"\ncite = \"c\"\nclasses = [\"PHI\"]\naction = \"block\"\ndetail = \"d\"";
        RuleSet::from_toml_str(&rule(ok), "t").unwrap();
        for (bad, needle) in [
            (ok.replace("hipaa.x", "gdpr.x"), "ids are"),
            (ok.replace("\"block\"", "\"allow\""), "never restricts"),
            (ok.replace("[\"PHI\"]", "[]"), "no classes"),
            (ok.replace("\"block\"", "\"burn\""), "unknown variant"),
            (format!("{ok}\nrequire = \"bba_signed\""), "unknown variant"),
            (format!("{ok}\ngap = \"to {{nowhere}}\""), "placeholders"),
            (format!("{ok}\ncolour = 1"), "unknown field"),
        ] {
            let err = RuleSet::from_toml_str(&rule(&bad), "t")
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn templates() {
        let v = [("route", "openai"), ("classes", "PHI")];
        assert_eq!(
            render_template("sends {classes} to `{route}`", &v).unwrap(),
            "sends PHI to `openai`"
        );
        assert!(render_template("{tenant}", &v).is_none());
        assert!(render_template("{route", &v).is_none());
        assert_eq!(render_template("plain", &v).unwrap(), "plain");
    }

    #[test]
    fn action_order_is_strictness() {
        assert!(Action::Allow < Action::Pseudonymize);
        assert!(Action::Pseudonymize < Action::RoutePrivate);
        assert!(Action::RoutePrivate < Action::Block);
    }
}
