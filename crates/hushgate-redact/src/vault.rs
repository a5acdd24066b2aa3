//! The per-request vault: placeholder and surrogate <-> original.
//!
//! Originals live only here, in zeroize-on-drop buffers; `Debug` shows counts.
//! The vault belongs to one tenant, and [`crate::Restorer`] refuses any other.

use std::collections::BTreeMap;

// foldhash: fast, and randomly seeded per map (values come from requests).
use foldhash::{HashMap, HashMapExt, HashSet};
use std::fmt;

use hushgate_types::{EntityType, TenantId};
use zeroize::{Zeroize, Zeroizing};

use crate::error::Error;
use crate::placeholder;

/// One distinct value (up to trivial variants) and how it is replaced.
pub(crate) struct Entry {
    pub(crate) entity_type: EntityType,
    pub(crate) number: u32,
    /// The spellings seen, first one first (`+1 (555) 010-0199`, `5550100199`).
    pub(crate) variants: Vec<Zeroizing<String>>,
    /// Index into `variants` of each occurrence, in redaction order; empty
    /// while there is one variant. Restoring the redacted text in order thus
    /// gives back every spelling exactly.
    pub(crate) sequence: Vec<u32>,
    pub(crate) occurrences: u32,
    pub(crate) surrogate: Option<Zeroizing<String>>,
    /// A surrogate was tried for this entry (and maybe not found).
    pub(crate) surrogate_tried: bool,
}

impl Entry {
    fn new(entity_type: EntityType, number: u32, variants: Vec<Zeroizing<String>>) -> Entry {
        Entry {
            entity_type,
            number,
            variants,
            sequence: Vec::new(),
            occurrences: 1,
            surrogate: None,
            surrogate_tried: false,
        }
    }

    /// Appends `[PERSON_1]` to `out` (formatted on the spot: cheaper than
    /// storing one string per entry).
    pub(crate) fn write_placeholder(&self, out: &mut String) {
        out.push('[');
        out.push_str(self.entity_type.as_str());
        out.push('_');
        out.push_str(itoa(self.number).as_str());
        out.push(']');
    }

    #[cfg(test)]
    pub(crate) fn placeholder(&self) -> String {
        let mut s = String::new();
        self.write_placeholder(&mut s);
        s
    }

    /// The original to put back for the `occurrence`-th match (0-based).
    pub(crate) fn variant(&self, occurrence: u32) -> &str {
        let i = self.sequence.get(occurrence as usize).copied().unwrap_or(0) as usize;
        self.variants
            .get(i)
            .or_else(|| self.variants.first())
            .map_or("", |v| v.as_str())
    }
}

/// The mapping of one request (or one CLI run): placeholders and surrogates
/// to the originals they replace.
///
/// * The same value, up to trivial variants (case and spacing of names and
///   e-mails, the formatting of card and phone numbers), gets the same
///   placeholder in every text redacted into this vault.
/// * Originals are zeroized on drop and never printed: `Debug` shows counts.
/// * A vault belongs to one tenant; restoring for another is refused.
///
/// ```
/// use hushgate_redact::Vault;
/// let vault = Vault::new("acme".parse().unwrap());
/// assert!(vault.is_empty());
/// assert_eq!(format!("{vault:?}"), "Vault { tenant: \"acme\", entries: 0, by_type: {} }");
/// ```
pub struct Vault {
    tenant: TenantId,
    /// Surrogate randomness of this vault.
    pub(crate) seed: u64,
    /// Per-request date shift (keeps intervals between dates).
    pub(crate) date_shift_days: i32,
    /// Per-request clock-time shift.
    pub(crate) time_shift_minutes: i32,
    pub(crate) entries: Vec<Entry>,
    /// (type, normalized value) -> entry.
    by_value: HashMap<(EntityType, String), usize>,
    /// Per entity type: the next number, and entry by number (dense: numbers
    /// are allocated in order), so restoring a placeholder neither hashes nor
    /// allocates.
    types: Vec<TypeSlots>,
    /// surrogate -> entry.
    pub(crate) by_surrogate: HashMap<String, usize>,
    /// Number -> upper-cased name runs before `_N` in the input: any
    /// `TYPE_N` whose type ends such a run is never allocated (redaction
    /// could isolate it) and never counted as invented.
    reserved: HashMap<u32, HashSet<String>>,
}

impl Vault {
    /// An empty vault for `tenant`, with fresh randomness for surrogates and
    /// date shifts.
    pub fn new(tenant: TenantId) -> Vault {
        use chacha20poly1305::aead::OsRng;
        use chacha20poly1305::aead::rand_core::RngCore;
        let mut seed = [0u8; 8];
        if OsRng.try_fill_bytes(&mut seed).is_err() {
            // Never panic for want of entropy: the seed only picks fakes and
            // the date shift; the clock still makes it differ per request.
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            seed = nanos.to_le_bytes();
        }
        Vault::with_seed(tenant, u64::from_le_bytes(seed))
    }

    /// A vault whose surrogates and date shift are derived from `seed`
    /// (reproducible; for tests and benchmarks).
    pub fn with_seed(tenant: TenantId, seed: u64) -> Vault {
        let mut rng = crate::surrogate::Rng::new(seed, u64::MAX);
        // 30 to 364 days either way, never zero, so no date survives.
        let days = 30 + rng.below(335) as i32;
        let date_shift_days = if rng.below(2) == 0 { days } else { -days };
        let time_shift_minutes = 7 + rng.below(173) as i32;
        Vault {
            tenant,
            seed,
            date_shift_days,
            time_shift_minutes,
            entries: Vec::new(),
            by_value: HashMap::new(),
            types: Vec::new(),
            by_surrogate: HashMap::new(),
            reserved: HashMap::new(),
        }
    }

    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Number of distinct values held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Distinct values per entity type.
    pub fn counts(&self) -> BTreeMap<EntityType, usize> {
        let mut out = BTreeMap::new();
        for e in &self.entries {
            *out.entry(e.entity_type.clone()).or_insert(0) += 1;
        }
        out
    }

    /// Fails unless the vault belongs to `tenant`.
    pub fn check_tenant(&self, tenant: &TenantId) -> Result<(), Error> {
        if &self.tenant == tenant {
            Ok(())
        } else {
            Err(Error::TenantMismatch {
                vault: self.tenant.clone(),
                requested: tenant.clone(),
            })
        }
    }

    /// Remembers the `TYPE_N` look-alikes already in `text`, so no
    /// placeholder this vault allocates later equals them. [`crate::Redactor`]
    /// does this for every text it is given; call it yourself for texts of
    /// the same request that are not redacted (e.g. earlier assistant turns).
    pub fn reserve_literals(&mut self, text: &str) {
        for (run, number) in placeholder::literal_candidates(text) {
            self.reserved.entry(number).or_default().insert(run);
        }
    }

    /// Restores placeholders and surrogates in `text` (a convenience for
    /// [`crate::Restorer`] with this vault's own tenant).
    pub fn restore(&self, text: &str) -> String {
        crate::Restorer::for_vault(self).restore(text)
    }

    pub(crate) fn is_reserved(&self, type_name: &str, number: u32) -> bool {
        self.reserved
            .get(&number)
            .is_some_and(|runs| runs.iter().any(|r| r.ends_with(type_name)))
    }

    /// The entry of `NAME_number`; `name` compared ignoring ASCII case when
    /// `any_case`, else exactly.
    pub(crate) fn lookup(&self, name: &[u8], number: u32, any_case: bool) -> Option<usize> {
        let slots = self.types.iter().find(|t| {
            let n = t.entity_type.as_str().as_bytes();
            if any_case {
                // Models mostly keep the case: try the cheap comparison first.
                n == name || n.eq_ignore_ascii_case(name)
            } else {
                n == name
            }
        })?;
        let idx = *slots.entries.get((number as usize).checked_sub(1)?)?;
        (idx != NONE).then_some(idx as usize)
    }

    pub(crate) fn type_names(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|t| t.entity_type.as_str())
    }

    fn slots(&mut self, t: &EntityType) -> &mut TypeSlots {
        let i = match self.types.iter().position(|s| &s.entity_type == t) {
            Some(i) => i,
            None => {
                self.types.push(TypeSlots {
                    entity_type: t.clone(),
                    next: 1,
                    entries: Vec::new(),
                });
                self.types.len() - 1
            }
        };
        &mut self.types[i]
    }

    fn link(&mut self, t: &EntityType, number: u32, idx: usize) {
        let slots = self.slots(t);
        let i = number as usize - 1;
        if slots.entries.len() <= i {
            slots.entries.resize(i + 1, NONE);
        }
        slots.entries[i] = idx as u32;
    }

    /// Room for `n` more values.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
        self.by_value.reserve(n);
    }

    /// The entry for `value`, created if new; records one occurrence.
    pub(crate) fn intern(&mut self, t: &EntityType, value: &str) -> usize {
        let mut key = (t.clone(), normalize(t, value));
        if let Some(&idx) = self.by_value.get(&key) {
            key.1.zeroize();
            let Some(e) = self.entries.get_mut(idx) else {
                return idx;
            };
            let vi = match e.variants.iter().position(|v| v.as_str() == value) {
                Some(i) => i,
                None => {
                    e.variants.push(Zeroizing::new(value.to_owned()));
                    e.variants.len() - 1
                }
            };
            if vi != 0 || !e.sequence.is_empty() {
                if e.sequence.is_empty() {
                    e.sequence = vec![0; e.occurrences as usize];
                }
                e.sequence.push(vi as u32);
            }
            e.occurrences += 1;
            return idx;
        }
        let number = self.allocate(t);
        let idx = self.entries.len();
        self.link(t, number, idx);
        self.by_value.insert(key, idx);
        self.entries.push(Entry::new(
            t.clone(),
            number,
            vec![Zeroizing::new(value.to_owned())],
        ));
        idx
    }

    fn allocate(&mut self, t: &EntityType) -> u32 {
        let mut n = self.slots(t).next;
        while self.is_reserved(t.as_str(), n) {
            n += 1;
        }
        self.slots(t).next = n + 1;
        n
    }

    pub(crate) fn set_surrogate(&mut self, idx: usize, surrogate: String) {
        self.by_surrogate.insert(surrogate.clone(), idx);
        if let Some(e) = self.entries.get_mut(idx) {
            e.surrogate = Some(Zeroizing::new(surrogate));
        }
    }

    /// Normalized originals (lower-cased), for surrogate collision checks.
    pub(crate) fn originals_lower(&self) -> impl Iterator<Item = String> + '_ {
        self.entries
            .iter()
            .flat_map(|e| e.variants.iter().map(|v| v.to_lowercase()))
    }
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let by_type: BTreeMap<String, usize> = self
            .counts()
            .into_iter()
            .map(|(t, n)| (t.as_str().to_owned(), n))
            .collect();
        f.debug_struct("Vault")
            .field("tenant", &self.tenant.as_str())
            .field("entries", &self.entries.len())
            .field("by_type", &by_type)
            .finish()
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        // Variants and surrogates are `Zeroizing`; the map keys hold
        // normalized originals and surrogates too.
        for ((_, mut k), _) in self.by_value.drain() {
            k.zeroize();
        }
        for (mut k, _) in self.by_surrogate.drain() {
            k.zeroize();
        }
        self.seed.zeroize();
        self.date_shift_days.zeroize();
        self.time_shift_minutes.zeroize();
    }
}

/// The key under which trivial variants of a value meet. Only where merging is
/// safe: letters' case and spacing for names, places, dates and e-mails;
/// separators for numbers; NANP `+1`/`001` prefixes for phones. Secrets, URLs
/// and wallet addresses are case-sensitive and kept as they are.
pub(crate) fn normalize(t: &EntityType, v: &str) -> String {
    let v = v.trim();
    match t {
        EntityType::EmailAddress | EntityType::IpAddress => v.to_lowercase(),
        EntityType::PhoneNumber => phone_key(v),
        EntityType::CreditCard
        | EntityType::UsSsn
        | EntityType::UkNhs
        | EntityType::UsBankNumber
        | EntityType::AbaRouting
        | EntityType::IbanCode
        | EntityType::MacAddress => v
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect(),
        EntityType::Crypto if v.starts_with("0x") => v.to_lowercase(),
        EntityType::ApiKey | EntityType::Crypto | EntityType::Url => v.to_owned(),
        // The common case: ASCII with single spaces.
        _ if v.is_ascii()
            && !v.contains("  ")
            && !v.bytes().any(|b| b.is_ascii_whitespace() && b != b' ') =>
        {
            v.to_ascii_lowercase()
        }
        _ => {
            let mut out = String::with_capacity(v.len());
            for word in v.split(|c: char| c.is_whitespace()) {
                if word.is_empty() {
                    continue;
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.extend(word.chars().flat_map(char::to_lowercase));
            }
            out
        }
    }
}

/// Digits of the number, `00` international prefix and NANP country code
/// dropped; an extension (after the first letter: `x`, `ext.`) kept apart.
fn phone_key(v: &str) -> String {
    let (main, ext) = match v.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => v.split_at(i),
        None => (v, ""),
    };
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    let mut d = digits.as_str();
    if let Some(rest) = d.strip_prefix("00") {
        d = rest;
    }
    if d.len() == 11 && d.starts_with('1') {
        d = &d[1..];
    }
    let mut out = d.to_owned();
    let ext: String = ext.chars().filter(char::is_ascii_digit).collect();
    if !ext.is_empty() {
        out.push('x');
        out.push_str(&ext);
    }
    out
}

// --- Serialization for the sealed (encrypted) vault -------------------------
//
// A small length-prefixed binary format, written in two passes (size, then
// bytes) into one exactly-sized buffer, so no reallocation leaves copies of
// originals behind.

trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn u32(&mut self, v: u32) {
        self.put(&v.to_be_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.put(s.as_bytes());
    }
}

struct Counter(usize);
impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Vault {
    fn write(&self, w: &mut impl Sink) {
        w.put(&self.seed.to_be_bytes());
        w.put(&self.date_shift_days.to_be_bytes());
        w.put(&self.time_shift_minutes.to_be_bytes());
        w.u32(self.entries.len() as u32);
        for e in &self.entries {
            w.str(e.entity_type.as_str());
            w.u32(e.number);
            w.u32(e.occurrences);
            w.u32(e.variants.len() as u32);
            for v in &e.variants {
                w.str(v);
            }
            w.u32(e.sequence.len() as u32);
            for &i in &e.sequence {
                w.u32(i);
            }
            w.put(&[u8::from(e.surrogate_tried)]);
            match &e.surrogate {
                Some(s) => {
                    w.put(&[1]);
                    w.str(s);
                }
                None => w.put(&[0]),
            }
        }
        w.u32(self.types.len() as u32);
        for t in &self.types {
            w.str(t.entity_type.as_str());
            w.u32(t.next);
        }
        let mut reserved: Vec<(u32, &String)> = self
            .reserved
            .iter()
            .flat_map(|(&n, runs)| runs.iter().map(move |r| (n, r)))
            .collect();
        reserved.sort();
        w.u32(reserved.len() as u32);
        for (n, r) in reserved {
            w.u32(n);
            w.str(r);
        }
    }

    /// The vault's contents as bytes (the plaintext of a sealed vault).
    pub(crate) fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut n = Counter(0);
        self.write(&mut n);
        let mut out = Zeroizing::new(Vec::with_capacity(n.0));
        self.write(&mut *out);
        out
    }

    /// The inverse of [`Vault::to_bytes`].
    pub(crate) fn from_bytes(tenant: TenantId, bytes: &[u8]) -> Result<Vault, Error> {
        let mut r = Reader { bytes, pos: 0 };
        let seed = u64::from_be_bytes(r.array()?);
        let mut v = Vault::with_seed(tenant, seed);
        v.date_shift_days = i32::from_be_bytes(r.array()?);
        v.time_shift_minutes = i32::from_be_bytes(r.array()?);
        let n = r.count(12)?;
        for idx in 0..n {
            let entity_type: EntityType = r.str()?.parse().map_err(|_| corrupt("entity type"))?;
            let number = r.u32()?;
            let occurrences = r.u32()?;
            let nv = r.count(4)?;
            let mut variants = Vec::with_capacity(nv);
            for _ in 0..nv {
                variants.push(Zeroizing::new(r.str()?.to_owned()));
            }
            let ns = r.count(4)?;
            let mut sequence = Vec::with_capacity(ns);
            for _ in 0..ns {
                let i = r.u32()?;
                if i as usize >= nv {
                    return Err(corrupt("variant index"));
                }
                sequence.push(i);
            }
            // Numbers are allocated in order; a huge one is a forgery (and
            // would size the slot table).
            if variants.is_empty() || number == 0 || number as usize > MAX_NUMBER {
                return Err(corrupt("entry"));
            }
            let surrogate_tried = r.byte()? != 0;
            let surrogate = match r.byte()? {
                0 => None,
                _ => Some(r.str()?.to_owned()),
            };
            let first = normalize(&entity_type, &variants[0]);
            if v.lookup(entity_type.as_str().as_bytes(), number, false)
                .is_some()
            {
                return Err(corrupt("duplicate placeholder"));
            }
            v.link(&entity_type, number, idx);
            v.by_value.insert((entity_type.clone(), first), idx);
            let mut e = Entry::new(entity_type, number, variants);
            e.sequence = sequence;
            e.occurrences = occurrences;
            e.surrogate_tried = surrogate_tried;
            v.entries.push(e);
            if let Some(s) = surrogate {
                v.set_surrogate(idx, s);
            }
        }
        let n = r.count(8)?;
        for _ in 0..n {
            let t: EntityType = r.str()?.parse().map_err(|_| corrupt("entity type"))?;
            let next = r.u32()?;
            v.slots(&t).next = next;
        }
        let n = r.count(8)?;
        for _ in 0..n {
            let number = r.u32()?;
            let run = r.str()?.to_owned();
            v.reserved.entry(number).or_default().insert(run);
        }
        if r.pos != bytes.len() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(v)
    }
}

/// Decimal digits of `n`, without the formatting machinery.
fn itoa(mut n: u32) -> ArrayStr {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    ArrayStr { buf, start: i }
}

struct ArrayStr {
    buf: [u8; 10],
    start: usize,
}

impl ArrayStr {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[self.start..]).unwrap_or("0")
    }
}

/// A slot table entry with no vault entry (a reserved or skipped number).
const NONE: u32 = u32::MAX;
/// The largest placeholder number a sealed vault may hold.
const MAX_NUMBER: usize = 1 << 24;

/// Placeholders of one entity type.
struct TypeSlots {
    entity_type: EntityType,
    next: u32,
    /// Entry index of number `i + 1`, or [`NONE`].
    entries: Vec<u32>,
}

fn corrupt(reason: &'static str) -> Error {
    Error::Corrupt { reason }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).ok_or(corrupt("length"))?;
        let s = self.bytes.get(self.pos..end).ok_or(corrupt("truncated"))?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8, Error> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// A count of items at least `min_size` bytes each, bounded by what is
    /// left (so a forged count cannot make us allocate gigabytes).
    fn count(&mut self, min_size: usize) -> Result<usize, Error> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.bytes.len() - self.pos {
            return Err(corrupt("count"));
        }
        Ok(n)
    }

    fn str(&mut self) -> Result<&'a str, Error> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| corrupt("string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::with_seed("t1".parse().unwrap(), 7)
    }

    #[test]
    fn same_value_same_entry_and_trivial_variants_merge() {
        let mut v = vault();
        let a = v.intern(&EntityType::PhoneNumber, "+1 (555) 010-0199");
        let b = v.intern(&EntityType::PhoneNumber, "5550100199");
        let c = v.intern(&EntityType::PhoneNumber, "+44 20 7946 0000");
        assert_eq!(a, b);
        assert_ne!(a, c);
        let p = v.intern(&EntityType::Person, "Ana  Ruiz");
        assert_eq!(v.intern(&EntityType::Person, "ana ruiz"), p);
        // Same text, different type: different entries.
        assert_ne!(v.intern(&EntityType::Location, "ana ruiz"), p);
        assert_eq!(v.entries[a].placeholder(), "[PHONE_NUMBER_1]");
        assert_eq!(v.entries[c].placeholder(), "[PHONE_NUMBER_2]");
        // Each occurrence gets its own spelling back, in order.
        let e = &v.entries[a];
        assert_eq!(e.variant(0), "+1 (555) 010-0199");
        assert_eq!(e.variant(1), "5550100199");
        assert_eq!(e.variant(2), "+1 (555) 010-0199");
    }

    #[test]
    fn api_keys_are_case_sensitive() {
        let mut v = vault();
        let a = v.intern(&EntityType::ApiKey, "sk-AbC");
        let b = v.intern(&EntityType::ApiKey, "sk-abc");
        assert_ne!(a, b);
    }

    #[test]
    fn reserved_literals_are_skipped() {
        let mut v = vault();
        v.reserve_literals("the template says [PERSON_1] and person_2, 0199PERSON_34");
        let i = v.intern(&EntityType::Person, "Ana Ruiz");
        assert_eq!(v.entries[i].placeholder(), "[PERSON_4]");
    }

    #[test]
    fn debug_shows_counts_only() {
        let mut v = vault();
        v.intern(&EntityType::EmailAddress, "canary.value@example.org");
        let s = format!("{v:?}");
        assert!(!s.contains("canary"), "{s}");
        assert!(
            s.contains("EMAIL_ADDRESS") && s.contains("entries: 1"),
            "{s}"
        );
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let mut v = vault();
        v.reserve_literals("PERSON_1");
        let i = v.intern(&EntityType::Person, "Ana Ruiz");
        v.intern(&EntityType::Person, "ANA RUIZ");
        v.set_surrogate(i, "Dana Lee".into());
        v.intern(&EntityType::Custom("PROJECT_CODE".into()), "Falcon");
        let bytes = v.to_bytes();
        let w = Vault::from_bytes(v.tenant().clone(), &bytes).unwrap();
        assert_eq!(w.to_bytes().as_slice(), bytes.as_slice());
        assert_eq!(w.lookup(b"PERSON", 2, false), Some(0));
        assert_eq!(w.lookup(b"person", 2, true), Some(0));
        assert_eq!(w.lookup(b"person", 2, false), None);
        assert_eq!(w.entries[0].variant(1), "ANA RUIZ");
        for cut in [0, 5, bytes.len() / 2, bytes.len() - 1] {
            assert!(Vault::from_bytes(v.tenant().clone(), &bytes[..cut]).is_err());
        }
        let mut forged = bytes.to_vec();
        forged[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Vault::from_bytes(v.tenant().clone(), &forged).is_err());
    }
}
