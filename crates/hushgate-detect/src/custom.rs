//! Tenant-defined recognizers: deny-list terms and custom patterns.

use hushgate_types::{EntityType, Finding};

use crate::error::BuildError;
use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};

pub(crate) struct CustomRecognizer {
    patterns: Vec<Pattern>,
    /// Type and score per tag.
    kinds: Vec<(EntityType, f32)>,
}

impl CustomRecognizer {
    pub(crate) fn from_options(o: &DetectOptions) -> Result<Option<Self>, BuildError> {
        let mut patterns = Vec::new();
        let mut kinds = Vec::new();
        for d in &o.deny_list {
            if d.terms.is_empty() {
                continue;
            }
            let alts: Vec<String> = d.terms.iter().map(|t| term_regex(t.trim())).collect();
            let tag = next_tag(&kinds)?;
            patterns.push(Pattern::new(tag, format!("(?i:{})", alts.join("|"))));
            kinds.push((d.entity_type.clone(), d.score));
        }
        for p in &o.patterns {
            let tag = next_tag(&kinds)?;
            patterns.push(Pattern::new(tag, p.regex.clone()));
            kinds.push((p.entity_type.clone(), p.score));
        }
        Ok((!patterns.is_empty()).then_some(CustomRecognizer { patterns, kinds }))
    }
}

fn next_tag(kinds: &[(EntityType, f32)]) -> Result<u16, BuildError> {
    u16::try_from(kinds.len()).map_err(|_| BuildError::Option {
        key: "deny_list",
        message: "more than 65,535 custom lists and patterns".into(),
    })
}

/// A literal term with ASCII word boundaries on the sides that are word
/// characters; whitespace inside the term matches any run of whitespace.
fn term_regex(term: &str) -> String {
    let mut out = String::new();
    if term.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        out.push_str(r"(?-u:\b)");
    }
    let mut in_space = false;
    for c in term.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push_str(r"\s+");
            }
            in_space = true;
            continue;
        }
        in_space = false;
        if c.is_ascii_punctuation() || c == ' ' {
            out.push('\\');
        }
        out.push(c);
    }
    if term.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        out.push_str(r"(?-u:\b)");
    }
    out
}

impl PatternRecognizer for CustomRecognizer {
    fn name(&self) -> &'static str {
        "custom"
    }

    fn patterns(&self) -> Vec<Pattern> {
        self.patterns.clone()
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        if let Some((t, score)) = self.kinds.get(usize::from(m.tag))
            && m.start < m.end
        {
            out.push(Finding::new(t.clone(), m.start, m.end, *score, "custom"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_regex_escapes_and_bounds() {
        assert_eq!(term_regex("a.b"), r"(?-u:\b)a\.b(?-u:\b)");
        assert_eq!(term_regex("#tag"), r"\#tag(?-u:\b)");
        assert_eq!(
            term_regex("Project  Falcon"),
            r"(?-u:\b)Project\s+Falcon(?-u:\b)"
        );
    }
}
