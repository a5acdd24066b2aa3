//! Embedded name and word lists (see `data/SOURCES.md`), parsed once per
//! process into one hash map keyed by the lower-case form.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

static FIRST: &str = include_str!("../../../data/names/first.tsv");
static LAST: &str = include_str!("../../../data/names/last.tsv");
static WORDS: &str = include_str!("../../../data/names/words.tsv");

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
}

/// A 64-bit key for a lower-case word: FNV-1a, then a final mix. The maps
/// store only keys, so a lookup compares integers, never strings; with a few
/// hundred thousand words a collision is vanishingly unlikely (and the tests
/// check there is none in the lists).
#[inline]
pub fn key(w: &str) -> u64 {
    key_bytes(w.as_bytes(), false)
}

/// [`key`] of the bytes, ASCII-lower-casing them first when `fold` is set
/// (the same key as `key` of the lower-cased word, without a copy).
#[inline]
pub fn key_bytes(w: &[u8], fold: bool) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in w {
        let b = if fold { b.to_ascii_lowercase() } else { b };
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
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

/// The parsed lists.
pub struct Gazetteer {
    map: KeyMap<NameInfo>,
}

impl Gazetteer {
    /// The process-wide lists, parsed on first use (a few tens of ms).
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::parse)
    }

    fn parse() -> Gazetteer {
        let n = FIRST.len() / 9 + LAST.len() / 9 + WORDS.len() / 9;
        let mut map: KeyMap<NameInfo> =
            KeyMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
        let mut load = |data: &'static str, set: fn(&mut NameInfo, u8)| {
            // Lines are `word<TAB>digit`.
            let bytes = data.as_bytes();
            let mut start = 0;
            for nl in memchr::memchr_iter(b'\n', bytes) {
                let line = &data[start..nl];
                start = nl + 1;
                let (name, v) = match line.len().checked_sub(2) {
                    Some(t) if line.as_bytes()[t] == b'\t' => {
                        (&line[..t], line.as_bytes()[t + 1].saturating_sub(b'0'))
                    }
                    _ => (line, 1),
                };
                if !name.is_empty() {
                    set(map.entry(key(name)).or_default(), v);
                }
            }
        };
        load(FIRST, |i, v| i.first = v.max(1));
        load(LAST, |i, v| i.last = v.max(1));
        load(WORDS, |i, v| i.word = v);
        Gazetteer { map }
    }

    /// Looks up an already lower-cased word.
    #[inline]
    pub fn lookup(&self, lower: &str) -> NameInfo {
        self.lookup_key(key(lower))
    }

    /// Looks up a word by its [`key`].
    #[inline]
    pub fn lookup_key(&self, k: u64) -> NameInfo {
        self.map.get(&k).copied().unwrap_or_default()
    }

    /// Number of distinct words known.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
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
        let mut names: Vec<&str> = [FIRST, LAST, WORDS]
            .iter()
            .flat_map(|d| d.lines())
            .map(|l| l.split('\t').next().unwrap_or(""))
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), g.len());
    }
}
