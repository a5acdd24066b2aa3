//! Loading the audit trail's key material as `[audit]` says: the Ed25519 checkpoint signing
//! key, the retired verifying keys, and the server secret for keyed hashes.
//!
//! Each secret comes from an environment variable or a file, both holding hex digits. A file
//! that does not exist yet is created with fresh random bytes (mode 0600, written to a temporary
//! file, synced, then linked into place, so no reader ever sees half a key and two processes
//! starting at once end up with the same one): a newcomer's first `hushgate serve` just works.
//! A variable that is named but unset is an error naming it; no message shows a secret.

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use hushgate_config::{AuditConfig, SecretSource};
use zeroize::Zeroizing;

use crate::correlate::CorrelationKey;
use crate::util::random_bytes;
use crate::{AuditOptions, AuditSigner, Error, Result, VerifyingKeys};

/// What to do when a configured secret file does not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// Create it with fresh random bytes (the gateway, on start).
    Create,
    /// Report it as absent (`Ok(None)`): commands that only read, such as `audit verify`.
    Skip,
}

/// The server-wide secret behind the per-tenant [`CorrelationKey`]s. Zeroized on drop;
/// `Debug` shows nothing of it.
#[derive(Clone)]
pub struct ServerSecret(Zeroizing<Vec<u8>>);

impl ServerSecret {
    /// Shortest accepted secret, in bytes (and the length of a created one).
    pub const MIN_LEN: usize = 32;

    /// Tenant `tenant`'s key for hashing detected values.
    pub fn correlation_key(&self, tenant: &str) -> CorrelationKey {
        CorrelationKey::for_tenant(&self.0, tenant)
    }

    /// Loads the secret from `source`; see [`Missing`] for a file that does not exist.
    pub fn load(source: &SecretSource, missing: Missing) -> Result<Option<ServerSecret>> {
        let bytes = read_hex(source, WHAT_SECRET, missing, random_bytes::<32>)?;
        bytes
            .map(|b| {
                if b.len() < Self::MIN_LEN {
                    Err(secret_error(
                        WHAT_SECRET,
                        source,
                        format!("expected at least {} bytes (64 hex digits)", Self::MIN_LEN),
                    ))
                } else {
                    Ok(ServerSecret(b))
                }
            })
            .transpose()
    }
}

impl fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerSecret(..)")
    }
}

impl AuditSigner {
    /// Loads the signing key (its 32-byte seed as 64 hex digits) from `source`; see
    /// [`Missing`] for a file that does not exist.
    pub fn load(source: &SecretSource, missing: Missing) -> Result<Option<AuditSigner>> {
        let bytes = read_hex(source, WHAT_SIGNING, missing, random_bytes::<32>)?;
        bytes
            .map(|b| {
                let seed: [u8; 32] = b.as_slice().try_into().map_err(|_| {
                    secret_error(
                        WHAT_SIGNING,
                        source,
                        "expected 32 bytes (64 hex digits)".into(),
                    )
                })?;
                Ok(AuditSigner::from_seed(seed))
            })
            .transpose()
    }
}

impl VerifyingKeys {
    /// The keys `verify` trusts under `cfg`: `current`'s public half (if given) and every
    /// `verify_keys` entry. An empty set is an error: nothing could verify.
    pub fn from_config(cfg: &AuditConfig, current: Option<&AuditSigner>) -> Result<VerifyingKeys> {
        let mut keys = current.map(AuditSigner::verifying_keys).unwrap_or_default();
        for (i, k) in cfg.verify_keys.iter().enumerate() {
            keys.add_public_hex(k).map_err(|e| match e {
                Error::Invalid { reason, .. } => {
                    Error::invalid("verifying key", format!("audit.verify_keys[{i}]: {reason}"))
                }
                other => other,
            })?;
        }
        if current.is_none() && cfg.verify_keys.is_empty() {
            return Err(secret_error(
                WHAT_SIGNING,
                &cfg.signing_key,
                "not found, and no audit.verify_keys are configured: there is no key to verify \
                 against"
                    .into(),
            ));
        }
        Ok(keys)
    }
}

impl AuditOptions {
    /// The writer settings of `[audit]`.
    pub fn from_config(cfg: &AuditConfig) -> AuditOptions {
        AuditOptions {
            max_batch: cfg.max_batch,
            queue_capacity: cfg.queue_capacity,
            checkpoint_interval: cfg.checkpoint_interval,
        }
    }
}

/// Everything the gateway needs to write the audit trail, loaded per `[audit]`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuditKeys {
    /// Signs checkpoints and purge anchors.
    pub signer: AuditSigner,
    /// The signer's public half plus the retired keys of `verify_keys`.
    pub verifying: VerifyingKeys,
    /// Derives each tenant's [`CorrelationKey`].
    pub secret: ServerSecret,
    /// The files this call created (first start), for the caller to mention.
    pub created: Vec<std::path::PathBuf>,
    /// Things to tell the operator at startup, e.g. a key file readable by others.
    pub warnings: Vec<String>,
}

impl AuditKeys {
    /// Loads the signing key and the server secret as `cfg` says, creating a configured file
    /// that does not exist yet (fresh random bytes, mode 0600), and the verifying keys.
    ///
    /// Errors name the variable or file and what is wrong, never the value: a named
    /// environment variable that is unset, a file that cannot be read or created, content
    /// that is not hex of the right length, a `verify_keys` entry that is not a public key.
    pub fn load(cfg: &AuditConfig) -> Result<AuditKeys> {
        let mut created = Vec::new();
        let mut note = |source: &SecretSource| {
            if let SecretSource::File(p) = source
                && !p.exists()
            {
                created.push(p.clone());
            }
        };
        note(&cfg.signing_key);
        note(&cfg.secret);
        let signer = AuditSigner::load(&cfg.signing_key, Missing::Create)?
            .ok_or_else(|| secret_error(WHAT_SIGNING, &cfg.signing_key, "missing".into()))?;
        let secret = ServerSecret::load(&cfg.secret, Missing::Create)?
            .ok_or_else(|| secret_error(WHAT_SECRET, &cfg.secret, "missing".into()))?;
        let verifying = VerifyingKeys::from_config(cfg, Some(&signer))?;
        let warnings = [(&cfg.signing_key, WHAT_SIGNING), (&cfg.secret, WHAT_SECRET)]
            .into_iter()
            .filter_map(|(source, what)| loose_permissions(source, what))
            .collect();
        Ok(AuditKeys {
            signer,
            verifying,
            secret,
            created,
            warnings,
        })
    }
}

/// A warning when a secret's file can be read by group or others.
fn loose_permissions(source: &SecretSource, what: &str) -> Option<String> {
    let SecretSource::File(path) = source else {
        return None;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "the {what} file {} is readable by others (mode {mode:04o}): `chmod 600` it",
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, what);
    None
}

const WHAT_SIGNING: &str = "audit signing key";
const WHAT_SECRET: &str = "audit server secret";

fn secret_error(what: &'static str, source: &SecretSource, reason: String) -> Error {
    Error::Secret {
        what,
        origin: source.to_string(),
        reason,
    }
}

/// Reads hex digits from `source` (surrounding whitespace ignored).
fn read_hex(
    source: &SecretSource,
    what: &'static str,
    missing: Missing,
    fresh: fn() -> Result<[u8; 32]>,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let text: Zeroizing<String> =
        match source {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(v) => Zeroizing::new(v),
                Err(std::env::VarError::NotPresent) => {
                    return Err(secret_error(what, source, "the variable is not set".into()));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(secret_error(what, source, "not valid UTF-8".into()));
                }
            },
            SecretSource::File(path) => match std::fs::read_to_string(path) {
                Ok(v) => Zeroizing::new(v),
                Err(e) if e.kind() == io::ErrorKind::NotFound => match missing {
                    Missing::Skip => return Ok(None),
                    Missing::Create => {
                        let bytes = Zeroizing::new(fresh()?);
                        let mut text = Zeroizing::new(hex::encode(*bytes));
                        text.push('\n');
                        create_private(path, text.as_bytes()).map_err(|e| {
                            secret_error(what, source, format!("cannot create it: {e}"))
                        })?;
                        // Read back: another process may have created it first, and then its
                        // key (not ours) is the one in the file.
                        Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                            secret_error(what, source, format!("cannot read it: {e}"))
                        })?)
                    }
                },
                Err(e) => return Err(secret_error(what, source, format!("cannot read it: {e}"))),
            },
        };
    let bytes = hex::decode(text.trim())
        .map_err(|_| secret_error(what, source, "expected hex digits".into()))?;
    Ok(Some(Zeroizing::new(bytes)))
}

/// Creates `path` with `contents`, readable by the owner only, atomically: the bytes go to a
/// temporary file in the same directory, which is synced and then hard-linked to `path` (a
/// link fails if `path` exists, so a file created meanwhile by another process is kept).
fn create_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let suffix = random_bytes::<8>().map_err(|e| io::Error::other(e.to_string()))?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        hex::encode(suffix)
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = opts
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(contents)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match result {
        Ok(()) => {
            // Make the new directory entry durable too.
            #[cfg(unix)]
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str) -> SecretSource {
        SecretSource::File(dir.join(name))
    }

    fn cfg(dir: &Path) -> AuditConfig {
        let mut c = AuditConfig::default();
        c.signing_key = file(dir, "audit.key");
        c.secret = file(dir, "secret.key");
        c
    }

    #[test]
    fn first_load_creates_private_files_and_later_loads_read_them() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        let first = AuditKeys::load(&c).unwrap();
        assert_eq!(
            first.created,
            vec![dir.path().join("audit.key"), dir.path().join("secret.key")]
        );
        for name in ["audit.key", "secret.key"] {
            let path = dir.path().join(name);
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(text.len(), 65, "64 hex digits and a newline");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{name}");
            }
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        assert!(first.warnings.is_empty(), "{:?}", first.warnings);

        let again = AuditKeys::load(&c).unwrap();
        assert!(again.created.is_empty());
        assert_eq!(again.signer.key_id(), first.signer.key_id());
        assert_eq!(
            format!(
                "{:?}",
                again
                    .secret
                    .correlation_key("t")
                    .hash(&hushgate_types::EntityType::UsSsn, "x")
            ),
            format!(
                "{:?}",
                first
                    .secret
                    .correlation_key("t")
                    .hash(&hushgate_types::EntityType::UsSsn, "x")
            ),
        );
        let seed = std::fs::read_to_string(dir.path().join("audit.key")).unwrap();
        assert!(!format!("{again:?}").contains(seed.trim()));
        assert_eq!(format!("{:?}", again.secret), "ServerSecret(..)");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join("secret.key");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let w = AuditKeys::load(&c).unwrap().warnings;
            assert_eq!(w.len(), 1, "{w:?}");
            assert!(
                w[0].contains("secret.key is readable by others (mode 0644)"),
                "{w:?}"
            );
        }

        // The opts in the config reach the writer.
        let mut c2 = c.clone();
        c2.max_batch = 7;
        assert_eq!(AuditOptions::from_config(&c2).max_batch, 7);
    }

    #[test]
    fn skip_reports_a_missing_file_without_creating_it() {
        let dir = tempfile::tempdir().unwrap();
        let c = cfg(dir.path());
        assert!(
            AuditSigner::load(&c.signing_key, Missing::Skip)
                .unwrap()
                .is_none()
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Nothing to verify against: an error naming the file.
        let e = VerifyingKeys::from_config(&c, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("audit.key") && e.contains("no audit.verify_keys"),
            "{e}"
        );
        // A retired public key alone is enough to verify.
        let mut c2 = c.clone();
        c2.verify_keys = vec![AuditSigner::from_seed([3; 32]).public_hex()];
        VerifyingKeys::from_config(&c2, None).unwrap();
        c2.verify_keys = vec!["00".repeat(31) + "zz"];
        let e = VerifyingKeys::from_config(&c2, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("audit.verify_keys[0]"), "{e}");
    }

    #[test]
    fn environment_variables_and_bad_content() {
        let dir = tempfile::tempdir().unwrap();
        // Unique names: tests in this binary run in parallel and share the environment.
        let unset = SecretSource::Env("HUSHGATE_TEST_SECRETS_UNSET_7f3a".into());
        let e = AuditSigner::load(&unset, Missing::Create)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "audit signing key from environment variable HUSHGATE_TEST_SECRETS_UNSET_7f3a: the variable is not set"
        );
        // PATH is always set, and never 64 hex digits; its value is not echoed.
        let path_value = std::env::var("PATH").unwrap_or_default();
        let e = ServerSecret::load(&SecretSource::Env("PATH".into()), Missing::Create)
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("expected hex digits"), "{e}");
        assert!(path_value.is_empty() || !e.contains(&path_value), "{e}");

        let short = dir.path().join("short.key");
        std::fs::write(&short, "abcd\n").unwrap();
        let e = ServerSecret::load(&SecretSource::File(short.clone()), Missing::Create)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("short.key") && e.contains("at least 32 bytes"),
            "{e}"
        );
        assert!(!e.contains("abcd"), "{e}");
        let e = AuditSigner::load(&SecretSource::File(short), Missing::Create)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected 32 bytes"), "{e}");

        // A secret longer than 32 bytes is fine; a signing seed written by hand too.
        let long = dir.path().join("long.key");
        std::fs::write(&long, "ab".repeat(48)).unwrap();
        ServerSecret::load(&SecretSource::File(long), Missing::Skip)
            .unwrap()
            .unwrap();
        let seed = dir.path().join("seed.key");
        std::fs::write(&seed, format!("  {}\n", "07".repeat(32))).unwrap();
        let s = AuditSigner::load(&SecretSource::File(seed), Missing::Skip)
            .unwrap()
            .unwrap();
        assert_eq!(s.key_id(), AuditSigner::from_seed([7; 32]).key_id());

        // A directory that does not exist: the error names the file.
        let nowhere = SecretSource::File(dir.path().join("no/such/dir/a.key"));
        let e = AuditSigner::load(&nowhere, Missing::Create)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no/such/dir/a.key") && e.contains("cannot create"),
            "{e}"
        );
    }

    #[test]
    fn concurrent_first_loads_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let source = file(dir.path(), "race.key");
        let ids: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        AuditSigner::load(&source, Missing::Create)
                            .unwrap()
                            .unwrap()
                            .key_id()
                            .to_owned()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
