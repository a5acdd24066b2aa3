//! PERSON: gazetteers of given names and surnames, plus the shape of the text
//! around them (honorifics, labels, greetings, signatures, HL7 name fields).
//!
//! The lists alone are weak evidence: most capitalised words are *someone's*
//! surname, and many given names are English words (Will, May, Grant). So a
//! span is reported when the tokens agree with each other (a known given name
//! followed by a known surname), or when a cue says a name comes next (`Dr.`,
//! `Patient`, `Dear`, `Name:`, a closing line before a signature), and never
//! when the shape says it is something else (a street, a firm, an eponymous
//! disease, an identifier in code).

use hushgate_types::{EntityType, Finding};
use memchr::memmem;

use super::gazetteer::{Gazetteer, NameInfo, key, key_bytes};
use super::keywords::{
    AMBIGUOUS, CLOSING, CUE, DATE, EPONYM, FUNCTION, GREETING, HARD_STREET, MONTH, NEVER, ORG,
    PARTICLE, SPEAKER, STREET, TITLE, VERB, kw, kw_key,
};
use super::tokenize::{
    DIGIT, ESCAPE, HAN, HANGUL, JOINED, KANA, POSSESSIVE, Shape, Token, UNDERSCORE, lower_into,
    tokenize,
};
use crate::recognizer::{TextContext, TextRecognizer};

const NAME: &str = "person_ner";

/// The PERSON recognizer.
pub struct PersonRecognizer {
    g: &'static Gazetteer,
}

impl PersonRecognizer {
    pub fn new() -> PersonRecognizer {
        PersonRecognizer {
            g: Gazetteer::get(),
        }
    }
}

impl Default for PersonRecognizer {
    fn default() -> Self {
        PersonRecognizer::new()
    }
}

impl TextRecognizer for PersonRecognizer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn recognize(&self, text: &str, cx: &TextContext<'_>, out: &mut Vec<Finding>) {
        let mut tokens = Vec::new();
        tokenize(text, &mut tokens);
        if tokens.is_empty() {
            return;
        }
        let mut s = Scan::new(self.g, text, tokens, cx);
        s.hl7();
        s.run();
        out.append(&mut s.found);
    }
}

/// What a word is doing in a candidate name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Dr, Mrs, Herr, Sra: before a name, never inside the span.
    Title,
    /// van, de la, bin: only between name words.
    Particle,
    /// `H.` or `H`
    Initial,
    /// A listed name (maybe also a word).
    Name,
    /// Capitalised, not listed, not a common word: maybe an unlisted name.
    Unknown,
    /// Anything else: ends a name.
    Other,
}

/// How strongly the text before (or after) says "a name comes here".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cue {
    None,
    /// "with", "reporting to": a person is plausible.
    Weak,
    /// "Dear", "Hi", "Patient", "wife": a name is expected.
    Strong,
    /// An honorific, a `Name:` label, a signature after "Regards,".
    Certain,
}

struct Scan<'a> {
    g: &'static Gazetteer,
    text: &'a str,
    toks: Vec<Token>,
    info: Vec<NameInfo>,
    /// Keyword flags of each token (see `keywords`).
    kws: Vec<u32>,
    roles: Vec<Role>,
    /// Token is inside a structured finding or an HL7 line: not ours.
    blocked: Vec<bool>,
    structured: &'a [Finding],
    found: Vec<Finding>,
}

fn lower_ascii<'b>(s: &str, buf: &'b mut [u8; 48]) -> &'b str {
    lower_into(s, buf).unwrap_or("")
}

/// Words after which a name is expected (lower-case), and how strongly.
fn cue_word(w: &str) -> Cue {
    if kw(w) & CUE != 0 {
        Cue::Strong
    } else {
        Cue::None
    }
}

/// Chat transcript speaker labels: "Customer:" starts an utterance.
fn speaker_word(w: &str) -> bool {
    kw(w) & SPEAKER != 0
}

/// Verbs after which a lone name is expected ("I reviewed John", "ping mary").
fn verb_cue(w: &str) -> bool {
    kw(w) & VERB != 0
}

/// Greetings before a name.
fn greeting_word(w: &str) -> bool {
    kw(w) & GREETING != 0
}

/// Capitalised words that are never a person in running text.
fn never_name(w: &str) -> bool {
    kw(w) & NEVER != 0
}

/// Month and weekday names and abbreviations that are never given names.
fn date_word(w: &str) -> bool {
    kw(w) & DATE != 0
}

/// Month names that are also given names; a date next to them decides.
fn month_word(w: &str) -> bool {
    kw(w) & MONTH != 0
}

/// Contractions ("I've", "don't") are never names.
fn contraction(w: &str) -> bool {
    match w.rsplit_once('\'') {
        Some((_, tail)) => matches!(tail, "m" | "ve" | "re" | "ll" | "d" | "t" | "s"),
        None => false,
    }
}

/// Endings of words that are not names (Analytics, Initech, Solutions).
fn non_name_suffix(w: &str) -> bool {
    w.len() > 5
        && [
            "ics", "tech", "ware", "soft", "tion", "sion", "ment", "ness", "ology", "ity", "ing",
            "ance", "ence", "able", "ible", "ism", "ist", "ify", "ize", "ise", "ful", "less",
            "ous", "ive", "ical", "bank", "works", "corp", "labs", "net", "logic", "data", "cloud",
            "health", "care", "med", "pharm", "bio", "gen", "com", "max", "pro", "ify", "ly",
            "flow", "hub", "base", "stack", "point", "wise", "force", "link", "line", "sys", "ex",
            "ix", "iq", "io", "ai",
        ]
        .iter()
        .any(|s| w.ends_with(s))
}

/// Closing lines after which the next line is a signature.
fn closing_word(w: &str) -> bool {
    kw(w) & CLOSING != 0
}

/// Words that say the capitalised words before them are a street or place.
fn street_word(w: &str) -> bool {
    kw(w) & STREET != 0
}

/// Street and place words that are not also common surnames.
fn hard_street_word(w: &str) -> bool {
    kw(w) & HARD_STREET != 0
}

/// Function words of European languages that are also listed as names
/// ("Su pedido", "Le patient", "Mi número", "Von: ...").
fn function_word(w: &str) -> bool {
    kw(w) & FUNCTION != 0
}

/// Words that say the capitalised words before them name an organisation.
fn org_word(w: &str) -> bool {
    kw(w) & ORG != 0
}

/// Words that say the name before them is an eponym, not a person.
fn eponym_word(w: &str) -> bool {
    kw(w) & EPONYM != 0
}

impl<'a> Scan<'a> {
    fn new(
        g: &'static Gazetteer,
        text: &'a str,
        toks: Vec<Token>,
        cx: &TextContext<'a>,
    ) -> Scan<'a> {
        let n = toks.len();
        let mut info = vec![NameInfo::default(); n];
        let mut kws = vec![0u32; n];
        let mut buf = [0u8; 48];
        for ((t, slot), k) in toks.iter().zip(info.iter_mut()).zip(kws.iter_mut()) {
            if t.has(DIGIT | UNDERSCORE) || t.end - t.start > 40 {
                continue;
            }
            let word = t.as_str(text);
            if t.flags & (JOINED | ESCAPE) == 0 && word.is_ascii() {
                // Common case: hash the lower-cased bytes without copying.
                let hk = key_bytes(word.as_bytes(), true);
                *k = kw_key(hk);
                *slot = g.lookup_key(hk);
                continue;
            }
            let Some(w) = lower_into(word, &mut buf) else {
                continue;
            };
            let hk = key(w);
            *k = kw_key(hk);
            *slot = lookup_lower(g, w, hk, t.flags);
        }
        let mut blocked = vec![false; n];
        // Tokens inside structured findings (e-mails, URLs, keys) are not names.
        let structured = cx.structured;
        let mut k = 0;
        for (t, b) in toks.iter().zip(blocked.iter_mut()) {
            while k < structured.len() && structured[k].end <= t.start {
                k += 1;
            }
            // Findings are sorted by start; check the few that may cover t.
            let mut j = k;
            while j < structured.len() && structured[j].start < t.end {
                if structured[j].end > t.start && structured[j].score >= 0.3 {
                    *b = true;
                    break;
                }
                j += 1;
            }
        }
        let mut scan = Scan {
            g,
            text,
            toks,
            info,
            kws,
            roles: Vec::new(),
            blocked,
            structured,
            found: Vec::new(),
        };
        scan.roles = (0..n).map(|i| scan.compute_role(i)).collect();
        scan
    }

    fn tok(&self, i: usize) -> &str {
        self.toks[i].as_str(self.text)
    }

    fn gap(&self, a: usize, b: usize) -> &'a str {
        self.text
            .get(self.toks[a].end..self.toks[b].start)
            .unwrap_or("")
    }

    /// The text before token `i` (back to the previous token or the start).
    fn gap_before(&self, i: usize) -> &'a str {
        let from = if i == 0 { 0 } else { self.toks[i - 1].end };
        self.text.get(from..self.toks[i].start).unwrap_or("")
    }

    fn gap_after(&self, i: usize) -> &'a str {
        let to = self.toks.get(i + 1).map_or(self.text.len(), |t| t.start);
        self.text.get(self.toks[i].end..to).unwrap_or("")
    }

    fn lower<'b>(&self, i: usize, buf: &'b mut [u8; 48]) -> &'b str {
        lower_ascii(self.tok(i), buf)
    }

    /// Name info of any token.
    fn info_of(&self, i: usize) -> NameInfo {
        self.info[i]
    }

    fn is_initial(&self, i: usize) -> bool {
        let t = self.toks[i];
        matches!(t.shape, Shape::Upper)
            && self.tok(i).chars().count() == 1
            && !t.has(DIGIT | UNDERSCORE)
    }

    fn role(&self, i: usize) -> Role {
        self.roles[i]
    }

    /// The role of token `i` on its own and next to its neighbours.
    fn compute_role(&self, i: usize) -> Role {
        let t = self.toks[i];
        if self.blocked[i] || t.has(DIGIT | UNDERSCORE | HAN | HANGUL | KANA) {
            return Role::Other;
        }
        let k = self.kws[i];
        match t.shape {
            Shape::Lower => {
                if k & PARTICLE != 0 {
                    Role::Particle
                } else {
                    Role::Other
                }
            }
            Shape::Mixed => Role::Other,
            Shape::Title | Shape::Upper | Shape::Uncased => {
                if self.is_initial(i) {
                    return Role::Initial;
                }
                if k & TITLE != 0 && !(t.shape == Shape::Upper && t.end - t.start > 3) {
                    return Role::Title;
                }
                if k & (CUE | CLOSING | GREETING | NEVER | HARD_STREET) != 0
                    || (k & EPONYM != 0 && t.shape == Shape::Title && self.info[i].first == 0)
                    || (k & MONTH != 0 && self.next_to_digit(i))
                {
                    return Role::Other;
                }
                let mut buf = [0u8; 48];
                let w = if k & ORG != 0
                    || t.has(JOINED)
                    || (self.info[i].word == 0 && !self.info[i].is_name())
                {
                    self.lower(i, &mut buf)
                } else {
                    ""
                };
                if (k & ORG != 0 && !matches!(w, "law" | "church" | "family")) || contraction(w) {
                    return Role::Other;
                }
                let inf = self.info[i];
                if inf.is_name() {
                    Role::Name
                } else if t.shape == Shape::Uncased {
                    Role::Other
                } else if inf.word == 0
                    && k & (AMBIGUOUS | ORG | STREET) == 0
                    && !non_name_suffix(w)
                {
                    Role::Unknown
                } else {
                    Role::Other
                }
            }
        }
    }

    /// Is a digit token right before or after token `i` ("Jun 15", "5 May")?
    fn next_to_digit(&self, i: usize) -> bool {
        let dateish = |k: usize| {
            let t = self.toks[k];
            let mut buf = [0u8; 48];
            let w = lower_ascii(t.as_str(self.text), &mut buf);
            t.has(DIGIT) || date_word(w) || month_word(w)
        };
        let after = i + 1 < self.toks.len()
            && dateish(i + 1)
            && self.gap(i, i + 1).trim_matches(['.', ' ', ',']).is_empty();
        let before = i > 0
            && dateish(i - 1)
            && self
                .gap(i - 1, i)
                .trim_matches(['.', ' ', ',', '-'])
                .is_empty();
        after || before
    }

    /// Can a name continue from token `a` to token `b`?
    fn joins(&self, a: usize, b: usize) -> bool {
        let g = self.gap(a, b);
        if space_gap(g) {
            return true;
        }
        // "H. Harris", "Dr. Choi", "Dr. med. Weber"
        if let Some(rest) = g.strip_prefix('.') {
            let initial = self.is_initial(a) || self.role(a) == Role::Title;
            return initial && (rest.is_empty() || space_gap(rest));
        }
        false
    }

    /// Main pass over the tokens.
    fn run(&mut self) {
        let n = self.toks.len();
        let mut i = 0;
        while i < n {
            let next = self.try_at(i);
            i = next.max(i + 1);
        }
        self.cjk();
    }

    /// Tries a name starting at token `i`; returns where to continue.
    fn try_at(&mut self, i: usize) -> usize {
        if self.blocked[i] {
            return i + 1;
        }
        let t = self.toks[i];
        let particle_start = t.shape == Shape::Lower
            && self.role(i) == Role::Particle
            && i + 1 < self.toks.len()
            && self.joins(i, i + 1)
            && matches!(
                self.role(i + 1),
                Role::Name | Role::Unknown | Role::Particle
            );
        if t.shape == Shape::Lower && !particle_start {
            return self.try_lower(i);
        }
        let r = self.role(i);
        if matches!(r, Role::Other) {
            return i + 1;
        }
        // Collect the run of name-like words.
        let mut j = i + 1;
        let caps = |k: usize| self.toks[k].shape == Shape::Upper && !self.is_initial(k);
        let mut shape_caps = None;
        while j < self.toks.len() && j - i < 8 && self.joins(j - 1, j) {
            let rj = self.role(j);
            if rj == Role::Other || (rj == Role::Title && self.role(j - 1) != Role::Title) {
                break;
            }
            // "Prescriber DEA", "Mac OS": a name does not switch between
            // Title case and all caps.
            if matches!(rj, Role::Name | Role::Unknown) {
                let prev = (i..j)
                    .rev()
                    .find(|&k| matches!(self.role(k), Role::Name | Role::Unknown));
                if let Some(pk) = prev {
                    let c = *shape_caps.get_or_insert(caps(pk));
                    if c != caps(j) {
                        break;
                    }
                }
            }
            j += 1;
        }
        // Leading honorifics are cues, not part of the name.
        let mut s = i;
        let mut titled = false;
        while s < j && self.role(s) == Role::Title {
            titled = true;
            s += 1;
        }
        // French "M. Dubois": M. is Monsieur when it starts the run.
        if !titled
            && s + 1 < j
            && self.tok(s) == "M"
            && self.gap(s, s + 1).starts_with('.')
            && (s == 0 || !self.joins(s - 1, s))
            && self.cue_after(j - 1) != Cue::Strong
        {
            titled = true;
            s += 1;
        }
        // "Dr. med. Weber": skip a lower-case qualifier after the title.
        if titled && s == j && j < self.toks.len() {
            let mut buf = [0u8; 48];
            let w = self.lower(j, &mut buf);
            if matches!(w, "med" | "dent" | "vet" | "rer" | "phil" | "nat")
                && self.gap(j - 1, j).trim_start_matches('.').trim().is_empty()
            {
                return self.try_titled_after(j + 1);
            }
        }
        if s == j {
            return j;
        }
        // "LAST, FIRST" as one span.
        if s < j
            && let Some(end) = self.last_comma_first(s, j, titled)
        {
            return end;
        }
        // "Le patient", "Su pedido", "El Paso", "Von: Monika": a leading
        // function word is not a name, and what follows it alone is not either.
        if !titled && !self.is_initial(s) && self.is_function_word(s) {
            if j - s <= 2 {
                return j;
            }
            s += 1;
        }
        // Trailing particles and lone trailing initials do not end a name.
        let mut e = j;
        while e > s + 1 && self.role(e - 1) == Role::Particle {
            e -= 1;
        }
        while s < e && self.role(s) == Role::Particle && self.toks[s].shape == Shape::Lower {
            s += 1;
        }
        if s == e {
            return j;
        }
        let mut cue = if titled {
            Cue::Certain
        } else {
            self.cue_before(s).max(self.cue_after(e - 1))
        };
        // "Hi Will,", "Hallo Dieter,", "Congrats Grace!": a greeting, one word,
        // then the end of the phrase.
        if cue == Cue::Strong && s > 0 && e - s == 1 {
            let mut buf = [0u8; 48];
            let greeting = greeting_word(self.lower(s - 1, &mut buf));
            let after = self.gap_after(e - 1);
            if greeting
                && (after.starts_with(',') || after.starts_with('!') || after.starts_with('\n'))
            {
                cue = Cue::Certain;
            }
        }
        self.judge(s, e, cue, titled);
        j
    }

    fn try_titled_after(&mut self, i: usize) -> usize {
        if i >= self.toks.len() || self.role(i) == Role::Other {
            return i;
        }
        let mut j = i + 1;
        while j < self.toks.len() && j - i < 6 && self.joins(j - 1, j) {
            if matches!(self.role(j), Role::Other | Role::Title) {
                break;
            }
            j += 1;
        }
        self.judge(i, j, Cue::Certain, true);
        j
    }

    /// Decides whether tokens `s..e` are a name and pushes it.
    fn judge(&mut self, s: usize, e: usize, cue: Cue, titled: bool) {
        if self.rejected(s, e) {
            return;
        }
        let mut names = 0usize; // listed or unknown name words
        let mut strong = 0usize; // listed, not a common word
        let mut unknown = 0usize;
        let (mut first_ok, mut last_ok) = (false, false);
        let mut first_name_idx = None;
        let mut last_name_idx = None;
        let mut upper = true;
        for k in s..e {
            let r = self.role(k);
            if self.toks[k].shape != Shape::Upper {
                upper = false;
            }
            match r {
                Role::Name | Role::Unknown => {
                    names += 1;
                    if first_name_idx.is_none() {
                        first_name_idx = Some(k);
                    }
                    last_name_idx = Some(k);
                    if r == Role::Unknown {
                        unknown += 1;
                    } else if self.is_strong(k) {
                        strong += 1;
                    }
                }
                _ => {}
            }
        }
        let (Some(fi), Some(li)) = (first_name_idx, last_name_idx) else {
            return;
        };
        if names > 5 {
            return;
        }
        let fin = self.info[fi];
        let lin = self.info[li];
        if fi != li {
            first_ok = fin.first > 0 || self.korean_given(fi);
            last_ok = lin.last > 0 || lin.first > 0;
        }
        let starts_with_initial = self.role(s) == Role::Initial;
        let mut score: f32 = if names >= 2 {
            let listed = names - unknown;
            let all_words = (s..e)
                .filter(|&k| self.role(k) == Role::Name)
                .all(|k| self.word_level(k) >= 2);
            if first_ok && last_ok && unknown == 0 {
                match strong {
                    0 if all_words => 0.1,
                    0 => 0.3,
                    1 if names == 2 && !self.is_strong(fi) && self.word_level(fi) >= 3 => 0.5,
                    _ => 0.85,
                }
            } else if first_ok
                && self.is_strong(fi)
                && fin.first >= 2
                && unknown > 0
                && self.role(li) == Role::Unknown
            {
                // "Wanjiru Mwangi": a sure given name, then an unlisted word.
                if unknown == 1 { 0.65 } else { 0.45 }
            } else if unknown == 1
                && self.role(fi) == Role::Unknown
                && lin.last > 0
                && self.is_strong(li)
                && names == 2
            {
                // "Zhiwei Kapoor": an unlisted word, then a sure surname.
                0.5
            } else if unknown == 0 && strong >= 2 && listed == names {
                // Two surnames (Ruiz Gómez) or given names used as surnames.
                0.6
            } else if unknown == 0 && strong >= 1 {
                0.3
            } else {
                0.15
            }
        } else {
            // One name word, maybe with initials ("C. Zhu", "Natalia H.").
            let k = fi;
            let inf = self.info[k];
            if self.role(k) == Role::Unknown {
                if starts_with_initial { 0.3 } else { 0.1 }
            } else if starts_with_initial && inf.last > 0 && self.is_strong(k) {
                0.6
            } else if self.is_strong(k) && inf.first >= 3 && !upper {
                // A lone well-known given name ("Rosa is a 72-year-old"),
                // unless a preposition says it is a place ("in Austin").
                if cue == Cue::None && self.place_preposition_before(s) {
                    0.1
                } else {
                    0.4
                }
            } else if self.is_strong(k) {
                0.25
            } else {
                0.1
            }
        };
        // Context.
        score = match cue {
            Cue::Certain => (score + 0.45).max(if names == 1 { 0.8 } else { 0.85 }),
            Cue::Strong => score + 0.35,
            Cue::Weak => score + 0.15,
            Cue::None => score,
        };
        let all_unknown = unknown == names;
        if names >= 2
            && strong == 0
            && !(all_unknown && cue == Cue::Certain)
            && (cue < Cue::Certain || unknown > 0)
        {
            // Only common words ("Success Lead", "Will Young"): needs a title or label.
            score = score.min(0.35);
        }
        if names == 1 && cue < Cue::Strong && self.address_around(s, e) {
            score = score.min(0.3);
        }
        if names == 1 && cue < Cue::Certain && self.is_function_word(fi) {
            score = score.min(0.3);
        }
        if names == 1
            && !titled
            && !starts_with_initial
            && self.info[fi].first == 0
            && self.word_level(fi) >= 2
        {
            // "Hi Team,", "Name: Summit": a lone common word that is only a
            // surname needs an honorific.
            score = score.min(0.35);
        }
        if names >= 2 && self.place_phrase(s, e) {
            score = score.min(0.3);
        }
        if names == 1 && cue < Cue::Strong && self.info[fi].word >= 2 {
            // "Mark the ticket", "Bill the client": a sentence-initial verb.
            score = score.min(0.35);
        }
        if names == 1 && cue < Cue::Certain && self.word_level(fi) >= 2 {
            // A lone common word needs an honorific or label.
            score = score.min(0.35);
        }
        if upper && names == 1 && (!titled || !self.is_strong(fi)) {
            // A lone all-caps word is an acronym more often than a name.
            score = score.min(0.3);
        }
        if self.email_confirms(s, e) {
            score = score.max(0.9);
        }
        if score >= 0.4 {
            self.push(self.toks[s].start, self.toks[e - 1].end, score.min(0.95));
        }
    }

    /// "Bristol, BS4 2JS", "Pine St., Columbus.": a lone word in an address.
    fn address_around(&self, s: usize, e: usize) -> bool {
        let after = self.gap_after(e - 1);
        if (after == ", " || after == ",") && self.toks.get(e).is_some_and(|t| t.has(DIGIT)) {
            return true;
        }
        if s > 0 {
            let g = self.gap_before(s);
            if g == ", " || g == "., " {
                let p = s - 1;
                let mut buf = [0u8; 48];
                let w = self.lower(p, &mut buf);
                if self.toks[p].has(DIGIT) || street_word(w) || hard_street_word(w) {
                    return true;
                }
            }
        }
        false
    }

    /// "Hyde Park", "Holly Springs", "Rose Garden": a place named like a person.
    fn place_phrase(&self, s: usize, e: usize) -> bool {
        let last = e - 1;
        if self.kws[last] & STREET == 0 {
            return false;
        }
        let first_pop = (s..last)
            .find(|&k| self.role(k) == Role::Name)
            .map_or(0, |k| self.info[k].first);
        self.info[last].last < 5 || first_pop <= 2
    }

    /// "in Austin", "at Madison": a lone capitalised word there is a place.
    fn place_preposition_before(&self, s: usize) -> bool {
        if s == 0 || !space_gap(self.gap_before(s)) {
            return false;
        }
        let mut buf = [0u8; 48];
        matches!(
            self.lower(s - 1, &mut buf),
            "in" | "at"
                | "near"
                | "from"
                | "via"
                | "nach"
                | "aus"
                | "à"
                | "en"
                | "de"
                | "desde"
                | "hacia"
                | "of"
                | "into"
                | "towards"
                | "around"
                | "outside"
                | "visit"
                | "visiting"
                | "moved"
                | "bei"
                | "nahe"
                | "vers"
                | "chez"
                | "im"
                | "a"
                | "au"
                | "dans"
                | "para"
                | "hasta"
                | "nel"
                | "nello"
                | "nella"
                | "em"
                | "no"
                | "na"
        )
    }

    /// How common the word is in English, discounted for popular given
    /// names ("John", "Mark" are names first).
    fn word_level(&self, k: usize) -> u8 {
        let inf = self.info[k];
        if self.ambiguous(k) {
            return 3;
        }
        discounted(inf)
    }

    fn is_function_word(&self, k: usize) -> bool {
        self.kws[k] & FUNCTION != 0
    }

    /// Listed and not an English word (rare words are fine).
    fn is_strong(&self, k: usize) -> bool {
        self.info[k].is_name() && self.word_level(k) <= 1
    }

    fn ambiguous(&self, k: usize) -> bool {
        self.kws[k] & AMBIGUOUS != 0
    }

    /// `Min-jun`, `Seo-yeon`: a romanised Korean given name shape.
    fn korean_given(&self, k: usize) -> bool {
        let t = self.toks[k];
        let s = self.tok(k);
        if t.shape != Shape::Title || !t.has(JOINED) || !s.is_ascii() {
            return false;
        }
        match s.split_once('-') {
            Some((a, b)) => {
                (2..=4).contains(&a.len())
                    && (2..=4).contains(&b.len())
                    && b.bytes().all(|c| c.is_ascii_lowercase())
            }
            None => false,
        }
    }

    /// Shapes that say `s..e` is not a person.
    fn rejected(&self, s: usize, e: usize) -> bool {
        let text = self.text;
        let before = self.gap_before(s);
        let after = self.gap_after(e - 1);
        // Identifiers: user@host, a.b, /home/x, key=value, #tag.
        // `<PERSON>` placeholders and `$NAME` variables too.
        if let Some(c) = before.chars().last()
            && matches!(
                c,
                '@' | '/' | '.' | '=' | '_' | '#' | '$' | '\\' | '<' | '[' | '{' | '%' | '&'
            )
            && before.len() <= 1
            && s > 0
        {
            return true;
        }
        if let Some(c) = after.chars().next() {
            if matches!(
                c,
                '@' | '_' | '(' | '>' | ']' | '}' | '=' | '/' | '\\' | '%'
            ) && !(c == '\\' && after.starts_with("\\n"))
                && !(c == '\\' && after.starts_with("\\\""))
                && !(c == '\\' && after.starts_with("\\u"))
                && !(c == '\\' && after.starts_with("\\t"))
                && !(c == '\\' && after.starts_with("\\r"))
            {
                return true;
            }
            if c == '.' {
                // "first.last" or "name.com": no space after the dot.
                if after.len() == 1 && e < self.toks.len() {
                    return true;
                }
            }
        }
        if before.contains('&') || after.starts_with(" & ") || after.starts_with(" and Co") {
            return true;
        }
        // Whatever follows: a street, a firm, a disease.
        if e < self.toks.len() && space_gap(after) {
            let mut buf = [0u8; 48];
            let w = self.lower(e, &mut buf);
            if street_word(w) || org_word(w) || eponym_word(w) {
                return true;
            }
        }
        if self.toks[e - 1].has(POSSESSIVE) && e < self.toks.len() {
            let mut buf = [0u8; 48];
            let w = self.lower(e, &mut buf);
            if eponym_word(w) || org_word(w) || street_word(w) {
                return true;
            }
        }
        // "5196 Monroe Boulevard", "rue Victor Hugo", "St. Anne".
        if s > 0 {
            let p = s - 1;
            let pt = self.toks[p];
            let g = self.gap(p, s);
            if space_gap(g) && pt.has(DIGIT) && !pt.has(UNDERSCORE) {
                return true;
            }
            if space_gap(g) || (g == ". " && self.toks[p].end - self.toks[p].start <= 3) {
                let mut buf = [0u8; 48];
                let w = self.lower(p, &mut buf);
                if matches!(
                    w,
                    "rue"
                        | "calle"
                        | "avenida"
                        | "av"
                        | "via"
                        | "viale"
                        | "piazza"
                        | "plaza"
                        | "paseo"
                        | "st"
                        | "saint"
                        | "san"
                        | "santa"
                        | "mount"
                        | "mt"
                        | "fort"
                        | "ft"
                        | "lake"
                        | "port"
                        | "cape"
                        | "camino"
                        | "carrer"
                        | "travessera"
                        | "chemin"
                        | "allée"
                        | "impasse"
                        | "quai"
                        | "place"
                        | "boulevard"
                        | "bd"
                        | "avenue"
                        | "sankt"
                        | "ste"
                        | "sainte"
                        | "university"
                        | "hospital"
                        | "club"
                        | "hotel"
                        | "bank"
                        | "banco"
                        | "hôpital"
                        | "hopital"
                        | "klinik"
                        | "ospedale"
                        | "universidad"
                        | "universität"
                ) {
                    return true;
                }
            }
        }
        // "Helios Analytics", "Brightwater Utilities": the name is the start of a
        // longer capitalised phrase that is not a name.
        if e < self.toks.len() && space_gap(after) && self.role(e) == Role::Other {
            let nt = self.toks[e];
            let mut buf = [0u8; 48];
            let w = self.lower(e, &mut buf);
            if matches!(nt.shape, Shape::Title | Shape::Upper)
                && !nt.has(DIGIT)
                && (nt.shape != Shape::Upper || nt.end - nt.start > 3)
                && cue_word(w) == Cue::None
                && !never_name(w)
                && !greeting_word(w)
                && !closing_word(w)
                && !function_word(w)
                && !speaker_word(w)
                && kw(w) & TITLE == 0
            {
                return true;
            }
        }
        // "Calle del Sol", "Farmacia del Carmen", "rue du Faubourg": a particle
        // after a non-name.
        if s >= 2
            && space_gap(before)
            && self.toks[s - 1].shape == Shape::Lower
            && self.role(s - 1) == Role::Particle
            && !matches!(self.role(s - 2), Role::Name | Role::Unknown | Role::Initial)
        {
            let mut buf = [0u8; 48];
            let w = self.lower(s - 2, &mut buf);
            if !matches!(
                w,
                "nom" | "nombre" | "nome" | "part" | "parte" | "namens" | "name"
            ) {
                return true;
            }
        }
        // "Pittsburgh, PA 15203": a city before a state and ZIP code.
        if (after == ", " || after == " ") && e + 1 < self.toks.len() {
            let st = self.toks[e];
            let zip = self.toks[e + 1];
            if st.shape == Shape::Upper
                && st.end - st.start == 2
                && zip.end - zip.start == 5
                && zip.as_str(self.text).bytes().all(|b| b.is_ascii_digit())
                && space_gap(self.gap(e, e + 1))
            {
                return true;
            }
        }
        let _ = text;
        false
    }

    /// Cue in the words before token `s`.
    fn cue_before(&self, s: usize) -> Cue {
        if s == 0 {
            return Cue::None;
        }
        let g = self.gap_before(s);
        let p = s - 1;
        let mut buf = [0u8; 48];
        let w = self.lower(p, &mut buf).to_owned_small();
        let w = w.as_str();
        if g.contains('\n') || g.contains("\\n") {
            // Signature after "Regards," / "Best,": the name is the next line.
            let trimmed = g.trim_start_matches([' ', '\t', '!', '.']);
            let closing_gap = [",\n", ",\r\n", ",\\n", "\n", "\r\n", "\\n", ":\n"]
                .iter()
                .any(|x| trimmed.starts_with(x));
            if closing_gap && closing_word(w) && self.line_is_short_before(p) {
                return Cue::Certain;
            }
            return Cue::None;
        }
        // "it's Lisa", "name's Lisa"
        if self.toks[p].has(POSSESSIVE) && space_gap(g.trim_start_matches(['\'', '\u{2019}', 's']))
        {
            return if matches!(
                w,
                "it" | "name" | "this" | "that" | "here" | "there" | "he" | "she"
            ) {
                Cue::Strong
            } else {
                Cue::None
            };
        }
        // "Sarah Chen, Miguel Alvarez, Tom": the next item of a list of names.
        if (g == ", " || (w == "and" && space_gap(g)))
            && self.found.last().is_some_and(|f| {
                let q = if w == "and" {
                    p.checked_sub(1)
                } else {
                    Some(p)
                };
                q.is_some_and(|q| {
                    f.end == self.toks[q].end
                        && (w != "and" || matches!(self.gap(q, p), " " | ", "))
                })
            })
        {
            return Cue::Strong;
        }
        let g_trim = g.trim_matches(|c: char| c == ' ' || c == '\u{a0}' || c == '\t');
        match g_trim {
            // "Name: X", "Patient: X", "From: X", "Agent (X)"
            ":" | ":\"" | "\": \"" | "\":\"" | "=" | "=\"" | "(" | "- " | "-" | "—"
            | "\\\":\\\"" | "\\\": \\\"" | "='" | ": '" | "':'" | "': '" => {
                if speaker_word(w) {
                    // "Customer: ..." starts an utterance, "Agent (Amelia)" names one.
                    return if g_trim == "(" {
                        Cue::Certain
                    } else {
                        Cue::None
                    };
                }
                if cue_word(w) >= Cue::Strong
                    || self.label_phrase(p)
                    || matches!(
                        w,
                        "von"
                            | "an"
                            | "de"
                            | "para"
                            | "à"
                            | "a"
                            | "cc"
                            | "nom"
                            | "prénom"
                            | "from"
                            | "to"
                            | "reply-to"
                            | "sender"
                            | "recipient"
                            | "vorname"
                            | "nachname"
                            | "apellido"
                            | "apellidos"
                            | "nombre"
                            | "author"
                            | "committer"
                            | "reporter"
                    )
                {
                    return Cue::Certain;
                }
                if g_trim.starts_with(':') && matches!(w, "by" | "to" | "for") {
                    return Cue::Certain;
                }
                Cue::None
            }
            "" | "," | "/" => {
                if w == "a" && g_trim.is_empty() && self.gap_before(p) == "/" {
                    // "Estimado/a X"
                    return Cue::Strong;
                }
                if greeting_word(w) || matches!(w, "i'm" | "cc" | "bcc" | "attn" | "signed") {
                    return Cue::Strong;
                }
                if w == "im"
                    && self.toks[p].shape == Shape::Lower
                    && self.toks[s].shape == Shape::Lower
                {
                    // chat "im emily", not German "im Breisgau"
                    return Cue::Strong;
                }
                if verb_cue(w) {
                    return Cue::Strong;
                }
                match w {
                    "by" | "to" | "with" | "for" | "is" | "am" | "me" | "named" | "called"
                    | "de" | "of" => self.phrase_cue(p),
                    _ => {
                        if cue_word(w) == Cue::Strong && self.toks[p].shape != Shape::Upper {
                            // "Patient Liam", "wife Amira", but not "MANAGER REVIEW".
                            Cue::Strong
                        } else {
                            Cue::None
                        }
                    }
                }
            }
            _ => Cue::None,
        }
    }

    /// Is the line holding token `p` short (a closing line like "Best,")?
    fn line_is_short_before(&self, p: usize) -> bool {
        // Only the last 32 bytes can hold a line break close enough, so only
        // they are searched (a search to the line start is quadratic on one
        // huge line). A literal `\n` (JSON-escaped text) counts as a break.
        let start = self.toks[p].start;
        let window = &self.text.as_bytes()[start.saturating_sub(32)..start];
        start <= 30
            || window[window.len().saturating_sub(31)..].contains(&b'\n')
            || memmem::rfind(window, b"\\n").is_some_and(|i| window.len() - (i + 2) <= 30)
    }

    /// "approved by", "assigned to", "next of kin", "my name is".
    fn phrase_cue(&self, p: usize) -> Cue {
        let mut buf = [0u8; 48];
        let w = self.lower(p, &mut buf).to_owned_small();
        let w = w.as_str();
        if p == 0 {
            return Cue::None;
        }
        let q = p - 1;
        if !space_gap(self.gap(q, p)) && self.gap(q, p) != "'" && self.gap(q, p) != "\u{2019}" {
            return Cue::None;
        }
        let mut buf2 = [0u8; 48];
        let v = self.lower(q, &mut buf2);
        match (v, w) {
            (
                "approved" | "assigned" | "submitted" | "signed" | "seen" | "reviewed" | "prepared"
                | "requested" | "referred" | "reported" | "written" | "authored" | "created"
                | "entered" | "verified" | "authorized" | "authorised" | "witnessed" | "dictated"
                | "transcribed" | "countersigned" | "escalated" | "forwarded" | "performed"
                | "examined" | "ordered" | "sent" | "completed" | "updated" | "filed" | "opened"
                | "raised" | "closed" | "managed" | "handled" | "owned",
                "by",
            ) => Cue::Certain,
            (
                "reporting" | "assigned" | "escalated" | "referred" | "forwarded" | "transferred"
                | "talked" | "talking" | "talk" | "spoke" | "speak" | "spoken" | "speaking"
                | "married" | "engaged" | "belongs" | "addressed" | "sent" | "letter" | "reply"
                | "replying" | "wrote" | "write" | "introduce" | "introducing",
                "to",
            ) => Cue::Strong,
            (
                "results" | "up" | "discussed" | "spoke" | "speaking" | "met" | "meeting" | "call"
                | "dinner" | "lunch" | "lives" | "living" | "chatted" | "consulted" | "talked"
                | "visit" | "appointment" | "session" | "interview" | "follow-up" | "followup"
                | "stays" | "staying" | "resides",
                "with",
            ) => Cue::Strong,
            ("name" | "this" | "it" | "he" | "she" | "who" | "caller", "is") => Cue::Strong,
            ("it" | "name" | "he" | "she" | "that" | "who" | "there" | "here", "s") => Cue::Strong,
            ("i", "am") | ("call", "me") => Cue::Strong,
            ("nom" | "nombre" | "part" | "parte" | "namens", "de") => Cue::Certain,
            ("name" | "behalf" | "account", "of") => Cue::Strong,
            (
                "enrollment" | "offer" | "chart" | "details" | "account" | "w-2" | "w2"
                | "paperwork" | "check" | "referral" | "prescription" | "records" | "statement"
                | "invoice" | "reimbursement" | "application" | "letter" | "file" | "claim"
                | "payment" | "payroll" | "contract",
                "for",
            ) => Cue::Strong,
            ("and", _) | (_, "and") => Cue::None,
            _ => Cue::None,
        }
    }

    /// "Next of kin:", "Emergency contact:", "Ordering provider:".
    fn label_phrase(&self, p: usize) -> bool {
        let mut buf = [0u8; 48];
        let w = self.lower(p, &mut buf).to_owned_small();
        if p == 0 {
            return false;
        }
        let mut buf2 = [0u8; 48];
        let v = self.lower(p - 1, &mut buf2);
        matches!(
            (v, w.as_str()),
            ("of", "kin")
                | ("emergency", "contact")
                | ("full", "name")
                | ("first", "name")
                | ("last", "name")
                | ("given", "name")
                | ("family", "name")
                | ("legal", "name")
                | ("account", "holder")
                | ("primary", "care")
                | ("referring", "physician")
                | ("ordering", "provider")
                | ("approved", "by")
                | ("signed", "by")
                | ("assigned", "to")
                | ("seen", "by")
                | ("second", "approver")
                | ("first", "approver")
                | ("reported", "by")
                | ("requested", "by")
                | ("submitted", "by")
                | ("prepared", "by")
                | ("reviewed", "by")
                | ("contact", "person")
                | ("ansprechpartner", _)
                | ("a", "nombre")
                | ("au", "nom")
        )
    }

    /// Cue in the words right after the name: ", MD", "(DOB", "<e-mail>".
    fn cue_after(&self, last: usize) -> Cue {
        let g = self.gap_after(last);
        let Some(next) = self.toks.get(last + 1) else {
            return Cue::None;
        };
        let mut buf = [0u8; 48];
        let w = lower_ascii(next.as_str(self.text), &mut buf).to_owned_small();
        let w = w.as_str();
        let gt = g.trim_matches(' ');
        if (gt == "," || gt == ",\u{a0}")
            && matches!(
                w,
                "md" | "do"
                    | "np"
                    | "rn"
                    | "pa"
                    | "phd"
                    | "dds"
                    | "dmd"
                    | "lcsw"
                    | "msw"
                    | "fnp"
                    | "cnp"
                    | "pharmd"
                    | "esq"
                    | "jr"
                    | "mbbs"
                    | "mrcp"
                    | "frcs"
                    | "frcp"
                    | "dnp"
                    | "crna"
                    | "lpn"
                    | "cnm"
                    | "aprn"
                    | "od"
                    | "dpm"
                    | "psyd"
                    | "dc"
                    | "mba"
                    | "cpa"
                    | "dob"
                    | "pa-c"
            )
        {
            // "Hao Nasser, MD"
            return Cue::Strong;
        }
        if gt == "(" || gt == "<" || gt == "," || gt == "-" || gt == "–" {
            if matches!(
                w,
                "dob" | "mrn" | "nhs" | "ssn" | "born" | "age" | "aged" | "geb" | "née" | "nee"
            ) {
                return Cue::Strong;
            }
            // Followed by an e-mail address: "Jane Roe <jane@x.org>".
            if self.structured_starts_at(next.start, hushgate_types::EntityType::EmailAddress) {
                return Cue::Strong;
            }
        }
        if gt == "'" || gt == "\u{2019}" {
            return Cue::None;
        }
        // "John is a 72-year-old", "Rosa, 54, ..."
        if matches!(w, "is" | "was")
            && space_gap(g)
            && self.toks.get(last + 2).is_some_and(|a| {
                matches!(a.as_str(self.text), "a" | "an")
                    && self.toks.get(last + 3).is_some_and(|n| n.has(DIGIT))
            })
        {
            return Cue::Strong;
        }
        if gt.is_empty() && self.toks[last].has(POSSESSIVE) {
            return Cue::None;
        }
        if matches!(
            w,
            "said"
                | "says"
                | "asked"
                | "called"
                | "wrote"
                | "replied"
                | "reports"
                | "reported"
                | "states"
                | "stated"
                | "denies"
                | "complains"
                | "presents"
                | "presented"
                | "was"
                | "is"
                | "has"
                | "will"
                | "would"
                | "agreed"
                | "declined"
        ) && space_gap(g)
        {
            return Cue::Weak;
        }
        Cue::None
    }

    fn structured_starts_at(&self, pos: usize, ty: hushgate_types::EntityType) -> bool {
        let k = self.structured.partition_point(|f| f.start < pos);
        self.structured[k..]
            .iter()
            .take_while(|f| f.start == pos)
            .any(|f| f.entity_type == ty)
    }

    /// The next e-mail address repeats a word of the name ("Aoife Kowalski
    /// <akowalski@…>"): strong evidence.
    fn email_confirms(&self, s: usize, e: usize) -> bool {
        let end = self.toks[e - 1].end;
        let g = self
            .text
            .get(end..(end + 4).min(self.text.len()))
            .unwrap_or("");
        if !(g.starts_with(" <")
            || g.starts_with(" (")
            || g.starts_with(", ")
            || g.starts_with(","))
        {
            return false;
        }
        let k = self.structured.partition_point(|f| f.start < end);
        let Some(f) = self.structured.get(k) else {
            return false;
        };
        if f.entity_type != hushgate_types::EntityType::EmailAddress || f.start > end + 3 {
            return false;
        }
        let email = self.text.get(f.start..f.end).unwrap_or("");
        let local = email.split('@').next().unwrap_or("");
        let mut lb = [0u8; 64];
        let Some(local) = lower_into(local, &mut lb) else {
            return false;
        };
        (s..e).any(|k| {
            let mut buf = [0u8; 48];
            let w = self.lower(k, &mut buf);
            w.len() >= 3 && w.is_ascii() && local.contains(w)
        })
    }

    /// "BANERJEE, Astrid" / "ZHU, NATALIA": one span.
    fn last_comma_first(&mut self, s: usize, e: usize, titled: bool) -> Option<usize> {
        if titled || e >= self.toks.len() {
            return None;
        }
        // "DE VRIES, DAVID", "van der Berg, Anna": particles may lead LAST.
        let particle = |k: usize| self.kws[k] & PARTICLE != 0;
        if e - s > 3 || !(s..e - 1).all(particle) {
            return None;
        }
        let s_all = s;
        let s = e - 1;
        let e = s + 1;
        if e >= self.toks.len() {
            return None;
        }
        let g = self.gap(s, e);
        if g != ", " && g != "," && g != ",\u{a0}" {
            return None;
        }
        let last = s;
        let first = e;
        if !matches!(self.role(last), Role::Name | Role::Unknown) || self.role(first) != Role::Name
        {
            return None;
        }
        if s_all > 0
            && self.joins(s_all - 1, s_all)
            && matches!(self.role(s_all - 1), Role::Name | Role::Unknown)
        {
            return None;
        }
        let (li, fi) = (self.info[last], self.info[first]);
        if fi.first == 0 || !self.is_strong(first) {
            return None;
        }
        // FIRST may carry a middle initial; it must not be followed by a surname
        // ("Tran, Harold Oliveira" is a list).
        let mut end = first + 1;
        if end < self.toks.len() && self.joins(first, end) && self.is_initial(end) {
            end += 1;
        }
        if end < self.toks.len() && self.joins(end - 1, end) {
            let r = self.role(end);
            if matches!(r, Role::Name | Role::Unknown | Role::Initial) {
                return None;
            }
        }
        let upper = self.toks[last].shape == Shape::Upper && self.toks[first].shape == Shape::Upper;
        let cue = self.cue_before(s_all);
        let after = self.gap_after(end - 1);
        let line_end = after.is_empty()
            || after.starts_with('\n')
            || after.starts_with("\\n")
            || after.starts_with('\t')
            || after.starts_with('|')
            || after.starts_with(" (")
            || after.starts_with('"')
            || after.starts_with("\r");
        let sure_last = li.last >= 2 && li.first == 0 && li.word == 0;
        let ok = (upper && (li.last > 0 || self.role(last) == Role::Unknown))
            || cue >= Cue::Strong
            || (sure_last && line_end);
        if !ok || self.rejected(s_all, end) {
            return None;
        }
        let score = if cue >= Cue::Strong { 0.9 } else { 0.8 };
        self.push(self.toks[s_all].start, self.toks[end - 1].end, score);
        Some(end)
    }

    /// Lower-case names after a chat cue: "hi it's trang müller", and chat
    /// speaker labels: "emily: pls don't paste keys".
    fn try_lower(&mut self, i: usize) -> usize {
        if self.blocked[i] || self.toks[i].has(DIGIT | UNDERSCORE) {
            return i + 1;
        }
        let inf = self.info_of(i);
        if inf.first == 0 || discounted(inf) >= 2 {
            return i + 1;
        }
        if self.kws[i] & (AMBIGUOUS | FUNCTION | NEVER) != 0 {
            return i + 1;
        }
        let cue = self.cue_before(i);
        // Chat speaker: "emily: ..." at the start of a line.
        let speaker = {
            let g = self.gap_before(i);
            let line_start = i == 0 || g.ends_with('\n') || g.ends_with("\\n");
            line_start && self.gap_after(i).starts_with(": ") && discounted(inf) == 0
        };
        if cue < Cue::Strong && !speaker {
            return i + 1;
        }
        let mut e = i + 1;
        if !speaker {
            // Optional middle initial and surname, lower-case too.
            let n = self.toks.len();
            let mut k = i + 1;
            if k + 1 < n
                && self.gap(k - 1, k) == " "
                && self.tok(k).len() == 1
                && self.toks[k].shape == Shape::Lower
                && self.gap(k, k + 1) == ". "
            {
                k += 1;
            } else if k < n && !space_gap(self.gap(k - 1, k)) {
                k = n;
            }
            let after_initial = k > i + 1;
            let mut particles = 0;
            while k < n && self.toks[k].shape == Shape::Lower && !self.blocked[k] {
                if k > i + 1 && !space_gap(self.gap(k - 1, k)) && !(after_initial && k == i + 2) {
                    break;
                }
                let mut buf = [0u8; 48];
                let w = self.lower(k, &mut buf).to_owned_small();
                if (kw(w.as_str()) & PARTICLE != 0) && particles < 2 {
                    particles += 1;
                    k += 1;
                    continue;
                }
                let ki = self.info_of(k);
                if ki.last > 0
                    && (discounted(ki) <= 1 || ki.last >= 5)
                    && !function_word(w.as_str())
                {
                    e = k + 1;
                }
                break;
            }
        }
        if self.rejected(i, e) {
            return e;
        }
        let score = if speaker { 0.6 } else { 0.8 };
        self.push(self.toks[i].start, self.toks[e - 1].end, score);
        e
    }

    /// HL7 v2 name fields: each component its own span.
    fn hl7(&mut self) {
        let text = self.text;
        if memmem::find(text.as_bytes(), b"|").is_none() {
            return;
        }
        let mut pos = 0;
        for line in text.split_inclusive(['\n', '\r']) {
            let start = pos;
            pos += line.len();
            let l = line.trim_end_matches(['\n', '\r']);
            let b = l.as_bytes();
            if b.len() < 4
                || b[3] != b'|'
                || !b[..3]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                || !b[0].is_ascii_uppercase()
            {
                continue;
            }
            // The whole segment is ours: block generic matching inside it.
            let (lo, hi) = (start, start + l.len());
            let first = self.toks.partition_point(|t| t.start < lo);
            for k in first..self.toks.len() {
                if self.toks[k].start >= hi {
                    break;
                }
                self.blocked[k] = true;
                self.roles[k] = Role::Other;
            }
            let seg = &l[..3];
            // (field index, first name component: 0 for XPN, 1 for XCN)
            let fields: &[(usize, usize)] = match seg {
                "PID" => &[(5, 0), (6, 0), (9, 0)],
                "NK1" => &[(2, 0)],
                "PV1" => &[(7, 1), (8, 1), (9, 1), (17, 1), (52, 1)],
                "GT1" => &[(3, 0)],
                "IN1" => &[(16, 0)],
                "IN2" => &[(7, 0)],
                "ORC" => &[(10, 1), (11, 1), (12, 1)],
                "OBR" => &[(10, 1), (16, 1), (28, 1), (32, 1)],
                "TXA" => &[(5, 1), (9, 1), (10, 1), (11, 1), (22, 1)],
                "PD1" => &[(4, 1)],
                "MRG" => &[(7, 0)],
                "ROL" => &[(4, 1)],
                "OBX" => &[(16, 1)],
                "AIP" => &[(3, 1)],
                "PRD" => &[(2, 0)],
                "STF" => &[(3, 0)],
                "EVN" => &[(5, 1)],
                _ => &[],
            };
            let mut fpos = start;
            for (fi, field) in l.split('|').enumerate() {
                let fstart = fpos;
                fpos += field.len() + 1;
                let Some(&(_, skip)) = fields.iter().find(|(n, _)| *n == fi) else {
                    continue;
                };
                let mut rpos = fstart;
                for rep in field.split('~') {
                    let rstart = rpos;
                    rpos += rep.len() + 1;
                    let mut cpos = rstart;
                    for (ci, comp) in rep.split('^').enumerate() {
                        let cstart = cpos;
                        cpos += comp.len() + 1;
                        // family, given, middle
                        if ci < skip || ci > skip + 2 {
                            continue;
                        }
                        let c = comp.split('&').next().unwrap_or("");
                        let t = c.trim();
                        if t.is_empty()
                            || !t
                                .chars()
                                .all(|ch| ch.is_alphabetic() || " '-.\u{2019}".contains(ch))
                            || !t.chars().next().is_some_and(char::is_alphabetic)
                        {
                            continue;
                        }
                        let off = c.len() - c.trim_start().len();
                        let s = cstart + off;
                        let t = t.trim_end_matches('.');
                        self.push(s, s + t.len(), 0.85);
                    }
                }
            }
        }
    }

    /// Han / Hangul names embedded in other text ("王伟さんに電話"), or before
    /// an honorific.
    fn cjk(&mut self) {
        for i in 0..self.toks.len() {
            let t = self.toks[i];
            if !t.has(HAN | HANGUL) || self.blocked[i] {
                continue;
            }
            let s = self.tok(i);
            let n = s.chars().count();
            // A short run bounded by non-CJK text or by an honorific.
            let next_is_honorific = self.toks.get(i + 1).is_some_and(|nx| {
                nx.start == t.end && nx.has(KANA) && {
                    let w = nx.as_str(self.text);
                    w.starts_with("さん")
                        || w.starts_with("様")
                        || w.starts_with("さま")
                        || w.starts_with("くん")
                        || w.starts_with("ちゃん")
                        || w.starts_with("先生")
                }
            });
            let mut end_chars = n;
            let mut honorific = next_is_honorific;
            let mut start_byte = 0;
            for suffix in [
                "先生", "女士", "小姐", "医生", "老师", "教授", "様", "氏", "씨", "님",
            ] {
                if let Some(stem) = s.strip_suffix(suffix) {
                    let k = stem.chars().count();
                    if (2..=4).contains(&k) {
                        end_chars = k;
                        honorific = true;
                    }
                } else if let Some(pos) = s.find(suffix) {
                    // "请联系王伟先生的": the two or three characters before it.
                    let stem = &s[..pos];
                    let chars: Vec<(usize, char)> = stem.char_indices().collect();
                    let sur = |k: usize| {
                        let mut b = [0u8; 48];
                        let c = &stem[chars[k].0..chars[k].0 + chars[k].1.len_utf8()];
                        lower_into(c, &mut b).is_some_and(|w| self.g.lookup(w).last > 0)
                    };
                    let len = chars.len();
                    let take = if len >= 3 && sur(len - 3) {
                        3
                    } else if len >= 2 && sur(len - 2) {
                        2
                    } else {
                        0
                    };
                    if take > 0 {
                        start_byte = chars[len - take].0;
                        end_chars = take;
                        honorific = true;
                        break;
                    }
                }
            }
            let s = &s[start_byte..];
            let t = Token {
                start: t.start + start_byte,
                ..t
            };
            if !(2..=4).contains(&end_chars) {
                continue;
            }
            let before = self.gap_before(i);
            let after = self.gap_after(i);
            let bounded = |g: &str, edge: bool| {
                edge || g
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii() || c.is_whitespace())
                    || g.chars()
                        .last()
                        .is_some_and(|c| c.is_ascii() || c.is_whitespace())
            };
            let prev_cjk = i > 0
                && self.toks[i - 1].has(HAN | HANGUL | KANA)
                && before.chars().all(char::is_whitespace);
            let next_cjk = self.toks.get(i + 1).is_some_and(|x| x.has(HAN | HANGUL))
                && after.chars().all(char::is_whitespace);
            let standalone = !prev_cjk
                && !next_cjk
                && bounded(before, i == 0)
                && (bounded(after, i + 1 == self.toks.len()) || next_is_honorific);
            if !(standalone || honorific) {
                continue;
            }
            // Surname: first one or two characters.
            let mut cut = s.char_indices();
            let one = cut.nth(1).map_or(s.len(), |(b, _)| b);
            let two = cut.next().map_or(s.len(), |(b, _)| b);
            let mut buf = [0u8; 48];
            let sur1 = lower_into(&s[..one], &mut buf).map(|w| self.g.lookup(w).last > 0);
            let mut buf2 = [0u8; 48];
            let sur2 = lower_into(&s[..two], &mut buf2).map(|w| self.g.lookup(w).last > 0);
            if sur1 != Some(true) && sur2 != Some(true) {
                continue;
            }
            let byte_end = s.char_indices().nth(end_chars).map_or(s.len(), |(b, _)| b);
            let score = if honorific || standalone { 0.75 } else { 0.5 };
            self.push(t.start, t.start + byte_end, score);
        }
    }

    fn push(&mut self, start: usize, end: usize, score: f32) {
        if start < end {
            self.found
                .push(Finding::new(EntityType::Person, start, end, score, NAME));
        }
    }
}

/// English-word level discounted for popular given names (see `word_level`).
fn discounted(inf: NameInfo) -> u8 {
    let discount = match inf.first {
        5.. => 2,
        4 => 1,
        _ => u8::from(inf.last >= 6),
    };
    inf.word.saturating_sub(discount)
}

/// Only spaces (ASCII, no-break, JSON-escaped no-break), at most one.
fn space_gap(g: &str) -> bool {
    if g.is_empty() {
        return false;
    }
    let mut n = 0;
    let mut rest = g;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(' ') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix('\u{a0}') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix('\u{202f}') {
            rest = r;
        } else if let Some(r) = rest
            .strip_prefix("\\u00a0")
            .or_else(|| rest.strip_prefix("\\u00A0"))
        {
            rest = r;
        } else {
            return false;
        }
        n += 1;
    }
    n <= 1
}

/// Looks `w` up as is, then with Latin diacritics removed.
fn lookup_folded(g: &Gazetteer, w: &str) -> NameInfo {
    let found = g.lookup(w);
    if found.is_name() || w.is_ascii() {
        return found;
    }
    let mut buf = [0u8; 48];
    let mut n = 0;
    for c in w.chars() {
        let f = fold_latin(c);
        let l = f.len_utf8();
        if n + l > buf.len() {
            return found;
        }
        f.encode_utf8(&mut buf[n..n + l]);
        n += l;
    }
    match std::str::from_utf8(&buf[..n]) {
        Ok(f) if f != w => {
            let mut i = g.lookup(f);
            i.word = found.word;
            i
        }
        _ => found,
    }
}

/// The base letter of a lower-case Latin letter with a diacritic.
fn fold_latin(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ķ' => 'k',
        'ł' | 'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ň' | 'ņ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' | 'ŕ' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => c,
    }
}

/// Gazetteer lookup of one lower-cased token: whole word, then
/// hyphen/apostrophe parts.
fn lookup_lower(g: &Gazetteer, w: &str, hk: u64, flags: u8) -> NameInfo {
    let mut whole = g.lookup_key(hk);
    if !whole.is_name() && !w.is_ascii() {
        // "Siobhán", "Zoë": the lists often have only the unaccented form.
        let folded = lookup_folded(g, w);
        whole.first = folded.first;
        whole.last = folded.last;
    }
    if whole.is_name() || flags & (JOINED | ESCAPE) == 0 || !w.contains(['-', '\'']) {
        return whole;
    }
    if let Some((a, b)) = w.split_once('\'') {
        // O'Brien, D'Angelo, N'Diaye
        if a.chars().count() <= 2 {
            let inner = lookup_folded(g, b);
            if inner.is_name() {
                return NameInfo {
                    first: 0,
                    last: inner.last.max(1),
                    word: 0,
                };
            }
        }
        return whole;
    }
    // Hyphenated: every part a name (García-López, Smith-Okafor, Jean-Pierre),
    // or an Arabic article before a name (El-Amin, Al-Sayed).
    let mut out = NameInfo {
        first: 6,
        last: 6,
        word: 0,
    };
    let mut any = false;
    for part in w.split('-') {
        if matches!(
            part,
            "al" | "el" | "abu" | "bin" | "ben" | "ibn" | "abd" | "abdul"
        ) {
            continue;
        }
        let p = lookup_folded(g, part);
        if !p.is_name() {
            return whole;
        }
        any = true;
        out.first = out.first.min(p.first);
        out.last = out.last.min(p.last.max(p.first.min(1)));
        out.word = out.word.max(if p.word >= 2 { 1 } else { 0 });
    }
    if !any {
        return whole;
    }
    if out.last == 0 {
        out.last = 1;
    }
    out
}

/// A tiny inline string for lower-cased words (no heap).
struct Small {
    buf: [u8; 48],
    len: usize,
}

impl Small {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

trait ToSmall {
    fn to_owned_small(&self) -> Small;
}

impl ToSmall for str {
    fn to_owned_small(&self) -> Small {
        let mut buf = [0u8; 48];
        let n = self.len().min(48);
        buf[..n].copy_from_slice(&self.as_bytes()[..n]);
        Small { buf, len: n }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ContextLexicon;

    fn persons(text: &str) -> Vec<&str> {
        let r = PersonRecognizer::new();
        let lex = ContextLexicon::new(&[]).unwrap();
        let idx = lex.index(text);
        let cx = TextContext {
            structured: &[],
            context: &idx,
        };
        let mut out = Vec::new();
        r.recognize(text, &cx, &mut out);
        out.retain(|f| f.score >= 0.4);
        out.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn full_names_titles_and_cues() {
        assert_eq!(persons("Seen by Dr. Choi today."), ["Choi"]);
        assert_eq!(
            persons("Patient Natalia H. Harris was admitted."),
            ["Natalia H. Harris"]
        );
        assert_eq!(
            persons("Regards,\nTyler Mansour\nController"),
            ["Tyler Mansour"]
        );
        assert_eq!(persons("Name: ZHU, NATALIA"), ["ZHU, NATALIA"]);
        assert_eq!(persons("Lives with wife Takeshi at home."), ["Takeshi"]);
        assert_eq!(persons("hi it's trang müller"), ["trang müller"]);
        assert_eq!(
            persons(r#"{"name": "Ren\u00e9e O'Brien"}"#),
            [r"Ren\u00e9e O'Brien"]
        );
        assert_eq!(
            persons("PID|1||123^^^MRN||NWOSU^SARAH^K||19700101|F"),
            ["NWOSU", "SARAH", "K"]
        );
    }

    #[test]
    fn not_names() {
        assert!(persons("History of Parkinson's disease and Crohn's disease.").is_empty());
        assert!(persons("Will you mark the bill as paid?").is_empty());
        assert!(persons("Ship to 5196 Monroe Boulevard, Austin, TX 78701").is_empty());
        assert!(persons("The user <PERSON> called about <PERSON>'s card.").is_empty());
        assert!(persons("let user_name = jsmith; grant_access(user);").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_char_boundaries(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[A-Za-zÀ-ÿ'’\\-. ,:|^\\\\\n]{0,12}").unwrap(),
                    proptest::sample::select(vec![
                        "Dr. ", "Patient ", "Regards,\n", "Maria ", "O'Brien", "van der ",
                        "ZHU, ", "PID|1||1^^^MRN||DOE^JANE", "\\u00e9", "王伟", "さん", "it's ",
                        "Smith", "\u{a0}", "emily: ", "Hi ", "先生", "’s ", "<", "@", "Jun 5",
                    ].into_iter().map(str::to_owned).collect::<Vec<_>>()),
                ],
                0..12,
            )
        ) {
            let text: String = parts.concat();
            let r = PersonRecognizer::new();
            let lex = ContextLexicon::new(&[]).unwrap();
            let idx = lex.index(&text);
            let cx = TextContext { structured: &[], context: &idx };
            let mut out = Vec::new();
            r.recognize(&text, &cx, &mut out);
            for f in out {
                proptest::prop_assert!(f.start < f.end && f.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            }
        }
    }
}
