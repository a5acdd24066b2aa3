//! Check digits and number-plan rules of digit-based identifiers.
//!
//! Every function takes the identifier's characters with separators already
//! removed (ASCII digits, plus letters where the format has them) and returns
//! `false` for anything malformed instead of panicking.

/// Luhn (mod 10) check, as used by payment cards (ISO/IEC 7812-1).
pub fn luhn(digits: &[u8]) -> bool {
    if digits.len() < 2 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    matches!(sum % 10, 0)
}

/// Payment card networks recognised by their issuer prefix (IIN ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardNetwork {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    Diners,
    UnionPay,
    Mir,
}

/// The network whose IIN range and length fit `digits`, if any.
///
/// Ranges after the public IIN tables of each network; Maestro is left out on
/// purpose (its ranges are wide and its lengths vary, so it mostly adds false
/// positives on 16-digit reference numbers).
pub fn card_network(digits: &[u8]) -> Option<CardNetwork> {
    let len = digits.len();
    if !(13..=19).contains(&len) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let prefix = |n: usize| -> u32 {
        digits[..n]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let p2 = prefix(2);
    let p3 = prefix(3);
    let p4 = prefix(4);
    let p6 = prefix(6);
    let (net, lengths): (CardNetwork, &[usize]) = if digits[0] == b'4' {
        (CardNetwork::Visa, &[13, 16, 19])
    } else if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) {
        (CardNetwork::Mastercard, &[16])
    } else if p2 == 34 || p2 == 37 {
        (CardNetwork::Amex, &[15])
    } else if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6)
    {
        (CardNetwork::Discover, &[16, 17, 18, 19])
    } else if (3528..=3589).contains(&p4) {
        (CardNetwork::Jcb, &[16, 17, 18, 19])
    } else if (300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39 {
        (CardNetwork::Diners, &[14, 15, 16, 17, 18, 19])
    } else if p2 == 62 {
        (CardNetwork::UnionPay, &[16, 17, 18, 19])
    } else if (2200..=2204).contains(&p4) {
        (CardNetwork::Mir, &[16, 17, 18, 19])
    } else {
        return None;
    };
    lengths.contains(&len).then_some(net)
}

/// A Luhn-valid number in a known issuer range: a payment card number.
pub fn is_card_number(digits: &[u8]) -> bool {
    card_network(digits).is_some() && luhn(digits)
}

/// IBAN length per country (SWIFT IBAN registry).
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// The IBAN length of a country (upper-case ISO 3166 code), if it has IBANs.
pub fn iban_length(country: &[u8]) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| c.as_slice() == country)
        .map(|&(_, n)| n)
}

/// ISO 13616 IBAN check: known country, its exact length, two check digits,
/// alphanumeric BBAN and the mod-97 remainder 1. Letters must be upper case.
pub fn iban(s: &[u8]) -> bool {
    if s.len() < 4
        || !s[..2].iter().all(u8::is_ascii_uppercase)
        || !s[2..4].iter().all(u8::is_ascii_digit)
        || !s[4..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    if iban_length(&s[..2]) != Some(s.len()) {
        return false;
    }
    let mut rem = 0u32;
    for &b in s[4..].iter().chain(&s[..4]) {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(b - b'A') + 10) % 97;
        }
    }
    rem == 1
}

/// UK NHS number: ten digits, weights 10..2 on the first nine, check digit
/// `11 - sum % 11` (11 becomes 0, 10 is never issued).
pub fn nhs(digits: &[u8]) -> bool {
    if digits.len() != 10 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(&d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    u32::from(digits[9] - b'0') == check
}

/// ABA routing transit number: nine digits, weights 3-7-1.
///
/// The Federal Reserve prefix (00-12, 21-32, 61-72, 80) is not checked:
/// callers only ask with a "routing" context word, and a number introduced
/// as a routing number is one even if it comes from a test fixture.
pub fn aba(digits: &[u8]) -> bool {
    if digits.len() != 9 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d = |i: usize| u32::from(digits[i] - b'0');
    let sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + (d(2) + d(5) + d(8));
    matches!(sum % 10, 0) && digits.iter().any(|&b| b != b'0')
}

/// DEA registration number: registrant-type letter, a letter (last name
/// initial) or `9`, seven digits whose last is
/// `(d1 + d3 + d5 + 2 * (d2 + d4 + d6)) mod 10`. Upper case only.
pub fn dea(s: &[u8]) -> bool {
    if s.len() != 9 {
        return false;
    }
    if !b"ABCDEFGHJKLMPRSTUX".contains(&s[0]) {
        return false;
    }
    if !(s[1].is_ascii_uppercase() || s[1] == b'9') || !s[2..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d = |i: usize| u32::from(s[2 + i] - b'0');
    let sum = d(0) + d(2) + d(4) + 2 * (d(1) + d(3) + d(5));
    sum % 10 == d(6)
}

/// US social security number rules (SSA): area not 000, 666 or 900-999,
/// group not 00, serial not 0000, and not one of the numbers known to be
/// void (the Woolworth wallet card 078-05-1120, the 219-09-9999 advertising
/// number, the 123-45-6789 example) or a repeated digit.
pub fn ssn(digits: &[u8]) -> bool {
    if digits.len() != 9 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let area = &digits[..3];
    let group = &digits[3..5];
    let serial = &digits[5..];
    if area == b"000" || area == b"666" || area[0] == b'9' {
        return false;
    }
    if group == b"00" || serial == b"0000" {
        return false;
    }
    if matches!(digits, b"078051120" | b"219099999" | b"123456789") {
        return false;
    }
    !digits.iter().all(|&d| d == digits[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_networks() {
        assert!(is_card_number(b"4111111111111111"));
        assert!(is_card_number(b"5555555555554444"));
        assert!(is_card_number(b"2223003122003222"));
        assert!(is_card_number(b"378282246310005"));
        assert!(is_card_number(b"6011111111111117"));
        assert!(is_card_number(b"3530111333300000"));
        assert!(is_card_number(b"36227206271667"));
        assert!(!is_card_number(b"4111111111111112"));
        // Luhn-valid but no issuer starts with 1 (tracking numbers).
        assert!(luhn(b"1234567812345670"));
        assert!(!is_card_number(b"1234567812345670"));
        // Amex length is 15.
        assert!(!is_card_number(b"3782822463100050"));
        assert!(!luhn(b"4"));
        assert!(!luhn(b"41111111x1111111"));
    }

    #[test]
    fn iban_checks() {
        assert!(iban(b"GB82WEST12345698765432"));
        assert!(iban(b"DE89370400440532013000"));
        assert!(iban(b"FR1420041010050500013M02606"));
        assert!(iban(b"NL91ABNA0417164300"));
        assert!(iban(b"BE68539007547034"));
        assert!(!iban(b"GB82WEST12345698765433"));
        assert!(!iban(b"GB82WEST1234569876543"));
        assert!(!iban(b"XX82WEST12345698765432"));
        assert!(!iban(b"gb82WEST12345698765432"));
        assert!(!iban(b"DEUTDEFF"));
    }

    #[test]
    fn nhs_checks() {
        assert!(nhs(b"9434765919"));
        assert!(!nhs(b"9434765918"));
        assert!(!nhs(b"1111111111"));
        assert!(!nhs(b"943476591"));
    }

    #[test]
    fn aba_checks() {
        assert!(aba(b"011000015"));
        assert!(aba(b"021000021"));
        assert!(!aba(b"021000022"));
        assert!(!aba(b"000000000"));
    }

    #[test]
    fn dea_checks() {
        assert!(dea(b"AB1234563"));
        assert!(dea(b"F91234563"));
        assert!(!dea(b"AB1234564"));
        assert!(!dea(b"ZB1234563"));
        assert!(!dea(b"ab1234563"));
    }

    #[test]
    fn ssn_checks() {
        assert!(ssn(b"536228901"));
        assert!(!ssn(b"000123456"));
        assert!(!ssn(b"666123456"));
        assert!(!ssn(b"900123456"));
        assert!(!ssn(b"536008901"));
        assert!(!ssn(b"536220000"));
        assert!(!ssn(b"078051120"));
        assert!(!ssn(b"219099999"));
        assert!(!ssn(b"123456789"));
        assert!(!ssn(b"555555555"));
    }
}
