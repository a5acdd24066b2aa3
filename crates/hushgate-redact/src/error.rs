//! The one error type of this crate. Messages name what went wrong and where,
//! never a value from a vault or a key.

use hushgate_types::TenantId;
use thiserror::Error;

/// Why a redaction, a vault or a key could not be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A vault key that is neither 64 hex characters nor base64 of 32 bytes.
    #[error("invalid vault key: {reason}; expected 64 hex characters or base64 of 32 bytes")]
    InvalidKey { reason: String },
    /// The bytes do not start with the sealed-vault magic.
    #[error("not a Hushgate vault (bad magic bytes)")]
    NotAVault,
    /// A vault written by a newer Hushgate, or with an unknown cipher.
    #[error("unsupported vault format version {version} (cipher {cipher})")]
    UnsupportedVersion { version: u8, cipher: u8 },
    /// The vault is shorter than its header says, or its contents are malformed.
    #[error("corrupt vault: {reason}")]
    Corrupt { reason: &'static str },
    /// AEAD authentication failed: the key is wrong or the bytes were altered.
    #[error("cannot decrypt the vault: wrong key, or the file was altered")]
    Decrypt,
    /// Encryption failed (only on absurd sizes).
    #[error("cannot encrypt the vault")]
    Encrypt,
    /// The vault's time to live has passed.
    #[error("the vault expired {ago_secs} s ago (expiry at unix time {expires_at})")]
    Expired { expires_at: u64, ago_secs: u64 },
    /// A vault used for a tenant it does not belong to.
    #[error("the vault belongs to tenant `{vault}`, not to tenant `{requested}`")]
    TenantMismatch {
        vault: TenantId,
        requested: TenantId,
    },
    /// The `hash` transformation is configured but no key was given.
    #[error("the `hash` transformation needs a per-tenant hash key (at least 16 bytes)")]
    MissingHashKey,
}
