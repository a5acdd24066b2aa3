//! The streaming restorer: SSE deltas in, restored deltas out.

use std::borrow::Borrow;

use hushgate_types::TenantId;

use crate::error::Error;
use crate::restore::{Before, Restorer, START, advance, scan};
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
    /// The held-back tail: input not yet emitted, at most `max_hold` bytes.
    held: String,
    /// The last two input chars before `held` (for word boundaries).
    before: Before,
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
            held: String::new(),
            before: START,
        }
    }

    /// Feeds one delta; returns the restored text that is now certain (maybe
    /// empty). [`StreamRestorer::push_into`] does the same without
    /// allocating a `String` per delta.
    pub fn push(&mut self, delta: &str) -> String {
        if delta.is_empty() {
            return String::new();
        }
        // Room for a restored value or two longer than its placeholder.
        let mut out = String::with_capacity(self.held.len() + delta.len() + 64);
        self.push_into(delta, &mut out);
        out
    }

    /// Feeds one delta; appends the restored text that is now certain (maybe
    /// none) to `out`.
    pub fn push_into(&mut self, delta: &str, out: &mut String) {
        if delta.is_empty() {
            return;
        }
        let r = &mut self.restorer;
        if self.held.is_empty() {
            // Nothing held (the usual case): scan the delta where it is and
            // keep only its undecided tail.
            let done = scan(
                &r.index,
                r.vault.borrow(),
                &mut r.cursors,
                delta,
                self.before,
                false,
                self.json,
                out,
            );
            // `done` is a char boundary within `delta` (scan returns one).
            let (emitted, rest) = delta.split_at_checked(done).unwrap_or((delta, ""));
            self.before = advance(self.before, emitted);
            if !rest.is_empty() {
                // Once, for the whole stream: a tail and the next delta.
                self.held
                    .reserve(2 * self.restorer.index.max_hold() + rest.len());
                self.held.push_str(rest);
            }
        } else {
            self.held.push_str(delta);
            let done = scan(
                &r.index,
                r.vault.borrow(),
                &mut r.cursors,
                &self.held,
                self.before,
                false,
                self.json,
                out,
            );
            self.before = advance(self.before, &self.held[..done]);
            self.held.replace_range(..done, "");
        }
    }

    /// Ends the stream: returns whatever was held back, restored.
    pub fn finish(&mut self) -> String {
        let mut out = String::with_capacity(self.held.len() + 64);
        self.finish_into(&mut out);
        out
    }

    /// Ends the stream: appends whatever was held back, restored, to `out`.
    pub fn finish_into(&mut self, out: &mut String) {
        let r = &mut self.restorer;
        scan(
            &r.index,
            r.vault.borrow(),
            &mut r.cursors,
            &self.held,
            self.before,
            true,
            self.json,
            out,
        );
        self.held.clear();
        self.before = START;
    }

    /// Bytes currently held back.
    pub fn held(&self) -> usize {
        self.held.len()
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

    /// Guards the `memchr` skipping in `scan`: name runs cut before or after
    /// their `_`, runs too long to be a name, `_` and `[` in plain text, all
    /// split at every pair of points, through `push` and `push_into`.
    #[test]
    fn every_two_cuts_restore_like_whole() {
        let mut v = Vault::with_seed("t".parse().unwrap(), 1);
        v.intern(&EntityType::Person, "Ana Ruiz");
        v.intern(&EntityType::EmailAddress, "ana@corp.example");
        let t = v.tenant().clone();
        let texts = [
            "Hi PERSON_1, mail EMAIL_ADDRESS_1 or [Email_Address_1]'s box",
            "snake_case PERSON_1x XPERSON_1 PERSON_ [PERSON_1 [PERSON_9] a_b",
            "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPERSON_1 PERSON_1",
            "é漢 PERSON_1é _PERSON_1 [[PERSON_1]] PERSON_1_1 PERSON_1",
        ];
        for text in texts {
            let whole = v.restore(text);
            let mut cuts: Vec<usize> = (0..=text.len())
                .filter(|&c| text.is_char_boundary(c))
                .collect();
            cuts.dedup();
            for &a in &cuts {
                for &b in cuts.iter().filter(|&&b| b >= a) {
                    let mut s = StreamRestorer::new(&v, &t, StreamMode::Text).unwrap();
                    let mut got = s.push(&text[..a]);
                    got += &s.push(&text[a..b]);
                    got += &s.push(&text[b..]);
                    got += &s.finish();
                    assert_eq!(got, whole, "{text:?} cut at {a}, {b}");
                    let mut s = StreamRestorer::new(&v, &t, StreamMode::Text).unwrap();
                    let mut into = String::new();
                    for part in [&text[..a], &text[a..b], &text[b..]] {
                        s.push_into(part, &mut into);
                        assert!(s.held() <= s.max_hold());
                    }
                    s.finish_into(&mut into);
                    assert_eq!(into, whole, "{text:?} cut at {a}, {b} (push_into)");
                }
            }
        }
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
