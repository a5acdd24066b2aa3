//! The engine: every pattern in one automaton, one pass, then validation.

use std::collections::HashSet;
use std::sync::Arc;

use hushgate_types::{EntityType, Finding};
use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use crate::context::{ContextIndex, ContextLexicon};
use crate::custom::CustomRecognizer;
use crate::error::BuildError;
use crate::options::DetectOptions;
use crate::recognizer::{Match, PatternRecognizer, TextContext, TextRecognizer};
use crate::recognizers;
use crate::resolve::resolve;

/// Rejected matches at most this long are searched again from their second
/// character (see `pattern_pass`); longer ones are skipped whole.
const RETRY_WITHIN: usize = 32;

/// The detection engine. Build once (it compiles every pattern), share behind
/// an `Arc`, scan many texts from many threads.
///
/// ```
/// use hushgate_detect::Engine;
/// let engine = Engine::new().unwrap();
/// let text = "Reach me at jane.doe@example.org";
/// let found = engine.scan(text);
/// assert_eq!(found[0].entity_type.as_str(), "EMAIL_ADDRESS");
/// assert_eq!(&text[found[0].start..found[0].end], "jane.doe@example.org");
/// ```
pub struct Engine {
    regex: Regex,
    /// For each automaton pattern: (index into `pattern_recognizers`, tag).
    owners: Vec<(usize, u16)>,
    pattern_recognizers: Vec<Arc<dyn PatternRecognizer>>,
    text_recognizers: Vec<Arc<dyn TextRecognizer>>,
    lexicon: ContextLexicon,
    threshold: f32,
    allow: HashSet<String>,
    entities: Option<HashSet<EntityType>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("patterns", &self.owners.len())
            .field(
                "pattern_recognizers",
                &self
                    .pattern_recognizers
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>(),
            )
            .field(
                "text_recognizers",
                &self
                    .text_recognizers
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>(),
            )
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// The engine with every built-in recognizer and default options.
    pub fn new() -> Result<Engine, BuildError> {
        Engine::builder().build()
    }

    /// An engine configured from `options` (threshold, regions, custom terms).
    pub fn with_options(options: &DetectOptions) -> Result<Engine, BuildError> {
        Engine::builder().options(options.clone()).build()
    }

    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The score threshold in force.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Findings at or above the threshold, non-overlapping, sorted by start.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        resolve(self.scan_all(text))
    }

    /// Every finding at or above the threshold, overlaps included, sorted by
    /// start. For policies that want to see competing interpretations.
    pub fn scan_all(&self, text: &str) -> Vec<Finding> {
        let context = self.lexicon.index(text);
        let mut out = self.pattern_pass(text, &context);
        out.sort_by_key(|f| (f.start, f.end));
        let structured_len = out.len();
        if !self.text_recognizers.is_empty() {
            let mut ner = Vec::new();
            {
                let cx = TextContext {
                    structured: &out[..structured_len],
                    context: &context,
                };
                for r in &self.text_recognizers {
                    r.recognize(text, &cx, &mut ner);
                }
            }
            out.extend(ner);
        }
        out.retain(|f| {
            f.score >= self.threshold
                && f.start < f.end
                && text.is_char_boundary(f.start)
                && text.is_char_boundary(f.end)
                && f.end <= text.len()
                && self
                    .entities
                    .as_ref()
                    .is_none_or(|set| set.contains(&f.entity_type))
                && !self.is_allowed(&text[f.start..f.end])
        });
        out.sort_by_key(|f| (f.start, f.end));
        out
    }

    fn pattern_pass(&self, text: &str, context: &ContextIndex) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut at = 0;
        while at <= text.len() {
            let input = regex_automata::Input::new(text).range(at..);
            let Some(m) = self.regex.search(&input) else {
                break;
            };
            let before = out.len();
            if let Some(&(owner, tag)) = self.owners.get(m.pattern().as_usize()) {
                let hit = Match {
                    text,
                    start: m.start(),
                    end: m.end(),
                    tag,
                    context,
                };
                self.pattern_recognizers[owner].on_match(&hit, &mut out);
            }
            at = if out.len() == before && m.len() <= RETRY_WITHIN && m.start() < text.len() {
                // The owner rejected a short match: it may have hidden a match
                // of another family that starts inside it (a phone-shaped
                // `+2024` in front of an e-mail's `@`). Search again from the
                // next character; the bound keeps the pass linear.
                crate::text::ceil_char_boundary(text, m.start() + 1)
            } else if m.is_empty() {
                crate::text::ceil_char_boundary(text, m.end() + 1)
            } else {
                m.end()
            };
            if at > text.len() || (m.is_empty() && m.end() == text.len()) {
                break;
            }
        }
        out
    }

    fn is_allowed(&self, value: &str) -> bool {
        !self.allow.is_empty() && self.allow.contains(&value.trim().to_lowercase())
    }
}

/// Compiles one pattern alone; the error names its owner.
fn check_pattern(owner: &str, regex: &str) -> Result<(), BuildError> {
    Regex::builder()
        .syntax(syntax::Config::new().utf8(true))
        .build(regex)
        .map(drop)
        .map_err(|e| BuildError::Pattern {
            source_name: owner.to_owned(),
            pattern: regex.to_owned(),
            message: e.to_string(),
        })
}

/// Builds an [`Engine`]: the built-in recognizers, plus any you add.
#[derive(Default)]
pub struct EngineBuilder {
    options: DetectOptions,
    extra_pattern: Vec<Arc<dyn PatternRecognizer>>,
    extra_text: Vec<Arc<dyn TextRecognizer>>,
    no_builtins: bool,
}

impl EngineBuilder {
    pub fn options(mut self, options: DetectOptions) -> Self {
        self.options = options;
        self
    }

    /// Adds a pattern recognizer; its patterns rank after the built-in ones.
    pub fn pattern_recognizer(mut self, r: Arc<dyn PatternRecognizer>) -> Self {
        self.extra_pattern.push(r);
        self
    }

    /// Adds a whole-text recognizer (e.g. a learned NER model).
    pub fn text_recognizer(mut self, r: Arc<dyn TextRecognizer>) -> Self {
        self.extra_text.push(r);
        self
    }

    /// Leaves out the built-in recognizers (for tests of one recognizer).
    pub fn without_builtins(mut self) -> Self {
        self.no_builtins = true;
        self
    }

    pub fn build(self) -> Result<Engine, BuildError> {
        let options = self.options;
        options.validate()?;
        let mut pattern_recognizers: Vec<Arc<dyn PatternRecognizer>> = Vec::new();
        // Tenant terms come first: at a tie they win over built-in shapes.
        if let Some(custom) = CustomRecognizer::from_options(&options)? {
            pattern_recognizers.push(Arc::new(custom));
        }
        let mut text_recognizers: Vec<Arc<dyn TextRecognizer>> = Vec::new();
        // Built-in recognizers occupy `builtins`; their patterns are fixed
        // and covered by tests, so they are not compiled one by one below.
        let builtins_start = pattern_recognizers.len();
        if !self.no_builtins {
            pattern_recognizers.extend(recognizers::pattern_recognizers(&options));
            text_recognizers.extend(recognizers::text_recognizers(&options));
        }
        let builtins = builtins_start..pattern_recognizers.len();
        pattern_recognizers.extend(self.extra_pattern);
        text_recognizers.extend(self.extra_text);

        let mut regexes = Vec::new();
        let mut owners = Vec::new();
        for (i, r) in pattern_recognizers.iter().enumerate() {
            for p in r.patterns() {
                // Check tenant and caller patterns alone first so the error
                // names their owner (and each obeys the default size limit).
                if !builtins.contains(&i) {
                    check_pattern(r.name(), &p.regex)?;
                }
                regexes.push((i, p.regex));
                owners.push((i, p.tag));
            }
        }
        let regex = Regex::builder()
            .configure(
                Regex::config()
                    .nfa_size_limit(Some(64 << 20))
                    // The union of every recognizer's shapes has many lazy-DFA
                    // states; with the 2 MB default the cache thrashes and the
                    // search falls back to slower engines (measured 10x slower).
                    .hybrid_cache_capacity(16 << 20),
            )
            .build_many(&regexes.iter().map(|(_, re)| re).collect::<Vec<_>>())
            .map_err(|e| {
                // Compiling every pattern alone costs more than the union
                // (tens of milliseconds), so only on failure: name the culprit.
                regexes
                    .iter()
                    .find_map(|(i, re)| check_pattern(pattern_recognizers[*i].name(), re).err())
                    .unwrap_or_else(|| BuildError::Automaton(e.to_string()))
            })?;

        let mut words = Vec::new();
        for r in &pattern_recognizers {
            words.extend(r.context_words());
        }
        for r in &text_recognizers {
            words.extend(r.context_words());
        }
        let lexicon = ContextLexicon::new(&words)?;

        Ok(Engine {
            regex,
            owners,
            pattern_recognizers,
            text_recognizers,
            lexicon,
            threshold: options.threshold,
            allow: options
                .allow_list
                .iter()
                .map(|s| s.trim().to_lowercase())
                .collect(),
            entities: options
                .entities
                .as_ref()
                .map(|v| v.iter().cloned().collect()),
        })
    }
}
