use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! entity_types {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// A kind of sensitive value, named as Microsoft Presidio names it.
        ///
        /// `Custom` carries the name of a tenant-defined type (from a deny-list or
        /// a custom pattern); names are upper snake case.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EntityType {
            $(#[doc = $doc] $variant,)*
            /// A tenant-defined type from configuration.
            Custom(Arc<str>),
        }

        impl EntityType {
            /// Every built-in type, in declaration order.
            pub const BUILTIN: &'static [EntityType] = &[$(EntityType::$variant,)*];

            /// The Presidio name, e.g. `"EMAIL_ADDRESS"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $(EntityType::$variant => $name,)*
                    EntityType::Custom(name) => name,
                }
            }

            fn builtin_from_str(s: &str) -> Option<EntityType> {
                match s {
                    $($name => Some(EntityType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

entity_types! {
    Person => "PERSON", "A person's name, full or partial.";
    Location => "LOCATION", "A street address, city or postcode.";
    Organization => "ORGANIZATION", "A company, hospital, bank or insurer.";
    DateTime => "DATE_TIME", "A date or time about a person or an event.";
    EmailAddress => "EMAIL_ADDRESS", "An e-mail address.";
    PhoneNumber => "PHONE_NUMBER", "A telephone number, with extension.";
    CreditCard => "CREDIT_CARD", "A payment card number (Luhn-valid).";
    IbanCode => "IBAN_CODE", "An IBAN (mod-97-valid).";
    UsSsn => "US_SSN", "A US social security number.";
    UsBankNumber => "US_BANK_NUMBER", "A US bank account number.";
    AbaRouting => "ABA_ROUTING_NUMBER", "A US ABA routing number (identifies a bank, not a person).";
    UsPassport => "US_PASSPORT", "A US passport number.";
    UsDriverLicense => "US_DRIVER_LICENSE", "A US driver's licence number.";
    UkNhs => "UK_NHS", "A UK NHS number (mod-11-valid).";
    MedicalLicense => "MEDICAL_LICENSE", "A DEA number or a state medical licence.";
    MedicalRecordNumber => "MEDICAL_RECORD_NUMBER", "A medical record (chart) number.";
    IpAddress => "IP_ADDRESS", "An IPv4 or IPv6 address.";
    MacAddress => "MAC_ADDRESS", "A hardware (MAC) address.";
    Url => "URL", "A URL.";
    Crypto => "CRYPTO", "A cryptocurrency wallet address.";
    ApiKey => "API_KEY", "A credential: API key, token, password or private key.";
}

/// The error returned when a string is not a valid entity type name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEntityTypeError {
    name: String,
}

impl fmt::Display for ParseEntityTypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid entity type name: use upper snake case such as EMAIL_ADDRESS or PROJECT_CODE",
            self.name
        )
    }
}

impl std::error::Error for ParseEntityTypeError {}

impl FromStr for EntityType {
    type Err = ParseEntityTypeError;

    /// Built-in Presidio names map to their variant; any other upper snake case
    /// name (`PROJECT_CODE`) becomes [`EntityType::Custom`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(t) = EntityType::builtin_from_str(s) {
            return Ok(t);
        }
        let valid = !s.is_empty()
            && s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(EntityType::Custom(Arc::from(s)))
        } else {
            Err(ParseEntityTypeError { name: s.to_owned() })
        }
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EntityType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EntityType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in EntityType::BUILTIN {
            assert_eq!(&t.as_str().parse::<EntityType>().unwrap(), t);
        }
        let custom: EntityType = "PROJECT_CODE".parse().unwrap();
        assert_eq!(custom, EntityType::Custom(Arc::from("PROJECT_CODE")));
        assert!("project code".parse::<EntityType>().is_err());
        assert!("".parse::<EntityType>().is_err());
    }

    #[test]
    fn serde_uses_presidio_names() {
        let json = serde_json::to_string(&EntityType::UsSsn).unwrap();
        assert_eq!(json, "\"US_SSN\"");
        let back: EntityType = serde_json::from_str(&json).unwrap();
        assert_eq!(back, EntityType::UsSsn);
    }
}
