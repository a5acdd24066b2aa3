//! EMAIL_ADDRESS: a practical local part (letters, digits, `._+-`, inner
//! apostrophes) and a dotted domain ending in a letter TLD.
//!
//! The address only: `mailto:` stays outside (`:` is not a local-part
//! character). Credentials in a URL (`postgres://app:pw@db.internal`) never
//! reach this recognizer: the URL shape starts earlier and owns the text. JSON
//! escapes glued to the front (`\nbob@…`, `\u003cbob@…`) are cut off.

use std::sync::Arc;

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    vec![Arc::new(Email)]
}

struct Email;

/// The domain: dotted labels ending in a letter TLD, so `deploy@10.1.2.3` is
/// left to the IP recognizer. The automaton starts at the `@` and the local
/// part is read backwards in code: a pattern starting with a local-part run
/// would make every word a candidate and slow the shared DFA down.
const EMAIL: &str = r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?-u:\b)";

impl PatternRecognizer for Email {
    fn name(&self) -> &'static str {
        "email"
    }

    fn patterns(&self) -> Vec<Pattern> {
        vec![Pattern::new(0, EMAIL)]
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        let start = local_part_start(m.text, m.start);
        if let Some((start, end)) = email_span(m.text, start, m.end) {
            out.push(Finding::new(
                EntityType::EmailAddress,
                start,
                end,
                0.95,
                "email",
            ));
        }
    }
}

/// Validates an e-mail-shaped match and returns its trimmed span.
pub(crate) fn email_span(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut start = start + json_escape_len(text, start);
    // An escaped quote or bracket in front (`\u003cbob@…`) is not part of it.
    while let Some(c) = escaped_char(text, start) {
        if c.is_alphanumeric() {
            break;
        }
        start += 6;
    }
    // A percent-escape in front (`mailto:%20bob@…`) is not part of it.
    if start > 0
        && bytes[start - 1] == b'%'
        && bytes
            .get(start..start + 2)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    {
        start += 2;
    }
    // A local part does not start with punctuation.
    while start < end && matches!(bytes[start], b'+' | b'-' | b'\'' | b'.') {
        start += 1;
    }
    let s = text.get(start..end)?;
    let at = s.rfind('@')?;
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.is_empty() || local.len() > 64 || domain.len() > 253 {
        return None;
    }
    if local.ends_with('.') || local.contains("..") {
        return None;
    }
    // Glued to a token the local-part class does not include (`pw#x@host`,
    // `a*b@host`): a fragment of something else, usually a password.
    if start > 0
        && matches!(
            bytes[start - 1],
            b'#' | b'!' | b'$' | b'*' | b'^' | b'~' | b'%' | b'&' | b'|'
        )
    {
        return None;
    }
    // `user:pass@host` without a scheme is a credential, not an address.
    if start > 0 && bytes[start - 1] == b':' {
        let token_start = text[..start - 1]
            .rfind(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .map_or(0, |i| i + 1);
        let user = &text[token_start..start - 1];
        if user.contains("//") {
            return None;
        }
    }
    // `git@github.com:org/repo.git` is an SSH remote, not a mailbox.
    if local == "git" && text.as_bytes().get(end) == Some(&b':') {
        return None;
    }
    let tld = domain.rsplit('.').next().unwrap_or("");
    if tld.len() < 2 || tld.len() > 24 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some((start, end))
}

/// Where the local part ending at the `@` at `at` begins: letters (Latin,
/// accented too, or JSON-escaped as `\u00e9`), digits and `._+-'`.
fn local_part_start(text: &str, at: usize) -> usize {
    let limit = at.saturating_sub(128);
    let mut i = at;
    while let Some(c) = text[..i].chars().next_back() {
        let prev = i - c.len_utf8();
        if prev < limit {
            break;
        }
        let ok = c.is_ascii_alphanumeric()
            || matches!(c, '_' | '+' | '-' | '.' | '\'')
            || ('\u{C0}'..='\u{24F}').contains(&c) && c != '\u{D7}' && c != '\u{F7}'
            || c == '\\' && escaped_char(text, prev).is_some_and(char::is_alphanumeric);
        if !ok {
            break;
        }
        i = prev;
    }
    i
}

/// The character a `\uXXXX` escape at `i` stands for.
fn escaped_char(text: &str, i: usize) -> Option<char> {
    let esc = text.get(i..i + 6)?;
    let hex = esc.strip_prefix("\\u")?;
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

/// Length of a JSON/C escape glued to the front of a token at `start`, such as
/// the `n` of `\n` or the `u003c` of `\u003c`; 0 when there is none.
pub(crate) fn json_escape_len(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    if start == 0 || bytes.get(start - 1) != Some(&b'\\') {
        return 0;
    }
    // `\\n` is an escaped backslash followed by a real `n`.
    let backslashes = bytes[..start]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    if backslashes % 2 == 0 {
        return 0;
    }
    match bytes.get(start) {
        Some(b'n' | b't' | b'r' | b'b' | b'f') => 1,
        Some(b'u')
            if bytes
                .get(start + 1..start + 5)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
        {
            5
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn emails(text: &str) -> Vec<String> {
        let engine = Engine::new().unwrap();
        engine
            .scan(text)
            .into_iter()
            .filter(|f| f.entity_type.as_str() == "EMAIL_ADDRESS")
            .map(|f| text[f.start..f.end].to_owned())
            .collect()
    }

    #[test]
    fn finds_plain_role_and_plus_addresses() {
        assert_eq!(
            emails("To: payroll@acme-corp.com, cc jane.doe+billing@mail.example.co.uk."),
            vec![
                "payroll@acme-corp.com",
                "jane.doe+billing@mail.example.co.uk"
            ]
        );
        assert_eq!(
            emails(r#""client_email": "etl@proj-416.iam.gserviceaccount.com""#),
            vec!["etl@proj-416.iam.gserviceaccount.com"]
        );
    }

    #[test]
    fn trims_mailto_escapes_and_keys() {
        assert_eq!(emails("mailto:bob@example.org"), vec!["bob@example.org"]);
        assert_eq!(emails("mailto:%20bob@example.org"), vec!["bob@example.org"]);
        assert_eq!(
            emails(r"{\u003cbob@example.org\u003e}"),
            vec!["bob@example.org"]
        );
        assert_eq!(
            emails(r"line one\nbob@example.org"),
            vec!["bob@example.org"]
        );
        assert_eq!(
            emails(r#"{\"email\": \"ren\u00e9e@example.fr\"}"#),
            vec![r"ren\u00e9e@example.fr"]
        );
        assert_eq!(
            emails("écrire à renée.dubois@example.fr"),
            vec!["renée.dubois@example.fr"]
        );
        assert_eq!(emails("customer=ann@example.org)"), vec!["ann@example.org"]);
        assert_eq!(
            emails("VALUES (1, 'o'brien@example.org')"),
            vec!["o'brien@example.org"]
        );
        assert_eq!(
            emails("> On Mon, Ann <ann@example.org> wrote:"),
            vec!["ann@example.org"]
        );
    }

    #[test]
    fn rejects_credentials_and_ip_hosts() {
        assert!(
            emails("DATABASE_URL=postgres://app:I7zbxZt#Rl9x@db-prod.internal:5432/app").is_empty()
        );
        assert!(emails("postgres://app:Q77wO7p07H!FDu@db-prod.internal/app").is_empty());
        assert!(emails("ssh deploy@62.241.34.143 -p 2222").is_empty());
        assert!(emails("user@localhost").is_empty());
        assert!(emails("git clone git@github.com:acme/widgets.git").is_empty());
    }
}
