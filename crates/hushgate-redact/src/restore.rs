//! Restoration: placeholders and surrogates back to originals.
//!
//! One left-to-right scanner serves the non-streaming and the streaming
//! restorer. At each candidate position it decides "replace", "leave" or
//! "need more input"; a decision never changes once more bytes arrive, which
//! is what makes any chunking of a stream restore exactly like the whole text.

use std::borrow::Borrow;

use hushgate_types::{EntityType, TenantId};

use crate::error::Error;
use crate::placeholder::{self, MAX_NUMBER_DIGITS, is_name_byte};
use crate::vault::Vault;

const BRACKET: u8 = 1;
const BARE: u8 = 2;
const SURROGATE: u8 = 4;

/// What the scanner needs from a vault, built once per restorer (cheaply: it
/// is built per request). Holds no originals: those are read from the vault
/// at replacement time.
pub(crate) struct Index {
    /// Per first byte: which kinds of match may start there.
    first: [u8; 256],
    /// Longest `TYPE_N` name worth reading (longest type + `_` + 9 digits).
    max_name: usize,
    surrogates: Option<Surrogates>,
    /// Jump from `[` / `_` to the next (see [`next_candidate`]); off when
    /// surrogates are in play, which may start with any byte.
    skip: bool,
}

/// Surrogates sorted by first byte, then longest first; `ranges[b]` is the
/// slice starting with byte `b`. A handful per request, so scanning a slice
/// beats building an automaton.
struct Surrogates {
    keys: Vec<(Box<[u8]>, usize)>,
    ranges: Box<[(u32, u32); 256]>,
    max_len: usize,
}

/// One scan decision at a candidate position.
enum Step {
    Replace { len: usize, entry: usize },
    Unknown { len: usize },
    No,
    NeedMore,
}

impl Index {
    pub(crate) fn new(vault: &Vault) -> Index {
        let mut first = [0u8; 256];
        first[usize::from(b'[')] |= BRACKET;
        // "MEDICAL_RECORD_NUMBER", the longest built-in name.
        let mut longest_type = 21;
        for name in vault.type_names() {
            longest_type = longest_type.max(name.len());
            if let Some(&b) = name.as_bytes().first() {
                first[usize::from(b)] |= BARE;
            }
        }
        let surrogates = Surrogates::new(vault);
        if let Some(s) = &surrogates {
            for (k, _) in &s.keys {
                first[usize::from(k[0])] |= SURROGATE;
            }
        }
        Index {
            first,
            max_name: longest_type + 1 + MAX_NUMBER_DIGITS,
            skip: surrogates.is_none(),
            surrogates,
        }
    }

    /// The longest run the scanner may hold back while undecided.
    pub(crate) fn max_hold(&self) -> usize {
        let s = self.surrogates.as_ref().map_or(0, |s| s.max_len);
        (self.max_name + 1).max(s)
    }
}

impl Surrogates {
    fn new(vault: &Vault) -> Option<Surrogates> {
        // Scanning steps byte by byte only over ASCII candidates; surrogates
        // are generated ASCII, and a vault that says otherwise is ignored here.
        let mut keys: Vec<(Box<[u8]>, usize)> = vault
            .by_surrogate
            .iter()
            .filter(|(k, _)| k.is_ascii() && !k.is_empty())
            .map(|(k, &v)| (k.as_bytes().into(), v))
            .collect();
        if keys.is_empty() {
            return None;
        }
        keys.sort_by(|x, y| {
            (x.0[0], std::cmp::Reverse(x.0.len()), &x.0).cmp(&(
                y.0[0],
                std::cmp::Reverse(y.0.len()),
                &y.0,
            ))
        });
        let mut ranges = Box::new([(0u32, 0u32); 256]);
        for (i, (k, _)) in keys.iter().enumerate() {
            let r = &mut ranges[usize::from(k[0])];
            if r.1 == 0 {
                r.0 = i as u32;
            }
            r.1 = i as u32 + 1;
        }
        let max_len = keys.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        Some(Surrogates {
            keys,
            ranges,
            max_len,
        })
    }

    fn bucket(&self, b: u8) -> &[(Box<[u8]>, usize)] {
        let (s, e) = self.ranges[usize::from(b)];
        self.keys.get(s as usize..e as usize).unwrap_or(&[])
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The state a scan carries: per-entry occurrence cursors (empty until the
/// first replacement) and the count of placeholders that were not in the
/// vault.
pub(crate) struct Cursors {
    next: Vec<u32>,
    pub(crate) unknown: usize,
}

/// The last two chars of input before a scanned buffer (`before[1]` the
/// nearest), looked at only for word boundaries. `NUL` stands for "none": it
/// is no word char and no `\\`, so it decides like the start of the text.
pub(crate) type Before = [char; 2];

/// The context at the start of a text.
pub(crate) const START: Before = ['\0', '\0'];

/// `before` moved past `s`.
pub(crate) fn advance(before: Before, s: &str) -> Before {
    let mut back = s.chars().rev();
    match (back.next(), back.next()) {
        (Some(last), Some(prev)) => [prev, last],
        (Some(last), None) => [before[1], last],
        (None, _) => before,
    }
}

/// Scans `buf` (preceded by the input chars `before`), appends the restored
/// text to `out`, and returns how far it got: everything from there on is
/// held back until more input arrives, or, when `last`, nothing is.
#[allow(clippy::too_many_arguments)]
pub(crate) fn scan(
    index: &Index,
    vault: &Vault,
    cur: &mut Cursors,
    buf: &str,
    before: Before,
    last: bool,
    json: bool,
    out: &mut String,
) -> usize {
    let bytes = buf.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    let mut zone = 0;
    loop {
        let Some(at) = next_candidate(index, bytes, i, &mut zone, last) else {
            i = bytes.len();
            break;
        };
        i = at;
        let flags = index.first[usize::from(bytes[i])];
        let step = step_at(index, vault, buf, before, i, flags, last, json);
        match step {
            Step::No => i += 1,
            Step::Unknown { len } => {
                cur.unknown += 1;
                i += len;
            }
            Step::NeedMore => break,
            Step::Replace { len, entry } => {
                out.push_str(&buf[copied..i]);
                // Cursors are allocated on the first replacement: most
                // restorers (one per streamed text) never make one.
                if cur.next.len() < vault.entries.len() {
                    cur.next.resize(vault.entries.len(), 0);
                }
                let n = cur.next.get(entry).copied().unwrap_or(0);
                if let Some(slot) = cur.next.get_mut(entry) {
                    *slot += 1;
                }
                let value = vault.entries.get(entry).map_or("", |e| e.variant(n));
                if json {
                    push_json_escaped(out, value);
                } else {
                    out.push_str(value);
                }
                i += len;
                copied = i;
            }
        }
    }
    let end = i.min(bytes.len());
    out.push_str(&buf[copied..end]);
    end
}

/// The next position from `i` on where a match may start (a byte with
/// flags), or `None` if there is none before the end of `bytes`.
///
/// Positions before `zone` have been narrowed down already and are checked
/// byte by byte. Past it, unless surrogates are in play, a match needs a
/// `[` or a `_` (every `TYPE_N` has one), found with `memchr2`. A bare name
/// is one unbroken run of `[A-Z0-9_]` of at most `max_name` bytes, so before
/// a `_` only the run that ends there can matter; and a run with no `_` can
/// only matter at the end of the buffer, where it may still grow (`PERS` +
/// `ON_1`). This skips plain text without changing any decision of
/// [`step_at`].
fn next_candidate(
    index: &Index,
    bytes: &[u8],
    mut i: usize,
    zone: &mut usize,
    last: bool,
) -> Option<usize> {
    loop {
        if i >= bytes.len() {
            return None;
        }
        if i >= *zone {
            if !index.skip {
                *zone = bytes.len();
            } else {
                match find_open_or_underscore(bytes.get(i..)?) {
                    Some(k) if bytes.get(i + k) == Some(&b'[') => {
                        i += k;
                        *zone = i + 1;
                    }
                    Some(k) => {
                        let underscore = i + k;
                        i = name_run_start(bytes, i, underscore, index.max_name);
                        *zone = underscore + 1;
                    }
                    None if last => return None,
                    None => {
                        i = name_run_start(bytes, i, bytes.len(), index.max_name + 1);
                        if i >= bytes.len() {
                            return None;
                        }
                        *zone = bytes.len();
                    }
                }
            }
        }
        let end = (*zone).min(bytes.len());
        match bytes
            .get(i..end)?
            .iter()
            .position(|&b| index.first[usize::from(b)] != 0)
        {
            Some(k) => return Some(i + k),
            None => i = end,
        }
    }
}

/// The first `[` or `_` in `hay`. Streamed deltas are short, where
/// `memchr2`'s set-up costs more than a word-at-a-time loop.
fn find_open_or_underscore(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = ONES << 7;
    if hay.len() >= 64 {
        return memchr::memchr2(b'[', b'_', hay);
    }
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A zero byte in `w ^ splat(b)` is a byte equal to `b`; the lowest
        // flagged byte is exact (borrows only run upwards).
        let (x, y) = (w ^ (ONES * u64::from(b'[')), w ^ (ONES * u64::from(b'_')));
        let hits = (x.wrapping_sub(ONES) & !x | y.wrapping_sub(ONES) & !y) & HIGHS;
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'[' || b == b'_')
        .map(|k| at + k)
}

/// Where the run of bare-name bytes (`[A-Z0-9_]`) ending at `end` starts,
/// looking back no further than `from` nor more than `max` bytes.
fn name_run_start(bytes: &[u8], from: usize, end: usize, max: usize) -> usize {
    let low = from.max(end.saturating_sub(max));
    let mut q = end;
    while q > low && bytes.get(q - 1).is_some_and(|&b| is_bare_byte(b)) {
        q -= 1;
    }
    q
}

fn is_bare_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
}

#[allow(clippy::too_many_arguments)]
fn step_at(
    index: &Index,
    vault: &Vault,
    buf: &str,
    before: Before,
    i: usize,
    flags: u8,
    last: bool,
    json: bool,
) -> Step {
    if flags & BRACKET != 0 {
        return bracket(index, vault, buf.as_bytes(), i, last);
    }
    if !at_word_start(buf, before, i, json) {
        return Step::No;
    }
    if flags & BARE != 0 {
        match bare(index, vault, buf, i, last) {
            Step::No => {}
            other => return other,
        }
    }
    if let Some(s) = index.surrogates.as_ref().filter(|_| flags & SURROGATE != 0) {
        return surrogate(s, buf, i, last);
    }
    Step::No
}

/// No word character just before `i` (in JSON text, `\n` and friends count
/// as separators).
fn at_word_start(buf: &str, before: Before, i: usize, json: bool) -> bool {
    let mut back = buf[..i].chars().rev().chain([before[1], before[0]]);
    match back.next() {
        None => true,
        Some(c) if !is_word(c) => true,
        Some(c) => json && matches!(c, 'n' | 't' | 'r' | 'b' | 'f') && back.next() == Some('\\'),
    }
}

/// `[TYPE_N]`, any case inside the brackets.
fn bracket(index: &Index, vault: &Vault, bytes: &[u8], i: usize, last: bool) -> Step {
    let rest = &bytes[i + 1..];
    let limit = rest.len().min(index.max_name + 1);
    let mut k = 0;
    let mut underscore = None;
    while k < limit {
        match rest.get(k) {
            Some(&b) if is_name_byte(b) => {
                if b == b'_' {
                    underscore = Some(k);
                }
                k += 1;
            }
            _ => break,
        }
    }
    if k > index.max_name {
        return Step::No;
    }
    let Some(&close) = rest.get(k) else {
        return if last { Step::No } else { Step::NeedMore };
    };
    if close != b']' {
        return Step::No;
    }
    let Some((name, number)) = underscore.and_then(|u| placeholder::split_name_at(&rest[..k], u))
    else {
        return Step::No;
    };
    if let Some(entry) = vault.lookup(name, number, true) {
        return Step::Replace { len: k + 2, entry };
    }
    // A known type the vault lacks: invented by the model, unless the input
    // already had it.
    let known = EntityType::BUILTIN
        .iter()
        .map(EntityType::as_str)
        .chain(vault.type_names())
        .find(|t| t.as_bytes().eq_ignore_ascii_case(name));
    match known {
        Some(t) if !vault.is_reserved(t, number) => Step::Unknown { len: k + 2 },
        _ => Step::No,
    }
}

/// `PERSON_1` as a whole word, upper case, and only if the vault has it.
fn bare(index: &Index, vault: &Vault, buf: &str, i: usize, last: bool) -> Step {
    let bytes = buf.as_bytes();
    let rest = &bytes[i..];
    let k = rest
        .iter()
        .take(index.max_name + 1)
        .take_while(|&&b| is_bare_byte(b))
        .count();
    if k > index.max_name {
        return Step::No;
    }
    match buf[i + k..].chars().next() {
        None if !last => return Step::NeedMore,
        Some(c) if is_word(c) => return Step::No,
        _ => {}
    }
    match placeholder::split_name(&rest[..k]) {
        Some((name, number)) => match vault.lookup(name, number, false) {
            Some(entry) => Step::Replace { len: k, entry },
            None => Step::No,
        },
        None => Step::No,
    }
}

/// The longest surrogate starting at `i`, ending at a word boundary.
fn surrogate(s: &Surrogates, buf: &str, i: usize, last: bool) -> Step {
    let bytes = buf.as_bytes();
    let rest = &bytes[i..];
    let bucket = s.bucket(rest[0]);
    // A longer surrogate could still arrive: wait.
    if !last
        && bucket
            .iter()
            .any(|(k, _)| k.len() > rest.len() && k.starts_with(rest))
    {
        return Step::NeedMore;
    }
    let Some((key, entry)) = bucket.iter().find(|(k, _)| rest.starts_with(k)) else {
        return Step::No;
    };
    let end = i + key.len();
    let ends_in_word = buf[..end].chars().next_back().is_some_and(is_word);
    if ends_in_word {
        match buf.get(end..).and_then(|r| r.chars().next()) {
            None if !last => return Step::NeedMore,
            Some(c) if is_word(c) => return Step::No,
            _ => {}
        }
    }
    Step::Replace {
        len: key.len(),
        entry: *entry,
    }
}

/// Appends `s` as the inside of a JSON string.
pub(crate) fn push_json_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
}

/// Restores whole texts: an answer, tool-call arguments (JSON text), or a
/// parsed JSON value (structured output).
///
/// A restorer keeps one cursor per vault entry, so restoring the redacted
/// texts of a request in the order they were redacted gives back every
/// spelling of a value exactly (`Ana Ruiz`, then `ANA RUIZ`).
///
/// ```
/// use hushgate_redact::{Restorer, Vault};
/// let vault = Vault::new("acme".parse().unwrap());
/// let other: hushgate_types::TenantId = "globex".parse().unwrap();
/// // A vault never restores for another tenant.
/// assert!(Restorer::new(&vault, &other).is_err());
/// let mut r = Restorer::new(&vault, vault.tenant()).unwrap();
/// assert_eq!(r.restore("no placeholders, [PERSON_9] invented"), "no placeholders, [PERSON_9] invented");
/// assert_eq!(r.unknown(), 1);
/// ```
pub struct Restorer<V: Borrow<Vault>> {
    pub(crate) vault: V,
    pub(crate) index: Index,
    pub(crate) cursors: Cursors,
}

impl<V: Borrow<Vault>> Restorer<V> {
    /// A restorer for `vault`, which must belong to `tenant`.
    pub fn new(vault: V, tenant: &TenantId) -> Result<Restorer<V>, Error> {
        vault.borrow().check_tenant(tenant)?;
        Ok(Restorer::for_vault(vault))
    }

    pub(crate) fn for_vault(vault: V) -> Restorer<V> {
        let v = vault.borrow();
        let index = Index::new(v);
        let cursors = Cursors {
            next: Vec::new(),
            unknown: 0,
        };
        Restorer {
            vault,
            index,
            cursors,
        }
    }

    /// Placeholders seen so far that the vault does not hold (`[PERSON_9]`
    /// invented by a model); they are left as they are.
    pub fn unknown(&self) -> usize {
        self.cursors.unknown
    }

    pub fn vault(&self) -> &Vault {
        self.vault.borrow()
    }

    /// Restores plain text (an answer).
    pub fn restore(&mut self, text: &str) -> String {
        self.run(text, false)
    }

    /// Restores JSON text, e.g. tool-call `arguments`: originals are
    /// JSON-escaped, so `{"name": "[PERSON_1]"}` stays valid JSON whatever the
    /// name holds.
    pub fn restore_json(&mut self, json_text: &str) -> String {
        self.run(json_text, true)
    }

    /// Restores every string (and object key) of a parsed JSON value. A string
    /// that is itself JSON text (tool-call `arguments` inside a response body)
    /// is restored as JSON text, so its escaping stays right.
    pub fn restore_value(&mut self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let t = s.trim_start();
                let nested = (t.starts_with('{') || t.starts_with('['))
                    && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok();
                *s = if nested {
                    self.restore_json(s)
                } else {
                    self.restore(s)
                };
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.restore_value(v)),
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    self.restore_value(&mut v);
                    map.insert(self.restore(&k), v);
                }
            }
            _ => {}
        }
    }

    fn run(&mut self, text: &str, json: bool) -> String {
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        scan(
            &self.index,
            self.vault.borrow(),
            &mut self.cursors,
            text,
            START,
            true,
            json,
            &mut out,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Restores `text` fed in `parts` with the skipping scanner or the byte
    /// by byte one.
    fn stream(vault: &Vault, parts: &[&str], skip: bool) -> (String, usize) {
        let mut index = Index::new(vault);
        index.skip = skip;
        let mut cur = Cursors {
            next: Vec::new(),
            unknown: 0,
        };
        let (mut held, mut before, mut out) = (String::new(), START, String::new());
        for (k, part) in parts.iter().enumerate() {
            held.push_str(part);
            let last = k + 1 == parts.len();
            let done = scan(
                &index, vault, &mut cur, &held, before, last, false, &mut out,
            );
            before = advance(before, &held[..done]);
            held.replace_range(..done, "");
        }
        (out, cur.unknown)
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => r"[a-zA-Z_ \\\[\]0-9]{1,8}",
            1 => "\\PC{0,4}",
            1 => prop::sample::select(vec![
                "PERSON_1", "[PERSON_1]", "[person_2]", "EMAIL_ADDRESS_1", "[EMAIL_ADDRESS_1]'s",
                "PERSON_", "_1", "PERS", "ON_1", "[PERSON_9]", "XPERSON_1", "PERSON_1x", "é",
            ])
            .prop_map(str::to_owned),
        ]
    }

    proptest! {
        /// The `[` / `_` skipping changes no decision: against the byte by
        /// byte scan (what vaults with surrogates use), for any text and cuts.
        #[test]
        fn skipping_decides_like_scanning_every_byte(
            pieces in prop::collection::vec(fragment(), 0..20),
            cuts in prop::collection::vec(0usize..400, 0..30),
        ) {
            let mut v = Vault::with_seed("t".parse().unwrap(), 1);
            v.intern(&EntityType::Person, "Ana Ruiz");
            v.intern(&EntityType::Person, "Bob Stone");
            v.intern(&EntityType::EmailAddress, "ana@corp.example");
            // Cut the text at arbitrary char boundaries.
            let text = pieces.concat();
            let mut points: Vec<usize> = cuts
                .iter()
                .map(|&c| c % (text.len() + 1))
                .filter(|&c| text.is_char_boundary(c))
                .chain([0, text.len()])
                .collect();
            points.sort_unstable();
            points.dedup();
            let parts: Vec<&str> = points.windows(2).map(|w| &text[w[0]..w[1]]).collect();
            prop_assert_eq!(stream(&v, &parts, true), stream(&v, &parts, false));
        }
    }

    #[test]
    fn finds_the_first_open_bracket_or_underscore() {
        for len in 0..80 {
            for at in 0..len {
                for b in [b'[', b'_'] {
                    // Bytes around the target that differ from it by one bit
                    // or are 0x80 and up, which a sloppy word test would flag.
                    let mut hay: Vec<u8> =
                        (0..len).map(|k| [b'Z', 0xdb, b'^', 0xdf][k % 4]).collect();
                    hay[at] = b;
                    if at + 1 < len {
                        hay[at + 1] = b'[';
                    }
                    assert_eq!(find_open_or_underscore(&hay), Some(at), "{len} {at}");
                }
            }
            let plain = vec![b'Z'; len];
            assert_eq!(find_open_or_underscore(&plain), None);
        }
    }

    #[test]
    fn longest_builtin_type_name_is_accounted_for() {
        let longest = EntityType::BUILTIN.iter().map(|t| t.as_str().len()).max();
        let v = Vault::with_seed("t".parse().unwrap(), 1);
        assert_eq!(
            Index::new(&v).max_name,
            longest.unwrap_or(0) + 1 + MAX_NUMBER_DIGITS
        );
    }
}
