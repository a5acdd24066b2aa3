//! Column context: in an SQL `INSERT … (cols) VALUES (…)` row or a CSV/TSV
//! table, the column name says what a bare value is (`ssn`, `phone`,
//! `account_number`), however far away the header is.

use super::context::Ctx;

/// How far back a header may be.
const MAX_BACK: usize = 16 * 1024;

/// The context kind named by the header of the column holding the value
/// that starts at `start`, if it sits in a recognizable table row.
pub(super) fn column_ctx(t: &[u8], start: usize) -> Option<Ctx> {
    let prev = *t.get(start.checked_sub(1)?)?;
    let line_start = t[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let sql = matches!(prev, b'\'' | b'"' | b' ' | b'(')
        .then(|| sql_column(t, line_start, start))
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
    delimited_column(t, line_start, start, delim).and_then(name_ctx)
}

/// The column name of a value inside an SQL `VALUES` tuple.
fn sql_column(t: &[u8], line_start: usize, start: usize) -> Option<&[u8]> {
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
    // The column list: the parenthesised list right before `VALUES`.
    let lo = open_tuple.saturating_sub(MAX_BACK);
    let before = &t[lo..open_tuple];
    let v = rfind_ci(before, b"values")?;
    let head = &before[..v];
    let close = head.iter().rposition(|&b| b == b')')?;
    if head[close + 1..].iter().any(|b| !b.is_ascii_whitespace()) {
        return None;
    }
    let open = head[..close].iter().rposition(|&b| b == b'(')?;
    head[open + 1..close].split(|&b| b == b',').nth(idx)
}

/// The header cell of a value's column in a delimited table: the first line
/// of the block of lines above that use the same delimiter.
fn delimited_column(t: &[u8], line_start: usize, start: usize, delim: u8) -> Option<&[u8]> {
    let idx = fields(&t[line_start..start], delim).count() - 1;
    let lo = line_start.saturating_sub(MAX_BACK);
    let mut header = None;
    let mut line_end = line_start;
    while line_end > lo {
        let prev_end = line_end - 1; // the '\n' ending the previous line
        let prev_start = t[lo..prev_end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let line = &t[prev_start..prev_end];
        if !line.contains(&delim) {
            break;
        }
        header = Some(line);
        line_end = prev_start;
    }
    let header = header?;
    // A header names columns; it holds no values.
    if header.iter().filter(|b| b.is_ascii_digit()).count() > 2 {
        return None;
    }
    fields(header, delim).nth(idx)
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
        assert_eq!(column_ctx(sql.as_bytes(), pos), Some(Ctx::Ssn));
        let sql = "insert into t (mrn, nhs_number) values ('1', '9434765919');";
        let pos = sql.find("9434765919").unwrap();
        assert_eq!(column_ctx(sql.as_bytes(), pos), Some(Ctx::Nhs));
        let csv = "id,name,account_number\n1,Bob,12345678\n2,Al,87654321";
        let pos = csv.find("87654321").unwrap();
        assert_eq!(column_ctx(csv.as_bytes(), pos), Some(Ctx::Bank));
        let pos = csv.find("Bob").unwrap();
        assert_eq!(column_ctx(csv.as_bytes(), pos), None);
        // A quoted field holding the delimiter is one field.
        let csv = "name,routing,account,amount\n\"Lee, Ann\",021000021,12345678,10.00";
        let pos = csv.find("12345678").unwrap();
        assert_eq!(column_ctx(csv.as_bytes(), pos), Some(Ctx::Bank));
        let pos = csv.find("021000021").unwrap();
        assert_eq!(column_ctx(csv.as_bytes(), pos), Some(Ctx::Routing));
        // Padded markdown cells.
        let md = "| name | mrn |\n|---|---|\n| Ann | 48213377 |";
        let pos = md.find("48213377").unwrap();
        assert_eq!(column_ctx(md.as_bytes(), pos), Some(Ctx::Mrn));
    }
}
