//! The API key wrapper: it cannot be printed by accident.

use std::fmt;
use std::sync::Arc;

/// An upstream API key. `Debug` prints `ApiKey(***)`; there is no `Display`;
/// the value is only reachable through [`ApiKey::expose`], which the
/// dialects call when they build the auth header (itself marked sensitive).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Arc<str>);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(Arc::from(key.into()))
    }

    /// Reads the key from environment variable `var`: `None` if it is unset
    /// or empty (an empty key is a mistake, not a key).
    pub fn from_env(var: &str) -> Option<ApiKey> {
        std::env::var(var)
            .ok()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .map(ApiKey::new)
    }

    /// The key itself. Only for building the request's auth header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let k = ApiKey::new("sk-canary-123");
        assert_eq!(format!("{k:?}"), "ApiKey(***)");
        assert_eq!(format!("{:?}", Some(&k)), "Some(ApiKey(***))");
        assert_eq!(k.expose(), "sk-canary-123");
    }

    #[test]
    fn unset_variable_is_none() {
        assert_eq!(ApiKey::from_env("HUSHGATE_TEST_CERTAINLY_UNSET_VAR"), None);
    }
}
