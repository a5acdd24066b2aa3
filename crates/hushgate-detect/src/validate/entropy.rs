//! Is a value a real secret or a placeholder? Shannon entropy, character
//! classes and the common shapes of placeholders, references and masks
//! (`changeme`, `${DB_PASSWORD}`, `<token>`, `****`, `YOUR_API_KEY`).

/// Shannon entropy of the bytes of `s`, in bits per byte.
pub fn shannon_entropy(s: &str) -> f64 {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Which character classes a value uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classes {
    pub lower: bool,
    pub upper: bool,
    pub digit: bool,
    /// Any other printable character (punctuation, symbols, non-ASCII).
    pub symbol: bool,
    pub space: bool,
}

impl Classes {
    pub fn of(s: &str) -> Classes {
        let mut c = Classes::default();
        for ch in s.chars() {
            match ch {
                'a'..='z' => c.lower = true,
                'A'..='Z' => c.upper = true,
                '0'..='9' => c.digit = true,
                _ if ch.is_whitespace() => c.space = true,
                _ => c.symbol = true,
            }
        }
        c
    }

    /// Number of classes among lower, upper, digit and symbol.
    pub fn count(&self) -> usize {
        [self.lower, self.upper, self.digit, self.symbol]
            .iter()
            .filter(|&&b| b)
            .count()
    }
}

/// Words that stand in for a secret in docs, samples and templates.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "changeme",
    "changeit",
    "change_me",
    "secret",
    "mysecret",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "removed",
    "hidden",
    "masked",
    "censored",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "string",
    "required",
    "optional",
    "todo",
    "tbd",
    "fixme",
    "test",
    "testing",
    "token",
    "apikey",
    "api_key",
    "value",
    "foo",
    "bar",
    "foobar",
    "empty",
    "default",
    "notset",
    "not_set",
    "unset",
    "secret_key",
    "access_token",
    "bearer",
    "basic",
];

/// Prefixes of self-describing placeholders (`YOUR_API_KEY`, `<insert token>`).
const PLACEHOLDER_PREFIXES: &[&str] = &[
    "your", "my_", "my-", "insert", "enter", "replace", "put_", "put-", "add_", "example",
    "sample", "dummy", "fake", "test_", "test-", "xxx", "<", "[", "{",
];

/// A value that stands in for a secret rather than being one: a template or
/// environment reference, a mask, a redaction marker or a stock word.
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    // References: ${VAR}, $VAR, $(cmd), {{ var }}, %(var)s, #{var}, <%= %>, ENV[...]
    if v.starts_with('$')
        || v.contains("${")
        || v.contains("{{")
        || v.contains("%(")
        || v.contains("#{")
        || v.contains("<%")
        || lower.starts_with("env[")
        || lower.starts_with("env.")
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
        || lower.starts_with("os.getenv")
    {
        return true;
    }
    // Masks: ****, xxxx, ••••, ####, ....
    let masked = v
        .chars()
        .filter(|c| matches!(c, '*' | '•' | '#' | '…' | '█' | '·'))
        .count();
    // The documentation keys (`AKIAIOSFODNN7EXAMPLE`) say what they are.
    if masked >= 3 || lower.contains("xxxx") || lower.contains("...") || lower.contains("example") {
        return true;
    }
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // One character repeated (aaaaaaa, 00000000).
    let mut chars = v.chars();
    let first = chars.next();
    chars.all(|c| Some(c) == first)
}

/// Looks like an identifier or a path built from words (`user_preferences`,
/// `settings.SECRET_KEY`, `get-token`, `/etc/app/key.pem`) rather than a
/// random value.
pub fn is_wordy(v: &str) -> bool {
    let parts: Vec<&str> = v
        .split(['_', '-', '.', '/', ':'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return true;
    }
    parts.iter().all(|p| is_word_part(p) || is_camel_words(p))
}

/// A word is all letters in one case or Capitalised, maybe with a number
/// glued on; short numbers (versions, years) and tiny parts (`v2`) pass too.
fn is_word_part(p: &str) -> bool {
    let alpha = p.bytes().all(|b| b.is_ascii_alphabetic());
    let digits = p.bytes().all(|b| b.is_ascii_digit());
    let acronym = alpha && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_uppercase());
    let word = acronym
        || alpha
            && pronounceable(p)
            && (p.bytes().all(|b| b.is_ascii_lowercase())
                || p.bytes().all(|b| b.is_ascii_uppercase())
                || p.bytes().skip(1).all(|b| b.is_ascii_lowercase()));
    // `sha256`, `x509`, `utf8`: a word with a number glued on.
    let letters = p.bytes().take_while(u8::is_ascii_alphabetic).count();
    let suffixed = letters >= 2
        && letters < p.len()
        && p.bytes().skip(letters).all(|b| b.is_ascii_digit())
        && is_word_part(&p[..letters]);
    let tiny = p.len() <= 2 && p.bytes().all(|b| b.is_ascii_alphanumeric());
    word || suffixed || digits && p.len() <= 4 || tiny
}

/// Letters that could be a word: short, or with a vowel and no run of more
/// than four consonants (`Session` yes, `Jspdp`, `ZVMV` no).
fn pronounceable(p: &str) -> bool {
    if p.len() < 3 {
        return true;
    }
    let vowel = |b: u8| {
        matches!(
            b.to_ascii_lowercase(),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
        )
    };
    let mut run = 0;
    for b in p.bytes() {
        run = if vowel(b) { 0 } else { run + 1 };
        if run > 4 {
            return false;
        }
    }
    p.bytes().any(vowel)
}

/// Splits at camelCase and letter/digit boundaries: `WSManSessionOption` ->
/// `WS`, `Man`, `Session`, `Option`; `X509Request` -> `X`, `509`, `Request`.
fn camel_parts(p: &str) -> Vec<&str> {
    let b = p.as_bytes();
    let mut parts = Vec::new();
    let mut from = 0;
    for i in 1..b.len() {
        let (prev, cur) = (b[i - 1], b[i]);
        let lower_upper = prev.is_ascii_lowercase() && cur.is_ascii_uppercase();
        let acronym_end = prev.is_ascii_uppercase()
            && cur.is_ascii_uppercase()
            && b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        let digit_edge = prev.is_ascii_digit() != cur.is_ascii_digit();
        if lower_upper || acronym_end || digit_edge {
            parts.push(&p[from..i]);
            from = i;
        }
    }
    parts.push(&p[from..]);
    parts
}

/// CamelCase words (`EncapsulationKey`, `getToken`) with at least one real
/// word in them; `fTzQwErTy` (all tiny parts) is not.
fn is_camel_words(p: &str) -> bool {
    let parts = camel_parts(p);
    // Random base64 splits into many one- and two-letter "words".
    let tiny = parts.iter().filter(|w| w.len() <= 2).count();
    parts.len() > 1
        && tiny <= 1
        && parts.iter().any(|w| w.len() >= 4)
        && parts.iter().all(|w| is_word_part(w))
}

/// A CamelCase identifier of two or more words (`InputScope`,
/// `X509RequestInheritOptions`): a type or constant name in code.
pub fn is_camel_identifier(v: &str) -> bool {
    if !v.bytes().all(|b| b.is_ascii_alphanumeric()) || !is_camel_words(v) {
        return false;
    }
    camel_parts(v)
        .iter()
        .filter(|w| w.len() >= 3 && w.bytes().all(|b| b.is_ascii_alphabetic()))
        .count()
        >= 2
}

/// A value random enough to be a machine-generated token: long enough, mixes
/// character classes, carries entropy and is not built from words.
pub fn looks_random(v: &str, min_len: usize) -> bool {
    let len = v.chars().count();
    if len < min_len || is_wordy(v) || is_placeholder(v) {
        return false;
    }
    let c = Classes::of(v);
    if c.space {
        return false;
    }
    let hex = v.bytes().all(|b| b.is_ascii_hexdigit());
    let e = shannon_entropy(v);
    if hex {
        // Hex keys: both digits and letters, not a short run.
        let min_entropy = if len < 24 { 2.5 } else { 3.0 };
        return len >= 16 && c.digit && (c.lower || c.upper) && e >= min_entropy;
    }
    let mixed = c.digit && (c.lower || c.upper) || c.lower && c.upper;
    mixed && c.count() >= 2 && e >= 3.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") > 4.0);
    }

    #[test]
    fn classes() {
        let c = Classes::of("aB3!");
        assert_eq!(c.count(), 4);
        assert_eq!(Classes::of("abc").count(), 1);
    }

    #[test]
    fn placeholders() {
        for v in [
            "changeme",
            "${DB_PASSWORD}",
            "$SECRET",
            "{{ vault_pw }}",
            "<token>",
            "[REDACTED]",
            "********",
            "xxxxxxxxxxxx",
            "YOUR_API_KEY",
            "your-token-here",
            "os.environ",
            "sk-...",
            "null",
            "000000",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in [
            "hunter2",
            "Tr0ub4dor&3",
            "I7zbxZt#Rl9x",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn random_tokens_pass() {
        // Generated secrets (xorshift over base62/base64/hex alphabets) must
        // not be mistaken for words, whatever letters they happen to hold.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabets: [&[u8]; 3] = [
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            b"0123456789abcdef",
        ];
        for alphabet in alphabets {
            for len in [16usize, 24, 32, 40] {
                let mut rejected = 0;
                for _ in 0..500 {
                    let t: String = (0..len)
                        .map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char)
                        .collect();
                    if !looks_random(&t, 16) {
                        rejected += 1;
                    }
                }
                assert!(rejected <= 5, "{len} {rejected}");
            }
        }
    }

    #[test]
    fn randomness() {
        assert!(looks_random(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK4dMQ9uBxTLa",
            16
        ));
        assert!(looks_random("d41d8cd98f00b204e9800998ecf8427e", 16));
        assert!(looks_random("b587967f-d4bf-4b30-816d-571c10172977", 16));
        assert!(!looks_random("user_preferences_v2", 16));
        assert!(!looks_random("settings.SECRET_KEY", 8));
        assert!(!looks_random("my-secret-token-value", 8));
        assert!(!looks_random("EncapsulationKey", 8));
        assert!(!looks_random("HpkePrivateKey", 8));
        assert!(looks_random("fTzQwErTyUiOpAsD", 8));
        assert!(looks_random("yooelyDhd2Ma0Lw7cUB2sFQjmW9AptgJot7Mj2pz", 16));
        assert!(is_camel_identifier("WSManSessionOption"));
        assert!(is_camel_identifier("X509RequestInheritOptions"));
        assert!(!is_camel_identifier("Winter2023"));
        assert!(!is_camel_identifier("bMOeEeieeCI7"));
        assert!(!looks_random("short1A", 16));
    }
}
