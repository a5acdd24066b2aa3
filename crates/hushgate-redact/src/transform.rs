//! What happens to each detected value, chosen per entity type.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use hushgate_types::EntityType;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// One way of transforming a sensitive value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transformation {
    /// Reversible: a placeholder such as `[PERSON_1]`, the same for the same
    /// value everywhere in one request.
    #[default]
    Pseudonymize,
    /// Reversible: a realistic fake of the same shape (a Luhn-valid test card,
    /// an address at example.com, a shifted date), restored by exact match.
    /// Values with no surrogate generator of their shape fall back to a
    /// placeholder.
    Surrogate,
    /// Irreversible: `****-****-****-1234`.
    Mask,
    /// Irreversible: `[REDACTED_CREDIT_CARD]`.
    Redact,
    /// Irreversible but stable per tenant key: `[CREDIT_CARD:9f86d081884c7d65]`
    /// (HMAC-SHA256), for analytics and joins.
    Hash,
    /// Keep the value.
    Allow,
}

impl Transformation {
    /// Whether the vault can give the original back.
    pub fn is_reversible(self) -> bool {
        matches!(
            self,
            Transformation::Pseudonymize | Transformation::Surrogate | Transformation::Allow
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Transformation::Pseudonymize => "pseudonymize",
            Transformation::Surrogate => "surrogate",
            Transformation::Mask => "mask",
            Transformation::Redact => "redact",
            Transformation::Hash => "hash",
            Transformation::Allow => "allow",
        }
    }
}

impl fmt::Display for Transformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Transformation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "pseudonymize" => Transformation::Pseudonymize,
            "surrogate" => Transformation::Surrogate,
            "mask" => Transformation::Mask,
            "redact" => Transformation::Redact,
            "hash" => Transformation::Hash,
            "allow" => Transformation::Allow,
            _ => {
                return Err(format!(
                    "`{s}` is not a transformation: use pseudonymize, surrogate, mask, redact, hash or allow"
                ));
            }
        })
    }
}

/// Which transformation applies to which entity type. Deserializes from the
/// `[redact]` table of a TOML config (unknown keys are errors).
///
/// ```
/// use hushgate_redact::{RedactOptions, Transformation};
/// use hushgate_types::EntityType;
/// let opts: RedactOptions = toml::from_str(r#"
///     default = "pseudonymize"
///     [entities]
///     CREDIT_CARD = "mask"
///     DATE_TIME = "surrogate"
///     ORGANIZATION = "allow"
/// "#).unwrap();
/// assert_eq!(opts.transformation(&EntityType::CreditCard), Transformation::Mask);
/// assert_eq!(opts.transformation(&EntityType::Person), Transformation::Pseudonymize);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactOptions {
    /// Applied to every type not listed in `entities`. Default: pseudonymize.
    pub default: Transformation,
    /// Per entity type (Presidio names, or your custom types), e.g.
    /// `CREDIT_CARD = "mask"`.
    pub entities: BTreeMap<EntityType, Transformation>,
}

impl RedactOptions {
    /// One transformation for every type.
    pub fn all(t: Transformation) -> RedactOptions {
        RedactOptions {
            default: t,
            entities: BTreeMap::new(),
        }
    }

    pub fn transformation(&self, t: &EntityType) -> Transformation {
        self.entities.get(t).copied().unwrap_or(self.default)
    }

    pub(crate) fn uses(&self, t: Transformation) -> bool {
        self.default == t || self.entities.values().any(|&v| v == t)
    }
}

/// Types whose last four characters are commonly shown (cards, accounts).
fn keeps_last_four(t: &EntityType) -> bool {
    matches!(
        t,
        EntityType::CreditCard
            | EntityType::UsBankNumber
            | EntityType::IbanCode
            | EntityType::UsSsn
            | EntityType::PhoneNumber
            | EntityType::UkNhs
    )
}

/// Masks letters and digits with `*`, keeping separators (so the shape stays
/// readable) and, for card-like types, the last four; for e-mail addresses the
/// first character and the top-level domain.
pub(crate) fn mask(t: &EntityType, value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    if let Some((local, domain)) = value
        .rsplit_once('@')
        .filter(|_| *t == EntityType::EmailAddress)
    {
        {
            let mut chars = local.chars();
            if let Some(first) = chars.next() {
                out.push(first);
            }
            out.extend(chars.map(|c| if c.is_alphanumeric() { '*' } else { c }));
            out.push('@');
            let tld = domain.rfind('.').unwrap_or(domain.len());
            out.extend(
                domain[..tld]
                    .chars()
                    .map(|c| if c.is_alphanumeric() { '*' } else { c }),
            );
            out.push_str(&domain[tld..]);
            return out;
        }
    }
    let keep = if keeps_last_four(t) {
        let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
        // Keep four only when at least twice as many stay hidden.
        if alnum >= 12 { 4 } else { 0 }
    } else {
        0
    };
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let mut seen = 0;
    for c in value.chars() {
        if c.is_alphanumeric() {
            seen += 1;
            out.push(if seen > total - keep { c } else { '*' });
        } else {
            out.push(c);
        }
    }
    out
}

/// `[REDACTED_CREDIT_CARD]`.
pub(crate) fn redacted(t: &EntityType) -> String {
    format!("[REDACTED_{}]", t.as_str())
}

/// `[CREDIT_CARD:9f86d081884c7d65]`: the first 64 bits of
/// HMAC-SHA256(key, type NUL normalized value), so trivial variants of a value
/// hash alike and nothing is learned without the key.
pub(crate) fn hashed(key: &[u8], t: &EntityType, normalized: &str) -> String {
    let mut out = format!("[{}:", t.as_str());
    if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) {
        mac.update(t.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        let tag = mac.finalize().into_bytes();
        for b in &tag[..8] {
            out.push_str(&format!("{b:02x}"));
        }
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_shape() {
        assert_eq!(
            mask(&EntityType::CreditCard, "4111-1111-1111-1234"),
            "****-****-****-1234"
        );
        assert_eq!(mask(&EntityType::UsSsn, "219-09-9999"), "***-**-****");
        assert_eq!(
            mask(&EntityType::EmailAddress, "jane.doe@mail.example.org"),
            "j***.***@****.*******.org"
        );
        assert_eq!(mask(&EntityType::Person, "Ana Ruiz"), "*** ****");
    }

    #[test]
    fn hash_is_keyed_and_stable() {
        let a = hashed(b"tenant-a-secret-key", &EntityType::UsSsn, "219099999");
        let b = hashed(b"tenant-a-secret-key", &EntityType::UsSsn, "219099999");
        let c = hashed(b"tenant-b-secret-key", &EntityType::UsSsn, "219099999");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(
            a.starts_with("[US_SSN:") && a.len() == "[US_SSN:]".len() + 16,
            "{a}"
        );
    }

    #[test]
    fn options_parse_and_reject_unknown_keys() {
        let o: RedactOptions = toml::from_str("default = \"redact\"\n").unwrap();
        assert_eq!(
            o.transformation(&EntityType::Person),
            Transformation::Redact
        );
        assert!(toml::from_str::<RedactOptions>("defualt = \"redact\"\n").is_err());
        assert!(toml::from_str::<RedactOptions>("default = \"scramble\"\n").is_err());
    }
}
