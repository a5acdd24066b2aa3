//! Word tables keyed by a 64-bit hash, laid out as plain bytes so that the
//! large gazetteers can be built by `build.rs` at compile time and used in
//! place (`include_bytes!`), with nothing to parse when an engine starts.
//!
//! This file is also compiled into the build script (`#[path]`), so it uses
//! `std` only.
//!
//! Layout, all little-endian: `keys` holds the `n` keys as `u64`, sorted;
//! `vals` their `u32` values; `dir` holds `2^b + 1` `u32` offsets into `keys`,
//! where bucket `t` (the top `b` bits of a key) spans `dir[t]..dir[t + 1]`.
//! With about two keys a bucket, a lookup reads the directory and one or two
//! keys, and the table is as compact as a sorted list (no empty slots). A
//! table can also keep each key's bytes (`offs`: `n` `u32` offsets into
//! `strs`, each entry's bytes preceded by a length byte) so that a hit is
//! confirmed byte for byte.

use std::borrow::Cow;
use std::collections::HashMap;

/// FNV-1a over `w`, ASCII-lower-casing each byte first when `fold` is set,
/// then a final mix (so the top bits pick a bucket well).
#[inline]
pub fn key_bytes(w: &[u8], fold: bool) -> u64 {
    mix(fnv(FNV_START, w, fold))
}

/// The FNV-1a state before any byte; extend with [`fnv`], finish with [`mix`].
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Extends an FNV-1a state by `w` (ASCII-lower-cased when `fold`).
#[inline]
pub fn fnv(mut h: u64, w: &[u8], fold: bool) -> u64 {
    for &b in w {
        let b = if fold { b.to_ascii_lowercase() } else { b };
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The final mix of [`key_bytes`].
#[inline]
pub fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[inline]
fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    let mut w = [0u8; 4];
    w.copy_from_slice(b.get(i * 4..i * 4 + 4)?);
    Some(u32::from_le_bytes(w))
}

#[inline]
fn u64_at(b: &[u8], i: usize) -> Option<u64> {
    let mut w = [0u8; 8];
    w.copy_from_slice(b.get(i * 8..i * 8 + 8)?);
    Some(u64::from_le_bytes(w))
}

/// A table in the byte layout of the module docs, borrowed from static data
/// or owned (built at run time, e.g. in tests).
#[derive(Debug, Clone, Default)]
pub struct Table {
    dir: Cow<'static, [u8]>,
    keys: Cow<'static, [u8]>,
    vals: Cow<'static, [u8]>,
    offs: Cow<'static, [u8]>,
    strs: Cow<'static, [u8]>,
    /// `64 - b`: a key's bucket is `key >> shift`.
    shift: u32,
}

/// The byte sections of a table, as [`Table::layout`] writes them.
pub struct Sections {
    pub dir: Vec<u8>,
    pub keys: Vec<u8>,
    pub vals: Vec<u8>,
    pub offs: Vec<u8>,
    pub strs: Vec<u8>,
}

impl Table {
    /// A table over static bytes, as written by [`Table::layout`].
    pub fn from_static(
        dir: &'static [u8],
        keys: &'static [u8],
        vals: &'static [u8],
        offs: &'static [u8],
        strs: &'static [u8],
    ) -> Table {
        Table::new(
            Cow::Borrowed(dir),
            Cow::Borrowed(keys),
            Cow::Borrowed(vals),
            Cow::Borrowed(offs),
            Cow::Borrowed(strs),
        )
    }

    fn new(
        dir: Cow<'static, [u8]>,
        keys: Cow<'static, [u8]>,
        vals: Cow<'static, [u8]>,
        offs: Cow<'static, [u8]>,
        strs: Cow<'static, [u8]>,
    ) -> Table {
        // `2^b + 1` directory entries; anything else reads as an empty table.
        let buckets = (dir.len() / 4).saturating_sub(1);
        let shift = if buckets.is_power_of_two() && buckets > 1 {
            64 - buckets.trailing_zeros()
        } else {
            64
        };
        Table {
            dir,
            keys,
            vals,
            offs,
            strs,
            shift,
        }
    }

    /// Builds a table from `(key, value, bytes)` entries (keys distinct;
    /// `bytes` kept for confirmation when `with_strings`).
    #[cfg_attr(not(test), allow(dead_code))] // used by build.rs
    pub fn build(entries: &[(u64, u32, &[u8])], with_strings: bool) -> Table {
        let s = Table::layout(entries, with_strings);
        Table::new(
            Cow::Owned(s.dir),
            Cow::Owned(s.keys),
            Cow::Owned(s.vals),
            Cow::Owned(s.offs),
            Cow::Owned(s.strs),
        )
    }

    /// The byte sections for `entries`.
    #[cfg_attr(not(test), allow(dead_code))] // used by build.rs
    pub fn layout(entries: &[(u64, u32, &[u8])], with_strings: bool) -> Sections {
        let mut sorted = entries.to_vec();
        sorted.sort_unstable_by_key(|e| e.0);
        // About two keys a bucket.
        let buckets = (entries.len() / 2).next_power_of_two().max(2);
        let shift = 64 - buckets.trailing_zeros();
        let mut dir = Vec::with_capacity((buckets + 1) * 4);
        let mut at = 0usize;
        for t in 0..=buckets {
            while at < sorted.len() && ((sorted[at].0 >> shift) as usize) < t {
                at += 1;
            }
            dir.extend_from_slice(&(at as u32).to_le_bytes());
        }
        let mut s = Sections {
            dir,
            keys: Vec::new(),
            vals: Vec::new(),
            offs: Vec::new(),
            strs: Vec::new(),
        };
        for &(k, v, b) in &sorted {
            s.keys.extend_from_slice(&k.to_le_bytes());
            s.vals.extend_from_slice(&v.to_le_bytes());
            if with_strings {
                s.offs
                    .extend_from_slice(&(s.strs.len() as u32).to_le_bytes());
                let b = &b[..b.len().min(255)];
                s.strs.push(b.len() as u8);
                s.strs.extend_from_slice(b);
            }
        }
        s
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.keys.len() / 8
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The index of `k` in `keys`, if present.
    #[inline]
    fn find(&self, k: u64) -> Option<usize> {
        if self.shift >= 64 {
            return None;
        }
        let t = (k >> self.shift) as usize;
        let lo = u32_at(&self.dir, t)? as usize;
        let hi = u32_at(&self.dir, t + 1)? as usize;
        (lo..hi).find(|&i| u64_at(&self.keys, i) == Some(k))
    }

    /// The value stored under `k` (hash only; for tables without strings).
    #[inline]
    pub fn get(&self, k: u64) -> Option<u32> {
        self.find(k).and_then(|i| u32_at(&self.vals, i))
    }

    /// The value stored under `k` whose bytes equal `bytes` (ASCII case
    /// folded when `fold`; stored bytes are compared as stored).
    #[inline]
    pub fn get_exact(&self, k: u64, bytes: &[u8], fold: bool) -> Option<u32> {
        let i = self.find(k)?;
        let off = u32_at(&self.offs, i)? as usize;
        let n = usize::from(*self.strs.get(off)?);
        let stored = self.strs.get(off + 1..off + 1 + n)?;
        let same = if fold {
            stored.len() == bytes.len()
                && stored
                    .iter()
                    .zip(bytes)
                    .all(|(a, b)| *a == b.to_ascii_lowercase())
        } else {
            stored == bytes
        };
        if same { u32_at(&self.vals, i) } else { None }
    }
}

/// Collects entries by key for [`Table::build`], failing on a hash collision
/// between different byte strings.
#[cfg_attr(not(test), allow(dead_code))] // used by build.rs
#[derive(Debug, Default)]
pub struct Entries {
    map: HashMap<u64, (u32, Vec<u8>)>,
    order: Vec<u64>,
}

#[cfg_attr(not(test), allow(dead_code))] // used by build.rs
impl Entries {
    /// The value under `bytes` (hashed with [`key_bytes`], no folding), to
    /// update in place; `Err` names the colliding bytes.
    pub fn entry(&mut self, bytes: &[u8]) -> Result<&mut u32, String> {
        let k = key_bytes(bytes, false);
        self.entry_key(k, bytes)
    }

    /// Like [`Entries::entry`] with a precomputed key.
    pub fn entry_key(&mut self, k: u64, bytes: &[u8]) -> Result<&mut u32, String> {
        let e = self.map.entry(k).or_insert_with(|| {
            self.order.push(k);
            (0, bytes.to_vec())
        });
        if e.1 != bytes {
            return Err(format!(
                "hash collision: {:?} and {:?}",
                String::from_utf8_lossy(&e.1),
                String::from_utf8_lossy(bytes)
            ));
        }
        Ok(&mut e.0)
    }

    /// `(key, value, bytes)` in first-insertion order (deterministic output).
    pub fn list(&self) -> Vec<(u64, u32, &[u8])> {
        self.order
            .iter()
            .filter_map(|k| self.map.get(k).map(|(v, b)| (*k, *v, b.as_slice())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_and_look_up() {
        let mut e = Entries::default();
        for (i, w) in ["alpha", "beta", "gamma", "san diego"].iter().enumerate() {
            *e.entry(w.as_bytes()).unwrap() = i as u32 + 1;
        }
        let t = Table::build(&e.list(), true);
        assert_eq!(t.len(), 4);
        let k = key_bytes(b"San Diego", true);
        assert_eq!(t.get_exact(k, b"San Diego", true), Some(4));
        assert_eq!(t.get(key_bytes(b"beta", false)), Some(2));
        assert_eq!(t.get(key_bytes(b"delta", false)), None);
        assert_eq!(
            fnv(fnv(FNV_START, b"ab", false), b"c", false),
            fnv(FNV_START, b"abc", false)
        );
        let empty = Table::default();
        assert_eq!(empty.get(k), None);
    }
}
