//! Detection options: what a tenant's configuration can change.

use hushgate_types::EntityType;
use serde::Deserialize;

use crate::error::BuildError;

/// Options of one [`Engine`](crate::Engine). Deserializes from the
/// `[detection]` table of a TOML config (unknown keys are errors).
///
/// ```
/// let opts: hushgate_detect::DetectOptions = toml::from_str(r#"
///     threshold = 0.5
///     phone_regions = ["US", "DE"]
///     allow_list = ["Acme Support"]
///     [[deny_list]]
///     entity_type = "PROJECT_CODE"
///     terms = ["Project Falcon", "Bluebird"]
///     [[patterns]]
///     entity_type = "CUSTOMER_ID"
///     regex = 'CUST-[0-9]{6}'
///     score = 0.9
/// "#).unwrap();
/// assert_eq!(opts.deny_list[0].terms.len(), 2);
/// hushgate_detect::Engine::with_options(&opts).unwrap();
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectOptions {
    /// Findings scoring below this (0.0–1.0) are not reported. Default 0.4.
    pub threshold: f32,
    /// ISO 3166 regions whose national phone formats are recognized without a
    /// `+` country code, tried in order. Default: US, GB, DE, FR, ES.
    pub phone_regions: Vec<String>,
    /// Report only these entity types (default: all).
    pub entities: Option<Vec<EntityType>>,
    /// Values that are never reported, compared case-insensitively
    /// (e.g. your own support address or company name).
    pub allow_list: Vec<String>,
    /// Terms always reported as the given type (project code names, customer ids).
    pub deny_list: Vec<DenyList>,
    /// Regular expressions reported as the given type.
    pub patterns: Vec<CustomPattern>,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            threshold: 0.4,
            phone_regions: ["US", "GB", "DE", "FR", "ES"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            entities: None,
            allow_list: Vec::new(),
            deny_list: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

/// A list of terms reported as one type, matched case-insensitively on word
/// boundaries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyList {
    pub entity_type: EntityType,
    pub terms: Vec<String>,
    /// Score given to a match. Default 1.0.
    #[serde(default = "one")]
    pub score: f32,
}

/// A regular expression reported as one type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomPattern {
    pub entity_type: EntityType,
    /// regex-automata syntax; matched leftmost-first.
    pub regex: String,
    /// Score given to a match. Default 0.9.
    #[serde(default = "point_nine")]
    pub score: f32,
}

fn one() -> f32 {
    1.0
}

fn point_nine() -> f32 {
    0.9
}

impl DetectOptions {
    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        let unit = |key: &'static str, v: f32| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(BuildError::Option {
                    key,
                    message: format!("{v} is outside 0.0..=1.0"),
                })
            }
        };
        unit("threshold", self.threshold)?;
        for d in &self.deny_list {
            unit("deny_list.score", d.score)?;
            if d.terms.iter().any(|t| t.trim().is_empty()) {
                return Err(BuildError::Option {
                    key: "deny_list.terms",
                    message: "a term is empty".into(),
                });
            }
        }
        for p in &self.patterns {
            unit("patterns.score", p.score)?;
        }
        for r in &self.phone_regions {
            if r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(BuildError::Option {
                    key: "phone_regions",
                    message: format!("`{r}` is not a two-letter upper-case ISO 3166 region"),
                });
            }
        }
        Ok(())
    }
}
