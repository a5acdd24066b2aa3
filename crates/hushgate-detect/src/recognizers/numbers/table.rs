//! Column context: in an SQL `INSERT … (cols) VALUES (…)` row or a CSV/TSV
//! table, the column name says what a bare value is (`ssn`, `phone`,
//! `account_number`), however far away the header is.

use std::sync::{Mutex, PoisonError};

use super::context::Ctx;
use crate::text::line_start_within;

/// How far back a header may be.
const MAX_BACK: usize = 16 * 1024;

/// How far into its line (row) a value may sit. The row is read from its
/// start for every value, so a bound keeps one huge line linear; real rows
/// and `VALUES` tuples are far shorter.
const ROW_WINDOW: usize = 1024;

/// What earlier values of one scan learned about the text above them. Every
/// value of a long table looks back to the same header (up to [`MAX_BACK`]
/// bytes): without this each value would walk those rows again, which is
/// quadratic in the table's length. Values arrive in text order, so each
/// look-back only reads what the previous one had not.
#[derive(Debug, Default)]
pub(crate) struct TableMemo(Mutex<Memo>);

impl Clone for TableMemo {
    /// A cache: a copy starts empty.
    fn clone(&self) -> Self {
        TableMemo::default()
    }
}

impl TableMemo {
    fn with<R>(&self, f: impl FnOnce(&mut Memo) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[derive(Debug, Default)]
struct Memo {
    /// The last block of lines seen for each delimiter (`,` `\t` `;` `|`).
    blocks: [Option<Block>; 4],
    /// The last `values` searched for: every one in `t[..upto]` was seen,
    /// and the last of them starts at `at`.
    values: Option<Values>,
    /// The column list before the `values` at `.0`.
    columns: Option<(usize, Option<Names>)>,
}

/// Column names, as byte ranges of the text.
type Names = Vec<(usize, usize)>;

/// Lines that all hold one delimiter, from the line starting at `first` to
/// the line ending right before `covered`.
#[derive(Debug)]
struct Block {
    first: usize,
    covered: usize,
    /// `first` is the block's first line (else the block goes on above it,
    /// further back than a header may be).
    complete: bool,
    /// The header's column names (`None` when the first line holds values).
    names: Option<Names>,
}

#[derive(Debug, Clone, Copy)]
struct Values {
    upto: usize,
    at: Option<usize>,
}

/// The context kind named by the header of the column holding the value
/// that starts at `start`, if it sits in a recognizable table row.
pub(super) fn column_ctx(t: &[u8], start: usize, memo: &TableMemo) -> Option<Ctx> {
    let prev = *t.get(start.checked_sub(1)?)?;
    let line_start = line_start_within(t, start, ROW_WINDOW)?;
    let sql = matches!(prev, b'\'' | b'"' | b' ' | b'(')
        .then(|| sql_column(t, line_start, start, memo))
        .flatten();
    if let Some(name) = sql {
        return name_ctx(name);
    }
    // Markdown/ASCII tables pad cells: `| 354302466 |`.
    let pad = t[line_start..start]
        .iter()
        .rev()
        .take_while(|&&b| b == b' ')
        .count();
    let delim = match prev {
        b',' | b'\t' | b';' | b'|' => prev,
        b'"' if start >= 2 && matches!(t[start - 2], b',' | b'\t' | b';') => t[start - 2],
        b' ' if start > pad && t[start - pad - 1] == b'|' => b'|',
        _ => return None,
    };
    delimited_column(t, line_start, start, delim, memo).and_then(name_ctx)
}

/// The column name of a value inside an SQL `VALUES` tuple.
fn sql_column<'t>(
    t: &'t [u8],
    line_start: usize,
    start: usize,
    memo: &TableMemo,
) -> Option<&'t [u8]> {
    let mut in_quote = false;
    let mut tuple = None;
    let mut idx = 0usize;
    for (k, &b) in t[line_start..start].iter().enumerate() {
        match b {
            b'\'' => in_quote = !in_quote,
            b'(' if !in_quote => {
                tuple = Some(line_start + k);
                idx = 0;
            }
            b',' if !in_quote && tuple.is_some() => idx += 1,
            _ => {}
        }
    }
    let open_tuple = tuple?;
    let lo = open_tuple.saturating_sub(MAX_BACK);
    memo.with(|m| {
        let v = last_values(t, lo, open_tuple, &mut m.values)?;
        if m.columns.as_ref().is_none_or(|c| c.0 != v) {
            m.columns = Some((v, column_list(t, lo, v)));
        }
        let (_, names) = m.columns.as_ref()?;
        let &(a, b) = names.as_ref()?.get(idx)?;
        t.get(a..b)
    })
}

/// Where the last `values` (any case) inside `t[lo..end]` starts. Searches
/// only the part of the text the previous call (`memo`) had not.
fn last_values(t: &[u8], lo: usize, end: usize, memo: &mut Option<Values>) -> Option<usize> {
    const WORD: &[u8] = b"values";
    let (from, seen) = match *memo {
        // Occurrences ending by `upto` were seen; one may straddle it.
        Some(m) if m.upto <= end => (m.upto.saturating_sub(WORD.len() - 1).max(lo), m.at),
        _ => (lo, None),
    };
    let at = rfind_ci(&t[from..end], WORD).map(|i| from + i).or(seen);
    *memo = Some(Values { upto: end, at });
    at.filter(|&v| v >= lo)
}

/// The names in the parenthesised list right before `VALUES` at `v`.
fn column_list(t: &[u8], lo: usize, v: usize) -> Option<Names> {
    let head = &t[lo..v];
    let ws = head
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    let close = head.len().checked_sub(ws + 1)?;
    if head[close] != b')' {
        return None;
    }
    let open = head[..close].iter().rposition(|&b| b == b'(')?;
    let mut names = Vec::new();
    let mut at = lo + open + 1;
    for name in head[open + 1..close].split(|&b| b == b',') {
        names.push((at, at + name.len()));
        at += name.len() + 1;
    }
    Some(names)
}

/// The header cell of a value's column in a delimited table: the first line
/// of the block of lines above that use the same delimiter.
fn delimited_column<'t>(
    t: &'t [u8],
    line_start: usize,
    start: usize,
    delim: u8,
    memo: &TableMemo,
) -> Option<&'t [u8]> {
    let idx = fields(&t[line_start..start], delim).count() - 1;
    let slot = match delim {
        b',' => 0,
        b'\t' => 1,
        b';' => 2,
        _ => 3,
    };
    memo.with(|m| {
        let block = &mut m.blocks[slot];
        *block = Some(block_above(t, line_start, delim, block.take()));
        let b = block.as_ref()?;
        // The header is further back than a header may be.
        if !b.complete || b.first < line_start.saturating_sub(MAX_BACK) {
            return None;
        }
        let &(a, e) = b.names.as_ref()?.get(idx)?;
        t.get(a..e)
    })
}

/// The block of lines holding `delim` that ends right above `line_start`,
/// walking up from there until a line without it, the start of the text,
/// `MAX_BACK` bytes, or the lines `known` from the previous call.
fn block_above(t: &[u8], line_start: usize, delim: u8, known: Option<Block>) -> Block {
    let known = known.filter(|k| k.covered <= line_start);
    let lo = line_start.saturating_sub(MAX_BACK);
    let mut first = line_start;
    let mut complete = true;
    while first > 0 {
        if let Some(k) = known.as_ref().filter(|k| k.covered == first) {
            // The previous call walked on from here.
            first = k.first;
            complete = k.complete;
            break;
        }
        let prev_end = first - 1; // the '\n' ending the line above
        let Some(prev_start) = line_start_within(t, prev_end, prev_end.saturating_sub(lo)) else {
            complete = false;
            break;
        };
        if memchr::memchr(delim, &t[prev_start..prev_end]).is_none() {
            break;
        }
        first = prev_start;
    }
    let names = if first == line_start {
        None
    } else if known.as_ref().is_some_and(|k| k.first == first) {
        known.and_then(|k| k.names)
    } else {
        header_names(t, first, delim)
    };
    Block {
        first,
        covered: line_start,
        complete,
        names,
    }
}

/// The column names of the header line starting at `at`.
fn header_names(t: &[u8], at: usize, delim: u8) -> Option<Names> {
    let end = memchr::memchr(b'\n', &t[at..]).map_or(t.len(), |i| at + i);
    let header = &t[at..end];
    // A header names columns; it holds no values.
    if header.iter().filter(|b| b.is_ascii_digit()).count() > 2 {
        return None;
    }
    let mut names = Vec::new();
    let mut from = at;
    for f in fields(header, delim) {
        names.push((from, from + f.len()));
        from += f.len() + 1;
    }
    Some(names)
}

/// The fields of a delimited line, RFC 4180 style: a delimiter inside a
/// double-quoted field (`"Okello, Grace"`) does not start a new field.
fn fields(line: &[u8], delim: u8) -> impl Iterator<Item = &[u8]> {
    let mut in_quote = false;
    line.split(move |&b| {
        if b == b'"' {
            in_quote = !in_quote;
        }
        b == delim && !in_quote
    })
}

fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// What a column name says.
fn name_ctx(name: &[u8]) -> Option<Ctx> {
    let n: String = name
        .iter()
        .filter(|b| !matches!(b, b'`' | b'"' | b'\'' | b'[' | b']'))
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    let n = n.trim();
    let has = |w: &str| n.contains(w);
    Some(if has("ssn") || has("social") {
        Ctx::Ssn
    } else if has("phone")
        || has("mobile")
        || n == "tel"
        || has("telephone")
        || n == "cell"
        || n == "fax"
    {
        Ctx::Phone
    } else if has("routing") || n == "aba" {
        Ctx::Routing
    } else if has("account") || has("acct") {
        Ctx::Bank
    } else if has("passport") {
        Ctx::Passport
    } else if has("driver") || n == "dl" || n == "dl_number" {
        Ctx::DriverLicense
    } else if has("dea") {
        Ctx::Dea
    } else if has("npi") || has("license") || has("licence") {
        Ctx::MedLicense
    } else if has("mrn") || has("medical_record") || has("chart") {
        Ctx::Mrn
    } else if has("nhs") {
        Ctx::Nhs
    } else if has("card") || n == "pan" || n == "cc" {
        Ctx::Card
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_and_csv_columns() {
        let sql = "INSERT INTO t (id, name, phone, ssn) VALUES\n  (1, 'A', '555', '123456789');";
        let pos = sql.find("123456789").unwrap();
        assert_eq!(
            column_ctx(sql.as_bytes(), pos, &TableMemo::default()),
            Some(Ctx::Ssn)
        );
        let sql = "insert into t (mrn, nhs_number) values ('1', '9434765919');";
        let pos = sql.find("9434765919").unwrap();
        assert_eq!(
            column_ctx(sql.as_bytes(), pos, &TableMemo::default()),
            Some(Ctx::Nhs)
        );
        let csv = "id,name,account_number\n1,Bob,12345678\n2,Al,87654321";
        let pos = csv.find("87654321").unwrap();
        assert_eq!(
            column_ctx(csv.as_bytes(), pos, &TableMemo::default()),
            Some(Ctx::Bank)
        );
        let pos = csv.find("Bob").unwrap();
        assert_eq!(column_ctx(csv.as_bytes(), pos, &TableMemo::default()), None);
        // A quoted field holding the delimiter is one field.
        let csv = "name,routing,account,amount\n\"Lee, Ann\",021000021,12345678,10.00";
        let pos = csv.find("12345678").unwrap();
        assert_eq!(
            column_ctx(csv.as_bytes(), pos, &TableMemo::default()),
            Some(Ctx::Bank)
        );
        let pos = csv.find("021000021").unwrap();
        assert_eq!(
            column_ctx(csv.as_bytes(), pos, &TableMemo::default()),
            Some(Ctx::Routing)
        );
        // Padded markdown cells.
        let md = "| name | mrn |\n|---|---|\n| Ann | 48213377 |";
        let pos = md.find("48213377").unwrap();
        assert_eq!(
            column_ctx(md.as_bytes(), pos, &TableMemo::default()),
            Some(Ctx::Mrn)
        );
    }
}
