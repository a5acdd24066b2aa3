//! `hushgate review`: the data-flow review of a whole configuration.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hushgate_config::Config;
use hushgate_policy::review::{self, ReviewOptions, escape_html};
use hushgate_policy::{Date, Endpoint, Policy};
use hushgate_types::EntityType;

/// Document where each kind of data goes, for every tenant and route, and why.
#[derive(Args)]
#[command(
    long_about = "Document where each kind of data goes, for every tenant and route, and why.\n\n\
The review is the documented decision of the whole configuration: for every tenant × route × \
data class (PHI, PII, PCI, SECRET and custom classes) the decision — allow, pseudonymize, \
route_private or block — with the rules behind it and the contract facts and published \
provider terms they relied on (each with its source and the date it was checked). It starts \
with the gaps and what to do about each: PHI sent where no BAA is signed, personal data \
leaving the allowed regions, stale or unverified terms, SaaS vendors built on another \
provider's API, retention for abuse monitoring.\n\n\
Only tenants with `regimes` are governed by the policy engine; the review lists the others \
and what happens to their data (every finding pseudonymized before an external provider).\n\n\
Markdown goes to standard output unless --out is given; --format html writes one \
self-contained page (no scripts, no external assets) that prints readably. Staleness is \
measured from today's date (UTC), or from --today for a reproducible document. Nothing is \
sent anywhere and no file is created except --out.",
    after_help = "Examples:\n  \
hushgate review --config examples/clinic.toml\n  \
hushgate review --config hushgate.toml --format html --out review.html\n  \
hushgate review --config hushgate.toml --today 2026-11-24 > review.md\n  \
hushgate review --config hushgate.toml --endpoint chat --endpoint embeddings"
)]
pub struct ReviewArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,

    /// Write the review to FILE (its path is printed on standard error)
    /// instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// The date staleness is measured from (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<Date>,

    /// Endpoints shown in the per-tenant flow tables (repeatable; default
    /// chat). Gaps always consider every endpoint. One of: chat, responses,
    /// completions, embeddings, files, assistants, batch, realtime, audio,
    /// images, moderations, fine_tuning.
    #[arg(long, value_name = "NAME")]
    endpoint: Vec<Endpoint>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Markdown (GitHub-flavoured tables).
    Md,
    /// One self-contained HTML page.
    Html,
    /// The review model as JSON, for tools.
    Json,
}

pub fn run(config_path: Option<&Path>, args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let config = super::config_or_embedded(config_path)?;
    let policy = Policy::new(&config.policy).context("cannot build the policy")?;
    let today = args.today.unwrap_or_else(today_utc);
    let mut opts = ReviewOptions::new(today);
    if !args.endpoint.is_empty() {
        let mut seen = BTreeSet::new();
        opts.endpoints = args
            .endpoint
            .into_iter()
            .filter(|e| seen.insert(*e))
            .collect();
    }
    opts.entity_types = emitted_types(&config);
    let r = review::review(&policy, &opts);

    let notes = gateway_notes(&config);
    if r.tenants.is_empty() {
        eprintln!(
            "hushgate: note: no tenant has `regimes`, so the policy engine governs none of them: \
             the review lists the routes, their terms and what the gateway does with those \
             tenants' data. Add e.g. `regimes = [\"hipaa\"]` \
             (or gdpr, ccpa, pci; [\"none\"] for no regulatory regime) to a [[tenants]] entry, \
             with `private_route` naming a self-hosted provider, to have its data checked. \
             See examples/clinic.toml."
        );
    }
    let doc = match args.format {
        Format::Md => {
            let md = review::render_markdown(&r);
            insert_section(
                md,
                &notes_markdown(&notes),
                &["## Routes and the terms they rely on\n"],
                "\0",
            )
        }
        Format::Html => {
            let html = review::render_html(&r);
            insert_section(
                html,
                &notes_html(&notes),
                &["<h2>Routes and the terms they rely on</h2>"],
                "</body>",
            )
        }
        Format::Json => {
            let mut v = serde_json::to_value(&r).context("cannot serialize the review")?;
            if let Some(obj) = v.as_object_mut() {
                obj.insert(
                    "gateway".to_owned(),
                    serde_json::to_value(&notes).context("cannot serialize the review")?,
                );
            }
            let mut s = serde_json::to_string_pretty(&v).context("cannot serialize the review")?;
            s.push('\n');
            s
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, doc.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("{}", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(doc.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Today's date in UTC, from the system clock.
fn today_utc() -> Date {
    Date::from_unix_seconds(time::OffsetDateTime::now_utc().unix_timestamp())
}

/// Entity types the detection config adds (deny lists, custom patterns), globally and per
/// tenant: the review flags any without a data class, since requests carrying it are blocked.
fn emitted_types(config: &Config) -> Vec<EntityType> {
    let mut types = BTreeSet::new();
    for d in std::iter::once(&config.detection).chain(config.tenants.iter().map(|t| &t.detection)) {
        types.extend(d.deny_list.iter().map(|l| l.entity_type.clone()));
        types.extend(d.patterns.iter().map(|p| p.entity_type.clone()));
    }
    types.into_iter().collect()
}

/// What the gateway does beyond the policy's decisions, per the tenants' own settings.
#[derive(serde::Serialize)]
struct GatewayNotes {
    /// Governed tenants with `pseudonymize = "all"` (the default): every finding is replaced
    /// before an external provider, even where the rules allow it as it is.
    pseudonymize_all: Vec<String>,
    /// Tenants without `regimes`.
    ungoverned: Vec<Ungoverned>,
}

/// A tenant without `regimes`: what the gateway does with its data instead.
#[derive(serde::Serialize)]
struct Ungoverned {
    name: String,
    /// External routes it may use: every finding is pseudonymized before them.
    external: Vec<String>,
    /// Self-hosted routes it may use: text goes as it is.
    self_hosted: Vec<String>,
}

fn gateway_notes(config: &Config) -> GatewayNotes {
    let pseudonymize_all = config
        .tenants
        .iter()
        .filter(|t| !t.regimes.is_empty() && t.pseudonymize_all)
        .map(|t| t.name.clone())
        .collect();
    let ungoverned = config
        .tenants
        .iter()
        .filter(|t| t.regimes.is_empty())
        .map(|t| {
            let mut external = BTreeSet::new();
            let mut self_hosted = BTreeSet::new();
            for m in config.models.iter().filter(|m| t.allows_model(&m.alias)) {
                match config.provider(&m.provider) {
                    Some(p) if p.self_hosted => self_hosted.insert(p.name.clone()),
                    Some(p) => external.insert(p.name.clone()),
                    None => false,
                };
            }
            Ungoverned {
                name: t.name.clone(),
                external: external.into_iter().collect(),
                self_hosted: self_hosted.into_iter().collect(),
            }
        })
        .collect();
    GatewayNotes {
        pseudonymize_all,
        ungoverned,
    }
}

impl GatewayNotes {
    fn is_empty(&self) -> bool {
        self.pseudonymize_all.is_empty() && self.ungoverned.is_empty()
    }
}

fn names_list(names: &[String], quote: (&str, &str)) -> String {
    if names.is_empty() {
        return "none".to_owned();
    }
    names
        .iter()
        .map(|r| format!("{}{r}{}", quote.0, quote.1))
        .collect::<Vec<_>>()
        .join(", ")
}

const NOTES_TITLE: &str = "How the gateway applies these decisions";

fn pseudonymize_all_text(tenants: &str) -> String {
    format!(
        "Tenant(s) {tenants} have `pseudonymize = \"all\"` (the default): the gateway replaces \
         every finding with a placeholder before an external provider, also where the tables \
         above say \"sent as it is\", and restores it in the answer. The decisions above are \
         what the rules demand at the least; `route_private` and `block` apply as shown. Set \
         `pseudonymize = \"policy\"` on a tenant to replace only what its rules demand."
    )
}

const UNGOVERNED_INTRO: &str = "These tenants have no `regimes`, so no rule, contract fact or \
published term is checked for them. The gateway replaces every finding (every entity type) \
with a placeholder before an external provider and restores it in the answer; to a \
self-hosted provider their text goes as it is.";

const UNGOVERNED_TODO: &str = "To have a tenant's data checked, add `regimes` to its \
[[tenants]] entry: `[\"hipaa\"]`, `[\"gdpr\"]` (with `allowed_regions`), `[\"ccpa\"]`, \
`[\"pci\"]`, or `[\"none\"]` to state that no regulatory regime applies; name a self-hosted \
provider in `private_route` to take what may not leave.";

fn notes_markdown(notes: &GatewayNotes) -> String {
    let mut o = String::new();
    if notes.is_empty() {
        return o;
    }
    let _ = writeln!(o, "## {NOTES_TITLE}\n");
    if !notes.pseudonymize_all.is_empty() {
        let names = names_list(&notes.pseudonymize_all, ("`", "`"));
        let _ = writeln!(o, "{}\n", pseudonymize_all_text(&names));
    }
    if !notes.ungoverned.is_empty() {
        let _ = writeln!(o, "### Tenants without regimes\n");
        let _ = writeln!(o, "{UNGOVERNED_INTRO}\n");
        let _ = writeln!(
            o,
            "| tenant | pseudonymized, then sent to | sent as it is to |"
        );
        let _ = writeln!(o, "|---|---|---|");
        for t in &notes.ungoverned {
            let _ = writeln!(
                o,
                "| `{}` | {} | {} |",
                t.name,
                names_list(&t.external, ("`", "`")),
                names_list(&t.self_hosted, ("`", "`"))
            );
        }
        let _ = writeln!(o, "\nWhat to do: {UNGOVERNED_TODO}\n");
    }
    o
}

/// Our own sentences with `inline code`, as HTML.
fn code_spans(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape_html(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn notes_html(notes: &GatewayNotes) -> String {
    let mut o = String::new();
    if notes.is_empty() {
        return o;
    }
    let _ = writeln!(o, "<h2 id=\"gateway\">{NOTES_TITLE}</h2>");
    if !notes.pseudonymize_all.is_empty() {
        let names = names_list(&notes.pseudonymize_all, ("`", "`"));
        let _ = writeln!(o, "<p>{}</p>", code_spans(&pseudonymize_all_text(&names)));
    }
    if !notes.ungoverned.is_empty() {
        let _ = writeln!(o, "<h3 id=\"ungoverned\">Tenants without regimes</h3>");
        let _ = writeln!(o, "<p>{}</p>", code_spans(UNGOVERNED_INTRO));
        o.push_str(
            "<table>\n<thead><tr><th>tenant</th><th>pseudonymized, then sent to</th>\
             <th>sent as it is to</th></tr></thead>\n<tbody>\n",
        );
        let list = |routes: &[String]| {
            let escaped: Vec<String> = routes.iter().map(|r| escape_html(r)).collect();
            names_list(&escaped, ("<code>", "</code>"))
        };
        for t in &notes.ungoverned {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape_html(&t.name),
                list(&t.external),
                list(&t.self_hosted)
            );
        }
        o.push_str("</tbody>\n</table>\n");
        let _ = writeln!(o, "<p>What to do: {}</p>", code_spans(UNGOVERNED_TODO));
    }
    o
}

/// Puts `section` before the first of `markers` found in `doc` (the renderer's routes
/// heading, right after the tenants), or else at `fallback` (the end of the body).
fn insert_section(mut doc: String, section: &str, markers: &[&str], fallback: &str) -> String {
    if section.is_empty() {
        return doc;
    }
    let at = markers
        .iter()
        .find_map(|m| doc.find(m))
        .or_else(|| doc.rfind(fallback))
        .unwrap_or(doc.len());
    doc.insert_str(at, section);
    doc
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn sections_go_before_the_routes_or_inside_the_body() {
        let html = insert_section("<body>x</body>\n".into(), "<p>y</p>", &["<h2>R"], "</body>");
        assert_eq!(html, "<body>x<p>y</p></body>\n");
        let md = insert_section("# A\n## R\n".into(), "## N\n", &["## R"], "\0");
        assert_eq!(md, "# A\n## N\n## R\n");
        assert_eq!(
            insert_section("# A\n".into(), "## N\n", &[], "\0"),
            "# A\n## N\n"
        );
        assert_eq!(code_spans("a `b<` c"), "a <code>b&lt;</code> c");
    }

    #[test]
    fn today_is_a_date() {
        let d = today_utc();
        assert!(d.year() >= 2025, "{d}");
    }
}
