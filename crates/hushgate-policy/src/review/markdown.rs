//! The review as Markdown (GitHub-flavoured tables).

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{Gap, Review, Severity, TenantReview};
use crate::rules::Action;
use crate::terms::{Evidence, EvidenceSource};

/// Free text made inert: no HTML, no links, no table breaks, no line breaks. (Underscores
/// and asterisks are left alone: GFM does not emphasise inside words, and raw output stays
/// readable.)
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Our own generated sentences: names in backticks are safe (validated), but escape markup
/// characters that may come from rule data anyway.
fn text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '|' => "\\|".to_owned(),
            '\n' | '\r' => " ".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

pub(super) fn action_label(a: Action) -> &'static str {
    match a {
        Action::Allow => "allow",
        Action::Pseudonymize => "pseudonymize",
        Action::RoutePrivate => "route_private",
        Action::Block => "block",
    }
}

pub(super) fn evidence_source(e: &Evidence) -> (String, String, String) {
    match &e.from {
        EvidenceSource::Catalog {
            url,
            checked,
            basis,
        } => (
            url.clone().unwrap_or_else(|| "operator".to_owned()),
            checked.to_string(),
            basis.as_str().to_owned(),
        ),
        EvidenceSource::Contract {
            at,
            source,
            checked,
        } => (
            match source {
                Some(s) => format!("{at}: {s}"),
                None => at.clone(),
            },
            checked.map_or_else(|| "—".to_owned(), |d| d.to_string()),
            "contract".to_owned(),
        ),
        EvidenceSource::Default { note } => (
            format!("default: {note}"),
            "—".to_owned(),
            "default".to_owned(),
        ),
        EvidenceSource::Tenant { at } => (at.clone(), "—".to_owned(), "tenant config".to_owned()),
    }
}

/// Renders the review as Markdown.
pub fn render_markdown(r: &Review) -> String {
    let mut o = String::new();
    let sets: Vec<String> = r
        .rule_sets
        .iter()
        .map(|s| format!("{} v{}", s.name, s.version))
        .collect();
    let _ = writeln!(o, "# Hushgate data-flow review\n");
    let _ = writeln!(
        o,
        "Generated on {} from the provider-terms catalog (version {}) and the rule sets {}. \
         Terms and contract facts checked more than {} days before that date are flagged stale.\n",
        r.generated,
        r.catalog_version,
        sets.join(", "),
        r.stale_after_days
    );
    let _ = writeln!(
        o,
        "For every tenant, route and data class the decision is one of **allow** (sent as it is), \
         **pseudonymize** (values replaced by placeholders before sending, restored in the answer), \
         **route_private** (sent to the tenant's self-hosted route instead) or **block**. \
         The strictest rule wins; every rule cites what it encodes.\n"
    );

    gaps(&mut o, &r.gaps);
    for t in &r.tenants {
        tenant(&mut o, t);
    }
    routes(&mut o, r);
    rules(&mut o, r);
    o
}

fn gaps(o: &mut String, gaps: &[Gap]) {
    let count = |s: Severity| gaps.iter().filter(|g| g.severity == s).count();
    let _ = writeln!(o, "## Gaps and what to do\n");
    if gaps.is_empty() {
        let _ = writeln!(o, "None.\n");
        return;
    }
    let _ = writeln!(
        o,
        "{} high, {} medium, {} for information.\n",
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Info)
    );
    for (i, g) in gaps.iter().enumerate() {
        let _ = writeln!(
            o,
            "{}. **{}**: {}.",
            i + 1,
            g.severity.as_str(),
            text(&g.message)
        );
        let _ = writeln!(o, "   - What to do: {}", text(&g.todo));
        if let Some(rule) = &g.rule {
            let _ = writeln!(o, "   - Rule: `{rule}`");
        }
    }
    o.push('\n');
}

fn tenant(o: &mut String, t: &TenantReview) {
    let regimes: Vec<&str> = t.regimes.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(o, "## Tenant `{}`\n", t.name);
    let _ = writeln!(
        o,
        "- Regimes: {}\n- Clinical context: {}\n- Private route: {}\n- Allowed regions: {}\n",
        regimes.join(", "),
        match t.clinical_context {
            crate::ClinicalMode::Always => "always (every request is a health context)",
            crate::ClinicalMode::Detect => "detected per request",
        },
        t.private_route
            .as_ref()
            .map_or_else(|| "none".to_owned(), |p| format!("`{p}`")),
        if t.allowed_regions.is_empty() {
            "none listed".to_owned()
        } else {
            md(&t.allowed_regions.join(", "))
        }
    );
    for n in &t.notes {
        let _ = writeln!(o, "{}\n", text(n));
    }
    let _ = writeln!(
        o,
        "| route | endpoint | class | decision | what happens | rules checked (✗ = not met) |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    let mut evidence: Vec<&Evidence> = Vec::new();
    for f in &t.flows {
        let rules: Vec<String> = f
            .rules
            .iter()
            .map(|r| {
                if r.passed {
                    format!("✓ `{}`", r.rule)
                } else {
                    format!("✗ `{}`: {}", r.rule, text(&r.detail))
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "| `{}` | {} | {} | **{}** | {} | {} |",
            f.route,
            f.endpoint,
            f.class,
            action_label(f.action),
            text(&f.outcome),
            if rules.is_empty() {
                "none apply".to_owned()
            } else {
                rules.join("<br>")
            }
        );
        for r in &f.rules {
            for e in &r.evidence {
                if !evidence.contains(&e) {
                    evidence.push(e);
                }
            }
        }
    }
    o.push('\n');
    if !evidence.is_empty() {
        let _ = writeln!(o, "Facts relied on:\n");
        let _ = writeln!(o, "| provider | fact | value | source | checked | basis |");
        let _ = writeln!(o, "|---|---|---|---|---|---|");
        let mut seen = BTreeSet::new();
        for e in evidence {
            let (src, checked, basis) = evidence_source(e);
            let row = format!(
                "| `{}` | {} | {} | {} | {} | {} |",
                e.provider,
                md(&e.fact),
                md(&e.value),
                md(&src),
                checked,
                basis
            );
            if seen.insert(row.clone()) {
                let _ = writeln!(o, "{row}");
            }
        }
        o.push('\n');
    }
}

fn routes(o: &mut String, r: &Review) {
    let _ = writeln!(o, "## Routes and the terms they rely on\n");
    for route in &r.routes {
        let chain: Vec<String> = route
            .chain
            .iter()
            .map(|p| format!("{} (`{}`)", md(&p.name), p.id))
            .collect();
        let _ = writeln!(
            o,
            "### Route `{}`: {}{}\n",
            route.name,
            chain.join(" via "),
            if route.self_hosted {
                ", self-hosted"
            } else {
                ""
            }
        );
        for p in &route.chain {
            if route.chain.len() > 1 {
                let _ = writeln!(o, "Published terms of `{}`:\n", p.id);
            }
            let _ = writeln!(o, "| fact | value | source | checked | basis |");
            let _ = writeln!(o, "|---|---|---|---|---|");
            for f in &p.facts {
                let mut basis = f.basis.map_or("—", |b| b.as_str()).to_owned();
                if f.verify {
                    basis.push_str(", re-verify");
                }
                let checked = match (f.checked, f.stale) {
                    (Some(d), true) => format!("{d} (stale)"),
                    (Some(d), false) => d.to_string(),
                    (None, _) => "—".to_owned(),
                };
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} |",
                    md(&f.fact),
                    md(&f.value),
                    f.source.as_deref().map_or_else(|| "—".to_owned(), md),
                    checked,
                    basis
                );
            }
            o.push('\n');
            if !p.endpoints.is_empty() {
                let _ = writeln!(o, "Where endpoints differ:\n");
                for e in &p.endpoints {
                    let mut parts = Vec::new();
                    if let Some(s) = e.stores_content {
                        parts.push(format!("stores content {s}"));
                    }
                    if let Some(t) = e.trains_on_api_data {
                        parts.push(format!("trains_on_api_data = {}", t.as_str()));
                    }
                    if let Some(n) = &e.note {
                        parts.push(md(n));
                    }
                    let _ = writeln!(o, "- `{}`: {}", e.endpoint, parts.join("; "));
                }
                o.push('\n');
            }
            if let Some(n) = &p.note {
                let _ = writeln!(o, "Note: {}\n", md(n));
            }
        }
        if route.contracts.is_empty() {
            let _ = writeln!(
                o,
                "Contract facts: none stated (no BAA or ZDR is assumed).\n"
            );
        } else {
            let _ = writeln!(o, "Contract facts:\n");
            for c in &route.contracts {
                let facts: Vec<String> = c
                    .facts
                    .iter()
                    .map(|(k, v)| format!("{} = {}", md(k), md(v)))
                    .collect();
                let _ = writeln!(
                    o,
                    "- `{}`: {}{}{}",
                    c.at,
                    if facts.is_empty() {
                        "no facts".to_owned()
                    } else {
                        facts.join(", ")
                    },
                    c.source
                        .as_deref()
                        .map_or_else(String::new, |s| format!(" (source: {})", md(s))),
                    match (c.checked, c.stale) {
                        (Some(d), true) => format!(", confirmed {d} (stale)"),
                        (Some(d), false) => format!(", confirmed {d}"),
                        (None, _) => ", never confirmed".to_owned(),
                    }
                );
            }
            o.push('\n');
        }
    }
}

fn rules(o: &mut String, r: &Review) {
    let _ = writeln!(o, "## Rules\n");
    for set in &r.rule_sets {
        let _ = writeln!(
            o,
            "### `{}` v{} ({}{})\n",
            set.name,
            set.version,
            md(&set.title),
            set.updated
                .map_or_else(String::new, |d| format!(", updated {d}"))
        );
        if let Some(src) = &set.source {
            let _ = writeln!(o, "Source: {}\n", md(src));
        }
        if set.rules.is_empty() {
            let _ = writeln!(o, "No rules.\n");
            continue;
        }
        let _ = writeln!(
            o,
            "| rule | cite | classes | routes | requires | otherwise |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|");
        for rule in &set.rules {
            let classes: Vec<&str> = rule.classes.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                o,
                "| `{}` | {} | {} | {} | {} | **{}**: {} |",
                rule.id,
                md(&rule.cite),
                classes.join(", "),
                rule.routes.as_str(),
                rule.require
                    .map_or("nothing (always applies)", |f| f.as_str()),
                action_label(rule.action),
                md(&rule.detail)
            );
        }
        o.push('\n');
    }
}
