//! URL, IP_ADDRESS and MAC_ADDRESS.
//!
//! Pattern order matters at equal starts: a URL (which owns any credentials,
//! host or address inside it) first, then IPv6 (whose 8-group form would
//! otherwise look like a 6-group MAC plus leftovers), MAC, IPv4.

use std::sync::Arc;

use hushgate_types::Finding;

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};

mod ip;
mod mac;
mod url;

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    vec![Arc::new(Network)]
}

struct Network;

const NAME: &str = "network";

const TAG_URL: u16 = 0;
const TAG_WWW: u16 = 1;
const TAG_IPV6: u16 = 2;
const TAG_MAC: u16 = 3;
const TAG_IPV4: u16 = 4;

impl PatternRecognizer for Network {
    fn name(&self) -> &'static str {
        NAME
    }

    fn patterns(&self) -> Vec<Pattern> {
        vec![
            Pattern::new(TAG_URL, url::SCHEME_URL),
            Pattern::new(TAG_WWW, url::WWW_URL),
            Pattern::new(TAG_IPV6, ip::IPV6),
            Pattern::new(TAG_MAC, mac::MAC),
            Pattern::new(TAG_IPV4, ip::IPV4),
        ]
    }

    fn context_words(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = ip::context_words();
        v.extend(mac::context_words());
        v
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        match m.tag {
            TAG_URL => url::on_scheme_url(m, out),
            TAG_WWW => url::on_www_url(m, out),
            TAG_IPV6 => ip::on_ipv6(m, out),
            TAG_MAC => mac::on_mac(m, out),
            TAG_IPV4 => ip::on_ipv4(m, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use crate::Engine;

    /// Fragments that wake up every e-mail, network, crypto and secret shape,
    /// glued in any order with multi-byte characters in between.
    const PIECES: &[&str] = &[
        "@",
        ":",
        "//",
        ":\\/\\/",
        "\\u00e9",
        "\\n",
        "\\\"",
        "\"",
        "'",
        "%",
        "%2",
        "#",
        "é",
        "😀",
        "€",
        " ",
        "\n",
        "=",
        "&",
        "?",
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        ".",
        "-",
        "_",
        "a",
        "Z",
        "0",
        "9",
        "ff",
        "::",
        "fe80",
        "10.1.2.",
        "255",
        "00:1a:2b",
        "-3c-4d",
        "bc1q",
        "0x",
        "1A1zP1",
        "https",
        "postgres://u:p",
        "www.",
        "password",
        "token",
        "key",
        "Bearer ",
        "Basic ",
        "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----",
        "ghp_",
        "sk-",
        "AIza",
        "eyJ",
        "AKIA",
        "bob",
        "example.com",
        "export ",
        "<Password>",
    ];

    fn engine() -> &'static Engine {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        ENGINE.get_or_init(|| Engine::new().unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_and_stays_on_char_boundaries(idx in proptest::collection::vec(0..PIECES.len(), 0..60)) {
            let text: String = idx.iter().map(|&i| PIECES[i]).collect();
            let engine = engine();
            for f in engine.scan(&text) {
                prop_assert!(f.start < f.end && f.end <= text.len());
                prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            }
        }
    }
}
