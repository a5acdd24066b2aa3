use std::fmt;

use crate::{Error, Result};

/// A short identifier: a tenant, endpoint, model alias, route, decision, rule id, request id or
/// error class.
///
/// 1 to 128 bytes of printable ASCII without whitespace. The shape is the point: a `Label`
/// cannot hold a sentence, so no audit field built from labels can carry a prompt.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Label(String);

impl Label {
    /// The longest label, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Checks the shape; the error says what is wrong, never the value.
    pub fn new(s: &str) -> Result<Label> {
        if s.is_empty() {
            return Err(Error::invalid("label", "empty"));
        }
        if s.len() > Label::MAX_LEN {
            return Err(Error::invalid(
                "label",
                format!("{} bytes, at most {} allowed", s.len(), Label::MAX_LEN),
            ));
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "label",
                "only printable ASCII without spaces is allowed",
            ));
        }
        Ok(Label(s.to_owned()))
    }

    /// The label as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A prompt **after** redaction (placeholders instead of values), stored in an audit record
/// only for tenants that opted in.
///
/// The constructor's name is the contract: only hand it the redactor's output. `Debug` shows
/// the length, not the text, so a logged record never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct RedactedPrompt(String);

impl RedactedPrompt {
    /// Wraps text that `hushgate-redact` produced.
    pub fn from_redacted(text: String) -> RedactedPrompt {
        RedactedPrompt(text)
    }

    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RedactedPrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedactedPrompt({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_hold_identifiers_not_sentences() {
        assert!(Label::new("/v1/chat/completions").is_ok());
        assert!(Label::new("meta-llama/Llama-3.1-8B").is_ok());
        assert!(Label::new("hipaa.phi_to_external").is_ok());
        assert!(Label::new("").is_err());
        assert!(Label::new("John Smith").is_err());
        assert!(Label::new("tab\there").is_err());
        assert!(Label::new("café").is_err());
        assert!(Label::new(&"a".repeat(129)).is_err());
        let err = Label::new("secret value").unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn redacted_prompt_debug_hides_text() {
        let p = RedactedPrompt::from_redacted("hello <PERSON_1>".into());
        assert_eq!(format!("{p:?}"), "RedactedPrompt(16 bytes)");
    }
}
