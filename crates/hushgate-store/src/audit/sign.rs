use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::CheckpointRow;
use super::chain::checkpoint_message;
use crate::util::random_bytes;
use crate::{Error, Result};

/// The Ed25519 key that signs chain checkpoints and purge anchors, from configuration.
///
/// Configured as 64 hex digits (the 32-byte seed). `Debug` shows only the key id: the first
/// 8 bytes of SHA-256 of the public key, in hex, which checkpoints carry so keys can rotate.
#[derive(Clone)]
pub struct AuditSigner {
    key: SigningKey,
    key_id: String,
}

fn key_id_of(public: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public.as_bytes())[..8])
}

fn decode32(what: &'static str, s: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(s.trim()).map_err(|_| Error::invalid(what, "expected hex digits"))?;
    bytes
        .try_into()
        .map_err(|_| Error::invalid(what, "expected 32 bytes (64 hex digits)"))
}

impl AuditSigner {
    /// A new random key (for `hushgate audit keygen`, and tests).
    pub fn generate() -> Result<AuditSigner> {
        Ok(AuditSigner::from_seed(random_bytes::<32>()?))
    }

    /// The key with this 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> AuditSigner {
        let key = SigningKey::from_bytes(&seed);
        let key_id = key_id_of(&key.verifying_key());
        AuditSigner { key, key_id }
    }

    /// Parses the configured seed: 64 hex digits.
    pub fn from_hex(seed_hex: &str) -> Result<AuditSigner> {
        Ok(AuditSigner::from_seed(decode32("signing key", seed_hex)?))
    }

    /// The seed as 64 hex digits, to write into a new configuration.
    pub fn seed_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// The public key as 64 hex digits, for verifiers that must not hold the secret.
    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// The key id carried by every checkpoint this key signs.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The verifying-key set holding this key's public half.
    pub fn verifying_keys(&self) -> VerifyingKeys {
        VerifyingKeys(vec![(self.key_id.clone(), self.key.verifying_key())])
    }

    pub(crate) fn sign(
        &self,
        kind: &str,
        tenant: &str,
        seq: i64,
        hash: &[u8],
        created_us: i64,
    ) -> Vec<u8> {
        let msg = checkpoint_message(kind, tenant, seq, hash, created_us, &self.key_id);
        self.key.sign(&msg).to_bytes().to_vec()
    }
}

impl fmt::Debug for AuditSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditSigner({})", self.key_id)
    }
}

/// The public keys `verify` trusts: the current key, plus retired ones after a rotation.
#[derive(Clone, Debug, Default)]
pub struct VerifyingKeys(Vec<(String, VerifyingKey)>);

impl VerifyingKeys {
    /// An empty set (nothing verifies until a key is added).
    pub fn new() -> VerifyingKeys {
        VerifyingKeys::default()
    }

    /// Adds a public key given as 64 hex digits.
    pub fn add_public_hex(&mut self, public_hex: &str) -> Result<()> {
        let key = VerifyingKey::from_bytes(&decode32("verifying key", public_hex)?)
            .map_err(|_| Error::invalid("verifying key", "not an Ed25519 public key"))?;
        self.0.push((key_id_of(&key), key));
        Ok(())
    }

    /// Adds every key of `other`.
    pub fn extend(&mut self, other: &VerifyingKeys) {
        self.0.extend(other.0.iter().cloned());
    }

    /// Whether the row carries a valid signature by one of these keys.
    pub(crate) fn check(&self, cp: &CheckpointRow) -> SignatureCheck {
        let Some((_, key)) = self.0.iter().find(|(id, _)| *id == cp.key_id) else {
            return SignatureCheck::UnknownKey;
        };
        let Ok(sig) = Signature::from_slice(&cp.signature) else {
            return SignatureCheck::Bad;
        };
        let msg = checkpoint_message(
            &cp.kind,
            &cp.tenant,
            cp.seq,
            &cp.hash,
            cp.created_us,
            &cp.key_id,
        );
        if key.verify_strict(&msg, &sig).is_ok() {
            SignatureCheck::Good
        } else {
            SignatureCheck::Bad
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SignatureCheck {
    Good,
    Bad,
    UnknownKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_check_round_trip() {
        let s = AuditSigner::from_seed([7u8; 32]);
        let again = AuditSigner::from_hex(&s.seed_hex()).unwrap();
        assert_eq!(s.key_id(), again.key_id());
        let row = |kind: &str, seq, signature| CheckpointRow {
            id: 1,
            tenant: "clinic".into(),
            kind: kind.into(),
            seq,
            hash: vec![1u8; 32],
            created_us: 99,
            key_id: s.key_id().into(),
            signature,
        };
        let sig = s.sign("checkpoint", "clinic", 5, &[1u8; 32], 99);
        let keys = s.verifying_keys();
        assert_eq!(
            keys.check(&row("checkpoint", 5, sig.clone())),
            SignatureCheck::Good
        );
        assert_eq!(
            keys.check(&row("checkpoint", 6, sig.clone())),
            SignatureCheck::Bad
        );
        assert_eq!(
            keys.check(&row("anchor", 5, sig.clone())),
            SignatureCheck::Bad
        );
        assert_eq!(
            keys.check(&row("checkpoint", 5, sig[..10].to_vec())),
            SignatureCheck::Bad
        );
        let mut public_only = VerifyingKeys::new();
        public_only.add_public_hex(&s.public_hex()).unwrap();
        let anchor = s.sign("anchor", "clinic", 5, &[1u8; 32], 99);
        assert_eq!(
            public_only.check(&row("anchor", 5, anchor)),
            SignatureCheck::Good
        );
        assert_eq!(
            VerifyingKeys::new().check(&row("checkpoint", 5, sig)),
            SignatureCheck::UnknownKey
        );
        assert!(!format!("{s:?}").contains(&s.seed_hex()));
        assert!(AuditSigner::from_hex("abc").is_err());
    }
}
