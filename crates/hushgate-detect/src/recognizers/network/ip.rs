//! IP_ADDRESS: IPv4 and IPv6 (full, compressed, embedded IPv4, link-local
//! with a zone such as `%eth0`, which stays in the span). Ports stay outside
//! (`10.1.2.3:8080`, `[2001:db8::1]:443`). Every candidate is parsed with
//! `std::net`; dotted runs with more than four parts, version strings
//! (`10.0.19045.3803`, `version 1.2.3.4`) and code like `Foo::bar` are not
//! addresses.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use hushgate_types::{EntityType, Finding};

use crate::recognizer::Match;
use crate::text::line_start_within;

/// Four dotted octets (0-255, no zero padding), then one byte that shows the
/// run has ended (not a digit, not `.digit`). Shapes that are not addresses
/// fail in the automaton instead of swallowing text other recognizers need:
/// a longer dotted run (`06.12.34.56.78`, a 5-part version), a zero-led
/// phone number (`02.123.45.67`), `10.0.19045.3803`.
pub(super) const IPV4: &str = concat!(
    r"(?-u:\b)(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}",
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
    r"(?:[^0-9.]|\.(?:[^0-9]|$)|$)"
);

/// Eight groups, or a `::` compression; an embedded IPv4 tail and a zone.
pub(super) const IPV6: &str = concat!(
    r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}",
    r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?)",
    r"(?:(?:\.[0-9]{1,3}){3})?(?:%[0-9A-Za-z_.\-]+)?"
);

const NAME: &str = "ip";

pub(super) fn context_words() -> Vec<(&'static str, &'static str)> {
    let ip = [
        "ip",
        "ips",
        "ipv4",
        "ipv6",
        "inet",
        "inet6",
        "addr",
        "address",
        "host",
        "hostname",
        "server",
        "gateway",
        "router",
        "dns",
        "proxy",
        "client",
        "remote",
        "peer",
        "src",
        "dst",
        "destination",
        "ssh",
        "ping",
        "subnet",
        "nat",
        "vpn",
        "firewall",
        "whitelist",
        "allowlist",
        "blocklist",
    ];
    let ver = [
        "version", "versions", "ver", "build", "builds", "release", "firmware", "sdk", "bump",
        "bumped", "upgrade", "upgraded", "kernel", "oid", "patch", "windows", "chrome",
    ];
    ip.iter()
        .map(|w| (*w, "ip"))
        .chain(ver.iter().map(|w| (*w, "version")))
        .collect()
}

fn byte_at(text: &str, i: usize) -> Option<u8> {
    text.as_bytes().get(i).copied()
}

pub(super) fn on_ipv4(m: &Match<'_>, out: &mut Vec<Finding>) {
    let text = m.text;
    let s = m.as_str();
    // The address proper: four groups, without the byte that ended the run.
    let mut dots = 0;
    let mut len = 0;
    for b in s.bytes() {
        if b == b'.' {
            if dots == 3 {
                break;
            }
            dots += 1;
        } else if !b.is_ascii_digit() {
            break;
        }
        len += 1;
    }
    let (start, end) = (m.start, m.start + len);
    // Part of a longer dotted number (`1.10.1.2.3`) or glued to a word.
    if start >= 2
        && byte_at(text, start - 1) == Some(b'.')
        && byte_at(text, start - 2).is_some_and(|b| b.is_ascii_digit())
    {
        return;
    }
    // A pinned version (`requests==2.31.0.1`, `>=1.2.3.4`, `^1.2.3.4`).
    let before = &text.as_bytes()[start.saturating_sub(2)..start];
    if before.ends_with(b"==")
        || before.ends_with(b">=")
        || before.ends_with(b"<=")
        || before.ends_with(b"~=")
        || before.ends_with(b"^")
        || before.ends_with(b"~")
    {
        return;
    }
    match (byte_at(text, end), byte_at(text, end + 1)) {
        (Some(b), _) if b.is_ascii_alphanumeric() || b == b'_' => return,
        // `1.2.3.4-beta`, `1.2.3.4+build5`.
        (Some(b'-' | b'+'), Some(n)) if n.is_ascii_alphabetic() => return,
        _ => {}
    }
    let Ok(addr) = Ipv4Addr::from_str(&text[start..end]) else {
        return;
    };
    let ip_context = m.context.before("ip", start, 40);
    // Version words before it, or right after it in the same clause (`the 1.2.3.4 SDK`).
    // Both windows are short, so only that much text is searched: a search to
    // the end (or start) of the line would be quadratic on one huge line.
    let bytes = text.as_bytes();
    let clause = bytes[end..bytes.len().min(end + 16)]
        .iter()
        .position(|b| matches!(b, b'\n' | b')' | b';' | b',' | b'.'))
        .unwrap_or(16);
    let line = line_start_within(bytes, start, 32).map_or(32, |ls| start - ls);
    if !ip_context && m.context.near("version", start, end, line, clause) {
        return;
    }
    let score = if addr.is_unspecified() || addr.is_broadcast() {
        0.5
    } else if ip_context {
        0.9
    } else {
        0.75
    };
    out.push(Finding::new(EntityType::IpAddress, start, end, score, NAME));
}

pub(super) fn on_ipv6(m: &Match<'_>, out: &mut Vec<Finding>) {
    let text = m.text;
    let s = m.as_str();
    let (addr, zone) = match s.split_once('%') {
        Some((a, z)) => (a, z.trim_end_matches(['.', '-', '_'])),
        None => (s, ""),
    };
    let end = m.start + addr.len() + if zone.is_empty() { 0 } else { 1 + zone.len() };
    // Inside a longer token: `Foo::bar`, `a:b::c:d:e:f:g:h:i`, `x.1::2`.
    if m.start > 0
        && byte_at(text, m.start - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_'))
    {
        return;
    }
    match (byte_at(text, end), byte_at(text, end + 1)) {
        (Some(b), _) if b.is_ascii_alphanumeric() || matches!(b, b'_' | b':') => return,
        (Some(b'.'), Some(n)) if n.is_ascii_digit() => return,
        _ => {}
    }
    if Ipv6Addr::from_str(addr).is_err() {
        return;
    }
    // Enough substance to be an address, not `::1`, `a::b` or a slice `[1::2]`.
    let groups = addr.split(':').filter(|g| !g.is_empty()).count();
    let digits = addr.bytes().filter(u8::is_ascii_hexdigit).count();
    if groups < 2 || digits < 4 {
        return;
    }
    // Eight two-digit groups is an EUI-64 hardware address, not an IPv6 one.
    if zone.is_empty() && addr.split(':').count() == 8 && addr.split(':').all(|g| g.len() == 2) {
        out.push(Finding::new(
            EntityType::MacAddress,
            m.start,
            end,
            0.7,
            NAME,
        ));
        return;
    }
    let ip_context = m.context.before("ip", m.start, 40);
    let score = if groups >= 4 || ip_context { 0.85 } else { 0.6 };
    out.push(Finding::new(
        EntityType::IpAddress,
        m.start,
        end,
        score,
        NAME,
    ));
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn ips(text: &str) -> Vec<String> {
        let engine = Engine::new().unwrap();
        engine
            .scan(text)
            .into_iter()
            .filter(|f| f.entity_type.as_str() == "IP_ADDRESS")
            .map(|f| text[f.start..f.end].to_owned())
            .collect()
    }

    #[test]
    fn ipv4() {
        assert_eq!(
            ips("my ip is 10.129.94.115 if that helps"),
            vec!["10.129.94.115"]
        );
        assert_eq!(ips("IP 192.168.42.12:8080"), vec!["192.168.42.12"]);
        assert_eq!(
            ips("MAC=3B-28-15-4E-C1-D2;IP=183.252.108.141"),
            vec!["183.252.108.141"]
        );
        assert_eq!(
            ips("? (177.133.68.17) at 07:25:A0:F7:92:51"),
            vec!["177.133.68.17"]
        );
        assert_eq!(
            ips("ssh deploy@62.241.34.143 -p 2222"),
            vec!["62.241.34.143"]
        );
        assert_eq!(ips("seen from 10.1.2.3."), vec!["10.1.2.3"]);
        assert_eq!(ips("range 10.0.0.0/8"), vec!["10.0.0.0"]);
        assert_eq!(
            ips("upgrade from 3.2.1.3.\nThe device at 192.168.1.1 is up"),
            vec!["192.168.1.1"]
        );
    }

    #[test]
    fn not_ipv4() {
        for t in [
            "Windows build 10.0.19045.3803 fixed the issue.",
            "Bump serde from 1.4.0 to 10.0.17265.1027.",
            "Use the 1.2.3.4 SDK",
            "version 2.1.0.4",
            "OID 1.3.6.1.4.1.311",
            "phone 06.12.34.56.78",
            "tél. 02.123.45.67",
            "192.168.001.010",
            "999.1.1.1",
            "v1.2.3.4",
            "1.2.3.4-beta",
            "pip install requests==2.31.0.1",
            "lib = \"^1.2.3.4\"",
        ] {
            assert!(ips(t).is_empty(), "{t}: {:?}", ips(t));
        }
    }

    #[test]
    fn ipv6() {
        assert_eq!(
            ips("inet6 2001:db8:cfb9::478a  prefixlen 64"),
            vec!["2001:db8:cfb9::478a"]
        );
        assert_eq!(
            ips("from db5e:8f66:8feb:72f8:ceec:ec19:bf0f:aa0a (attempt 3)"),
            vec!["db5e:8f66:8feb:72f8:ceec:ec19:bf0f:aa0a"]
        );
        assert_eq!(ips("[2001:db8::1]:443"), vec!["2001:db8::1"]);
        assert_eq!(
            ips("[fe80::1073:5ab0:d90e:5158]:443"),
            vec!["fe80::1073:5ab0:d90e:5158"]
        );
        assert_eq!(
            ips("ping fe80::1ff:fe23:4567:890a%eth0."),
            vec!["fe80::1ff:fe23:4567:890a%eth0"]
        );
        assert_eq!(
            ips("mapped ::ffff:192.0.2.128 here"),
            vec!["::ffff:192.0.2.128"]
        );
    }

    #[test]
    fn not_ipv6() {
        for t in [
            "HashMap::default()",
            "std::fs::read",
            "x[1::2]",
            "loopback ::1",
            "at 12:30:45 today",
            "00:1a:2b:3c:4d:5e",
        ] {
            assert!(ips(t).is_empty(), "{t}: {:?}", ips(t));
        }
    }
}
