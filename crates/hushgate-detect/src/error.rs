use thiserror::Error;

/// Why an [`Engine`](crate::Engine) could not be built. Scanning itself never fails.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A pattern did not compile. `source` names the recognizer or the custom
    /// pattern; the pattern text is included because it comes from code or
    /// configuration, never from scanned content.
    #[error("pattern `{pattern}` of {source_name} does not compile: {message}")]
    Pattern {
        source_name: String,
        pattern: String,
        message: String,
    },
    /// The combined automaton did not build (usually: too large).
    #[error("the detection automaton could not be built: {0}")]
    Automaton(String),
    /// The context-word automaton did not build.
    #[error("the context-word automaton could not be built: {0}")]
    Context(String),
    /// More than 65,535 context keys or patterns.
    #[error("too many context keys")]
    TooManyContextKeys,
    /// An invalid option value.
    #[error("invalid detection option `{key}`: {message}")]
    Option { key: &'static str, message: String },
}
