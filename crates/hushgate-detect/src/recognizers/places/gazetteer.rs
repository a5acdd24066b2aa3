//! Name tables looked up by token runs, without allocating.
//!
//! Keys are ASCII-lower-cased. Each entry records whether the key is a name by
//! itself (with its flags) and how many tokens the longest name starting with
//! this key's first token spans, so a lookup at a token tries only lengths
//! that can exist.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::tokens::{Kind, Tok, tokenize};

/// A small, fast, non-cryptographic hasher (FxHash) for short keys.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
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
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Flag bits of a name, from the data file.
pub(crate) const F_WORD: u8 = 1;
pub(crate) const F_NAME: u8 = 2;
pub(crate) const F_SMALL: u8 = 4;
pub(crate) const F_METRO: u8 = 8;
pub(crate) const F_LARGE: u8 = 16;
/// Set on entries that are names by themselves (not only prefixes).
pub(crate) const F_IS: u8 = 0x80;

#[derive(Clone, Copy, Default)]
struct Entry {
    flags: u8,
    /// Tokens of the longest name starting with this key's first token.
    max_toks: u8,
}

/// Longest key we look up; longer runs are never names.
const MAX_KEY: usize = 64;
const MAX_TOKS: usize = 9;

#[derive(Default)]
pub(crate) struct Gazetteer {
    map: FxMap<Box<[u8]>, Entry>,
}

fn lower_into(s: &str, buf: &mut [u8; MAX_KEY]) -> Option<usize> {
    let b = s.as_bytes();
    if b.len() > MAX_KEY {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    Some(b.len())
}

impl Gazetteer {
    /// Builds from `name<TAB>flags` lines (`#` comments), flags from `WNSLM`.
    pub(crate) fn from_tsv(data: &str) -> Gazetteer {
        let mut g = Gazetteer::default();
        let mut toks = Vec::new();
        for line in data.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (name, fl) = line.split_once('\t').unwrap_or((line, ""));
            let mut flags = F_IS;
            for c in fl.chars() {
                flags |= match c {
                    'W' => F_WORD,
                    'N' => F_NAME,
                    'S' => F_SMALL,
                    'M' => F_METRO,
                    'L' => F_LARGE,
                    _ => 0,
                };
            }
            g.insert(name, flags, &mut toks);
        }
        g
    }

    pub(crate) fn insert(&mut self, name: &str, flags: u8, toks: &mut Vec<Tok>) {
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_KEY {
            return;
        }
        // Most names are one plain word: no need to tokenize them.
        let simple = name.bytes().all(|b| b.is_ascii_alphabetic() || b >= 0x80);
        let (key, first, n) = if simple {
            (name, name, 1)
        } else {
            tokenize(name, toks);
            let n = toks.len();
            if n == 0 || n > MAX_TOKS || toks[0].kind == Kind::Punct {
                return;
            }
            // The key is the name as written between its first and last token.
            (
                &name[toks[0].start..toks[n - 1].end],
                &name[toks[0].start..toks[0].end],
                n,
            )
        };
        let key: Box<[u8]> = key.to_ascii_lowercase().into_bytes().into();
        let first: Box<[u8]> = first.to_ascii_lowercase().into_bytes().into();
        let e = self.map.entry(key).or_default();
        // A name listed twice keeps the cautious flags (any W/N wins), the
        // metro flag, and is small only if every listing is.
        if e.flags & F_IS == 0 {
            e.flags = flags;
        } else {
            e.flags |= flags & (F_WORD | F_NAME | F_METRO | F_LARGE);
            if flags & F_SMALL == 0 {
                e.flags &= !F_SMALL;
            }
        }
        let f = self.map.entry(first).or_default();
        f.max_toks = f.max_toks.max(n as u8);
    }

    /// The longest name starting at token `i`: `(last token index, flags)`.
    /// Tokens must sit on one line; any run of spaces (also non-breaking)
    /// between them compares as one space, so `San\u{a0}Diego` matches.
    pub(crate) fn longest(&self, text: &str, toks: &[Tok], i: usize) -> Option<(usize, u8)> {
        let mut buf = [0u8; MAX_KEY];
        let t = toks.get(i)?;
        let n = lower_into(text.get(t.start..t.end)?, &mut buf)?;
        let first = self.map.get(&buf[..n])?;
        let max = usize::from(first.max_toks).min(toks.len() - i);
        let mut best = (first.flags & F_IS != 0).then_some((i, first.flags));
        if max <= 1 {
            return best;
        }
        // Build the normalised key of the whole reachable run once,
        // remembering where each token ends in it.
        let mut ends = [0usize; MAX_TOKS];
        ends[0] = n;
        let mut len = n;
        let mut reach = i;
        while reach + 1 < i + max {
            let nx = &toks[reach + 1];
            if nx.nl || nx.gap > 2 {
                break;
            }
            let word = text.get(nx.start..nx.end).unwrap_or("").as_bytes();
            let extra = usize::from(nx.gap > 0) + word.len();
            if len + extra > MAX_KEY {
                break;
            }
            if nx.gap > 0 {
                buf[len] = b' ';
                len += 1;
            }
            for (d, s) in buf[len..].iter_mut().zip(word) {
                *d = s.to_ascii_lowercase();
            }
            len += word.len();
            reach += 1;
            ends[reach - i] = len;
        }
        let mut j = reach;
        while j > i {
            if toks[j].kind != Kind::Punct
                && let Some(e) = self.map.get(&buf[..ends[j - i]])
                && e.flags & F_IS != 0
            {
                best = Some((j, e.flags));
                break;
            }
            j -= 1;
        }
        best
    }

    /// Flags of the name spelled by tokens `i..=j` (spaces normalised), if
    /// it is one.
    pub(crate) fn exactly(&self, text: &str, toks: &[Tok], i: usize, j: usize) -> Option<u8> {
        // Restricting the run to `i..=j` makes the longest match end at `j` or earlier.
        let sub = toks.get(i..=j)?;
        match self.longest(text, sub, 0) {
            Some((k, f)) if k == j - i => Some(f),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_match_and_flags() {
        let g = Gazetteer::from_tsv("# c\nSan Diego\tM\nSan\tW\nSt. Louis\t\nSalt Lake City\t\n");
        let text = "to San Diego, St. Louis and Salt Lake  City";
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let (j, f) = g.longest(text, &toks, 1).unwrap();
        assert_eq!(&text[toks[1].start..toks[j].end], "San Diego");
        assert!(f & F_METRO != 0);
        let (j, _) = g.longest(text, &toks, 4).unwrap();
        assert_eq!(&text[toks[4].start..toks[j].end], "St. Louis");
        // Two spaces compare as one; "Salt" alone is no name.
        let (j, _) = g.longest(text, &toks, 8).unwrap();
        assert_eq!(j, 10);
        assert_eq!(g.exactly(text, &toks, 1, 1), Some(F_IS | F_WORD));
        assert_eq!(g.exactly(text, &toks, 8, 9), None);
    }
}
