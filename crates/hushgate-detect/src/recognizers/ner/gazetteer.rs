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

/// FxHash: the lists are trusted, so a fast non-keyed hash is fine.
#[derive(Default)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The parsed lists.
pub struct Gazetteer {
    map: FxMap<&'static str, NameInfo>,
}

impl Gazetteer {
    /// The process-wide lists, parsed on first use (a few tens of ms).
    pub fn get() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(Gazetteer::parse)
    }

    fn parse() -> Gazetteer {
        let n = FIRST.len() / 9 + LAST.len() / 9 + WORDS.len() / 9;
        let mut map: FxMap<&'static str, NameInfo> =
            FxMap::with_capacity_and_hasher(n, BuildHasherDefault::default());
        let mut load = |data: &'static str, set: fn(&mut NameInfo, u8)| {
            for line in data.lines() {
                let (name, v) = line.split_once('\t').unwrap_or((line, "1"));
                let v = v.bytes().next().map_or(1, |b| b.saturating_sub(b'0'));
                if !name.is_empty() {
                    set(map.entry(name).or_default(), v);
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
        self.map.get(lower).copied().unwrap_or_default()
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
        for first in ["james", "maria", "takeshi", "aoife", "chinedu", "нина", "محمد"] {
            assert!(g.lookup(first).first > 0, "{first}");
        }
        for last in ["smith", "garcía", "nguyen", "kowalski", "okafor", "иванова", "王"] {
            assert!(g.lookup(last).last > 0, "{last}");
        }
        assert!(g.lookup("will").word >= 2 && g.lookup("will").first > 0);
        assert_eq!(g.lookup("takeshi").word, 0);
        assert!(!g.lookup("xqzt").is_name());
    }
}
