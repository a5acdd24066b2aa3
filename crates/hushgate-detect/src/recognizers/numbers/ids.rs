//! Ids that start with letters: IBANs, DEA and state licence numbers,
//! medical record numbers, passport and driver's licence numbers.

use hushgate_types::{EntityType, Finding};

use crate::recognizer::Match;
use crate::validate::checksum;

use super::context::{self, Ctx};
use super::{emit, hl7_field};

/// An IBAN match: the country's length of alphanumerics (separators
/// skipped), ending a token, mod-97 valid. Anything else is re-read as a
/// letter-prefixed id (`MR889754 …` also fits the IBAN shape).
pub(super) fn on_iban(m: &Match<'_>, out: &mut Vec<Finding>) {
    let s = m.as_str().as_bytes();
    let mut buf = [0u8; 34];
    let mut n = 0;
    let mut end_rel = 0;
    let country = [
        s.first().map_or(0, u8::to_ascii_uppercase),
        s.get(1).map_or(0, u8::to_ascii_uppercase),
    ];
    if let Some(len) = checksum::iban_length(&country) {
        for (k, &b) in s.iter().enumerate() {
            if b.is_ascii_alphanumeric() {
                if n == len {
                    break;
                }
                buf[n] = b.to_ascii_uppercase();
                n += 1;
                end_rel = k + 1;
            }
        }
        if n == len {
            let end = m.start + end_rel;
            let glued = m
                .text
                .as_bytes()
                .get(end)
                .is_some_and(u8::is_ascii_alphanumeric);
            if !glued && checksum::iban(&buf[..n]) {
                emit(out, EntityType::IbanCode, m.start, end, 0.95);
                return;
            }
        }
    }
    let tok = s
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'-'))
        .unwrap_or(s.len());
    on_id(m, m.start, m.start + tok, out);
}

/// `WDL` + nine characters: the Washington driver's licence format.
pub(super) fn on_wdl(m: &Match<'_>, out: &mut Vec<Finding>) {
    let ctxs = context::near(m.context, m.text.as_bytes(), m.start, m.end);
    match ctxs.first() {
        Some(Ctx::Negative) => {}
        _ => {
            let score = if ctxs.has(Ctx::DriverLicense) {
                0.9
            } else {
                0.6
            };
            emit(out, EntityType::UsDriverLicense, m.start, m.end, score);
        }
    }
}

/// A letter-prefixed id in `[start, end)`: up to three capital letters, an
/// optional dash, digits (in dash-separated groups) and maybe more letters.
pub(super) fn on_id(m: &Match<'_>, start: usize, end: usize, out: &mut Vec<Finding>) -> bool {
    let Some(t) = m.text.as_bytes().get(start..end) else {
        return false;
    };
    let nl = t.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if nl == 0 || nl > 3 || !t[..nl].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    let mut rest = &t[nl..];
    let dash = rest.first() == Some(&b'-');
    if dash {
        rest = &rest[1..];
    }
    let digits_only = rest.iter().all(|&b| b.is_ascii_digit() || b == b'-');
    let nd = rest.iter().filter(|b| b.is_ascii_digit()).count();
    if nd < 4 || t.len() > 20 {
        return false;
    }
    let mut groups = [0usize; 8];
    let mut ng = 0;
    if digits_only {
        for part in rest.split(|&b| b == b'-') {
            let Some(slot) = groups.get_mut(ng) else {
                return false;
            };
            *slot = part.len();
            ng += 1;
        }
    }
    let groups = &groups[..ng];
    let single = digits_only && ng == 1 && !dash;
    let ctxs = context::near(m.context, m.text.as_bytes(), start, end);
    if ctxs.first() == Some(Ctx::Negative) {
        return false;
    }
    let verdict = ctxs
        .iter()
        .take_while(|&c| c != Ctx::Negative)
        .find_map(|c| match c {
            Ctx::Dea => checksum::dea(t).then_some((EntityType::MedicalLicense, 0.95)),
            Ctx::MedLicense => {
                if checksum::dea(t) {
                    Some((EntityType::MedicalLicense, 0.95))
                } else if digits_only && ng == 1 && nl <= 2 && (4..=8).contains(&nd) {
                    Some((EntityType::MedicalLicense, 0.8))
                } else {
                    None
                }
            }
            Ctx::Mrn => (digits_only && (5..=10).contains(&nd) && ng <= 3)
                .then_some((EntityType::MedicalRecordNumber, 0.8)),
            Ctx::Passport => {
                (single && nl == 1 && nd == 8).then_some((EntityType::UsPassport, 0.8))
            }
            Ctx::DriverLicense => {
                let state_format = matches!(groups, [3, 3, 2, 3, 1] | [3, 4, 4]);
                (nl == 1 && digits_only && ((single && (7..=14).contains(&nd)) || state_format))
                    .then_some((EntityType::UsDriverLicense, 0.8))
            }
            _ => None,
        })
        .or_else(|| {
            if checksum::dea(t) {
                return Some((EntityType::MedicalLicense, 0.6));
            }
            match hl7_field(m.text.as_bytes(), start) {
                Some((seg, 2..=4)) if &seg == b"PID" && digits_only && (5..=12).contains(&nd) => {
                    Some((EntityType::MedicalRecordNumber, 0.75))
                }
                _ => None,
            }
        });
    match verdict {
        Some((ty, score)) => {
            emit(out, ty, start, end, score);
            true
        }
        None => false,
    }
}
