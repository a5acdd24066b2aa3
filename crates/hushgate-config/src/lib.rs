//! Hushgate's configuration file (TOML), loaded in two stages: the raw file
//! model (`deny_unknown_fields`), then validation into typed settings. Every
//! error names the file and the key.
//!
//! ```
//! let cfg = hushgate_config::Config::from_toml_str(
//!     "[detection]\nthreshold = 0.6\n",
//!     std::path::Path::new("inline.toml"),
//! ).unwrap();
//! assert_eq!(cfg.detection.threshold, 0.6);
//! ```

use std::path::{Path, PathBuf};

use hushgate_detect::{DetectOptions, Engine};
use hushgate_redact::RedactOptions;
use serde::Deserialize;
use thiserror::Error;

/// The whole configuration file. Sections are added as features land.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[detection]`: threshold, phone regions, allow/deny lists, custom patterns.
    pub detection: DetectOptions,
    /// `[redact]`: the transformation per entity type (`default`, and an
    /// `[redact.entities]` table such as `CREDIT_CARD = "mask"`).
    pub redact: RedactOptions,
}

/// Why a configuration could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// TOML syntax, an unknown key or a wrong type; `message` names the key
    /// and the line.
    #[error("invalid config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// The file parsed but a value is not usable.
    #[error("invalid config file {}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::from_toml_str(&text, path)
    }

    /// Parses and validates TOML text; `path` is only used in error messages.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        // Building the engine compiles custom patterns and checks every
        // detection option; its errors name the key.
        Engine::with_options(&cfg.detection).map_err(|e| ConfigError::Invalid {
            path: path.to_owned(),
            message: format!("[detection]: {e}"),
        })?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml_str("[detection]\nthreshhold = 0.5\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.toml"), "{err}");
        assert!(err.contains("threshhold"), "{err}");
    }

    #[test]
    fn bad_custom_regex_is_named() {
        let err = Config::from_toml_str(
            "[[detection.patterns]]\nentity_type = \"CUSTOMER_ID\"\nregex = \"CUST-(\"\n",
            Path::new("x.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("[detection]"), "{err}");
        assert!(err.contains("CUST-("), "{err}");
    }

    #[test]
    fn redact_table_is_checked() {
        let cfg = Config::from_toml_str(
            "[redact]\ndefault = \"surrogate\"\n[redact.entities]\nCREDIT_CARD = \"mask\"\n",
            Path::new("x.toml"),
        )
        .unwrap();
        assert_eq!(cfg.redact.entities.len(), 1);
        let err = Config::from_toml_str("[redact]\ndefault = \"shred\"\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("shred"), "{err}");
    }

    #[test]
    fn threshold_out_of_range() {
        let err = Config::from_toml_str("[detection]\nthreshold = 2.0\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("threshold"), "{err}");
    }
}
