use std::fmt;

use hmac::{Hmac, Mac};
use hushgate_types::EntityType;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A per-tenant key for hashing detected values, so audit records can be correlated ("the
/// same SSN appeared in these 12 requests") without holding the values.
///
/// The key must stay out of the database: with it, a low-entropy value such as an SSN can be
/// confirmed by brute force. Derive it from a server secret in configuration with
/// [`CorrelationKey::for_tenant`]; tenants get unrelated keys, so hashes do not correlate
/// across tenants.
#[derive(Clone)]
pub struct CorrelationKey([u8; 32]);

/// A keyed hash of one detected value: HMAC-SHA256 truncated to 128 bits, with its type.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ValueHash {
    /// The detected value's type.
    pub entity: EntityType,
    /// HMAC-SHA256(tenant key, type ‖ 0x00 ‖ value), first 16 bytes.
    pub digest: [u8; 16],
}

impl CorrelationKey {
    /// Derives tenant `tenant`'s key from a server-wide secret (at least 32 random bytes).
    pub fn for_tenant(server_secret: &[u8], tenant: &str) -> CorrelationKey {
        CorrelationKey(hmac32(
            server_secret,
            &[b"hushgate-correlation-v1\0", tenant.as_bytes()],
        ))
    }

    /// Uses 32 bytes as the key directly (a key kept per tenant elsewhere).
    pub fn from_bytes(key: [u8; 32]) -> CorrelationKey {
        CorrelationKey(key)
    }

    /// The keyed hash of `value` detected as `entity`. The value is hashed byte for byte:
    /// normalize first (e.g. strip spaces from a card number) to correlate spellings.
    pub fn hash(&self, entity: &EntityType, value: &str) -> ValueHash {
        let full = hmac32(
            &self.0,
            &[entity.as_str().as_bytes(), b"\0", value.as_bytes()],
        );
        let mut digest = [0u8; 16];
        digest.copy_from_slice(&full[..16]);
        ValueHash {
            entity: entity.clone(),
            digest,
        }
    }
}

impl fmt::Debug for CorrelationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CorrelationKey(..)")
    }
}

fn hmac32(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0u8; 32],
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_keyed_per_tenant_and_type() {
        let a = CorrelationKey::for_tenant(b"server secret of 32 bytes or more", "clinic");
        let b = CorrelationKey::for_tenant(b"server secret of 32 bytes or more", "bank");
        let ssn = "078-05-1120";
        assert_eq!(
            a.hash(&EntityType::UsSsn, ssn),
            a.hash(&EntityType::UsSsn, ssn)
        );
        assert_ne!(
            a.hash(&EntityType::UsSsn, ssn).digest,
            b.hash(&EntityType::UsSsn, ssn).digest
        );
        assert_ne!(
            a.hash(&EntityType::UsSsn, ssn).digest,
            a.hash(&EntityType::PhoneNumber, ssn).digest
        );
        assert_eq!(format!("{a:?}"), "CorrelationKey(..)");
    }
}
