//! URL: web URLs (`http`, `https`, `ftp`, `ws`, … and bare `www.` hosts),
//! also JSON-escaped (`https:\/\/…`), with trailing sentence punctuation,
//! unbalanced brackets and quotes trimmed.
//!
//! Any `scheme://` is matched so the URL owns its text: a password in it
//! (`postgres://app:pw@db.internal`) is an API_KEY, and so is a secret query
//! parameter (`?access_token=…`, `&key=AIza…`). Non-web URIs (databases,
//! caches, queues) give only their secrets, as the dev set labels them; a web
//! URL holding a secret is reported around it, so nothing is left uncovered.

use hushgate_types::{EntityType, Finding};

use crate::recognizer::Match;
use crate::recognizers::secrets::{kv, tokens};
use crate::validate::entropy::{is_placeholder, shannon_entropy};

/// `://` (or JSON-escaped `:\/\/`) and URL characters up to a blank, quote,
/// comma or anything non-ASCII. The scheme before it is read backwards in
/// code: starting the pattern at a scheme-shaped run would make every word a
/// candidate and blow up the DFA.
pub(super) const SCHEME_URL: &str = r":(?://|\\/\\/)[A-Za-z0-9\-._~:/?#\[\]@!$&()*+;=%\\]+";

/// `www.host.tld[:port][/path]`.
pub(super) const WWW_URL: &str = r"(?-u:\b)[Ww][Ww][Ww]\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?::[0-9]+)?(?:[/?#][A-Za-z0-9\-._~:/?#\[\]@!$&()*+;=%\\]*)?";

const WEB_SCHEMES: &[&str] = &["http", "https", "ftp", "ftps", "sftp", "ws", "wss"];

const NAME: &str = "url";

pub(super) fn on_scheme_url(m: &Match<'_>, out: &mut Vec<Finding>) {
    let s = m.as_str();
    let bytes = m.text.as_bytes();
    let scheme_len = bytes[..m.start]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
        .count();
    // A scheme starts with a letter (`x1.https` is not one).
    let mut start = m.start - scheme_len;
    while start < m.start && !bytes[start].is_ascii_alphabetic() {
        start += 1;
    }
    if start == m.start {
        return;
    }
    let scheme = m.text[start..m.start].to_ascii_lowercase();
    let sep_len = if s.starts_with("://") { 3 } else { 5 };
    let body_start = m.start + sep_len;
    let end = trim_end(m.text, body_start, m.end);
    if end <= body_start {
        return;
    }
    let web = WEB_SCHEMES.contains(&scheme.as_str());
    emit(m.text, start, body_start, end, web, 0.85, out);
}

pub(super) fn on_www_url(m: &Match<'_>, out: &mut Vec<Finding>) {
    // `user@www.example.com` is an e-mail address, not a URL.
    if m.start > 0 && matches!(m.text.as_bytes()[m.start - 1], b'@' | b'.' | b'/' | b'-') {
        return;
    }
    let end = trim_end(m.text, m.start, m.end);
    let host_end = m.text[m.start..end]
        .find([':', '/', '?', '#'])
        .map_or(end, |i| m.start + i);
    let tld = m.text[m.start..host_end].rsplit('.').next().unwrap_or("");
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return;
    }
    emit(m.text, m.start, m.start, end, true, 0.7, out);
}

/// The end of the URL once JSON escapes, trailing punctuation, quotes and
/// unbalanced closing brackets are cut off.
fn trim_end(text: &str, body_start: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    // A backslash is part of the URL only as the JSON escape `\/`.
    let mut e = body_start;
    while e < end {
        if bytes[e] == b'\\' && bytes.get(e + 1) != Some(&b'/') {
            break;
        }
        e += 1;
    }
    loop {
        if e <= body_start {
            return body_start;
        }
        let seg = &text[body_start..e];
        match bytes[e - 1] {
            b'.' | b':' | b';' | b'!' | b'?' | b'*' | b'\'' | b'"' | b'\\' | b'&' => e -= 1,
            b')' if seg.matches('(').count() < seg.matches(')').count() => e -= 1,
            b']' if seg.matches('[').count() < seg.matches(']').count() => e -= 1,
            _ => return e,
        }
    }
}

/// Emits the findings of one URL `[start, end)` whose part after `scheme://`
/// begins at `body`.
fn emit(
    text: &str,
    start: usize,
    body: usize,
    end: usize,
    web: bool,
    score: f32,
    out: &mut Vec<Finding>,
) {
    let rest = &text[body..end];
    let bytes = rest.as_bytes();
    let mut secrets: Vec<(usize, usize, f32)> = Vec::new();

    // Authority: [user[:password]@]host[:port]. A password may hold `#`, `/`
    // or `?` (real-world connection strings are rarely escaped), so the `@`
    // that ends it is the last one followed by a host before the query.
    let query_at = rest.find('?');
    let at = rest
        .char_indices()
        .filter(|&(i, c)| {
            c == '@'
                && query_at.is_none_or(|q| i < q)
                && bytes
                    .get(i + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'[')
        })
        .map(|(i, _)| i)
        .next_back();
    let mut host_start = 0;
    if let Some(at) = at {
        let userinfo = &rest[..at];
        let slash_free = !userinfo.contains(['/', '?', '\\']);
        let split = userinfo.split_once(':');
        let password = split.and_then(|(user, pw)| {
            // `host:8080/path/@handle` is a port, not a password.
            let port_like = pw.bytes().next().is_some_and(|b| b.is_ascii_digit())
                && pw
                    .find(['/', '?', '\\'])
                    .is_some_and(|i| pw[..i].bytes().all(|b| b.is_ascii_digit()));
            (!user.contains(['/', '?', '#', '@', '\\']) && !port_like).then_some(pw)
        });
        if let Some(pw) = password {
            if let Some(score) = kv::value_score(kv::KeyKind::Password, pw, false, false) {
                let a = body + userinfo.len() - pw.len();
                secrets.push((a, a + pw.len(), score.max(0.9)));
            }
            host_start = at + 1;
        } else if slash_free {
            host_start = at + 1;
        }
    }
    let host_rest = &rest[host_start..];
    let host_len = if host_rest.starts_with('[') {
        host_rest.find(']').map_or(host_rest.len(), |i| i + 1)
    } else {
        host_rest
            .find([':', '/', '?', '#', '\\'])
            .unwrap_or(host_rest.len())
    };
    let host = &host_rest[..host_len];

    // Webhook URLs carry their credential in the path.
    let params_from = host_start + host_len;
    let path_end = rest[params_from..]
        .find(['?', '#'])
        .map_or(rest.len(), |i| params_from + i);
    if let Some((a, b)) = webhook_secret(host, &rest[params_from..path_end]) {
        secrets.push((body + params_from + a, body + params_from + b, 0.9));
    }

    // Secrets in the query and fragment (`?api_key=…`, `#access_token=…`).
    if let Some(q) = rest[params_from..].find(['?', '#']) {
        let qs = params_from + q + 1;
        let mut pos = qs;
        for param in rest[qs..].split(['&', ';', '#', '?']) {
            if let Some((name, value)) = param.split_once('=') {
                let vstart = pos + name.len() + 1;
                if let Some(score) = param_secret(name, value) {
                    secrets.push((body + vstart, body + vstart + value.len(), score));
                }
            }
            pos += param.len() + 1;
        }
    }

    for &(a, b, s) in &secrets {
        out.push(Finding::new(EntityType::ApiKey, a, b, s, NAME));
    }
    let templated = host.contains(['$', '{', '<', '%']);
    if !web || host.is_empty() || templated || !host.bytes().any(|b| b.is_ascii_alphanumeric()) {
        return;
    }
    // The URL around its secrets, so every byte is covered by one finding.
    let mut from = start;
    secrets.sort_by_key(|x| x.0);
    for (a, b, _) in secrets {
        if a > from {
            out.push(Finding::new(EntityType::Url, from, a, score, NAME));
        }
        from = from.max(b);
    }
    if end > from {
        out.push(Finding::new(EntityType::Url, from, end, score, NAME));
    }
}

/// The secret segment of a Slack, Discord or Telegram webhook/bot URL path,
/// relative to the path.
fn webhook_secret(host: &str, path: &str) -> Option<(usize, usize)> {
    let host = host.to_ascii_lowercase();
    let mut segments = Vec::new();
    let mut pos = 0;
    for seg in path.split('/') {
        let t = seg.trim_end_matches('\\');
        if !t.is_empty() {
            segments.push((pos, t));
        }
        pos += seg.len() + 1;
    }
    let names: Vec<&str> = segments.iter().map(|s| s.1).collect();
    let token = |i: usize, min: usize| {
        segments
            .get(i)
            .filter(|(_, t)| {
                t.len() >= min
                    && t.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    && !is_placeholder(t)
                    && shannon_entropy(t) >= 3.0
            })
            .map(|&(p, t)| (p, p + t.len()))
    };
    match host.as_str() {
        "hooks.slack.com" if names.first() == Some(&"services") && names.len() >= 4 => token(3, 16),
        "discord.com" | "discordapp.com" | "ptb.discord.com" | "canary.discord.com"
            if names.starts_with(&["api", "webhooks"]) =>
        {
            token(3, 40)
        }
        "api.telegram.org" => {
            let (p, seg) = *segments.first()?;
            let (id, secret) = seg.strip_prefix("bot")?.split_once(':')?;
            (id.bytes().all(|b| b.is_ascii_digit()) && secret.len() >= 30)
                .then(|| (p + 3 + id.len() + 1, p + seg.len()))
        }
        _ => None,
    }
}

/// A query parameter whose value is a credential: by the parameter's name, or
/// by the value's own shape (a vendor token or a JWT under any name).
fn param_secret(name: &str, value: &str) -> Option<f32> {
    if value.is_empty() {
        return None;
    }
    if let Some((_, score)) = tokens::prefixed_token(value).filter(|&(len, _)| len == value.len()) {
        return Some(score);
    }
    if value.starts_with("eyJ") && tokens::jwt(value) == Some(value.len()) {
        return Some(0.9);
    }
    let kind = kv::classify_key(name)?;
    kv::value_score(kind, value, false, false)
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn found(text: &str) -> Vec<(String, String)> {
        let engine = Engine::new().unwrap();
        engine
            .scan(text)
            .into_iter()
            .map(|f| {
                (
                    f.entity_type.as_str().to_owned(),
                    text[f.start..f.end].to_owned(),
                )
            })
            .collect()
    }

    fn urls(text: &str) -> Vec<String> {
        found(text)
            .into_iter()
            .filter(|(t, _)| t == "URL")
            .map(|(_, v)| v)
            .collect()
    }

    #[test]
    fn web_urls_and_trimming() {
        assert_eq!(
            urls("Portal link sent: https://portal.example.com/patients/2176210. Thanks"),
            vec!["https://portal.example.com/patients/2176210"]
        );
        assert_eq!(
            urls("(see https://en.wikipedia.org/wiki/Foo_(bar)), or http://x.io/a?id=5,"),
            vec![
                "https://en.wikipedia.org/wiki/Foo_(bar)",
                "http://x.io/a?id=5"
            ]
        );
        assert_eq!(
            urls(r#"{"profile": "https:\/\/www.linkedin.com\/in\/sota-5511"}"#),
            vec![r"https:\/\/www.linkedin.com\/in\/sota-5511"]
        );
        assert_eq!(
            urls(r#"{\"u\": \"https://x.io/a\"}"#),
            vec!["https://x.io/a"]
        );
        assert_eq!(
            urls("visit www.example.org/docs."),
            vec!["www.example.org/docs"]
        );
        assert_eq!(urls("[docs](https://x.io/d)"), vec!["https://x.io/d"]);
        assert_eq!(
            urls("fetch(\"https://api.example.com/v3/customers\", {"),
            vec!["https://api.example.com/v3/customers"]
        );
    }

    #[test]
    fn credentials_in_urls() {
        assert_eq!(
            found("DATABASE_URL=postgres://app:I7zbxZt#Rl9x@db-prod.internal:5432/app"),
            vec![("API_KEY".to_owned(), "I7zbxZt#Rl9x".to_owned())]
        );
        assert!(found("REDIS_URL=redis://cache.internal:6379/0").is_empty());
        assert_eq!(
            found(
                "https://maps.example.com/api/js?key=AIzawkX3pmuryRgEAvEKBNvlVdbF-utcQKwPF9H&v=3"
            ),
            vec![
                (
                    "URL".to_owned(),
                    "https://maps.example.com/api/js?key=".to_owned()
                ),
                (
                    "API_KEY".to_owned(),
                    "AIzawkX3pmuryRgEAvEKBNvlVdbF-utcQKwPF9H".to_owned()
                ),
                ("URL".to_owned(), "&v=3".to_owned()),
            ]
        );
        assert_eq!(
            urls("https://x.example.com:8080/unsubscribe?email=bob@example.org"),
            vec!["https://x.example.com:8080/unsubscribe?email=bob@example.org"]
        );
        assert_eq!(
            found(
                "SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T024BE7LD/B01234567/abcdEFGHijklMNOPqrstUVWX"
            ),
            vec![
                (
                    "URL".to_owned(),
                    "https://hooks.slack.com/services/T024BE7LD/B01234567/".to_owned()
                ),
                ("API_KEY".to_owned(), "abcdEFGHijklMNOPqrstUVWX".to_owned()),
            ]
        );
        assert_eq!(
            found("mongodb+srv://svc:${MONGO_PW}@cluster0.example.net/db"),
            Vec::<(String, String)>::new()
        );
    }
}
