//! MAC_ADDRESS: `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E` and Cisco
//! `001a.2b3c.4d5e`. A run that goes on with more groups is an IPv6 address
//! or an EUI-64, not a MAC; digit-only runs score lower unless a MAC word is
//! nearby; the all-zero and broadcast addresses identify nobody.

use hushgate_types::{EntityType, Finding};

use crate::recognizer::Match;

pub(super) const MAC: &str = concat!(
    r"(?-u:\b)(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}",
    r"|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}",
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?-u:\b)"
);

const NAME: &str = "mac";

pub(super) fn context_words() -> Vec<(&'static str, &'static str)> {
    [
        "mac",
        "ether",
        "hwaddr",
        "lladdr",
        "bssid",
        "physical address",
        "hardware address",
        "wifi",
        "wi-fi",
        "ethernet",
        "nic",
        "dhcp",
        "dhcpack",
        "arp",
    ]
    .iter()
    .map(|w| (*w, "mac"))
    .collect()
}

pub(super) fn on_mac(m: &Match<'_>, out: &mut Vec<Finding>) {
    let text = m.text.as_bytes();
    let s = m.as_str();
    let sep = s.as_bytes()[2..5]
        .iter()
        .copied()
        .find(|b| !b.is_ascii_hexdigit())
        .unwrap_or(b':');
    // More groups on either side: part of something longer.
    let hex_at = |i: usize| text.get(i).is_some_and(u8::is_ascii_hexdigit);
    if m.start >= 2 && text[m.start - 1] == sep && hex_at(m.start - 2) {
        return;
    }
    if text.get(m.end) == Some(&sep) && hex_at(m.end + 1) {
        return;
    }
    if text.get(m.end) == Some(&b':') || m.start > 0 && text[m.start - 1] == b':' {
        return;
    }
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    if digits.iter().all(|&b| b == b'0') || digits.iter().all(|&b| b == b'f' || b == b'F') {
        return;
    }
    let context = m.context.before("mac", m.start, 48);
    let letters = digits.iter().any(u8::is_ascii_alphabetic);
    // Digit-only runs (one MAC in ~280) are rarer shapes elsewhere too; they
    // pass at a lower score.
    let score = match (letters, sep, context) {
        (_, _, true) => 0.95,
        (true, _, false) => 0.85,
        (false, b':', false) => 0.6,
        (false, _, false) => 0.5,
    };
    out.push(Finding::new(
        EntityType::MacAddress,
        m.start,
        m.end,
        score,
        NAME,
    ));
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn macs(text: &str) -> Vec<String> {
        let engine = Engine::new().unwrap();
        engine
            .scan(text)
            .into_iter()
            .filter(|f| f.entity_type.as_str() == "MAC_ADDRESS")
            .map(|f| text[f.start..f.end].to_owned())
            .collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            macs("my router's MAC is 77-27-94-31-F9-55, thanks"),
            vec!["77-27-94-31-F9-55"]
        );
        assert_eq!(
            macs("ether b7f1.50f6.229c  txqueuelen"),
            vec!["b7f1.50f6.229c"]
        );
        assert_eq!(
            macs("DHCPACK on 10.0.0.2 to 9d:67:7e:5b:6a:bb via eth1"),
            vec!["9d:67:7e:5b:6a:bb"]
        );
        assert_eq!(
            macs("MAC=3B-28-15-4E-C1-D2;IP=1.2.3.4"),
            vec!["3B-28-15-4E-C1-D2"]
        );
        assert_eq!(macs("mac 00-11-22-33-44-55"), vec!["00-11-22-33-44-55"]);
        assert_eq!(macs("the \"84-32-78-97-82-25\""), vec!["84-32-78-97-82-25"]);
        // EUI-64 (read by the IPv6 shape, reported as a hardware address).
        assert_eq!(
            macs("eui 00:1a:2b:ff:fe:3c:4d:5e"),
            vec!["00:1a:2b:ff:fe:3c:4d:5e"]
        );
    }

    #[test]
    fn not_macs() {
        for t in [
            "00:00:00:00:00:00",
            "ff:ff:ff:ff:ff:ff",
            "fe80::1a:2b:3c:4d:5e:6f",
        ] {
            assert!(macs(t).is_empty(), "{t}: {:?}", macs(t));
        }
    }
}
