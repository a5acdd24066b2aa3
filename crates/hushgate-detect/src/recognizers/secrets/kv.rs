//! Secrets assigned to a key: `DB_PASSWORD=…`, `"client_secret": "…"`,
//! `password: …`, `--token …`, `<Password>…</Password>`, `&secret=…`.
//!
//! The automaton only matches the key and its separator; the value is read
//! here, so text inside it (an e-mail, a token with a vendor prefix) is still
//! seen by the other patterns. Whether the key names a secret is decided from
//! its last word (`private_key_id`, `token_type` and `max_tokens` do not), and
//! whether the value is one from its shape: placeholders, references, masks
//! and words are not.

use crate::validate::entropy::{
    Classes, is_camel_identifier, is_placeholder, is_wordy, looks_random, shannon_entropy,
};

/// What a key says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// A password: weak but real values count (`hunter2`).
    Password,
    /// A token, secret or API key: the value must look generated.
    Secret,
    /// A bare `key`/`sig`: only clearly random values.
    Weak,
}

/// `key` qualifiers that name something other than a credential.
const NOT_SECRET_KEY: &[&str] = &[
    "public",
    "pub",
    "primary",
    "foreign",
    "sort",
    "partition",
    "hash",
    "cache",
    "idempotency",
    "object",
    "s3",
    "map",
    "dict",
    "lookup",
    "registry",
    "i18n",
    "translation",
    "unique",
    "composite",
    "row",
    "index",
    "file",
    "music",
    "keyboard",
    "hot",
    "short",
    "shortcut",
    "range",
    "routing",
    "dedup",
    "dedupe",
    "group",
    "message",
    "event",
    "metric",
    "label",
    "cluster",
    "shard",
    "lock",
    "storage",
    "bucket",
    "cursor",
    "page",
    "field",
    "column",
    "table",
    "entity",
    "resource",
    "feature",
    "flag",
    "config",
    "setting",
    "env",
    "react",
    "list",
    "item",
    "node",
    "ssh_public",
    "gpg",
    "pgp",
    "fingerprint",
    "kid",
    "tenant",
];

/// Splits an identifier into lower-case words on `_`, `-`, `.`, spaces and
/// camelCase boundaries (`clientSecret`, `APIKey`, `X-Api-Key`).
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What kind of secret a key names, if any, judged by its last word.
pub(crate) fn classify_key(key: &str) -> Option<KeyKind> {
    let mut w = words(key);
    // `api_key_value`, `secret_key_base`: look at the word before.
    if w.len() > 1
        && matches!(
            w.last().map(String::as_str),
            Some("value" | "val" | "str" | "string" | "base" | "b64" | "base64" | "hex" | "raw")
        )
    {
        w.pop();
    }
    let last = w.last()?.as_str();
    let prev = if w.len() > 1 {
        Some(w[w.len() - 2].as_str())
    } else {
        None
    };
    if matches!(
        last,
        "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passcode" | "pw" | "pswd"
    ) || last.ends_with("password")
        || last.ends_with("passwd")
    {
        return Some(KeyKind::Password);
    }
    if matches!(
        last,
        "secret" | "token" | "apikey" | "credential" | "credentials" | "creds" | "authorization"
    ) || last.ends_with("token")
        || last.ends_with("secret")
        || last.ends_with("apikey")
        || last.ends_with("secretkey")
        || last.ends_with("privatekey")
        || last.ends_with("accesskey")
        || last.ends_with("authkey")
    {
        return Some(KeyKind::Secret);
    }
    match (last, prev) {
        ("key", Some(p)) if NOT_SECRET_KEY.contains(&p) => None,
        ("key", Some(_)) => Some(KeyKind::Secret),
        ("key" | "sig" | "signature" | "auth" | "sas", None) => Some(KeyKind::Weak),
        _ => None,
    }
}

/// A value found after a key: byte range in the text, and how it was written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value {
    pub start: usize,
    pub end: usize,
    pub quoted: bool,
}

/// Bytes that end an unquoted value.
fn ends_unquoted(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'`' | b',' | b';' | b'&' | b'<' | b'>' | b')' | b']' | b'}' | b'|'
        )
}

/// Reads the value that starts at `pos`. `quote` is the opening quote the
/// automaton already consumed (`"`, `'`, `` ` `` or `\"`), if any.
pub(crate) fn read_value(text: &str, pos: usize, quote: Option<&str>) -> Option<Value> {
    let bytes = text.as_bytes();
    let limit = (pos + 1024).min(bytes.len());
    match quote {
        Some(q) => {
            let rest = text.get(pos..limit)?;
            let close = if q.len() == 2 {
                rest.find(q)?
            } else {
                let qb = q.as_bytes()[0];
                let mut i = 0;
                let rb = rest.as_bytes();
                loop {
                    match rb.get(i) {
                        None | Some(b'\n' | b'\r') => return None,
                        Some(b'\\') => i += 2,
                        Some(&b) if b == qb => break i,
                        Some(_) => i += 1,
                    }
                }
            };
            let v = &rest[..close];
            if v.contains('\n') {
                return None;
            }
            Some(Value {
                start: pos,
                end: pos + close,
                quoted: true,
            })
        }
        None => {
            let mut end = pos;
            while end < limit {
                let b = bytes[end];
                if ends_unquoted(b) {
                    break;
                }
                // A JSON/C escape (`\n`, `\"`) ends the value too.
                if b == b'\\'
                    && matches!(
                        bytes.get(end + 1),
                        Some(b'n' | b'r' | b't' | b'"' | b'\'' | b'u')
                    )
                {
                    break;
                }
                end += 1;
            }
            // Sentence punctuation after the value.
            while end > pos && matches!(bytes[end - 1], b'.' | b':') {
                end -= 1;
            }
            let end = crate::text::floor_char_boundary(text, end);
            (end > pos).then_some(Value {
                start: pos,
                end,
                quoted: false,
            })
        }
    }
}

/// Words that introduce the value in prose (`the password is …`).
const LINKING_WORDS: &[&str] = &["is", "was", "are", "=", "to", "of"];

/// Authorization schemes that come before the credential itself.
const AUTH_SCHEMES: &[&str] = &["bearer", "basic", "token", "bot", "digest", "apikey", "key"];

/// The next whitespace-separated word after `pos` on the same line.
fn next_word(text: &str, pos: usize) -> Option<Value> {
    let bytes = text.as_bytes();
    let mut i = pos;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if i == pos || i >= bytes.len() {
        return None;
    }
    let quote = match bytes[i] {
        b'"' => Some("\""),
        b'\'' => Some("'"),
        _ => None,
    };
    read_value(text, i + usize::from(quote.is_some()), quote)
}

/// Finds and judges the value after a key: its span and score.
///
/// `loose` means key and value were separated by blanks only (`token abc`),
/// which calls for a clearly random value.
pub(crate) fn judge(
    text: &str,
    kind: KeyKind,
    pos: usize,
    quote: Option<&str>,
    loose: bool,
    env_line: bool,
) -> Option<(usize, usize, f32)> {
    let mut v = read_value(text, pos, quote)?;
    // A `.env` line (`DB_PASSWORD=abc&d;e`) runs to the end of the line,
    // unless the rest is more `&key=value` pairs.
    if env_line && !v.quoted {
        let bytes = text.as_bytes();
        let mut end = v.end;
        while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
            end += 1;
        }
        let end = crate::text::floor_char_boundary(text, end);
        if end > v.end && !text[v.end..end].contains('=') && !text[v.end..end].contains('"') {
            v.end = end;
        }
    }
    let mut loose = loose;
    let mut s = &text[v.start..v.end];
    // `password is …`, `Authorization: Bearer …`: the word after.
    if !v.quoted
        && (LINKING_WORDS.contains(&s) || AUTH_SCHEMES.contains(&s.to_ascii_lowercase().as_str()))
    {
        let lower = s.to_ascii_lowercase();
        if lower == "bearer" || lower == "basic" {
            // The Bearer/Basic pattern reads these.
            return None;
        }
        let scheme = AUTH_SCHEMES.contains(&lower.as_str());
        v = next_word(text, v.end)?;
        s = &text[v.start..v.end];
        loose = loose && !scheme;
    }
    if !v.quoted && looks_like_code(text, s, v.end) {
        return None;
    }
    let score = value_score(kind, s, loose, v.quoted)?;
    Some((v.start, v.end, score))
}

/// An unquoted value that is code rather than data: a path (`Password::Md5`),
/// a pointer or reference type (`*mut c_char`, `&str`), a generic or a call
/// (`Option<String>`), a member (`node.colon2_token`), a constant
/// (`LOGON32_LOGON`), a type in a field list (`key: CFStringRef,`) or a
/// command-line flag (`-march=x86-64`).
fn looks_like_code(text: &str, v: &str, end: usize) -> bool {
    let bytes = text.as_bytes();
    let next = bytes.get(end).copied();
    // `Option<String>` is a generic; `…</password>` closes an XML element.
    let generic = next == Some(b'<') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic);
    if v.starts_with([':', '*', '&', '-'])
        || v.contains("::")
        || generic
        || matches!(next, Some(b'(' | b'['))
    {
        return true;
    }
    let ident = |p: &str| {
        p.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    if v.contains('.') && v.split('.').all(ident) {
        return true;
    }
    let constant = ident(v)
        && v.contains('_')
        && v.bytes().any(|b| b.is_ascii_uppercase())
        && !v.bytes().any(|b| b.is_ascii_lowercase());
    let in_field_list = ident(v) && matches!(next, Some(b',' | b';' | b')' | b'>' | b'}'));
    constant || in_field_list && !v.bytes().any(|b| b.is_ascii_digit())
}

/// A path to a key file (`/etc/ssl/key.pem`, `./certs%2Fclient.key`), not a key.
fn looks_like_path(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.starts_with(['/', '~'])
        || v.starts_with("./")
        || v.starts_with("../")
        || lower.contains("%2f")
        || [
            ".pem", ".key", ".crt", ".cer", ".p12", ".pfx", ".json", ".txt", ".yaml", ".yml",
            ".env", ".jks",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Whether `v` is a credential for a key of `kind`, and how sure we are.
pub(crate) fn value_score(kind: KeyKind, v: &str, loose: bool, quoted: bool) -> Option<f32> {
    let len = v.chars().count();
    // Short unquoted values are mostly code (`pwd: u64`) or prose.
    let min = if quoted { 4 } else { 6 };
    if !(min..=512).contains(&len) || is_placeholder(v) || v.starts_with("-----") {
        return None;
    }
    let c = Classes::of(v);
    if c.space || v.contains("://") || looks_like_path(v) {
        return None;
    }
    // Code and references: `self.password`, `config.db_password`, `DB_PASSWORD`,
    // `get_token(`.
    if !quoted && (v.contains('(') || v.contains('[') || v.contains('{')) {
        return None;
    }
    let wordy = is_wordy(v);
    if wordy && (v.contains('.') || v.contains('_') || !c.lower || loose) || is_camel_identifier(v)
    {
        return None;
    }
    let email_like = v.contains('@') && v.rsplit('@').next().is_some_and(|d| d.contains('.'));
    match kind {
        KeyKind::Password => {
            if email_like {
                return None;
            }
            if loose {
                // `password reset!`, `Password Manager`: prose, not a value;
                // letters with a digit or an inner symbol make a password.
                let inner_symbol = v
                    .trim_end_matches(['!', '?'])
                    .chars()
                    .any(|ch| !ch.is_alphanumeric());
                let letters = c.lower || c.upper;
                return (looks_random(v, 8) || letters && (c.digit || inner_symbol) && len >= 6)
                    .then_some(0.6);
            }
            // Digits and punctuation only: a PIN, or a date, phone or reading
            // that another recognizer knows better (`PW: 128/82`).
            if !c.lower && !c.upper {
                let digits_only = !c.symbol;
                return (digits_only && len >= 6).then_some(0.5);
            }
            // Weak real passwords count; plain lower-case words do not.
            if c.count() >= 3 || c.count() == 2 && len >= 6 {
                Some(0.85)
            } else if c.count() == 2 || len >= 12 && !wordy {
                Some(0.6)
            } else if quoted && len >= 8 && shannon_entropy(v) >= 2.8 && !wordy {
                Some(0.5)
            } else {
                None
            }
        }
        KeyKind::Secret if !loose => {
            if email_like || v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            if looks_random(v, 10) || c.count() >= 3 && len >= 8 && !wordy {
                Some(0.85)
            } else {
                None
            }
        }
        KeyKind::Secret | KeyKind::Weak => {
            if email_like {
                return None;
            }
            looks_random(v, 16).then_some(0.75)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_words() {
        assert_eq!(
            words("AWS_SECRET_ACCESS_KEY"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(words("clientSecret"), ["client", "secret"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("X-Api-Key"), ["x", "api", "key"]);
    }

    #[test]
    fn key_kinds() {
        use KeyKind::*;
        for (k, want) in [
            ("DB_PASSWORD", Some(Password)),
            ("PGPASSWORD", Some(Password)),
            ("db_pass", Some(Password)),
            ("client_secret", Some(Secret)),
            ("AWS_SECRET_ACCESS_KEY", Some(Secret)),
            ("secret_key", Some(Secret)),
            ("api_key", Some(Secret)),
            ("apiKey", Some(Secret)),
            ("SLACK_BOT_TOKEN", Some(Secret)),
            ("accessToken", Some(Secret)),
            ("GOOGLE_MAPS_KEY", Some(Secret)),
            ("key", Some(Weak)),
            ("private_key_id", None),
            ("token_type", None),
            ("max_tokens", None),
            ("secret_key_base", Some(Secret)),
            ("password_reset", None),
            ("public_key", None),
            ("idempotency_key", None),
            ("monkey", None),
            ("passport", None),
            ("author", None),
        ] {
            assert_eq!(classify_key(k), want, "{k}");
        }
    }

    #[test]
    fn values() {
        use KeyKind::*;
        assert!(value_score(Password, "hunter2", false, false).is_some());
        assert!(value_score(Password, "I7zbxZt#Rl9x", false, false).is_some());
        assert!(value_score(Password, "changeme", false, true).is_none());
        assert!(value_score(Password, "${DB_PASSWORD}", false, false).is_none());
        assert!(value_score(Password, "required", false, false).is_none());
        assert!(value_score(Password, "DB_PASSWORD", false, false).is_none());
        assert!(value_score(Password, "settings.password", false, false).is_none());
        assert!(value_score(Password, "********", false, false).is_none());
        assert!(value_score(Password, "reset", true, false).is_none());
        assert!(value_score(Password, "reset!", true, false).is_none());
        assert!(value_score(Password, "bMOeEe%ieeCI", true, false).is_some());
        assert!(value_score(Password, "128/82", false, false).is_none());
        assert!(value_score(Password, "2024-01-15", false, false).is_none());
        assert!(value_score(Password, "482913", false, false).is_some());
        assert!(
            value_score(
                Secret,
                "ZLz2i0gwMxMTYfWZRManAUhdM82/5+Gw8Fnbzby5",
                false,
                true
            )
            .is_some()
        );
        assert!(value_score(Secret, "b587967f-d4bf-4b30-816d-571c10172977", false, true).is_some());
        assert!(value_score(Secret, "expired", true, false).is_none());
        assert!(value_score(Secret, "bearer", false, true).is_none());
        assert!(value_score(Secret, "YOUR_API_KEY", false, false).is_none());
        assert!(value_score(Weak, "color", false, true).is_none());
    }

    #[test]
    fn reads_values() {
        let t = r#"x = "abc\"def" tail"#;
        let v = read_value(t, 5, Some("\"")).unwrap();
        assert_eq!(&t[v.start..v.end], r#"abc\"def"#);
        let t = "pw=hunter2. next";
        let v = read_value(t, 3, None).unwrap();
        assert_eq!(&t[v.start..v.end], "hunter2");
        let t = r#"{\"pw\": \"s3cr3t!\"}"#;
        let pos = t.find("s3").unwrap();
        let v = read_value(t, pos, Some("\\\"")).unwrap();
        assert_eq!(&t[v.start..v.end], "s3cr3t!");
    }
}
