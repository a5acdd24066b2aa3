//! Reversible redaction for LLM requests: replace sensitive values before a
//! request leaves, put them back in the answer.
//!
//! * [`Redactor`] runs the detection engine and applies a [`Transformation`]
//!   per entity type ([`RedactOptions`]): `pseudonymize` (`[PERSON_1]`),
//!   `surrogate` (a realistic fake), `mask`, `redact`, `hash` or `allow`.
//! * [`Vault`] holds placeholder/surrogate -> original for one request and one
//!   tenant; it is zeroized on drop and never printed. [`Vault::seal`] and
//!   [`Vault::open`] persist it encrypted (XChaCha20-Poly1305) with a TTL.
//! * [`Restorer`] puts originals back in answers, tool-call arguments (JSON
//!   text) and structured output; [`StreamRestorer`] does it delta by delta
//!   for streamed answers, holding back only what could still be a
//!   placeholder.
//!
//! No IO: reading and writing files is the caller's business.
//!
//! ```
//! use std::time::Duration;
//! use hushgate_detect::Engine;
//! use hushgate_redact::{Redactor, RedactOptions, Restorer, StreamMode, StreamRestorer, Vault, VaultKey};
//!
//! let redactor = Redactor::new(Engine::new()?, RedactOptions::default())?;
//! let tenant = "acme".parse()?;
//!
//! // 1. Before the request leaves: one vault for every message of it.
//! let mut vault = Vault::new(tenant);
//! let system = redactor.redact("Reply to ana.ruiz@corp.example only.", &mut vault);
//! let user = redactor.redact("Draft a note to ANA.RUIZ@corp.example.", &mut vault);
//! assert_eq!(system.text, "Reply to [EMAIL_ADDRESS_1] only.");
//! assert_eq!(user.text, "Draft a note to [EMAIL_ADDRESS_1].");
//!
//! // 2. The answer streams back; placeholders may be split anywhere.
//! let mut stream = StreamRestorer::new(&vault, vault.tenant(), StreamMode::Text)?;
//! let mut answer = String::new();
//! for delta in ["Dear [EMAIL_", "ADDRESS_1],", " as asked by [PERSON_7]..."] {
//!     answer += &stream.push(delta);
//! }
//! answer += &stream.finish();
//! assert_eq!(answer, "Dear ana.ruiz@corp.example, as asked by [PERSON_7]...");
//! assert_eq!(stream.unknown(), 1); // the model invented [PERSON_7]
//!
//! // 3. Persist the vault (e.g. for a later turn), encrypted, for an hour.
//! let key = VaultKey::generate();
//! let sealed = vault.seal(&key, Duration::from_secs(3600))?;
//! let reopened = Vault::open(&sealed, &key, vault.tenant())?;
//! let mut restorer = Restorer::new(&reopened, reopened.tenant())?;
//! assert_eq!(restorer.restore(&system.text), "Reply to ana.ruiz@corp.example only.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod placeholder;
mod restore;
mod sealed;
mod stream;
mod surrogate;
mod transform;
mod vault;

use std::collections::{BTreeMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use hushgate_detect::Engine;
use hushgate_types::{EntityType, Finding};
use zeroize::Zeroizing;

pub use error::Error;
pub use placeholder::Placeholder;
pub use restore::Restorer;
pub use sealed::{SealedInfo, VaultKey};
pub use stream::{StreamMode, StreamRestorer};
pub use transform::{RedactOptions, Transformation};
pub use vault::Vault;

/// Attempts at a surrogate that collides with nothing, before falling back to
/// a placeholder.
const SURROGATE_ATTEMPTS: u64 = 6;

/// One redacted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The text to send: every finding transformed.
    pub text: String,
    /// Findings transformed, per entity type (`allow` ones not counted).
    pub counts: BTreeMap<EntityType, usize>,
}

/// Detection plus transformation: turns texts into what may leave, recording
/// reversible replacements in a [`Vault`].
///
/// Build once, share, redact many requests (each with its own vault).
pub struct Redactor {
    engine: Engine,
    options: RedactOptions,
    hash_key: Option<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("engine", &self.engine)
            .field("options", &self.options)
            .field("hash_key", &self.hash_key.as_ref().map(|_| ".."))
            .finish()
    }
}

/// What happens at one finding.
enum Op {
    Text(String),
    Entry { idx: usize, surrogate: bool },
}

struct Planned {
    start: usize,
    end: usize,
    op: Op,
}

impl Redactor {
    /// Fails if `options` use `hash` (which needs [`Redactor::with_hash_key`]).
    pub fn new(engine: Engine, options: RedactOptions) -> Result<Redactor, Error> {
        if options.uses(Transformation::Hash) {
            return Err(Error::MissingHashKey);
        }
        Ok(Redactor {
            engine,
            options,
            hash_key: None,
        })
    }

    /// A redactor whose `hash` transformation is keyed with the tenant's
    /// secret (at least 16 bytes).
    pub fn with_hash_key(
        engine: Engine,
        options: RedactOptions,
        key: &[u8],
    ) -> Result<Redactor, Error> {
        if key.len() < 16 {
            return Err(Error::MissingHashKey);
        }
        Ok(Redactor {
            engine,
            options,
            hash_key: Some(Zeroizing::new(key.to_vec())),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn options(&self) -> &RedactOptions {
        &self.options
    }

    /// Detects and transforms one text.
    pub fn redact(&self, text: &str, vault: &mut Vault) -> Redacted {
        let findings = self.engine.scan(text);
        self.apply_batch(&[text], &[findings], vault)
            .pop()
            .unwrap_or_else(|| Redacted {
                text: text.to_owned(),
                counts: BTreeMap::new(),
            })
    }

    /// Detects and transforms the texts of one request (system prompt,
    /// messages, tool results) into one vault. Surrogates are then checked
    /// against all of them, and `TYPE_N` words already in any of them are
    /// never allocated as placeholders.
    pub fn redact_batch(&self, texts: &[&str], vault: &mut Vault) -> Vec<Redacted> {
        let findings: Vec<Vec<Finding>> = texts.iter().map(|t| self.engine.scan(t)).collect();
        self.apply_batch(texts, &findings, vault)
    }

    /// Transforms `text` at the given findings (from any detector). Findings
    /// out of range, off character boundaries or overlapping an earlier one
    /// are skipped.
    pub fn apply(&self, text: &str, findings: &[Finding], vault: &mut Vault) -> Redacted {
        self.apply_batch(&[text], &[findings], vault)
            .pop()
            .unwrap_or_else(|| Redacted {
                text: text.to_owned(),
                counts: BTreeMap::new(),
            })
    }

    /// [`Redactor::apply`] for the texts of one request; `findings[i]` belongs
    /// to `texts[i]`.
    pub fn apply_batch<F: AsRef<[Finding]>>(
        &self,
        texts: &[&str],
        findings: &[F],
        vault: &mut Vault,
    ) -> Vec<Redacted> {
        for t in texts {
            vault.reserve_literals(t);
        }
        let mut plans = Vec::with_capacity(texts.len());
        let mut counts = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let (plan, c) = self.plan(text, findings.get(i).map_or(&[][..], AsRef::as_ref), vault);
            plans.push(plan);
            counts.push(c);
        }
        let surrogates = self.options.uses(Transformation::Surrogate);
        if surrogates {
            self.assign_surrogates(texts, &plans, vault);
        }
        let mut out: Vec<String> = texts
            .iter()
            .zip(&plans)
            .map(|(text, plan)| render(text, plan, vault, surrogates))
            .collect();
        if surrogates {
            // A surrogate next to ordinary text can, rarely, read as another
            // surrogate or a placeholder (`Dana` + ` Lee` when `Dana Lee` is
            // one too). Prove the round trip; where it fails, that text gets
            // placeholders only.
            let mut restorer = Restorer::for_vault(&*vault);
            let mut failed = Vec::new();
            for (i, (o, t)) in out.iter().zip(texts).enumerate() {
                if restorer.restore(o) != *t {
                    failed.push(i);
                }
            }
            for i in failed {
                if let (Some(o), Some(t), Some(p)) = (out.get_mut(i), texts.get(i), plans.get(i)) {
                    *o = render(t, p, vault, false);
                }
            }
        }
        out.into_iter()
            .zip(counts)
            .map(|(text, counts)| Redacted { text, counts })
            .collect()
    }

    fn plan(
        &self,
        text: &str,
        findings: &[Finding],
        vault: &mut Vault,
    ) -> (Vec<Planned>, BTreeMap<EntityType, usize>) {
        // The engine's findings come sorted; others may not.
        let key = |f: &&Finding| (f.start, std::cmp::Reverse(f.end));
        let mut sorted: Vec<&Finding> = findings.iter().collect();
        if !sorted.is_sorted_by_key(key) {
            sorted.sort_by_key(key);
        }
        vault.reserve(sorted.len());
        let mut plan = Vec::with_capacity(sorted.len());
        let mut counts = BTreeMap::new();
        let mut last_end = 0;
        for f in sorted {
            let ok = f.start < f.end
                && f.start >= last_end
                && f.end <= text.len()
                && text.is_char_boundary(f.start)
                && text.is_char_boundary(f.end);
            if !ok {
                continue;
            }
            let value = &text[f.start..f.end];
            let t = &f.entity_type;
            let op = match self.options.transformation(t) {
                Transformation::Allow => continue,
                Transformation::Mask => Op::Text(transform::mask(t, value)),
                Transformation::Redact => Op::Text(transform::redacted(t)),
                Transformation::Hash => {
                    let norm = Zeroizing::new(vault::normalize(t, value));
                    let key = self.hash_key.as_ref().map_or(&[][..], |k| k.as_slice());
                    Op::Text(transform::hashed(key, t, &norm))
                }
                Transformation::Pseudonymize => Op::Entry {
                    idx: vault.intern(t, value),
                    surrogate: false,
                },
                Transformation::Surrogate => Op::Entry {
                    idx: vault.intern(t, value),
                    surrogate: true,
                },
            };
            *counts.entry(t.clone()).or_insert(0) += 1;
            last_end = f.end;
            plan.push(Planned {
                start: f.start,
                end: f.end,
                op,
            });
        }
        (plan, counts)
    }

    /// Gives every new surrogate-mode entry a fake that occurs in none of the
    /// texts, contains none of the originals and equals no other surrogate.
    fn assign_surrogates(&self, texts: &[&str], plans: &[Vec<Planned>], vault: &mut Vault) {
        let mut wanted: Vec<usize> = Vec::new();
        let mut seen = HashSet::new();
        for p in plans.iter().flatten() {
            if let Op::Entry {
                idx,
                surrogate: true,
            } = p.op
            {
                let fresh = vault.entries.get(idx).is_some_and(|e| !e.surrogate_tried);
                if fresh && seen.insert(idx) {
                    wanted.push(idx);
                }
            }
        }
        if wanted.is_empty() {
            return;
        }
        let originals: Vec<String> = vault.originals_lower().filter(|o| o.len() >= 2).collect();
        // A request holds a handful of values: plain substring checks beat
        // building automata. Big batches (the CLI's JSONL) get automata.
        let originals_ac = (originals.len() > 32)
            .then(|| automaton(&originals))
            .flatten();
        let contains_original = |s: &str| {
            let lower = s.to_lowercase();
            match &originals_ac {
                Some(ac) => ac.is_match(&lower),
                None => originals.iter().any(|o| lower.contains(o.as_str())),
            }
        };
        let text_len: usize = texts.iter().map(|t| t.len()).sum();
        for attempt in 0..SURROGATE_ATTEMPTS {
            if wanted.is_empty() {
                break;
            }
            let mut candidates: Vec<(usize, String)> = Vec::new();
            let mut taken: HashSet<String> = HashSet::new();
            for &idx in &wanted {
                let Some(e) = vault.entries.get(idx) else {
                    continue;
                };
                let mut rng = surrogate::Rng::new(vault.seed, (idx as u64) << 8 | attempt);
                let Some(s) = surrogate::generate(
                    &e.entity_type,
                    e.variant(0),
                    &mut rng,
                    vault.date_shift_days,
                    vault.time_shift_minutes,
                ) else {
                    continue;
                };
                if contains_original(&s)
                    || vault.by_surrogate.contains_key(&s)
                    || !taken.insert(s.clone())
                {
                    continue;
                }
                candidates.push((idx, s));
            }
            // Which candidates already occur in the texts?
            let mut in_text = vec![false; candidates.len()];
            if candidates.len().saturating_mul(text_len) <= 1 << 22 {
                for ((_, s), hit) in candidates.iter().zip(&mut in_text) {
                    *hit = texts.iter().any(|t| t.contains(s.as_str()));
                }
            } else if let Some(ac) = automaton(candidates.iter().map(|(_, s)| s)) {
                for t in texts {
                    for m in ac.find_overlapping_iter(*t) {
                        in_text[m.pattern().as_usize()] = true;
                    }
                }
            }
            for ((idx, s), clash) in candidates.into_iter().zip(in_text) {
                if !clash {
                    vault.set_surrogate(idx, s);
                }
            }
            wanted.retain(|&idx| {
                vault
                    .entries
                    .get(idx)
                    .is_some_and(|e| e.surrogate.is_none())
            });
        }
        for p in plans.iter().flatten() {
            if let Op::Entry { idx, .. } = p.op
                && let Some(e) = vault.entries.get_mut(idx)
            {
                e.surrogate_tried = true;
            }
        }
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// An automaton that finds every occurrence (overlapping ones too).
fn automaton<I, P>(patterns: I) -> Option<AhoCorasick>
where
    I: IntoIterator<Item = P>,
    P: AsRef<[u8]>,
{
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .build(patterns)
        .ok()
}

/// Writes `text` with every planned replacement.
fn render(text: &str, plan: &[Planned], vault: &Vault, surrogates: bool) -> String {
    let mut out = String::with_capacity(text.len() + plan.len() * 8);
    let mut pos = 0;
    for (k, p) in plan.iter().enumerate() {
        out.push_str(&text[pos..p.start]);
        match &p.op {
            Op::Text(s) => out.push_str(s),
            Op::Entry { idx, surrogate } => {
                let Some(e) = vault.entries.get(*idx) else {
                    // Unreachable by construction; fail closed all the same.
                    out.push_str("[REDACTED]");
                    pos = p.end;
                    continue;
                };
                let fake = e.surrogate.as_deref().filter(|_| *surrogate && surrogates);
                // A surrogate is restored only where it stands as its own
                // word; elsewhere this occurrence gets the placeholder.
                let fits = fake.is_some_and(|s| {
                    let starts_word = s.chars().next().is_some_and(is_word);
                    let ends_word = s.chars().next_back().is_some_and(is_word);
                    let before_ok = !starts_word || !out.chars().next_back().is_some_and(is_word);
                    let next_adjacent = plan.get(k + 1).is_some_and(|n| n.start == p.end);
                    let after_ok = !ends_word
                        || (!next_adjacent && !text[p.end..].chars().next().is_some_and(is_word));
                    before_ok && after_ok
                });
                match fake {
                    Some(s) if fits => out.push_str(s),
                    _ => e.write_placeholder(&mut out),
                }
            }
        }
        pos = p.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests;
