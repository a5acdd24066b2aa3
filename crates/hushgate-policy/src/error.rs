use hushgate_types::EntityType;

/// Why policy data could not be loaded, or why a decision could not be made.
///
/// Every variant is a reason to refuse: the gateway turns any of them into a block (fail
/// closed). Messages name files, keys, tenants, routes and entity *types*, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// TOML syntax, an unknown key or a wrong type; `origin` names the file or section.
    #[error("{origin}: {message}")]
    Parse { origin: String, message: String },
    /// The data parsed but is not usable (a dangling reference, a looser override, ...).
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("unknown tenant `{0}`")]
    UnknownTenant(String),
    #[error("unknown route `{0}`: it is not a provider in the policy config")]
    UnknownRoute(String),
    #[error("unknown provider `{0}`: it is not in the terms catalog")]
    UnknownProvider(String),
    #[error("unknown regime `{0}`: use hipaa, gdpr, ccpa, pci or none")]
    UnknownRegime(String),
    #[error(
        "unknown data class `{0}`: use PHI, PII, PCI, SECRET or a class defined in [[classes]]"
    )]
    UnknownClass(String),
    /// A finding's type has no class: a tenant type missing from `[entity_classes]`.
    #[error("entity type {0} has no data class: map it in [entity_classes]")]
    UnclassifiedEntity(EntityType),
}

impl Error {
    pub(crate) fn invalid(origin: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid {
            origin: origin.into(),
            message: message.into(),
        }
    }

    pub(crate) fn parse(origin: impl Into<String>, e: impl std::fmt::Display) -> Error {
        Error::Parse {
            origin: origin.into(),
            message: e.to_string(),
        }
    }
}
