use std::sync::Arc;

use crate::audit::Tamper;

/// Everything that can go wrong in the store.
///
/// Messages never echo a presented API key, a stored blob or a value that failed validation:
/// they name what was wrong and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The storage URL has a scheme other than `sqlite:` or `postgres:`/`postgresql:`.
    #[error("unsupported storage URL scheme `{scheme}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl {
        /// The part before `:` (the rest of the URL may hold a password and is not shown).
        scheme: String,
    },
    /// The database refused or failed a statement, or could not be reached.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Redis refused or failed a command, or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The audit batch holding this record failed to commit; the record is not stored.
    ///
    /// Shared by every append of the failed batch, hence the `Arc`.
    #[error("audit store unavailable: {0}")]
    AuditUnavailable(Arc<Error>),
    /// The audit writer has stopped (shut down, or its runtime is gone); nothing was stored.
    #[error("audit writer is closed")]
    Closed,
    /// `verify` found a record or checkpoint that is not what was written.
    #[error("audit trail tampered: {0}")]
    Tampered(Box<Tamper>),
    /// A value given to the store does not have the required shape.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being validated (`label`, `tenant`, `signing key`, …).
        what: &'static str,
        /// What is wrong with it (never the value itself).
        reason: String,
    },
    /// A secret named by `[audit]` (signing key, server secret) could not be loaded: an unset
    /// variable, an unreadable file, content of the wrong shape. Never shows the value.
    #[error("{what} from {origin}: {reason}")]
    Secret {
        /// Which secret (`audit signing key`, `audit server secret`).
        what: &'static str,
        /// Where it was looked for: `environment variable NAME` or `file PATH`.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The operating system's random source failed.
    #[error("random source unavailable: {0}")]
    Random(String),
    /// Writing an export failed.
    #[error("export: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Error {
        Error::Invalid {
            what,
            reason: reason.into(),
        }
    }

    /// True when the error is a tamper finding of `verify` (as opposed to a failure to read).
    pub fn is_tampered(&self) -> bool {
        matches!(self, Error::Tampered(_))
    }
}
