//! EMAIL_ADDRESS: RFC 5322-ish local part, a dotted domain with a letter TLD.

use std::sync::Arc;

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    vec![Arc::new(Email)]
}

struct Email;

impl PatternRecognizer for Email {
    fn name(&self) -> &'static str {
        "email"
    }

    fn patterns(&self) -> Vec<Pattern> {
        vec![Pattern::new(
            0,
            r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+",
        )]
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        let s = m.as_str();
        let Some(at) = s.rfind('@') else { return };
        let domain = &s[at + 1..];
        let tld = domain.rsplit('.').next().unwrap_or("");
        if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
            return;
        }
        out.push(Finding::new(
            EntityType::EmailAddress,
            m.start,
            m.end,
            0.95,
            "email",
        ));
    }
}
