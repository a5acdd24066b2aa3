//! Embedded name and word lists (see `data/SOURCES.md`), turned by `build.rs`
//! into one hash table keyed by the lower-case form (see [`crate::table`]),
//! used in place: nothing is parsed at run time.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::table::{Entries, Table};

/// What the lists say about one lower-case word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameInfo {
    /// Popularity as a given name, 0 = not listed, 1 (rare) ..= 6 (very common).
    pub first: u8,
    /// Popularity as a surname, 0 = not listed, 1 ..= 6.
    pub last: u8,
    /// How common it is as an English word: 0 = not a word, 1 = rare word,
    /// 2 = common, 3 = very common ("will", "may", "bill").
    pub word: u8,
}

impl NameInfo {
    pub fn is_name(self) -> bool {
        self.first > 0 || self.last > 0
    }

    /// The table value: one byte per field.
    #[cfg_attr(not(test), allow(dead_code))] // used by build.rs
    fn pack(self) -> u32 {
        u32::from(self.first) | u32::from(self.last) << 8 | u32::from(self.word) << 16
    }

    fn unpack(v: u32) -> NameInfo {
        NameInfo {
            first: (v & 0xff) as u8,
            last: ((v >> 8) & 0xff) as u8,
            word: ((v >> 16) & 0xff) as u8,
        }
    }
}

/// A 64-bit key for a lower-case word: FNV-1a, then a final mix. The table
/// stores only keys, so a lookup compares integers, never strings; with a few
/// hundred thousand words a collision is vanishingly unlikely (and `build.rs`
/// fails on any collision within the lists).
#[inline]
pub fn key(w: &str) -> u64 {
    key_bytes(w.as_bytes(), false)
}

/// [`key`] of the bytes, ASCII-lower-casing them first when `fold` is set
/// (the same key as `key` of the lower-cased word, without a copy).
#[inline]
pub fn key_bytes(w: &[u8], fold: bool) -> u64 {
    crate::table::key_bytes(w, fold)
}

/// Hasher for keys that are already hashes.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map from [`key`]s.
pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// The table entries of the three lists (`word<TAB>digit` lines, each ending
/// in a newline). Run by `build.rs`; `Err` on a hash collision.
#[cfg_attr(not(test), allow(dead_code))] // used by build.rs
pub(crate) fn entries(first: &str, last: &str, words: &str) -> Result<Entries, String> {
    let mut e = Entries::default();
    let mut load = |data: &str, set: fn(&mut NameInfo, u8)| -> Result<(), String> {
        let mut rest = data;
        // Only complete lines count (as when the lists were parsed at run time).
        while let Some(nl) = rest.find('\n') {
            let line = &rest[..nl];
            rest = &rest[nl + 1..];
            let (name, v) = match line.len().checked_sub(2) {
                Some(t) if line.as_bytes()[t] == b'\t' => {
                    (&line[..t], line.as_bytes()[t + 1].saturating_sub(b'0'))
                }
                _ => (line, 1),
            };
            if !name.is_empty() {
                let slot = e.entry(name.as_bytes())?;
                let mut info = NameInfo::unpack(*slot);
                set(&mut info, v);
                *slot = info.pack();
            }
        }
        Ok(())
    };
    load(first, |i, v| i.first = v.max(1))?;
    load(last, |i, v| i.last = v.max(1))?;
    load(words, |i, v| i.word = v)?;
    Ok(e)
}

/// The lists.
pub struct Gazetteer {
    table: Table,
}

impl Gazetteer {
    /// The process-wide lists (compiled in; nothing to parse).
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| Gazetteer {
            table: crate::generated::names(),
        })
    }

    /// Looks up an already lower-cased word.
    #[inline]
    pub fn lookup(&self, lower: &str) -> NameInfo {
        self.lookup_key(key(lower))
    }

    /// Looks up a word by its [`key`].
    #[inline]
    pub fn lookup_key(&self, k: u64) -> NameInfo {
        self.table.get(k).map(NameInfo::unpack).unwrap_or_default()
    }

    /// Number of distinct words known.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_names_and_words() {
        let t = std::time::Instant::now();
        let g = Gazetteer::get();
        eprintln!("gazetteer: {} entries in {:?}", g.len(), t.elapsed());
        assert!(g.len() > 200_000);
        for first in [
            "james", "maria", "takeshi", "aoife", "chinedu", "нина", "محمد",
        ] {
            assert!(g.lookup(first).first > 0, "{first}");
        }
        for last in [
            "smith",
            "garcía",
            "nguyen",
            "kowalski",
            "okafor",
            "иванова",
            "王",
        ] {
            assert!(g.lookup(last).last > 0, "{last}");
        }
        assert!(g.lookup("will").word >= 2 && g.lookup("will").first > 0);
        assert_eq!(g.lookup("takeshi").word, 0);
        assert!(!g.lookup("xqzt").is_name());
        // No two listed words share a key.
        const FIRST: &str = include_str!("../../../data/names/first.tsv");
        const LAST: &str = include_str!("../../../data/names/last.tsv");
        const WORDS: &str = include_str!("../../../data/names/words.tsv");
        let mut names: Vec<&str> = [FIRST, LAST, WORDS]
            .iter()
            .flat_map(|d| d.lines())
            .map(|l| l.split('\t').next().unwrap_or(""))
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), g.len());
        // The compiled table says what parsing the lists says.
        let e = entries(FIRST, LAST, WORDS).unwrap();
        for (k, v, _) in e.list() {
            assert_eq!(g.lookup_key(k), NameInfo::unpack(v));
        }
    }
}
