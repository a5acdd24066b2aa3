//! Data classes and how entity types map to them.
//!
//! A finding's *entity type* says what a value is (`US_SSN`); its *data classes* say which
//! obligations it carries (`PII`, and `PHI` in a health context). Rules are written over
//! classes, never over entity types, so a regime does not change when a recognizer is added.
//!
//! # The mapping
//!
//! | entity type | base classes | HIPAA identifier (45 CFR 164.514(b)(2)(i)) |
//! |---|---|---|
//! | `PERSON` | PII | (A) names |
//! | `LOCATION` | PII | (B) geographic subdivisions smaller than a state |
//! | `DATE_TIME` | — | (C) dates (except year) directly related to an individual |
//! | `PHONE_NUMBER` | PII | (D) telephone and (E) fax numbers |
//! | `EMAIL_ADDRESS` | PII | (F) e-mail addresses |
//! | `US_SSN` | PII | (G) social security numbers |
//! | `MEDICAL_RECORD_NUMBER` | PII | (H) medical record numbers; **implies a health context** |
//! | `US_BANK_NUMBER`, `IBAN_CODE` | PII | (J) account numbers |
//! | `CREDIT_CARD` | PCI, PII | (J) account numbers |
//! | `US_DRIVER_LICENSE`, `US_PASSPORT`, `MEDICAL_LICENSE` | PII | (K) certificate/license numbers |
//! | `MAC_ADDRESS` | PII | (M) device identifiers |
//! | `URL` | — | (N) web URLs |
//! | `IP_ADDRESS` | PII | (O) IP addresses |
//! | `UK_NHS`, `CRYPTO` | PII | (R) any other unique identifying number |
//! | `API_KEY` | SECRET | no |
//! | `ORGANIZATION`, `ABA_ROUTING_NUMBER` | — | no (they name an organization or a bank, not a person) |
//! | tenant types (`PROJECT_CODE`, ...) | from `[entity_classes]` in the policy config | yes if mapped to PII |
//!
//! "—" means the type carries no class of its own: a date or a URL alone identifies no one.
//! A card number is both PCI (PCI DSS) and PII (it identifies an account holder: personal
//! data under GDPR, personal information under CCPA 1798.140(v)(1)).
//! The policy config's `[entity_classes]` overrides any row (e.g. `ORGANIZATION = "PII"`).
//!
//! **PHI** is added on top of the base class when all three hold: the tenant's regimes include
//! `hipaa`, the text is in a health context (the caller's `clinical_context` signal, the tenant's
//! `clinical_context = "always"`, or a finding that implies one such as a medical record number),
//! and the type is one of HIPAA's identifiers. Classes are additive: a name in a clinical note
//! of a HIPAA tenant is both PII and PHI, and a card number there is both PCI and PHI, so every
//! regime that cares sees it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use hushgate_types::EntityType;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A class of data that carries obligations: rules are written over these.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum DataClass {
    /// Protected health information: a HIPAA identifier in a health context.
    Phi,
    /// Personal data / personal information about a natural person.
    Pii,
    /// Payment card data (the PAN).
    Pci,
    /// Credentials: API keys, tokens, passwords, private keys.
    Secret,
    /// A class defined in the policy config (`[[classes]]`), upper snake case.
    Custom(Arc<str>),
}

/// The error for a string that is not a data class name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a data class name: use PHI, PII, PCI, SECRET or an upper snake case name")]
pub struct ParseClassError(String);

impl DataClass {
    /// The built-in classes.
    pub const BUILTIN: [DataClass; 4] = [
        DataClass::Phi,
        DataClass::Pii,
        DataClass::Pci,
        DataClass::Secret,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            DataClass::Phi => "PHI",
            DataClass::Pii => "PII",
            DataClass::Pci => "PCI",
            DataClass::Secret => "SECRET",
            DataClass::Custom(name) => name,
        }
    }

    pub fn is_builtin(&self) -> bool {
        !matches!(self, DataClass::Custom(_))
    }
}

impl FromStr for DataClass {
    type Err = ParseClassError;

    fn from_str(s: &str) -> Result<DataClass, ParseClassError> {
        Ok(match s {
            "PHI" => DataClass::Phi,
            "PII" => DataClass::Pii,
            "PCI" => DataClass::Pci,
            "SECRET" => DataClass::Secret,
            _ if is_upper_snake(s) => DataClass::Custom(Arc::from(s)),
            _ => return Err(ParseClassError(s.chars().take(64).collect())),
        })
    }
}

pub(crate) fn is_upper_snake(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

impl fmt::Display for DataClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for DataClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DataClass {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DataClass {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DataClass, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a built-in entity type maps: its base class and whether HIPAA counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinMapping {
    /// The classes the type carries everywhere (empty: none of its own).
    pub classes: &'static [BuiltinClass],
    /// One of the 18 identifiers of 45 CFR 164.514(b)(2)(i).
    pub hipaa_identifier: bool,
    /// Its presence alone makes the text a health context (a medical record number).
    pub implies_clinical: bool,
}

/// The built-in classes as a `Copy` type, for the static mapping table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinClass {
    Pii,
    Pci,
    Secret,
}

impl From<BuiltinClass> for DataClass {
    fn from(c: BuiltinClass) -> DataClass {
        match c {
            BuiltinClass::Pii => DataClass::Pii,
            BuiltinClass::Pci => DataClass::Pci,
            BuiltinClass::Secret => DataClass::Secret,
        }
    }
}

/// The documented mapping for a built-in entity type; `None` for tenant (`Custom`) types,
/// which only the policy config can classify.
pub fn builtin_mapping(t: &EntityType) -> Option<BuiltinMapping> {
    use BuiltinClass::{Pci, Pii, Secret};
    let m = |classes, hipaa_identifier| BuiltinMapping {
        classes,
        hipaa_identifier,
        implies_clinical: false,
    };
    Some(match t {
        EntityType::Person
        | EntityType::Location
        | EntityType::PhoneNumber
        | EntityType::EmailAddress
        | EntityType::UsSsn
        | EntityType::UsBankNumber
        | EntityType::IbanCode
        | EntityType::UsDriverLicense
        | EntityType::UsPassport
        | EntityType::MedicalLicense
        | EntityType::MacAddress
        | EntityType::IpAddress
        | EntityType::UkNhs
        | EntityType::Crypto => m(&[Pii], true),
        EntityType::MedicalRecordNumber => BuiltinMapping {
            classes: &[Pii],
            hipaa_identifier: true,
            implies_clinical: true,
        },
        EntityType::CreditCard => m(&[Pci, Pii], true),
        EntityType::ApiKey => m(&[Secret], false),
        EntityType::DateTime | EntityType::Url => m(&[], true),
        EntityType::Organization | EntityType::AbaRouting => m(&[], false),
        // `EntityType` is non-exhaustive: a built-in type added later is unknown here until
        // someone maps it, and is refused like an unmapped tenant type (fail closed).
        _ => return None,
    })
}

/// The data classes present in one request, each with the entity types that carry it.
///
/// Holds types only, never values.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Classified {
    classes: BTreeMap<DataClass, BTreeSet<EntityType>>,
}

impl Classified {
    pub(crate) fn add(&mut self, class: DataClass, t: &EntityType) {
        self.classes.entry(class).or_default().insert(t.clone());
    }

    /// A set holding `class` with no types (the review reasons about classes alone).
    pub(crate) fn only(class: DataClass) -> Classified {
        let mut c = Classified::default();
        c.classes.insert(class, BTreeSet::new());
        c
    }

    /// Classes present, in a stable order.
    pub fn classes(&self) -> impl Iterator<Item = &DataClass> {
        self.classes.keys()
    }

    /// The entity types that carry `class` (empty if absent).
    pub fn types(&self, class: &DataClass) -> impl Iterator<Item = &EntityType> {
        self.classes.get(class).into_iter().flatten()
    }

    pub fn contains(&self, class: &DataClass) -> bool {
        self.classes.contains_key(class)
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&DataClass, &BTreeSet<EntityType>)> {
        self.classes.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_entity_type_is_mapped() {
        for t in EntityType::BUILTIN {
            assert!(builtin_mapping(t).is_some(), "{t} has no mapping");
        }
        assert!(builtin_mapping(&"PROJECT_CODE".parse().unwrap()).is_none());
    }

    #[test]
    fn class_names_round_trip() {
        for c in DataClass::BUILTIN {
            assert_eq!(c.as_str().parse::<DataClass>().unwrap(), c);
        }
        assert_eq!(
            "CONFIDENTIAL".parse::<DataClass>().unwrap(),
            DataClass::Custom(Arc::from("CONFIDENTIAL"))
        );
        assert!("phi".parse::<DataClass>().is_err());
        assert!("".parse::<DataClass>().is_err());
    }

    #[test]
    fn hipaa_identifiers_are_the_documented_ones() {
        let not_identifiers: Vec<_> = EntityType::BUILTIN
            .iter()
            .filter(|t| builtin_mapping(t).is_some_and(|m| !m.hipaa_identifier))
            .map(|t| t.as_str())
            .collect();
        assert_eq!(
            not_identifiers,
            ["ORGANIZATION", "ABA_ROUTING_NUMBER", "API_KEY"]
        );
    }
}
