//! API_KEY: credentials of any kind.
//!
//! * Whole PEM blocks: private keys are findings, header to footer (also
//!   JSON-escaped with literal `\n`); certificates and public keys are
//!   matched only so their base64 body is not mistaken for anything else.
//! * Shapes with a vendor prefix (GitHub, Slack, Stripe, OpenAI, Anthropic,
//!   Google, GitLab, npm, …), AWS access key ids and JWTs (the header must
//!   decode to JSON with `"alg"`).
//! * `Bearer`/`Basic` credentials in authorization headers.
//! * Values assigned to keys that name a secret ([`kv`]). Only the key and its
//!   separator are matched, so the value stays visible to other patterns.
//!
//! Passwords inside URLs (`postgres://app:pw@host`) are read by the URL
//! recognizer, which owns the whole URL.

use std::sync::Arc;

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};
use crate::text::line_start_within;
use crate::validate::crypto::base64_decode;
use crate::validate::entropy::looks_random;

pub(crate) mod kv;
pub(crate) mod tokens;

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    vec![Arc::new(Secrets)]
}

struct Secrets;

const NAME: &str = "secrets";

/// Longest line above `value:` read for its `- name: X`.
const PREV_LINE_MAX: usize = 256;
/// How far back from a command-line flag its command may start.
const COMMAND_WINDOW: usize = 1024;

const TAG_PEM: u16 = 0;
const TAG_PEM_OPEN: u16 = 1;
const TAG_AWS_ID: u16 = 2;
const TAG_PREFIX: u16 = 3;
const TAG_JWT: u16 = 4;
const TAG_AUTH_SCHEME: u16 = 5;
const TAG_KV: u16 = 6;
const TAG_ENV_VALUE: u16 = 7;
const TAG_CLI_FLAG: u16 = 8;

/// One piece of a PEM body, raw or inside a JSON string (`\n`, `\/`): a
/// character, after at most four dashes (`DEK-Info`). A body
/// never holds `-----`, so the search for a footer stops at the next
/// `-----BEGIN` instead of running to the end of the text for every header
/// (quadratic on text full of headers without footers).
const PEM_BODY: &str = r#"(?:-{0,4}(?:[A-Za-z0-9+/=\s:,.]|\\[nr/]))"#;

/// A secret word ending an identifier (optionally `_value`), quote,
/// separator, quote. The automaton starts at the secret word, not at the
/// identifier (a leading identifier run would make every word a candidate and
/// blow up the DFA); the rest of the key is read backwards in code.
const KV_KEY: &str = concat!(
    r"(?i:(?:pass(?:word|wd|phrase|code)?|pwd|pswd|pw|secret|token|key|credentials?|creds|authorization|auth|sig|signature|sas)",
    r"(?:[_.\-]?(?:value|val|str|string|base|b64|base64|hex|raw))?)",
    r#"(?:\\?["'`])?(?:[ \t]*(?::=|=>|==?|:|>)[ \t]*|[ \t]+)(?:\\?["'`])?"#,
);

impl PatternRecognizer for Secrets {
    fn name(&self) -> &'static str {
        NAME
    }

    fn patterns(&self) -> Vec<Pattern> {
        vec![
            // Any PEM block up to its footer (lazy: the first footer wins).
            Pattern::new(
                TAG_PEM,
                format!("-----BEGIN [A-Z0-9 ]+-----{PEM_BODY}*?-----END [A-Z0-9 ]+-----"),
            ),
            // A private key whose footer is missing (truncated paste).
            Pattern::new(
                TAG_PEM_OPEN,
                r#"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[A-Za-z0-9+/=\s]|\\[nr/])*"#,
            ),
            Pattern::new(TAG_AWS_ID, r"(?-u:\b)(?:AKIA|ASIA)[A-Z0-9]{16}(?-u:\b)"),
            Pattern::new(
                TAG_PREFIX,
                format!(
                    r"(?-u:\b)(?:{}|SG\.)[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)?",
                    tokens::prefix_alternation()
                ),
            ),
            Pattern::new(TAG_JWT, r"(?-u:\b)eyJ[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]*)+"),
            Pattern::new(
                TAG_AUTH_SCHEME,
                r"(?-u:\b)(?:[Bb]earer|BEARER|[Bb]asic|BASIC)[ \t]+",
            ),
            // A key ending in a secret word (so `Passport:` or `author:` never
            // match), its closing quote, a separator and an opening quote;
            // the value is read in code.
            Pattern::new(TAG_KV, KV_KEY),
            // Kubernetes/compose env lists: `- name: X_TOKEN` then `value: "…"`.
            Pattern::new(TAG_ENV_VALUE, r#"(?-u:\b)value:[ \t]*["']?"#),
            // `curl -u user:PW`, `docker login -p PW`, `mysql -pPW`.
            Pattern::new(TAG_CLI_FLAG, r"[ \t]-[up][ \t]*"),
        ]
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        let s = m.as_str();
        let mut push = |start: usize, end: usize, score: f32| {
            out.push(Finding::new(EntityType::ApiKey, start, end, score, NAME));
        };
        match m.tag {
            TAG_PEM | TAG_PEM_OPEN => {
                for (a, b) in tokens::pem_private_blocks(s) {
                    push(m.start + a, m.start + b, 0.99);
                }
            }
            TAG_AWS_ID => {
                if let Some(score) = tokens::aws_key_id(s) {
                    push(m.start, m.end, score);
                }
            }
            TAG_PREFIX => {
                if let Some((len, score)) = tokens::prefixed_token(s) {
                    push(m.start, m.start + len, score);
                }
            }
            TAG_JWT => {
                if let Some(len) = tokens::jwt(s) {
                    push(m.start, m.start + len, 0.95);
                }
            }
            TAG_AUTH_SCHEME => {
                if let Some((a, b, score)) = auth_scheme_credential(m.text, m.start, m.end) {
                    push(a, b, score);
                }
            }
            TAG_KV => key_value(m, out),
            TAG_ENV_VALUE => {
                if let Some((a, b, score)) = env_list_value(m.text, m.start, m.end) {
                    push(a, b, score);
                }
            }
            TAG_CLI_FLAG => {
                if let Some((a, b, score)) = cli_password(m.text, m.start, m.end) {
                    push(a, b, score);
                }
            }
            _ => {}
        }
    }
}

/// The credential after `Bearer ` or `Basic `.
fn auth_scheme_credential(text: &str, start: usize, end: usize) -> Option<(usize, usize, f32)> {
    let basic = text[start..end].trim_end().eq_ignore_ascii_case("basic");
    let bytes = text.as_bytes();
    let mut e = end;
    while e < bytes.len()
        && (bytes[e].is_ascii_alphanumeric()
            || matches!(bytes[e], b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b'-'))
    {
        e += 1;
    }
    while e > end && bytes[e - 1] == b'.' {
        e -= 1;
    }
    let token = &text[end..e];
    if basic {
        // `Basic base64(user:password)`.
        let raw = base64_decode(token)?;
        let decoded = std::str::from_utf8(&raw).ok()?;
        let (user, pass) = decoded.split_once(':')?;
        let printable = decoded.chars().all(|c| !c.is_control());
        return (printable && !user.is_empty() && !pass.is_empty() && token.len() >= 8)
            .then_some((end, e, 0.85));
    }
    // JWTs and vendor tokens have their own patterns.
    if token.starts_with("eyJ") || tokens::prefixed_token(token).is_some() {
        return None;
    }
    looks_random(token, 16).then_some((end, e, 0.85))
}

/// `value: …` under `- name: SOME_TOKEN` (Kubernetes `env`, compose,
/// GitHub Actions): the name on the line above says what the value is.
fn env_list_value(text: &str, start: usize, end: usize) -> Option<(usize, usize, f32)> {
    // Only indentation may stand before `value:`; walking back over it (not
    // searching for the line start) keeps this linear on one huge line.
    let indent = text[..start].trim_end_matches(|c: char| c.is_whitespace() && c != '\n');
    let line_start = indent.strip_suffix('\n')?.len();
    // A `- name: X` line is short; a longer line above is something else.
    let prev_start = line_start_within(text.as_bytes(), line_start, PREV_LINE_MAX)?;
    let prev = text.get(prev_start..line_start)?.trim();
    let name = prev.strip_prefix('-').unwrap_or(prev).trim_start();
    let name = name.strip_prefix("name:")?.trim().trim_matches(['"', '\'']);
    let kind = kv::classify_key(name)?;
    let quote = match text.as_bytes().get(end - 1) {
        Some(b'"') => Some("\""),
        Some(b'\'') => Some("'"),
        _ => None,
    };
    kv::judge(text, kind, end, quote, false, false)
}

/// The command a flag belongs to: the first one or two words of its line
/// (after `sudo`, `$ ` prompts and `RUN`).
fn command_of(text: &str, at: usize) -> (&str, &str) {
    // A flag further than the window from its line start has no command
    // (bounded so that one huge line is not rescanned for every flag).
    let Some(line_start) = line_start_within(text.as_bytes(), at, COMMAND_WINDOW) else {
        return ("", "");
    };
    let mut words = text[line_start..at]
        .split_whitespace()
        .skip_while(|w| matches!(*w, "$" | "#" | ">" | "sudo" | "RUN" | "run:" | "-" | "exec"));
    (words.next().unwrap_or(""), words.next().unwrap_or(""))
}

/// A password given on a command line: `curl -u user:PW` (the part after
/// the colon), `docker login -p PW`, `sshpass -p PW`, `mysql -pPW`.
fn cli_password(text: &str, start: usize, end: usize) -> Option<(usize, usize, f32)> {
    let flag = text.as_bytes().get(start + 2).copied()?;
    let glued = end == start + 3;
    let (cmd, sub) = command_of(text, start);
    let cmd = cmd.rsplit('/').next().unwrap_or(cmd);
    let quote = match text.as_bytes().get(end) {
        Some(b'"') => Some("\""),
        Some(b'\'') => Some("'"),
        _ => None,
    };
    let v = kv::read_value(text, end + usize::from(quote.is_some()), quote)?;
    let (a, b) = (v.start, v.end);
    let (a, kind) = match flag {
        b'u' if matches!(cmd, "curl" | "wget" | "http" | "xh") && !glued => {
            let colon = text[a..b].find(':')?;
            (a + colon + 1, kv::KeyKind::Password)
        }
        b'p' if glued && matches!(cmd, "mysql" | "mysqldump" | "mysqladmin" | "mariadb") => {
            (a, kv::KeyKind::Password)
        }
        b'p' if !glued
            && (cmd == "sshpass"
                || (matches!(cmd, "docker" | "podman" | "nerdctl" | "helm") && sub == "login")
                || (cmd == "helm" && sub == "registry")) =>
        {
            (a, kv::KeyKind::Password)
        }
        _ => return None,
    };
    if a >= b || text[a..b].starts_with('$') {
        return None;
    }
    kv::judge(text, kind, a, None, false, false).filter(|&(_, e, _)| e <= b)
}

/// A key naming a secret and its value.
fn key_value(m: &Match<'_>, out: &mut Vec<Finding>) {
    let s = m.as_str();
    let ident = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    // The identifier the secret word ends: back to its first character.
    let bytes = m.text.as_bytes();
    let key_start = m.start
        - bytes[..m.start]
            .iter()
            .rev()
            .take_while(|b| ident(b))
            .count();
    let key_len = s.bytes().take_while(ident).count();
    let key = m.text[key_start..m.start + key_len].trim_matches(['.', '-']);
    // The rest is: the key's closing quote?, the separator, the value's opening quote?
    let mut rest = &s[key_len..];
    for q in ["\\\"", "\"", "'", "`"] {
        if let Some(r) = rest.strip_prefix(q) {
            rest = r;
            break;
        }
    }
    let sep_len = rest
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b':' | b'=' | b'>'))
        .count();
    let (sep, open) = rest.split_at(sep_len);
    let quote = (!open.is_empty()).then_some(open);
    let sep = sep.trim();
    let loose = sep.is_empty();
    if sep == ">" && (key_start == 0 || bytes[key_start - 1] != b'<') {
        return;
    }
    let Some(kind) = kv::classify_key(key) else {
        return;
    };
    // `KEY=value` alone on its line (optionally after `export`): a .env file.
    // Read backwards from the key, not forwards from the line start, so that
    // one huge line is not rescanned for every key on it.
    let line_blank = |s: &str| {
        let s = s.trim_end_matches(|c: char| c.is_whitespace() && c != '\n');
        s.is_empty() || s.ends_with('\n')
    };
    let before = m.text[..key_start].trim_end_matches(|c: char| c.is_whitespace() && c != '\n');
    let env_line =
        sep == "=" && (line_blank(before) || before.strip_suffix("export").is_some_and(line_blank));
    if let Some((a, b, score)) = kv::judge(m.text, kind, m.end, quote, loose, env_line) {
        out.push(Finding::new(EntityType::ApiKey, a, b, score, NAME));
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn keys(text: &str) -> Vec<String> {
        let engine = Engine::new().unwrap();
        engine
            .scan(text)
            .into_iter()
            .filter(|f| f.entity_type.as_str() == "API_KEY")
            .map(|f| text[f.start..f.end].to_owned())
            .collect()
    }

    #[test]
    fn env_file() {
        let text = "DATABASE_URL=postgres://app:I7zbxZt#Rl9x@db-prod.internal:5432/app\n\
                    AWS_ACCESS_KEY_ID=AKIA7KYJAU5GHGWTHCRE\n\
                    AWS_SECRET_ACCESS_KEY=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\n\
                    SLACK_BOT_TOKEN=xoxb-14095958609-0386477855879-mS0lyogNQLRsZsdtZ4sX4Gym\n\
                    LOG_LEVEL=debug\nDB_PASSWORD=${DB_PASSWORD}\n";
        assert_eq!(
            keys(text),
            vec![
                "I7zbxZt#Rl9x",
                "AKIA7KYJAU5GHGWTHCRE",
                "NMnkrpI4UEreW0HKrcMWvsXJq9z+HHqdBy+JYjI+",
                "xoxb-14095958609-0386477855879-mS0lyogNQLRsZsdtZ4sX4Gym",
            ]
        );
    }

    #[test]
    fn code_and_config() {
        assert_eq!(
            keys(
                r#"  access_key = "AKIA2IKDJT2KSM2CJBRD"
  secret_key = "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""#
            ),
            vec![
                "AKIA2IKDJT2KSM2CJBRD",
                "pGmE7BSgOxsYnRFjw6j7RN915cLsP4EnAy1taY+Q"
            ]
        );
        assert_eq!(
            keys(r#"{"client_secret": "Xk9#mP2vL8qR4wT6"}"#),
            vec!["Xk9#mP2vL8qR4wT6"]
        );
        assert_eq!(keys("password: hunter2"), vec!["hunter2"]);
        assert_eq!(
            keys("SECRET_KEY = 'django-insecure-8^q&3l!x@z#k2v$m9p*w7r(t)y+u=o-i'"),
            vec!["django-insecure-8^q&3l!x@z#k2v$m9p*w7r(t)y+u=o-i"]
        );
        assert_eq!(
            keys("PGPASSWORD=hunter2 psql -h db.internal"),
            vec!["hunter2"]
        );
        assert_eq!(keys("the password is Summer2024!"), vec!["Summer2024!"]);
        assert_eq!(
            keys("export DB_PASSWORD=p&ss;w0rd,1\nNEXT=1"),
            vec!["p&ss;w0rd,1"]
        );
        assert_eq!(
            keys("<Password>Tr0ub4dor&amp;3</Password>"),
            vec!["Tr0ub4dor"]
        );
        assert_eq!(
            keys("key=AKIAI5T3GMUSKZPVNJK2&secret=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"),
            vec![
                "AKIAI5T3GMUSKZPVNJK2",
                "oVB6RgI2wOPG9JP7aaap/ny1hCanDMExSxl5sJXi"
            ]
        );
        assert_eq!(
            keys(r#"{\"api_key\": \"Zr8Qm2Lx9Vb4Nc7Kp1Wd\"}"#),
            vec!["Zr8Qm2Lx9Vb4Nc7Kp1Wd"]
        );
    }

    #[test]
    fn not_secrets() {
        for text in [
            r#"password = "changeme""#,
            "DB_PASSWORD=${DB_PASSWORD}",
            r#""private_key_id": "b999b9eddab9a9912345678901234567890abcde""#,
            r#""max_tokens": 4096, "token_type": "bearer""#,
            "Please replace YOUR_API_KEY with your own key; never commit sk-... values.",
            "Step 3 of 7: configure the webhook secret in your dashboard.",
            "my account got locked after the password reset",
            "password: ********",
            "token expired, please refresh",
            "Merged 699d3c3e7b552c53a2678f365e6b1f8fa8599ce3 into main.",
            "Request b587967f-d4bf-4b30-816d-571c10172977 completed",
            "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END CERTIFICATE-----",
            "password = os.environ[\"DB_PASSWORD\"]",
            "Passport: A12345678",
            "pub(crate) password: Option<String>,",
            "pub pw_passwd: *mut c_char, pwd: u64, token: &str",
            "let m = Password::Md5; let encapsulation_key = EncapsulationKey::new();",
            "pub private_key: HpkePrivateKey, signature::ECDSA_P256_SHA256_ASN1_SIGNING",
            r#"api_key: "AKIAIOSFODNN7EXAMPLE""#,
            r#""password": "",  "token": null, "secret": "REPLACE_ME""#,
            "user.password = request.form['password']",
            r#"token = "{{ secrets.API_TOKEN }}" and secret: ${{ secrets.X }}"#,
        ] {
            assert!(keys(text).is_empty(), "{text}: {:?}", keys(text));
        }
    }

    #[test]
    fn tokens_and_headers() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxNjQ4MjUxNyJ9.zk4fRIG216jHPMEoAgHuu3NYgXCr_1P6S2UGjNxH1d8";
        assert_eq!(keys(&format!("Authorization: Bearer {jwt}")), vec![jwt]);
        assert_eq!(
            keys("Authorization: Bearer 8f3kQ9zLm2Xv7RtP4wYb6NcD"),
            vec!["8f3kQ9zLm2Xv7RtP4wYb6NcD"]
        );
        assert_eq!(
            keys("Authorization: Basic dXNlcjpwYXNzd29yZA=="),
            vec!["dXNlcjpwYXNzd29yZA=="]
        );
        assert_eq!(
            keys("rotated sk_live_DaXUCXUiezHDcMlPTiRGNaNd."),
            vec!["sk_live_DaXUCXUiezHDcMlPTiRGNaNd"]
        );
        assert_eq!(
            keys("Can someone revoke ghs_UYN0lZjQaUCiJdFj7NHUf2OInVybtUfiOUUQ? It was pushed"),
            vec!["ghs_UYN0lZjQaUCiJdFj7NHUf2OInVybtUfiOUUQ"]
        );
    }

    #[test]
    fn pem_blocks() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0V7V\nqoITrlhCK3TN+/=\n-----END RSA PRIVATE KEY-----";
        assert_eq!(keys(&format!("$ cat id\n{key}\n$ ssh")), vec![key]);
        let json = r#"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\nkqhkiG9w0BAQ==\n-----END PRIVATE KEY-----"#;
        assert_eq!(
            keys(&format!(r#"{{"private_key": "{json}\n", "x": 1}}"#)),
            vec![json]
        );
    }
}
