//! Surrogates: realistic, format-preserving fakes, chosen so they cannot be
//! real: test card ranges, reserved domains (RFC 2606), fictional phone ranges
//! (NANP 555-01XX, Ofcom drama numbers), documentation IP blocks (RFC 5737,
//! RFC 3849), never-issued SSN areas (9XX), dates shifted by a per-request
//! offset. Every surrogate is ASCII. A value whose shape no generator knows
//! gets `None`, and the redactor falls back to a placeholder.

use hushgate_types::EntityType;

/// SplitMix64: small, fast, good enough to pick fakes (not for keys).
pub(crate) struct Rng(u64);

impl Rng {
    /// A stream derived from a vault seed and a stream number (entry, attempt).
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-enough in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn digit(&mut self) -> char {
        char::from(b'0' + self.below(10) as u8)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.get(self.below(xs.len() as u64) as usize)
            .copied()
            .unwrap_or("")
    }
}

// Name lists: common, unremarkable, and small on purpose.
const FIRST: &[&str] = &[
    "Avery", "Blake", "Casey", "Dana", "Drew", "Emery", "Finley", "Harper", "Jordan", "Kendall",
    "Logan", "Morgan", "Parker", "Quinn", "Reese", "Riley", "Rowan", "Sawyer", "Skyler", "Taylor",
    "Alden", "Brooke", "Carmen", "Dorian", "Elena", "Felix", "Greta", "Hugo", "Iris", "Jonah",
    "Lena", "Marco", "Nadia", "Oscar", "Priya", "Rafael", "Selma", "Tobias", "Vera", "Wendell",
];
const LAST: &[&str] = &[
    "Ashford",
    "Bramley",
    "Calloway",
    "Dunmore",
    "Ellery",
    "Fairbanks",
    "Garland",
    "Hollis",
    "Ingram",
    "Jessup",
    "Kingsley",
    "Lockwood",
    "Merriman",
    "Northcott",
    "Oakley",
    "Pemberton",
    "Quimby",
    "Radcliffe",
    "Stanwick",
    "Thornbury",
    "Underhill",
    "Vance",
    "Whitlock",
    "Yardley",
    "Abernathy",
    "Bellamy",
    "Crowther",
    "Delacroix",
    "Eastwood",
    "Fenwick",
    "Greaves",
    "Hartley",
    "Kirkland",
    "Langley",
    "Mayfield",
    "Norwood",
    "Penrose",
    "Redfield",
    "Sherwood",
    "Winslow",
];
// Microsoft's fictional company names, plus a kind word.
const ORG: &[&str] = &[
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Woodgrove",
    "Tailspin",
    "Litware",
    "Proseware",
    "Lucerne",
    "Wingtip",
    "Adatum",
    "Trey",
    "Fourth Coffee",
    "Wide World",
    "Margie's",
    "Alpine Ski",
];
const ORG_KIND: &[&str] = &[
    "Health",
    "Clinic",
    "Bank",
    "Insurance",
    "Group",
    "Partners",
    "Labs",
    "Medical Center",
];
const CITY: &[&str] = &[
    "Millbrook",
    "Ashdale",
    "Brookhaven",
    "Cedarvale",
    "Elmstead",
    "Fernley",
    "Glenwick",
    "Hollowmere",
    "Kestrel Falls",
    "Larkspur Bay",
    "Maplecrest",
    "Oakhurst",
    "Pinecliff",
    "Redmarsh",
    "Stonebridge",
    "Willowford",
];
const STREET: &[&str] = &["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way"];
const PARTICLES: &[&str] = &[
    "van", "der", "de", "la", "del", "von", "di", "da", "le", "du", "y", "bin", "ibn",
];

/// A surrogate for `original` of type `t`, or `None` when its shape is not
/// one a generator knows.
pub(crate) fn generate(
    t: &EntityType,
    original: &str,
    rng: &mut Rng,
    date_shift_days: i32,
    time_shift_minutes: i32,
) -> Option<String> {
    let s = match t {
        EntityType::Person => person(original, rng),
        EntityType::EmailAddress => email(rng),
        EntityType::PhoneNumber => phone(original, rng),
        EntityType::CreditCard => card(original, rng),
        EntityType::IbanCode => iban(original, rng),
        EntityType::UsSsn => ssn(original, rng),
        EntityType::DateTime => date::shift(original, date_shift_days, time_shift_minutes),
        EntityType::IpAddress => ip(original, rng),
        EntityType::MacAddress => mac(original, rng),
        EntityType::Url => url(original, rng),
        EntityType::Location => location(original, rng),
        EntityType::Organization => Some(format!("{} {}", rng.pick(ORG), rng.pick(ORG_KIND))),
        EntityType::ApiKey => api_key(original, rng),
        EntityType::Crypto => crypto(original, rng),
        _ => shape(original, rng),
    }?;
    (s.is_ascii() && !s.is_empty() && s != original).then_some(s)
}

/// Gives `word` the case style of `model` (UPPER, lower or Title).
fn cased(word: &str, model: &str) -> String {
    let letters = || model.chars().filter(|c| c.is_alphabetic());
    if letters().count() > 1 && letters().all(char::is_uppercase) {
        word.to_uppercase()
    } else if letters().all(char::is_lowercase) {
        word.to_lowercase()
    } else {
        word.to_owned()
    }
}

/// A fake name of the same shape: as many words, initials where there were
/// initials, `LAST, FIRST` order kept, particles kept, case style kept.
fn person(original: &str, rng: &mut Rng) -> Option<String> {
    let comma = original.contains(',');
    let words: Vec<&str> = original.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    let n = words.len();
    for (i, w) in words.iter().enumerate() {
        let bare = w.trim_end_matches([',', '.']);
        let tail = &w[bare.len()..];
        if PARTICLES.contains(&bare.to_lowercase().as_str()) {
            out.push((*w).to_owned());
            continue;
        }
        let letters = bare.chars().filter(|c| c.is_alphabetic()).count();
        let fake = if letters == 1 {
            char::from(b'A' + rng.below(26) as u8).to_string()
        } else {
            // Given name first, unless `LAST, FIRST` puts the surname first.
            let given = if comma {
                i > 0
            } else {
                i == 0 && n > 1 || n == 1
            };
            rng.pick(if given { FIRST } else { LAST }).to_owned()
        };
        out.push(format!("{}{tail}", cased(&fake, bare)));
    }
    (!out.is_empty()).then(|| out.join(" "))
}

fn email(rng: &mut Rng) -> Option<String> {
    let domain = ["example.com", "example.org", "example.net"][rng.below(3) as usize];
    Some(format!(
        "{}.{}{}@{domain}",
        rng.pick(FIRST).to_lowercase(),
        rng.pick(LAST).to_lowercase(),
        rng.below(90) + 10
    ))
}

/// Writes `digits` over the digit positions of `original`, keeping every
/// other character (spaces, dashes, dots, parentheses, line breaks).
fn overwrite_digits(original: &str, digits: &[char]) -> Option<String> {
    let mut it = digits.iter();
    let out: String = original
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                it.next().copied().unwrap_or('0')
            } else {
                c
            }
        })
        .collect();
    (it.next().is_none()).then_some(out)
}

fn phone(original: &str, rng: &mut Rng) -> Option<String> {
    // The extension (after the first letter) is not part of the number.
    let split = original
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(original.len());
    let (main, ext) = original.split_at(split);
    let digits: Vec<char> = main.chars().filter(char::is_ascii_digit).collect();
    let plus = main.trim_start().starts_with('+');
    let n = digits.len();
    let mut fake: Vec<char> = Vec::with_capacity(n);
    let nanp = if plus {
        n == 11 && digits[0] == '1'
    } else {
        (n == 10 && digits[0] >= '2') || (n == 11 && digits[0] == '1')
    };
    if nanp {
        if n == 11 {
            fake.push('1');
        }
        // Area code 2XX-9XX (not N11), exchange 555, line 0100-0199:
        // reserved for fiction.
        fake.push(char::from(b'2' + rng.below(8) as u8));
        fake.push(rng.digit());
        fake.push(char::from(b'2' + rng.below(8) as u8));
        fake.extend(['5', '5', '5', '0', '1']);
        fake.push(rng.digit());
        fake.push(rng.digit());
    } else if n == 12 && plus && digits[0] == '4' && digits[1] == '4' {
        // Ofcom's drama ranges: 07700 900xxx (mobile), 020 7946 0xxx.
        let body: &[char] = if digits[2] == '7' {
            &['4', '4', '7', '7', '0', '0', '9', '0', '0']
        } else {
            &['4', '4', '2', '0', '7', '9', '4', '6', '0']
        };
        fake.extend(body);
        fake.extend([rng.digit(), rng.digit(), rng.digit()]);
    } else if (7..=15).contains(&n) {
        // Elsewhere: keep the country code (or trunk prefix) and first
        // digit, invent the rest.
        let keep = if plus { 3 } else { 2 };
        fake.extend(digits.iter().take(keep));
        while fake.len() < n {
            fake.push(rng.digit());
        }
    } else {
        return None;
    }
    let mut out = overwrite_digits(main, &fake)?;
    out.extend(
        ext.chars()
            .map(|c| if c.is_ascii_digit() { rng.digit() } else { c }),
    );
    Some(out)
}

fn luhn_check_digit(payload: &[u8]) -> u8 {
    // Double every second digit from the right of the full number, i.e. from
    // the rightmost digit of the payload.
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A Luhn-valid number of the same length from the brand's test range.
fn card(original: &str, rng: &mut Rng) -> Option<String> {
    let n = original.chars().filter(char::is_ascii_digit).count();
    if !(12..=19).contains(&n) {
        return None;
    }
    let first = original.chars().find(char::is_ascii_digit)?;
    let prefix: &[u8] = match first {
        '4' => &[4, 1, 1, 1, 1, 1],
        '5' | '2' => &[5, 5, 5, 5, 5, 5],
        '3' => &[3, 7, 8, 2, 8, 2],
        '6' => &[6, 0, 1, 1, 0, 0],
        _ => &[9, 9, 9, 9, 9, 9],
    };
    let mut d: Vec<u8> = prefix.iter().copied().take(n - 1).collect();
    while d.len() < n - 1 {
        d.push(rng.below(10) as u8);
    }
    d.push(luhn_check_digit(&d));
    let chars: Vec<char> = d.iter().map(|&x| char::from(b'0' + x)).collect();
    overwrite_digits(original, &chars)
}

fn mod97(s: &str) -> u32 {
    let mut r = 0u32;
    for c in s.chars() {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => continue,
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r
}

/// Same country and length, random account part, valid check digits.
fn iban(original: &str, rng: &mut Rng) -> Option<String> {
    let alnum: Vec<char> = original
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if alnum.len() < 15 || !alnum[0].is_ascii_alphabetic() || !alnum[1].is_ascii_alphabetic() {
        return None;
    }
    let bban: String = alnum[4..]
        .iter()
        .map(|c| {
            if c.is_ascii_digit() {
                rng.digit()
            } else {
                char::from(b'A' + rng.below(26) as u8)
            }
        })
        .collect();
    let country: String = alnum[..2].iter().collect();
    let check = 98 - mod97(&format!("{bban}{country}00"));
    let full: Vec<char> = format!("{country}{check:02}{bban}").chars().collect();
    let mut it = full.iter();
    let out: String = original
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                it.next().copied().unwrap_or('0')
            } else {
                c
            }
        })
        .collect();
    Some(out)
}

/// Area 900-999 is never issued.
fn ssn(original: &str, rng: &mut Rng) -> Option<String> {
    let n = original.chars().filter(char::is_ascii_digit).count();
    if n != 9 {
        return None;
    }
    let mut d = vec!['9', rng.digit(), rng.digit()];
    d.push(char::from(b'1' + rng.below(9) as u8));
    d.push(rng.digit());
    d.push(char::from(b'1' + rng.below(9) as u8));
    d.extend([rng.digit(), rng.digit(), rng.digit()]);
    overwrite_digits(original, &d)
}

fn ip(original: &str, rng: &mut Rng) -> Option<String> {
    if original.contains(':') {
        // RFC 3849 documentation prefix.
        return Some(format!(
            "2001:db8::{:x}:{:x}",
            rng.below(0xffff) + 1,
            rng.below(0xffff) + 1
        ));
    }
    let parts = original.split('.').count();
    if parts != 4 {
        return None;
    }
    // RFC 5737 documentation blocks.
    let net = ["192.0.2", "198.51.100", "203.0.113"][rng.below(3) as usize];
    Some(format!("{net}.{}", rng.below(253) + 1))
}

fn mac(original: &str, rng: &mut Rng) -> Option<String> {
    let hex = original.chars().filter(char::is_ascii_hexdigit).count();
    if hex != 12 {
        return None;
    }
    let upper = original.chars().any(|c| c.is_ascii_uppercase());
    let mut i = 0;
    let out = original
        .chars()
        .map(|c| {
            if !c.is_ascii_hexdigit() {
                return c;
            }
            i += 1;
            // Second nibble 2, 6, A or E: a locally administered address.
            let v = if i == 2 {
                [2, 6, 10, 14][rng.below(4) as usize]
            } else {
                rng.below(16) as u32
            };
            let d = char::from_digit(v, 16).unwrap_or('0');
            if upper { d.to_ascii_uppercase() } else { d }
        })
        .collect();
    Some(out)
}

fn url(original: &str, rng: &mut Rng) -> Option<String> {
    let scheme = if original.starts_with("http://") {
        "http"
    } else {
        "https"
    };
    let token: String = (0..8)
        .map(|_| char::from(b'a' + rng.below(26) as u8))
        .collect();
    let s = format!("{scheme}://example.com/{token}");
    // Keep JSON-escaped slashes escaped.
    Some(if original.contains("\\/") {
        s.replace('/', "\\/")
    } else {
        s
    })
}

fn location(original: &str, rng: &mut Rng) -> Option<String> {
    let starts_with_number = original.chars().next().is_some_and(|c| c.is_ascii_digit());
    let has_letters = original.chars().any(char::is_alphabetic);
    if starts_with_number && has_letters && original.contains(' ') {
        let num: String = original
            .chars()
            .take_while(char::is_ascii_digit)
            .map(|_| rng.digit())
            .collect();
        let num = num.trim_start_matches('0');
        let num = if num.is_empty() { "1" } else { num };
        return Some(format!("{num} {} {}", rng.pick(LAST), rng.pick(STREET)));
    }
    if original.chars().any(|c| c.is_ascii_digit()) {
        // A postcode: same shape.
        return shape(original, rng);
    }
    Some(cased(rng.pick(CITY), original))
}

/// A known prefix (`sk_live_`, `ghp_`, `AKIA`, `xoxb-`) stays so the kind of
/// credential is still readable; PEM armour lines stay; the rest is random of
/// the same character classes.
fn api_key(original: &str, rng: &mut Rng) -> Option<String> {
    if original.contains("-----BEGIN") {
        let mut out = String::with_capacity(original.len());
        for (i, line) in original.split_inclusive('\n').enumerate() {
            let _ = i;
            if line.contains("-----") {
                out.push_str(line);
            } else {
                out.push_str(&shape(line, rng)?);
            }
        }
        return Some(out);
    }
    let prefix_len = original
        .find(['_', '-'])
        .filter(|&i| i <= 12 && original[..i].chars().all(|c| c.is_ascii_alphabetic()))
        .map(|i| {
            // `sk_live_...`: keep through the second separator too.
            let rest = &original[i + 1..];
            match rest.find(['_', '-']) {
                Some(j) if j <= 6 && rest[..j].chars().all(|c| c.is_ascii_alphabetic()) => {
                    i + 1 + j + 1
                }
                _ => i + 1,
            }
        })
        .or_else(|| {
            ["AKIA", "ASIA", "AIza"]
                .iter()
                .find(|p| original.starts_with(**p))
                .map(|p| p.len())
        })
        .unwrap_or(0);
    let (prefix, body) = original.split_at(prefix_len);
    let prefix = prefix.replace("live", "test");
    Some(format!("{prefix}{}", shape(body, rng)?))
}

fn crypto(original: &str, rng: &mut Rng) -> Option<String> {
    if let Some(hex) = original.strip_prefix("0x") {
        let body: String = hex
            .chars()
            .map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0'))
            .collect();
        return Some(format!("0x{body}"));
    }
    let keep = if original.starts_with("bc1") { 4 } else { 1 };
    let (prefix, body) = original.split_at(keep.min(original.len()));
    Some(format!("{prefix}{}", shape(body, rng)?))
}

/// Format-preserving random: digits stay digits, letters stay letters of the
/// same case (non-ASCII letters become ASCII ones), everything else stays.
fn shape(original: &str, rng: &mut Rng) -> Option<String> {
    if !original.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(
        original
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    rng.digit()
                } else if c.is_alphabetic() {
                    let l = char::from(b'a' + rng.below(26) as u8);
                    if c.is_uppercase() {
                        l.to_ascii_uppercase()
                    } else {
                        l
                    }
                } else if c.is_ascii() {
                    c
                } else {
                    ' '
                }
            })
            .collect(),
    )
}

/// Dates and clock times, shifted by the vault's offset in their own format.
pub(crate) mod date {
    const MONTHS_EN: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    const MONTHS_DE: [&str; 12] = [
        "januar",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
    ];
    const MONTHS_FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const MONTHS_ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (yoe + era * 400 + i64::from(m <= 2), m, d)
    }

    fn valid(y: i64, m: u32, d: u32) -> bool {
        (1..=12).contains(&m) && d >= 1 && civil_from_days(days_from_civil(y, m, d)) == (y, m, d)
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Num,
        Alpha,
        Other,
    }

    struct Tok<'a> {
        text: &'a str,
        kind: Kind,
    }

    fn tokens(s: &str) -> Vec<Tok<'_>> {
        let kind = |c: char| {
            if c.is_ascii_digit() {
                Kind::Num
            } else if c.is_alphabetic() {
                Kind::Alpha
            } else {
                Kind::Other
            }
        };
        let mut out = Vec::new();
        let mut start = 0;
        let mut cur: Option<Kind> = None;
        for (i, c) in s.char_indices() {
            let k = kind(c);
            if cur != Some(k) || k == Kind::Other {
                if let Some(ck) = cur {
                    out.push(Tok {
                        text: &s[start..i],
                        kind: ck,
                    });
                }
                start = i;
                cur = Some(k);
            }
        }
        if let Some(ck) = cur {
            out.push(Tok {
                text: &s[start..],
                kind: ck,
            });
        }
        out
    }

    fn num(t: &Tok<'_>) -> Option<u32> {
        (t.kind == Kind::Num && t.text.len() <= 4)
            .then(|| t.text.parse().ok())
            .flatten()
    }

    /// Which list and index a month word is, abbreviations (3+ letters)
    /// included.
    fn month(word: &str) -> Option<(&'static [&'static str; 12], usize)> {
        let w = word.to_lowercase();
        let w = w.trim_end_matches('.');
        if w.chars().count() < 3 {
            return None;
        }
        for list in [&MONTHS_EN, &MONTHS_DE, &MONTHS_FR, &MONTHS_ES] {
            for (i, m) in list.iter().enumerate() {
                if *m == w || (w.chars().count() >= 3 && m.starts_with(w) && w.len() < m.len()) {
                    return Some((list, i));
                }
            }
        }
        None
    }

    /// A month name in the style of `model`: full or abbreviated, same case.
    fn month_like(model: &str, list: &[&str; 12], old: usize, m: u32) -> String {
        let full = list.get(m as usize - 1).copied().unwrap_or("");
        let n = model.chars().count();
        // `May` is a full name, not an abbreviation.
        let was_full = list.get(old).is_some_and(|o| *o == model.to_lowercase());
        let name: String = if !was_full && n < full.chars().count() && n <= 4 {
            full.chars().take(n).collect()
        } else {
            full.to_owned()
        };
        let upper = model
            .chars()
            .all(|c| !c.is_alphabetic() || c.is_uppercase());
        let title = model.chars().next().is_some_and(char::is_uppercase);
        if upper && n > 1 {
            name.to_uppercase()
        } else if title {
            let mut c = name.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        } else {
            name
        }
    }

    fn pad(v: i64, model: &str) -> String {
        format!("{v:0width$}", width = model.len())
    }

    fn year_out(y: i64, model: &str) -> String {
        if model.len() == 2 {
            format!("{:02}", y.rem_euclid(100))
        } else {
            pad(y, model)
        }
    }

    fn year_in(v: u32, model: &str) -> i64 {
        let v = i64::from(v);
        if model.len() == 2 {
            if v >= 50 { 1900 + v } else { 2000 + v }
        } else {
            v
        }
    }

    /// Shifts a date (and a time after it) or a lone clock time. `None` when
    /// the value is not a shape this knows, or is not a valid date.
    pub(crate) fn shift(s: &str, days: i32, minutes: i32) -> Option<String> {
        let toks = tokens(s);
        // (token index, role) for year, month, day; month by name or number.
        let mut y: Option<usize> = None;
        let mut m: Option<usize> = None;
        let mut d: Option<usize> = None;
        let mut month_name: Option<(&'static [&'static str; 12], usize)> = None;
        let nums: Vec<usize> = (0..toks.len())
            .filter(|&i| toks[i].kind == Kind::Num)
            .collect();
        if let Some(mi) =
            (0..toks.len()).find(|&i| toks[i].kind == Kind::Alpha && month(toks[i].text).is_some())
        {
            month_name = month(toks[mi].text);
            m = Some(mi);
            // Day: a 1-2 digit number next to the month; year: 4 digits.
            for &i in &nums {
                let t = &toks[i];
                if t.text.len() == 4 && y.is_none() {
                    y = Some(i);
                } else if t.text.len() <= 2 && d.is_none() && i.abs_diff(mi) <= 4 {
                    // Not the hour of a time (followed by ':').
                    let is_time = toks.get(i + 1).is_some_and(|n| n.text == ":");
                    if !is_time {
                        d = Some(i);
                    }
                }
            }
        } else if nums.len() == 1 && toks[nums[0]].text.len() == 8 && toks.len() == 1 {
            // Compact YYYYMMDD.
            let t = toks[0].text;
            let (yy, mm, dd) = (
                t[..4].parse().ok()?,
                t[4..6].parse().ok()?,
                t[6..].parse().ok()?,
            );
            if !(1900..=2100).contains(&yy) || !valid(yy, mm, dd) {
                return None;
            }
            let (ny, nm, nd) = civil_from_days(days_from_civil(yy, mm, dd) + i64::from(days));
            return Some(format!("{ny:04}{nm:02}{nd:02}"));
        } else if nums.len() >= 3 {
            let (a, b, c) = (nums[0], nums[1], nums[2]);
            let seps_ok = b == a + 2 && c == b + 2 && toks[a + 1].text == toks[b + 1].text;
            let sep = toks[a + 1].text;
            if seps_ok && matches!(sep, "/" | "-" | ".") {
                if toks[a].text.len() == 4 {
                    (y, m, d) = (Some(a), Some(b), Some(c));
                } else if matches!(toks[c].text.len(), 2 | 4) {
                    let first = num(&toks[a])?;
                    y = Some(c);
                    if sep == "." || first > 12 {
                        (d, m) = (Some(a), Some(b));
                    } else {
                        (m, d) = (Some(a), Some(b));
                    }
                }
            }
        }
        // Zero-padded style: `03/07`, `2022-03-13`; not `3/22` or `May 2`.
        let padded = match (m, d, month_name) {
            (_, Some(di), Some(_)) => toks[di].text.starts_with('0'),
            (Some(mi), Some(di), None) => toks[mi].text.len() == 2 && toks[di].text.len() == 2,
            _ => false,
        };
        let two = |v: u32, pad: bool| {
            if pad {
                format!("{v:02}")
            } else {
                v.to_string()
            }
        };
        let mut out: Vec<String> = toks.iter().map(|t| t.text.to_owned()).collect();
        let mut day_carry = 0i64;
        // A clock time: H:MM[:SS] [am|pm], anywhere after the date part.
        let time = (0..toks.len()).find(|&i| {
            toks[i].kind == Kind::Num
                && toks[i].text.len() <= 2
                && toks.get(i + 1).is_some_and(|t| t.text == ":")
                && toks
                    .get(i + 2)
                    .is_some_and(|t| t.kind == Kind::Num && t.text.len() == 2)
                && Some(i) != d
        });
        if let Some(h) = time {
            let hour = num(&toks[h])?;
            let min = num(&toks[h + 2])?;
            let ampm = toks[h + 3..]
                .iter()
                .take(4)
                .find(|t| t.kind == Kind::Alpha)
                .map(|t| t.text.to_lowercase())
                .filter(|t| t == "am" || t == "pm");
            if hour > 23 || min > 59 || (ampm.is_some() && !(1..=12).contains(&hour)) {
                return None;
            }
            let h24 = match ampm.as_deref() {
                Some("am") => hour % 12,
                Some(_) => hour % 12 + 12,
                None => hour,
            };
            let total = i64::from(h24 * 60 + min) + i64::from(minutes);
            day_carry = total.div_euclid(1440);
            let t = total.rem_euclid(1440);
            let (nh, nm) = ((t / 60) as u32, (t % 60) as u32);
            match ampm {
                Some(_) => {
                    let h12 = if nh % 12 == 0 { 12 } else { nh % 12 };
                    out[h] = two(h12, toks[h].text.starts_with('0'));
                    let pm = nh >= 12;
                    for (i, tok) in toks.iter().enumerate().skip(h + 3).take(4) {
                        if tok.kind == Kind::Alpha {
                            let word = if pm { "pm" } else { "am" };
                            out[i] = if tok.text.chars().all(|c| c.is_uppercase()) {
                                word.to_uppercase()
                            } else {
                                word.to_owned()
                            };
                            break;
                        }
                    }
                }
                None => out[h] = two(nh, toks[h].text.len() == 2),
            }
            out[h + 2] = format!("{nm:02}");
        }
        let Some(mi) = m else {
            // A time alone (or nothing we know).
            return time.map(|_| out.concat());
        };
        let year = match y {
            Some(i) => year_in(num(&toks[i])?, toks[i].text),
            // No year: shift within a leap year so Feb 29 is valid.
            None => 2000,
        };
        let month_no = match month_name {
            Some((_, i)) => i as u32 + 1,
            None => num(&toks[mi])?,
        };
        let day_no = match d {
            Some(i) => num(&toks[i])?,
            None => 1,
        };
        if !valid(year, month_no, day_no) {
            return None;
        }
        // A month and year without a day shift by whole months' worth of days
        // and keep day 1.
        let (ny, nm, nd) =
            civil_from_days(days_from_civil(year, month_no, day_no) + i64::from(days) + day_carry);
        if let Some(i) = y {
            out[i] = year_out(ny, toks[i].text);
        }
        out[mi] = match month_name {
            Some((list, old)) => month_like(toks[mi].text, list, old, nm),
            None => two(nm, padded),
        };
        if let Some(i) = d {
            out[i] = two(nd, padded);
        }
        Some(out.concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luhn_valid(s: &str) -> bool {
        let d: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let (payload, check) = d.split_at(d.len() - 1);
        luhn_check_digit(payload) == check[0]
    }

    fn fake(t: EntityType, v: &str, seed: u64) -> Option<String> {
        generate(&t, v, &mut Rng::new(seed, 1), 40, 95)
    }

    #[test]
    fn cards_are_luhn_valid_test_numbers_of_the_same_shape() {
        for (i, v) in [
            "4111 1111 1111 1111",
            "5500-0000-0000-0004",
            "378282246310005",
            "6011000990139424",
        ]
        .iter()
        .enumerate()
        {
            let s = fake(EntityType::CreditCard, v, i as u64).unwrap();
            assert!(luhn_valid(&s), "{s}");
            assert_eq!(s.len(), v.len());
            assert_eq!(
                s.chars().map(|c| c.is_ascii_digit()).collect::<Vec<_>>(),
                v.chars().map(|c| c.is_ascii_digit()).collect::<Vec<_>>()
            );
        }
        assert!(luhn_valid("4111111111111111"));
    }

    #[test]
    fn phones_use_fictional_ranges_and_keep_format() {
        let s = fake(EntityType::PhoneNumber, "+1 (415) 555-0132 x204", 3).unwrap();
        assert!(
            s.starts_with("+1 (") && s.contains(") 555-01") && s.contains(" x"),
            "{s}"
        );
        let s = fake(EntityType::PhoneNumber, "+44 7700 123456", 3).unwrap();
        assert!(s.starts_with("+44 7700 900"), "{s}");
        let s = fake(EntityType::PhoneNumber, "06 12 34 56 78", 3).unwrap();
        assert!(s.starts_with("06 ") && s.len() == 14, "{s}");
    }

    #[test]
    fn ibans_are_valid_and_keep_country() {
        let s = fake(EntityType::IbanCode, "DE89 3704 0044 0532 0130 00", 5).unwrap();
        assert!(s.starts_with("DE") && s.len() == 27, "{s}");
        let compact: String = s.chars().filter(|c| *c != ' ').collect();
        let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
        assert_eq!(mod97(&rearranged), 1, "{s}");
        assert_eq!(mod97("370400440532013000DE89"), 1);
    }

    #[test]
    fn other_shapes() {
        let s = fake(EntityType::EmailAddress, "jane@corp.com", 1).unwrap();
        assert!(
            s.ends_with("@example.com")
                || s.ends_with("@example.org")
                || s.ends_with("@example.net")
        );
        let s = fake(EntityType::UsSsn, "219-09-9999", 1).unwrap();
        assert!(
            s.starts_with('9') && s.len() == 11 && &s[3..4] == "-",
            "{s}"
        );
        let s = fake(EntityType::IpAddress, "10.1.2.3", 1).unwrap();
        assert!(
            ["192.0.2.", "198.51.100.", "203.0.113."]
                .iter()
                .any(|p| s.starts_with(p)),
            "{s}"
        );
        let s = fake(EntityType::MacAddress, "00:1A:2B:3C:4D:5E", 1).unwrap();
        assert_eq!(s.len(), 17);
        let s = fake(EntityType::Person, "ZHU, NATALIA H.", 1).unwrap();
        assert!(
            s.chars().all(|c| !c.is_lowercase()) && s.contains(", ") && s.ends_with('.'),
            "{s}"
        );
        let s = fake(EntityType::Person, "Lucas van der Berg", 1).unwrap();
        assert!(s.contains(" van der "), "{s}");
        let s = fake(EntityType::ApiKey, "sk_live_51HqLyjWDarjtT1zdp7dc", 1).unwrap();
        assert!(s.starts_with("sk_test_") && s.len() == 29, "{s}");
        assert!(fake(EntityType::Person, "王伟", 1).unwrap().is_ascii());
    }

    #[test]
    fn dates_shift_in_their_own_format() {
        let sh = |s: &str| date::shift(s, 40, 95);
        for (from, to) in [
            ("2022-03-13", "2022-04-22"),
            ("3/22/2023", "5/1/2023"),
            ("03/22/2023", "05/01/2023"),
            ("9/27/23", "11/6/23"),
            ("14.03.2023", "23.04.2023"),
            ("May 2, 1979", "June 11, 1979"),
            ("Mar 21, 2022", "Apr 30, 2022"),
            ("3 de marzo de 2023", "12 de abril de 2023"),
            ("14. März 2023", "23. April 2023"),
            ("19680624", "19680803"),
            ("7:45 AM", "9:20 AM"),
            ("11:30 pm", "1:05 am"),
            ("23:30", "01:05"),
            ("2022-03-13 23:30", "2022-04-23 01:05"),
        ] {
            assert_eq!(sh(from).as_deref(), Some(to), "{from}");
        }
        assert_eq!(sh("yesterday"), None);
        assert_eq!(sh("2023-02-30"), None);
        // Intervals are kept.
        let a = date::days_from_civil(2022, 3, 13);
        assert_eq!(date::civil_from_days(a), (2022, 3, 13));
        assert_eq!(date::days_from_civil(1970, 1, 1), 0);
    }
}
