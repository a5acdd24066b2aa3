//! Name tables looked up by token runs, without allocating.
//!
//! Keys are ASCII-lower-cased. Each entry records whether the key is a name by
//! itself (with its flags) and how many tokens the longest name starting with
//! this key's first token spans, so a lookup at a token tries only lengths
//! that can exist.
//!
//! The tables are built from the TSV files by `build.rs` (which compiles this
//! file too, see [`entries`]) and used in place: an engine parses nothing.
//! Lookups hash the key with [`crate::table`]'s FNV and confirm a hit byte
//! for byte, so they answer exactly as a map of strings would.

use std::hash::Hasher;

use super::tokens::{Kind, Tok, tokenize};
use crate::table::{Entries, FNV_START, Table, fnv, mix};

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

/// Flag bits of a name, from the data file.
pub(crate) const F_WORD: u8 = 1;
pub(crate) const F_NAME: u8 = 2;
pub(crate) const F_SMALL: u8 = 4;
pub(crate) const F_METRO: u8 = 8;
pub(crate) const F_LARGE: u8 = 16;
/// Set on entries that are names by themselves (not only prefixes).
pub(crate) const F_IS: u8 = 0x80;

/// A table value: the flags (low byte) and, in the next byte, the tokens of
/// the longest name starting with this key's first token.
fn flags_of(v: u32) -> u8 {
    (v & 0xff) as u8
}

fn max_toks_of(v: u32) -> u8 {
    ((v >> 8) & 0xff) as u8
}

/// Longest key we look up; longer runs are never names.
const MAX_KEY: usize = 64;
const MAX_TOKS: usize = 9;

#[derive(Default)]
pub(crate) struct Gazetteer {
    table: Table,
}

/// The table entries of `name<TAB>flags` lines (`#` comments), flags from
/// `WNSLM`. Run by `build.rs`; `Err` on a hash collision.
#[cfg_attr(not(test), allow(dead_code))] // used by build.rs
pub(crate) fn entries(data: &str) -> Result<Entries, String> {
    let mut e = Entries::default();
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
        insert(&mut e, name, flags, &mut toks)?;
    }
    Ok(e)
}

#[cfg_attr(not(test), allow(dead_code))] // used by build.rs
fn insert(map: &mut Entries, name: &str, flags: u8, toks: &mut Vec<Tok>) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_KEY {
        return Ok(());
    }
    // Most names are one plain word: no need to tokenize them.
    let simple = name.bytes().all(|b| b.is_ascii_alphabetic() || b >= 0x80);
    let (key, first, n) = if simple {
        (name, name, 1)
    } else {
        tokenize(name, toks);
        let n = toks.len();
        if n == 0 || n > MAX_TOKS || toks[0].kind == Kind::Punct {
            return Ok(());
        }
        // The key is the name as written between its first and last token.
        (
            &name[toks[0].start..toks[n - 1].end],
            &name[toks[0].start..toks[0].end],
            n,
        )
    };
    let key = key.to_ascii_lowercase();
    let first = first.to_ascii_lowercase();
    let e = map.entry(key.as_bytes())?;
    let mut ef = flags_of(*e);
    // A name listed twice keeps the cautious flags (any W/N wins), the
    // metro flag, and is small only if every listing is.
    if ef & F_IS == 0 {
        ef = flags;
    } else {
        ef |= flags & (F_WORD | F_NAME | F_METRO | F_LARGE);
        if flags & F_SMALL == 0 {
            ef &= !F_SMALL;
        }
    }
    *e = (*e & !0xff) | u32::from(ef);
    let f = map.entry(first.as_bytes())?;
    let m = max_toks_of(*f).max(n as u8);
    *f = (*f & !0xff00) | (u32::from(m) << 8);
    Ok(())
}

impl Gazetteer {
    /// The gazetteer over a table from `build.rs`.
    pub(crate) fn from_table(table: Table) -> Gazetteer {
        Gazetteer { table }
    }

    /// Builds from `name<TAB>flags` lines at run time (tests).
    #[cfg(test)]
    pub(crate) fn from_tsv(data: &str) -> Gazetteer {
        let e = entries(data).unwrap_or_default();
        Gazetteer::from_table(Table::build(&e.list(), true))
    }

    /// The longest name starting at token `i`: `(last token index, flags)`.
    /// Tokens must sit on one line; any run of spaces (also non-breaking)
    /// between them compares as one space, so `San\u{a0}Diego` matches.
    pub(crate) fn longest(&self, text: &str, toks: &[Tok], i: usize) -> Option<(usize, u8)> {
        let t = toks.get(i)?;
        let w = text.get(t.start..t.end)?.as_bytes();
        if w.len() > MAX_KEY {
            return None;
        }
        let mut h = fnv(FNV_START, w, true);
        let first = self.table.get_exact(mix(h), w, true)?;
        let max = usize::from(max_toks_of(first)).min(toks.len() - i);
        let mut best = (flags_of(first) & F_IS != 0).then_some((i, flags_of(first)));
        if max <= 1 {
            return best;
        }
        // Build the normalised key of the whole reachable run once,
        // remembering where each token ends in it and the hash there.
        let mut buf = [0u8; MAX_KEY];
        for (d, s) in buf.iter_mut().zip(w) {
            *d = s.to_ascii_lowercase();
        }
        let n = w.len();
        let mut ends = [(0usize, 0u64); MAX_TOKS];
        ends[0] = (n, h);
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
            h = fnv(h, &buf[ends[reach - i].0..len + word.len()], false);
            len += word.len();
            reach += 1;
            ends[reach - i] = (len, h);
        }
        let mut j = reach;
        while j > i {
            let (end, h) = ends[j - i];
            if toks[j].kind != Kind::Punct
                && let Some(v) = self.table.get_exact(mix(h), &buf[..end], false)
                && flags_of(v) & F_IS != 0
            {
                best = Some((j, flags_of(v)));
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
