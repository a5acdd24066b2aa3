//! Credentials recognisable by shape alone: vendor-prefixed tokens, AWS
//! access key ids, JWTs and PEM private-key blocks.

use crate::validate::crypto::base64_decode;
use crate::validate::entropy::{Classes, shannon_entropy};

/// What a vendor prefix promises about the rest of the token.
struct Prefix {
    prefix: &'static str,
    /// Bytes allowed after the prefix.
    body: fn(u8) -> bool,
    /// Body length bounds (inclusive).
    min: usize,
    max: usize,
    score: f32,
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_us(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}
fn b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}
fn hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

const fn p(
    prefix: &'static str,
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
    score: f32,
) -> Prefix {
    Prefix {
        prefix,
        body,
        min,
        max,
        score,
    }
}

/// Longest prefixes first where one prefix extends another (`sk-ant-` before `sk-`).
#[rustfmt::skip]
const PREFIXES: &[Prefix] = &[
    // GitHub: classic tokens are 36 base62 characters; fine-grained PATs longer.
    p("github_pat_", alnum_us, 30, 255, 0.95),
    p("ghp_", alnum, 30, 255, 0.95),
    p("gho_", alnum, 30, 255, 0.95),
    p("ghu_", alnum, 30, 255, 0.95),
    p("ghs_", alnum, 30, 255, 0.95),
    p("ghr_", alnum, 30, 255, 0.95),
    // Slack bot/user/app/refresh tokens.
    p("xoxb-", alnum_dash, 15, 255, 0.95),
    p("xoxp-", alnum_dash, 15, 255, 0.95),
    p("xoxa-", alnum_dash, 15, 255, 0.95),
    p("xoxo-", alnum_dash, 15, 255, 0.95),
    p("xoxr-", alnum_dash, 15, 255, 0.95),
    p("xoxs-", alnum_dash, 15, 255, 0.95),
    p("xapp-", alnum_dash, 15, 255, 0.95),
    // Stripe secret and restricted keys; test-mode keys still open an account.
    p("sk_live_", alnum, 16, 255, 0.95),
    p("rk_live_", alnum, 16, 255, 0.95),
    p("sk_test_", alnum, 16, 255, 0.75),
    p("rk_test_", alnum, 16, 255, 0.75),
    p("whsec_", alnum, 24, 255, 0.9),
    // Anthropic, then OpenAI (project, service-account, admin and legacy keys).
    p("sk-ant-", b64url, 32, 255, 0.95),
    p("sk-", b64url, 20, 255, 0.9),
    // GitLab, npm, PyPI, Hugging Face, Shopify, DigitalOcean, Vault, Databricks.
    p("glpat-", b64url, 20, 255, 0.95),
    p("npm_", alnum, 36, 36, 0.9),
    p("pypi-", b64url, 50, 512, 0.95),
    p("hf_", alnum, 30, 40, 0.9),
    p("shpat_", hex, 32, 32, 0.95),
    p("shpss_", hex, 32, 32, 0.95),
    p("shpca_", hex, 32, 32, 0.95),
    p("shppa_", hex, 32, 32, 0.95),
    p("dop_v1_", hex, 64, 64, 0.95),
    p("hvs.", b64url, 24, 255, 0.9),
    p("dapi", hex, 32, 32, 0.9),
    // Google API keys are exactly 39 characters; OAuth client secrets and tokens.
    p("AIza", b64url, 35, 35, 0.95),
    p("GOCSPX-", b64url, 20, 64, 0.95),
    p("ya29.", b64url, 20, 2048, 0.9),
];

/// The regex alternation of every prefix (escaped), for the shared automaton.
pub(super) fn prefix_alternation() -> String {
    PREFIXES
        .iter()
        .map(|p| p.prefix.replace('.', r"\."))
        .collect::<Vec<_>>()
        .join("|")
}

/// A vendor-prefixed token starting at the beginning of `s`: its length in
/// bytes and score, or `None` when the body breaks the vendor's format or
/// is a placeholder (`sk_live_xxxxxxxx`).
pub(crate) fn prefixed_token(s: &str) -> Option<(usize, f32)> {
    if let Some(len) = sendgrid_key(s) {
        return Some((len, 0.95));
    }
    let p = PREFIXES.iter().find(|p| s.starts_with(p.prefix))?;
    let rest = &s.as_bytes()[p.prefix.len()..];
    // Base64url bodies may end in `-` or `_`, so nothing is trimmed.
    let body_len = rest.iter().take_while(|&&b| (p.body)(b)).count();
    if body_len < p.min || body_len > p.max {
        return None;
    }
    let body = s.get(p.prefix.len()..p.prefix.len() + body_len)?;
    if !random_body(body) {
        return None;
    }
    if p.prefix == "sk-" {
        // OpenAI keys mix cases and digits; `sk-some-long-slug` does not.
        let c = Classes::of(body);
        if !(c.lower && c.upper && c.digit) {
            return None;
        }
    }
    Some((p.prefix.len() + body_len, p.score))
}

/// SendGrid: `SG.` + 22 + `.` + 43 base64url characters.
fn sendgrid_key(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("SG.")?;
    let (a, b) = rest.split_once('.')?;
    let b_len = b.bytes().take_while(|&c| b64url(c)).count();
    (a.len() == 22 && a.bytes().all(b64url) && b_len == 43).then_some(3 + 22 + 1 + 43)
}

/// Not a run of one character or an `xxxx`/`0000` mask.
fn random_body(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    if lower.contains("xxxx") || lower.contains("0000000") || lower.contains("example") {
        return false;
    }
    shannon_entropy(body) >= 2.5
}

/// An AWS access key id (`AKIA…`/`ASIA…` + 16), not the documentation example.
pub(crate) fn aws_key_id(s: &str) -> Option<f32> {
    if s.len() != 20 || s.ends_with("EXAMPLE") {
        return None;
    }
    let body = &s[4..];
    if !body
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    (shannon_entropy(body) >= 2.5).then_some(0.95)
}

/// A JWT (or JWE) starting at the beginning of `s`: its length, when the
/// header decodes to a JSON object with an `"alg"` member.
pub(crate) fn jwt(s: &str) -> Option<usize> {
    let parts: Vec<&str> = s.split('.').collect();
    // Trailing dots belong to the sentence; alg "none" leaves the third part empty.
    let n = match parts.len() {
        0..=2 => return None,
        3 | 4 => 3,
        _ => {
            if parts.len() >= 5 && parts[..5].iter().all(|p| !p.is_empty()) {
                5
            } else {
                3
            }
        }
    };
    let header = base64_decode(parts[0])?;
    let header = std::str::from_utf8(&header).ok()?;
    if !header.trim_start().starts_with('{') || !header.contains("\"alg\"") {
        return None;
    }
    if n == 3 {
        let payload = base64_decode(parts[1])?;
        if payload.first() != Some(&b'{') {
            return None;
        }
    }
    let len = parts[..n].iter().map(|p| p.len()).sum::<usize>() + n - 1;
    Some(len)
}

/// Splits a matched run of PEM text into blocks and returns the byte ranges
/// (relative to `s`) of the private-key blocks, header to footer. A block
/// without a footer runs to the end of its base64 body.
pub(crate) fn pem_private_blocks(s: &str) -> Vec<(usize, usize)> {
    const BEGIN: &str = "-----BEGIN ";
    let mut starts: Vec<usize> = s.match_indices(BEGIN).map(|(i, _)| i).collect();
    starts.push(s.len());
    let mut out = Vec::new();
    for w in starts.windows(2) {
        let (start, next) = (w[0], w[1]);
        let block = &s[start..next];
        let Some(label_end) = block[BEGIN.len()..].find("-----") else {
            continue;
        };
        let label = &block[BEGIN.len()..BEGIN.len() + label_end];
        if !label.contains("PRIVATE KEY") {
            continue;
        }
        let footer = format!("-----END {label}-----");
        let footer_at = block.find(&footer);
        let end = match footer_at {
            Some(i) => i + footer.len(),
            None => {
                // Truncated: keep the header and body, not trailing escapes or blanks.
                let trimmed = block.trim_end_matches(|c: char| c.is_whitespace() || c == '\\');
                let mut t = trimmed;
                while let Some(x) = t.strip_suffix("\\n").or_else(|| t.strip_suffix("\\r")) {
                    t = x.trim_end();
                }
                t.len()
            }
        };
        // Documentation shows bare headers or `...` bodies; a key has a body.
        let body = block
            .get(BEGIN.len() + label_end + 5..footer_at.unwrap_or(end))
            .unwrap_or("");
        let substance = body.bytes().filter(u8::is_ascii_alphanumeric).count();
        if substance >= 24 {
            out.push((start, start + end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_prefixes() {
        let ok = [
            "ghp_yvA7oVkKb5sdRmkrWL7naLuGYBKnUt0TOQYN",
            "github_pat_qCKCgmtPpwhBw5cQJJYr2L_IwtUBWrfTIuJcuUUCOz68d8bDt7X16SGCSV2kRj4qx",
            "xoxb-14095958609-0386477855879-mS0lyogNQLRsZsdtZ4sX4Gym",
            "sk_live_DaXUCXUiezHDcMlPTiRGNaNd",
            "rk_live_jBhPlk3nOYUhmvBVsZwXKJM3xhDiCuw9vl",
            "sk-proj-IVLyP6f1Md0aDmKr53nFdGPnQEiYTJ7AAwSsx6IEL7XP5A2mr-lvJqBbasLW",
            "sk-CUYBm0ITUCQGUIBqujz1H3sY2dLhHmCmKmU6oLcRDR3zVLzx",
            "sk-ant-api03-abcDEF123ghiJKL456mnoPQR789stuVWX012yzaBCD",
            "AIzawkX3pmuryRgEAvEKBNvlVdbF-utcQKwPF9H",
        ];
        for t in ok {
            assert_eq!(prefixed_token(t).map(|x| x.0), Some(t.len()), "{t}");
        }
        // Sentence punctuation is not part of the token.
        assert_eq!(
            prefixed_token("sk_live_DaXUCXUiezHDcMlPTiRGNaNd.").map(|x| x.0),
            Some(32)
        );
        for t in [
            "sk-some-long-hyphenated-slug-name",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_short",
            "AIzaTooShort",
            "sk-...",
        ] {
            assert!(prefixed_token(t).is_none(), "{t}");
        }
    }

    #[test]
    fn aws_ids() {
        assert!(aws_key_id("AKIA7KYJAU5GHGWTHCRE").is_some());
        assert!(aws_key_id("AKIAIOSFODNN7EXAMPLE").is_none());
    }

    #[test]
    fn jwts() {
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.abc_DEF-123";
        assert_eq!(jwt(t), Some(t.len()));
        assert_eq!(jwt(&format!("{t}.")), Some(t.len()));
        // Header without "alg".
        assert!(jwt("eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxIn0.abc").is_none());
    }

    #[test]
    fn pem_blocks() {
        let s = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX\n-----END RSA PRIVATE KEY-----";
        assert_eq!(pem_private_blocks(s), vec![(0, s.len())]);
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assert!(pem_private_blocks(cert).is_empty());
        let json = r"-----BEGIN PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_private_blocks(json), vec![(0, json.len() - 2)]);
        let cut = "-----BEGIN EC PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX\nAAAA\n";
        assert_eq!(pem_private_blocks(cut), vec![(0, cut.len() - 1)]);
        let doc = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----";
        assert!(pem_private_blocks(doc).is_empty());
        assert!(pem_private_blocks("-----BEGIN PRIVATE KEY-----").is_empty());
    }
}
