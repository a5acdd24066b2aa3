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
    parts.iter().all(|p| {
        let alpha = p.bytes().all(|b| b.is_ascii_alphabetic());
        let digits = p.bytes().all(|b| b.is_ascii_digit());
        // A word is all letters in one case or Capitalised; short numbers
        // (versions, years) and tiny parts (`v2`) pass too.
        let word = alpha
            && (p.bytes().all(|b| b.is_ascii_lowercase())
                || p.bytes().all(|b| b.is_ascii_uppercase())
                || p.bytes().skip(1).all(|b| b.is_ascii_lowercase()));
        word || digits && p.len() <= 4 || p.len() <= 2
    })
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
        return len >= 16 && c.digit && (c.lower || c.upper) && e >= 3.0;
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
        assert!(!looks_random("short1A", 16));
    }
}
