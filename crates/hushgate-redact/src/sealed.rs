//! The persisted vault: encrypted at rest, bound to a tenant, with a TTL.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "HGVT"
//! 4       1     format version (1)
//! 5       1     cipher (1 = XChaCha20-Poly1305)
//! 6       8     created at, unix seconds, big-endian
//! 14      8     expires at, unix seconds, big-endian
//! 22      1     tenant id length n (1..=64)
//! 23      n     tenant id (ASCII)
//! 23+n    24    nonce (random)
//! 47+n    ..    ciphertext of the vault contents, then the 16-byte tag
//! ```
//!
//! Everything before the nonce is authenticated as associated data: changing
//! the tenant or stretching the expiry makes decryption fail.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hushgate_types::TenantId;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::vault::Vault;

const MAGIC: &[u8; 4] = b"HGVT";
const VERSION: u8 = 1;
const CIPHER_XCHACHA20POLY1305: u8 = 1;
const NONCE_LEN: usize = 24;

/// A 256-bit vault key. Zeroized on drop; `Debug` does not show it.
///
/// ```
/// use hushgate_redact::VaultKey;
/// let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/// let k = VaultKey::parse(hex).unwrap();
/// assert_eq!(format!("{k:?}"), "VaultKey(..)");
/// let b64 = "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=";
/// assert_eq!(VaultKey::parse(b64).unwrap().as_bytes(), k.as_bytes());
/// let err = VaultKey::parse("hunter2").unwrap_err().to_string();
/// assert!(!err.contains("hunter2") && err.contains("64 hex characters"));
/// ```
#[derive(Clone)]
pub struct VaultKey(Zeroizing<[u8; 32]>);

impl VaultKey {
    pub fn from_bytes(bytes: [u8; 32]) -> VaultKey {
        VaultKey(Zeroizing::new(bytes))
    }

    /// A fresh random key.
    pub fn generate() -> VaultKey {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&key);
        VaultKey::from_bytes(bytes)
    }

    /// Parses 64 hex characters or base64 (standard or URL-safe, padded or
    /// not) of exactly 32 bytes; surrounding whitespace is ignored. Errors
    /// never include the input.
    pub fn parse(s: &str) -> Result<VaultKey, Error> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::InvalidKey {
                reason: "the key is empty".into(),
            });
        }
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut out = [0u8; 32];
            for (i, pair) in s.as_bytes().chunks_exact(2).enumerate() {
                let hi = hex_val(pair[0]);
                let lo = hex_val(pair[1]);
                out[i] = (hi << 4) | lo;
            }
            return Ok(VaultKey::from_bytes(out));
        }
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(s).ok())
            .map(Zeroizing::new);
        match decoded {
            Some(bytes) if bytes.len() == 32 => {
                let mut out = [0u8; 32];
                out.copy_from_slice(&bytes);
                Ok(VaultKey::from_bytes(out))
            }
            Some(bytes) => Err(Error::InvalidKey {
                reason: format!("it decodes as base64 to {} bytes, not 32", bytes.len()),
            }),
            None => Err(Error::InvalidKey {
                reason: format!(
                    "{} characters that are neither hex nor base64",
                    s.chars().count()
                ),
            }),
        }
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as 64 lower-case hex characters.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(64));
        for b in self.0.iter() {
            s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
            s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
        }
        s
    }
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultKey(..)")
    }
}

/// What a sealed vault's header says, readable without the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedInfo {
    pub tenant: TenantId,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

struct Header<'a> {
    info: SealedInfo,
    aad: &'a [u8],
    nonce: &'a [u8],
    ciphertext: &'a [u8],
}

fn parse_header(bytes: &[u8]) -> Result<Header<'_>, Error> {
    if bytes.len() < 4 || &bytes[..4] != MAGIC {
        return Err(Error::NotAVault);
    }
    let truncated = Error::Corrupt {
        reason: "truncated",
    };
    let fixed = bytes.get(..23).ok_or(truncated)?;
    let (version, cipher) = (fixed[4], fixed[5]);
    if version != VERSION || cipher != CIPHER_XCHACHA20POLY1305 {
        return Err(Error::UnsupportedVersion { version, cipher });
    }
    let mut n8 = [0u8; 8];
    n8.copy_from_slice(&fixed[6..14]);
    let created_at = u64::from_be_bytes(n8);
    n8.copy_from_slice(&fixed[14..22]);
    let expires_at = u64::from_be_bytes(n8);
    let tl = usize::from(fixed[22]);
    let tenant_end = 23 + tl;
    let tenant = bytes
        .get(23..tenant_end)
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|t| t.parse::<TenantId>().ok())
        .ok_or(Error::Corrupt { reason: "tenant" })?;
    let nonce = bytes
        .get(tenant_end..tenant_end + NONCE_LEN)
        .ok_or(Error::Corrupt {
            reason: "truncated",
        })?;
    Ok(Header {
        info: SealedInfo {
            tenant,
            created_at,
            expires_at,
        },
        aad: &bytes[..tenant_end],
        nonce,
        ciphertext: &bytes[tenant_end + NONCE_LEN..],
    })
}

impl Vault {
    /// Encrypts the vault with `key`; it can be opened until `ttl` from now.
    pub fn seal(&self, key: &VaultKey, ttl: Duration) -> Result<Vec<u8>, Error> {
        self.seal_at(key, ttl, SystemTime::now())
    }

    /// [`Vault::seal`] with an explicit clock.
    pub fn seal_at(
        &self,
        key: &VaultKey,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<Vec<u8>, Error> {
        let created = unix(now);
        let expires = created.saturating_add(ttl.as_secs());
        let tenant = self.tenant().as_str().as_bytes();
        let mut out = Vec::with_capacity(23 + tenant.len() + NONCE_LEN + 64);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(CIPHER_XCHACHA20POLY1305);
        out.extend_from_slice(&created.to_be_bytes());
        out.extend_from_slice(&expires.to_be_bytes());
        out.push(u8::try_from(tenant.len()).map_err(|_| Error::Encrypt)?);
        out.extend_from_slice(tenant);
        // A failing OS RNG is an error, not a panic (nor a fixed nonce).
        let mut nonce = XNonce::default();
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| Error::Encrypt)?;
        let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
        let plaintext = self.to_bytes();
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &plaintext,
                    aad: &out,
                },
            )
            .map_err(|_| Error::Encrypt)?;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypts a sealed vault for `tenant`. Fails when it belongs to another
    /// tenant, has expired, or the key is wrong (or the bytes were altered).
    pub fn open(bytes: &[u8], key: &VaultKey, tenant: &TenantId) -> Result<Vault, Error> {
        Vault::open_at(bytes, key, tenant, SystemTime::now())
    }

    /// [`Vault::open`] with an explicit clock.
    pub fn open_at(
        bytes: &[u8],
        key: &VaultKey,
        tenant: &TenantId,
        now: SystemTime,
    ) -> Result<Vault, Error> {
        let h = parse_header(bytes)?;
        if &h.info.tenant != tenant {
            return Err(Error::TenantMismatch {
                vault: h.info.tenant,
                requested: tenant.clone(),
            });
        }
        let now = unix(now);
        if now >= h.info.expires_at {
            return Err(Error::Expired {
                expires_at: h.info.expires_at,
                ago_secs: now - h.info.expires_at,
            });
        }
        let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
        let plaintext = cipher
            .decrypt(
                XNonce::from_slice(h.nonce),
                Payload {
                    msg: h.ciphertext,
                    aad: h.aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| Error::Decrypt)?;
        Vault::from_bytes(h.info.tenant, &plaintext)
    }

    /// Reads a sealed vault's header (tenant, times) without the key.
    pub fn sealed_info(bytes: &[u8]) -> Result<SealedInfo, Error> {
        parse_header(bytes).map(|h| h.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hushgate_types::EntityType;

    fn sample() -> Vault {
        let mut v = Vault::with_seed("acme".parse().unwrap(), 9);
        v.intern(&EntityType::EmailAddress, "canary.person@corp.example");
        v
    }

    #[test]
    fn seal_open_round_trip() {
        let key = VaultKey::generate();
        let v = sample();
        let sealed = v.seal(&key, Duration::from_secs(60)).unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("canary"), "plaintext leaked");
        let w = Vault::open(&sealed, &key, v.tenant()).unwrap();
        assert_eq!(w.restore("[EMAIL_ADDRESS_1]"), "canary.person@corp.example");
        let info = Vault::sealed_info(&sealed).unwrap();
        assert_eq!(info.tenant.as_str(), "acme");
        assert_eq!(info.expires_at - info.created_at, 60);
    }

    #[test]
    fn wrong_key_tenant_expiry_and_tampering_fail() {
        let key = VaultKey::generate();
        let v = sample();
        let now = SystemTime::now();
        let sealed = v.seal_at(&key, Duration::from_secs(60), now).unwrap();
        let tenant = v.tenant().clone();
        assert!(matches!(
            Vault::open_at(&sealed, &VaultKey::generate(), &tenant, now),
            Err(Error::Decrypt)
        ));
        assert!(matches!(
            Vault::open_at(&sealed, &key, &"globex".parse().unwrap(), now),
            Err(Error::TenantMismatch { .. })
        ));
        let later = now + Duration::from_secs(61);
        assert!(matches!(
            Vault::open_at(&sealed, &key, &tenant, later),
            Err(Error::Expired { .. })
        ));
        // Stretching the expiry in the header breaks authentication.
        let mut forged = sealed.clone();
        forged[14..22].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            Vault::open_at(&forged, &key, &tenant, later),
            Err(Error::Decrypt)
        ));
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            Vault::open_at(&flipped, &key, &tenant, now),
            Err(Error::Decrypt)
        ));
        assert!(matches!(
            Vault::open_at(b"PK\x03\x04", &key, &tenant, now),
            Err(Error::NotAVault)
        ));
        assert!(Vault::open_at(&sealed[..30], &key, &tenant, now).is_err());
    }

    #[test]
    fn key_parsing() {
        let k = VaultKey::generate();
        assert_eq!(
            VaultKey::parse(&k.to_hex()).unwrap().as_bytes(),
            k.as_bytes()
        );
        assert_eq!(
            VaultKey::parse(&format!("  {}\n", k.to_hex().to_uppercase()))
                .unwrap()
                .as_bytes(),
            k.as_bytes()
        );
        let e = VaultKey::parse("c2hvcnQ=").unwrap_err().to_string();
        assert!(e.contains("5 bytes, not 32"), "{e}");
        assert!(VaultKey::parse("").is_err());
        assert!(VaultKey::parse(&"g".repeat(64)).is_err());
    }
}
