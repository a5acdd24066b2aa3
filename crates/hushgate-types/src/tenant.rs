use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The tenant a request, a vault or a policy belongs to.
///
/// A short name of ASCII letters, digits, `.`, `_` and `-` (1 to 64 bytes),
/// safe to print in errors and logs. Tenants are isolated: a vault sealed for
/// one tenant never opens or restores for another.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Arc<str>);

impl TenantId {
    /// The tenant used when none is configured.
    pub fn default_tenant() -> TenantId {
        TenantId(Arc::from("default"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TenantId {
    fn default() -> Self {
        TenantId::default_tenant()
    }
}

/// The error returned when a string is not a valid tenant id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseTenantIdError {
    len: usize,
}

impl fmt::Display for ParseTenantIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid tenant id ({} bytes): use 1 to 64 ASCII letters, digits, '.', '_' or '-'",
            self.len
        )
    }
}

impl std::error::Error for ParseTenantIdError {}

impl FromStr for TenantId {
    type Err = ParseTenantIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(TenantId(Arc::from(s)))
        } else {
            Err(ParseTenantIdError { len: s.len() })
        }
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({})", self.0)
    }
}

impl Serialize for TenantId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            "acme-prod.eu_1".parse::<TenantId>().unwrap().as_str(),
            "acme-prod.eu_1"
        );
        assert!("".parse::<TenantId>().is_err());
        assert!("a b".parse::<TenantId>().is_err());
        assert!("x".repeat(65).parse::<TenantId>().is_err());
        assert_eq!(TenantId::default().as_str(), "default");
    }
}
