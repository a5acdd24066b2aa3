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
