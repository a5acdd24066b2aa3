//! The review as one self-contained HTML document: inline CSS, no scripts, no external
//! resources, readable printed. Every piece of text is escaped.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::markdown::{action_label, evidence_source};
use super::{Gap, Review, Severity, TenantReview};
use crate::rules::Action;
use crate::terms::Evidence;

/// Escapes text for element content and quoted attribute values (control characters other
/// than newlines are dropped). Also for pages that embed a review's HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes, then renders `name` spans (our own sentences quote names in backticks) as code.
fn sentence(s: &str) -> String {
    let escaped = esc(s);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // An odd number of backticks leaves the last one literal.
    let pairs = rest.len() / 2 * 2;
    for (i, part) in rest.iter().enumerate() {
        if i >= pairs {
            out.push('`');
            out.push_str(part);
        } else if i % 2 == 0 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A link if `url` is http(s), else plain escaped text.
fn link(url: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("<a href=\"{0}\">{0}</a>", esc(url))
    } else {
        esc(url)
    }
}

fn badge(a: Action) -> String {
    format!("<span class=\"badge {0}\">{0}</span>", action_label(a))
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1.2rem; font-size: 12.5px; }
th, td { border: 1px solid #ccc; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f4f4f4; padding: 0 .2rem; border-radius: 3px; }
.meta { color: #555; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-weight: 600; font-size: 12px; border: 1px solid; }
.allow { color: #145214; border-color: #2e7d32; background: #eaf5ea; }
.pseudonymize { color: #5c4400; border-color: #b08800; background: #fff7d6; }
.route_private { color: #0b3a6e; border-color: #1f5fa8; background: #e6f0fb; }
.block { color: #7a1010; border-color: #b71c1c; background: #fdeaea; }
.high { color: #7a1010; } .medium { color: #5c4400; } .info { color: #0b3a6e; }
.gaps li { margin-bottom: .6rem; }
.todo { display: block; color: #333; }
.fail { color: #7a1010; } .pass { color: #145214; }
.stale { color: #7a1010; font-weight: 600; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, li { break-inside: avoid; }
  .badge { border-width: 1px; }
}
"#;

/// Renders the review as a self-contained HTML page.
pub fn render_html(r: &Review) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Hushgate data-flow review, {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&r.generated.to_string())
    );
    let sets: Vec<String> = r
        .rule_sets
        .iter()
        .map(|s| format!("{} v{}", s.name, s.version))
        .collect();
    let _ = writeln!(
        o,
        "<h1>Hushgate data-flow review</h1>\n<p class=\"meta\">Generated on {} from the \
         provider-terms catalog (version {}) and the rule sets {}. Terms and contract facts checked \
         more than {} days before that date are flagged stale.</p>",
        esc(&r.generated.to_string()),
        r.catalog_version,
        esc(&sets.join(", ")),
        r.stale_after_days
    );
    let _ = writeln!(
        o,
        "<p>For every tenant, route and data class the decision is one of {} (sent as it is), {} \
         (values replaced by placeholders before sending, restored in the answer), {} (sent to the \
         tenant's self-hosted route instead) or {}. The strictest rule wins; every rule cites what \
         it encodes.</p>",
        badge(Action::Allow),
        badge(Action::Pseudonymize),
        badge(Action::RoutePrivate),
        badge(Action::Block)
    );
    gaps(&mut o, &r.gaps);
    for t in &r.tenants {
        tenant(&mut o, t);
    }
    routes(&mut o, r);
    rules(&mut o, r);
    o.push_str("</body>\n</html>\n");
    o
}

fn gaps(o: &mut String, gaps: &[Gap]) {
    let _ = writeln!(o, "<h2 id=\"gaps\">Gaps and what to do</h2>");
    if gaps.is_empty() {
        o.push_str("<p>None.</p>\n");
        return;
    }
    let count = |s: Severity| gaps.iter().filter(|g| g.severity == s).count();
    let _ = writeln!(
        o,
        "<p>{} high, {} medium, {} for information.</p>\n<ol class=\"gaps\">",
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Info)
    );
    for g in gaps {
        let rule = g.rule.as_ref().map_or_else(String::new, |r| {
            format!(" <span class=\"meta\">Rule <code>{}</code>.</span>", esc(r))
        });
        let _ = writeln!(
            o,
            "<li><strong class=\"{0}\">{0}</strong>: {1}.<span class=\"todo\">What to do: {2}{3}</span></li>",
            g.severity.as_str(),
            sentence(&g.message),
            sentence(&g.todo),
            rule
        );
    }
    o.push_str("</ol>\n");
}

fn tenant(o: &mut String, t: &TenantReview) {
    let regimes: Vec<&str> = t.regimes.iter().map(|r| r.as_str()).collect();
    let _ = writeln!(
        o,
        "<h2>Tenant <code>{}</code></h2>\n<ul>\n<li>Regimes: {}</li>\n<li>Clinical context: {}</li>\n\
         <li>Private route: {}</li>\n<li>Allowed regions: {}</li>\n</ul>",
        esc(&t.name),
        esc(&regimes.join(", ")),
        match t.clinical_context {
            crate::ClinicalMode::Always => "always (every request is a health context)",
            crate::ClinicalMode::Detect => "detected per request",
        },
        t.private_route
            .as_ref()
            .map_or_else(|| "none".to_owned(), |p| format!("<code>{}</code>", esc(p))),
        if t.allowed_regions.is_empty() {
            "none listed".to_owned()
        } else {
            esc(&t.allowed_regions.join(", "))
        }
    );
    for n in &t.notes {
        let _ = writeln!(o, "<p>{}</p>", sentence(n));
    }
    o.push_str(
        "<table>\n<thead><tr><th>route</th><th>endpoint</th><th>class</th><th>decision</th>\
         <th>what happens</th><th>rules checked</th></tr></thead>\n<tbody>\n",
    );
    let mut evidence: Vec<&Evidence> = Vec::new();
    for f in &t.flows {
        let rules: Vec<String> = f
            .rules
            .iter()
            .map(|r| {
                if r.passed {
                    format!(
                        "<span class=\"pass\">✓</span> <code>{}</code>",
                        esc(&r.rule)
                    )
                } else {
                    format!(
                        "<span class=\"fail\">✗</span> <code>{}</code>: {}",
                        esc(&r.rule),
                        sentence(&r.detail)
                    )
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.route),
            esc(f.endpoint.as_str()),
            esc(f.class.as_str()),
            badge(f.action),
            sentence(&f.outcome),
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
    o.push_str("</tbody>\n</table>\n");
    if evidence.is_empty() {
        return;
    }
    o.push_str(
        "<h3>Facts relied on</h3>\n<table>\n<thead><tr><th>provider</th><th>fact</th><th>value</th>\
         <th>source</th><th>checked</th><th>basis</th></tr></thead>\n<tbody>\n",
    );
    let mut seen = BTreeSet::new();
    for e in evidence {
        let (src, checked, basis) = evidence_source(e);
        let row = format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&e.provider),
            esc(&e.fact),
            esc(&e.value),
            link(&src),
            esc(&checked),
            esc(&basis)
        );
        if seen.insert(row.clone()) {
            o.push_str(&row);
        }
    }
    o.push_str("</tbody>\n</table>\n");
}

fn routes(o: &mut String, r: &Review) {
    o.push_str("<h2>Routes and the terms they rely on</h2>\n");
    for route in &r.routes {
        let chain: Vec<String> = route
            .chain
            .iter()
            .map(|p| format!("{} (<code>{}</code>)", esc(&p.name), esc(&p.id)))
            .collect();
        let _ = writeln!(
            o,
            "<h3>Route <code>{}</code>: {}{}</h3>",
            esc(&route.name),
            chain.join(" via "),
            if route.self_hosted {
                ", self-hosted"
            } else {
                ""
            }
        );
        for p in &route.chain {
            if route.chain.len() > 1 {
                let _ = writeln!(o, "<p>Published terms of <code>{}</code>:</p>", esc(&p.id));
            }
            o.push_str(
                "<table>\n<thead><tr><th>fact</th><th>value</th><th>source</th><th>checked</th>\
                 <th>basis</th></tr></thead>\n<tbody>\n",
            );
            for f in &p.facts {
                let checked = match (f.checked, f.stale) {
                    (Some(d), true) => format!(
                        "<span class=\"stale\">{} (stale)</span>",
                        esc(&d.to_string())
                    ),
                    (Some(d), false) => esc(&d.to_string()),
                    (None, _) => "—".to_owned(),
                };
                let mut basis = esc(f.basis.map_or("—", |b| b.as_str()));
                if f.verify {
                    basis.push_str(", <strong>re-verify</strong>");
                }
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&f.fact),
                    esc(&f.value),
                    f.source.as_deref().map_or_else(|| "—".to_owned(), link),
                    checked,
                    basis
                );
            }
            o.push_str("</tbody>\n</table>\n");
            if !p.endpoints.is_empty() {
                o.push_str("<p>Where endpoints differ:</p>\n<ul>\n");
                for e in &p.endpoints {
                    let mut parts = Vec::new();
                    if let Some(s) = e.stores_content {
                        parts.push(esc(&format!("stores content {s}")));
                    }
                    if let Some(t) = e.trains_on_api_data {
                        parts.push(esc(&format!("trains_on_api_data = {}", t.as_str())));
                    }
                    if let Some(n) = &e.note {
                        parts.push(esc(n));
                    }
                    let _ = writeln!(
                        o,
                        "<li><code>{}</code>: {}</li>",
                        esc(e.endpoint.as_str()),
                        parts.join("; ")
                    );
                }
                o.push_str("</ul>\n");
            }
            if let Some(n) = &p.note {
                let _ = writeln!(o, "<p>Note: {}</p>", esc(n));
            }
        }
        if route.contracts.is_empty() {
            o.push_str("<p>Contract facts: none stated (no BAA or ZDR is assumed).</p>\n");
            continue;
        }
        o.push_str("<p>Contract facts:</p>\n<ul>\n");
        for c in &route.contracts {
            let facts: Vec<String> = c
                .facts
                .iter()
                .map(|(k, v)| format!("{} = {}", esc(k), esc(v)))
                .collect();
            let confirmed = match (c.checked, c.stale) {
                (Some(d), true) => format!(
                    ", confirmed <span class=\"stale\">{} (stale)</span>",
                    esc(&d.to_string())
                ),
                (Some(d), false) => format!(", confirmed {}", esc(&d.to_string())),
                (None, _) => ", never confirmed".to_owned(),
            };
            let _ = writeln!(
                o,
                "<li><code>{}</code>: {}{}{}</li>",
                esc(&c.at),
                if facts.is_empty() {
                    "no facts".to_owned()
                } else {
                    facts.join(", ")
                },
                c.source
                    .as_deref()
                    .map_or_else(String::new, |s| format!(" (source: {})", esc(s))),
                confirmed
            );
        }
        o.push_str("</ul>\n");
    }
}

fn rules(o: &mut String, r: &Review) {
    o.push_str("<h2>Rules</h2>\n");
    for set in &r.rule_sets {
        let _ = writeln!(
            o,
            "<h3><code>{}</code> v{} ({}{})</h3>",
            esc(&set.name),
            set.version,
            esc(&set.title),
            set.updated
                .map_or_else(String::new, |d| format!(", updated {d}"))
        );
        if let Some(src) = &set.source {
            let _ = writeln!(o, "<p>Source: {}</p>", link(src));
        }
        if set.rules.is_empty() {
            o.push_str("<p>No rules.</p>\n");
            continue;
        }
        o.push_str(
            "<table>\n<thead><tr><th>rule</th><th>cite</th><th>classes</th><th>routes</th>\
             <th>requires</th><th>otherwise</th></tr></thead>\n<tbody>\n",
        );
        for rule in &set.rules {
            let classes: Vec<&str> = rule.classes.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
                esc(&rule.id),
                esc(&rule.cite),
                esc(&classes.join(", ")),
                esc(rule.routes.as_str()),
                esc(rule
                    .require
                    .map_or("nothing (always applies)", |f| f.as_str())),
                badge(rule.action),
                esc(&rule.detail)
            );
        }
        o.push_str("</tbody>\n</table>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_quotes_names() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(
            sentence("tenant `clinic` sends <b>`x`"),
            "tenant <code>clinic</code> sends &lt;b&gt;<code>x</code>"
        );
        assert_eq!(sentence("odd ` tick"), "odd ` tick");
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(
            link("https://x/?a=1&b=\"2\""),
            "<a href=\"https://x/?a=1&amp;b=&quot;2&quot;\">https://x/?a=1&amp;b=&quot;2&quot;</a>"
        );
    }
}
