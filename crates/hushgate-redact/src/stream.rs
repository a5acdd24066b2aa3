//! The streaming restorer: SSE deltas in, restored deltas out.

use std::borrow::Borrow;

use hushgate_types::TenantId;

use crate::error::Error;
use crate::restore::{Restorer, scan};
use crate::vault::Vault;

/// What the deltas are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamMode {
    /// Answer text (`choices[].delta.content`).
    #[default]
    Text,
    /// The inside of a JSON document streamed as text, e.g. a tool call's
    /// `function.arguments` deltas: originals are JSON-escaped.
    Json,
}

/// Restores a streamed answer delta by delta.
///
/// Placeholders may be split across any number of deltas (`[PER` + `SON_` +
/// `1]`). The restorer emits everything it can at once and holds back only a
/// tail that could still become a placeholder or surrogate: never more than
/// [`StreamRestorer::max_hold`] bytes, never the whole answer. Any chunking
/// of the same text restores to the same result as [`Restorer::restore`].
///
/// ```
/// use hushgate_redact::{Redactor, RedactOptions, StreamMode, StreamRestorer, Vault};
/// use hushgate_detect::Engine;
/// let redactor = Redactor::new(Engine::new()?, RedactOptions::default())?;
/// let mut vault = Vault::new("acme".parse()?);
/// let sent = redactor.redact("mail ana@corp.example", &mut vault).text;
/// assert_eq!(sent, "mail [EMAIL_ADDRESS_1]");
///
/// let mut stream = StreamRestorer::new(&vault, &"acme".parse()?, StreamMode::Text)?;
/// let mut answer = String::new();
/// for delta in ["Sure, I wrote to [EMAIL", "_ADD", "RESS_1", "]'s inbox."] {
///     answer += &stream.push(delta);
/// }
/// answer += &stream.finish();
/// assert_eq!(answer, "Sure, I wrote to ana@corp.example's inbox.");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StreamRestorer<V: Borrow<Vault>> {
    restorer: Restorer<V>,
    json: bool,
    /// Up to two already-emitted chars (for word boundaries), then the
    /// held-back tail.
    buf: String,
    context: usize,
}

impl<V: Borrow<Vault>> StreamRestorer<V> {
    /// A stream restorer for `vault`, which must belong to `tenant`.
    pub fn new(vault: V, tenant: &TenantId, mode: StreamMode) -> Result<StreamRestorer<V>, Error> {
        Ok(StreamRestorer::from_restorer(
            Restorer::new(vault, tenant)?,
            mode,
        ))
    }

    /// Continues with a restorer's cursors (e.g. after restoring the earlier
    /// turns with it).
    pub fn from_restorer(restorer: Restorer<V>, mode: StreamMode) -> StreamRestorer<V> {
        StreamRestorer {
            restorer,
            json: mode == StreamMode::Json,
            buf: String::new(),
            context: 0,
        }
    }

    /// Feeds one delta; returns the restored text that is now certain (maybe
    /// empty).
    pub fn push(&mut self, delta: &str) -> String {
        if delta.is_empty() {
            return String::new();
        }
        self.buf.push_str(delta);
        self.run(false)
    }

    /// Ends the stream: returns whatever was held back, restored.
    pub fn finish(&mut self) -> String {
        let out = self.run(true);
        self.buf.clear();
        self.context = 0;
        out
    }

    /// Bytes currently held back.
    pub fn held(&self) -> usize {
        self.buf.len() - self.context
    }

    /// The most bytes this restorer can ever hold back: the longest
    /// placeholder shape or surrogate it knows.
    pub fn max_hold(&self) -> usize {
        self.restorer.index.max_hold()
    }

    /// Placeholders seen so far that the vault does not hold.
    pub fn unknown(&self) -> usize {
        self.restorer.unknown()
    }

    fn run(&mut self, last: bool) -> String {
        let mut out = String::with_capacity(self.buf.len() - self.context + 16);
        let r = &mut self.restorer;
        let done = scan(
            &r.index,
            r.vault.borrow(),
            &mut r.cursors,
            &self.buf,
            self.context,
            last,
            self.json,
            &mut out,
        );
        // Keep two chars of context before the held-back tail.
        let keep_from = self.buf[..done]
            .char_indices()
            .rev()
            .nth(1)
            .map_or(0, |(i, _)| i);
        self.buf.drain(..keep_from);
        self.context = done - keep_from;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hushgate_types::EntityType;

    #[test]
    fn holds_back_only_a_possible_placeholder() {
        let mut v = Vault::with_seed("t".parse().unwrap(), 1);
        v.intern(&EntityType::Person, "Ana Ruiz");
        let t = v.tenant().clone();
        let mut s = StreamRestorer::new(&v, &t, StreamMode::Text).unwrap();
        assert_eq!(s.push("Hello there, "), "Hello there, ");
        assert_eq!(s.held(), 0);
        assert_eq!(s.push("dear [PERS"), "dear ");
        assert_eq!(s.held(), "[PERS".len());
        assert_eq!(s.push("ON_1] and PERSON_"), "Ana Ruiz and ");
        assert_eq!(s.push("1, bye"), "Ana Ruiz, bye");
        assert_eq!(s.push(" [link text](x)"), " [link text](x)");
        assert_eq!(s.finish(), "");
        assert!(s.max_hold() < 40, "{}", s.max_hold());
    }

    #[test]
    fn json_mode_escapes_originals() {
        let mut v = Vault::with_seed("t".parse().unwrap(), 1);
        v.intern(&EntityType::Person, "Ana \"Nana\" Ruiz\\");
        let t = v.tenant().clone();
        let mut s = StreamRestorer::new(&v, &t, StreamMode::Json).unwrap();
        let mut out = s.push("{\"name\": \"[PER");
        out += &s.push("SON_1]\", \"n\": \"\\nPERSON_1\"}");
        out += &s.finish();
        assert_eq!(
            out,
            r#"{"name": "Ana \"Nana\" Ruiz\\", "n": "\nAna \"Nana\" Ruiz\\"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["name"], "Ana \"Nana\" Ruiz\\");
    }
}
