//! `hushgate check`: what the gateway would do with a text, without sending it.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hushgate_config::Config;
use hushgate_gateway::decide::{DryRun, dry_run};
use hushgate_policy::{Policy, clinical};
use serde::Serialize;
use serde_json::Value;

/// Show what would happen to a text sent by a tenant, without sending anything.
#[derive(Args)]
#[command(
    long_about = "Show what would happen to a text sent by a tenant, without sending anything.\n\n\
Runs exactly what the gateway runs for one request — detection with the tenant's settings, \
the policy decision, the transformation — and prints the findings per entity type with their \
data classes, the decision (allow, pseudonymize, route_private or block), the route it would \
go to, the reasons (rule, class, provider, detail; never a value) and the text as that route \
would receive it. Providers are taken as up.\n\n\
Nothing is sent, no storage is opened and no file is created. The text is read from FILE, or \
standard input when none is given. The reasons and the findings table never contain the \
values found; the text as sent does contain whatever is not replaced, as the route would \
see it.\n\n\
Without --config, the embedded default applies (tenant `default`).",
    after_help = "Examples:\n  \
hushgate check --config examples/clinic.toml --tenant clinic examples/clinic-note.txt\n  \
echo 'card 4111 1111 1111 1111' | hushgate check --config examples/clinic.toml --tenant shop\n  \
hushgate check --config examples/clinic.toml --tenant eu-office --model gpt-4o-mini note.txt\n  \
hushgate check --config hushgate.toml --tenant clinic --format json note.txt | jq .decision\n\n\
Exit status: 0 when the check ran (whatever the decision), 1 on an error such as an unknown \
tenant or model alias."
)]
pub struct CheckArgs {
    /// The tenant sending the text (a [[tenants]] name).
    #[arg(long, value_name = "NAME")]
    tenant: String,

    /// The model alias asked for; default the tenant's first allowed alias.
    #[arg(long, value_name = "ALIAS")]
    model: Option<String>,

    /// The API the text is sent to.
    #[arg(long, value_enum, default_value_t = EndpointArg::Chat)]
    endpoint: EndpointArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// The text to check; standard input when none.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned tables, then the text as it would be sent.
    Table,
    /// One JSON document.
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EndpointArg {
    /// POST /v1/chat/completions
    Chat,
    /// POST /v1/completions
    Completions,
    /// POST /v1/embeddings
    Embeddings,
}

impl EndpointArg {
    fn endpoint(self) -> hushgate_providers::Endpoint {
        match self {
            EndpointArg::Chat => hushgate_providers::Endpoint::ChatCompletions,
            EndpointArg::Completions => hushgate_providers::Endpoint::Completions,
            EndpointArg::Embeddings => hushgate_providers::Endpoint::Embeddings,
        }
    }
}

/// The dry run, with what the table shows beside it.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    run: &'a DryRun,
    /// The provider behind the model alias (the requested route).
    requested_route: &'a str,
    /// The tenant has regimes: the policy engine decided.
    governed: bool,
    /// Whether the text reads as clinical (for HIPAA tenants: identifiers are PHI).
    clinical_context: bool,
    /// Data classes per entity type (governed tenants only).
    classes: BTreeMap<String, Vec<String>>,
}

pub fn run(config_path: Option<&Path>, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let config = super::config_or_embedded(config_path)?;
    if config.models.is_empty() {
        anyhow::bail!(
            "the config defines no [[models]]: `check` needs a model alias to know the route{}",
            if config_path.is_none() {
                " (the embedded default has models only when OPENAI_API_KEY is set; \
                 or pass --config FILE)"
            } else {
                ""
            }
        );
    }
    let bytes = super::read_bytes(args.file.as_deref())?;
    // Invalid UTF-8 is replaced, as the gateway would never see it: JSON bodies are UTF-8.
    let text = String::from_utf8_lossy(&bytes);

    let run = dry_run(
        &config,
        &args.tenant,
        args.model.as_deref(),
        args.endpoint.endpoint(),
        &text,
    )?;
    let governed = config
        .tenant(&run.tenant)
        .is_some_and(|t| !t.regimes.is_empty());
    let requested_route = config.model(&run.model).map_or("", |m| m.provider.as_str());
    let clinical_context = clinical::has_clinical_context(&text);
    let classes = if governed {
        classes_by_type(&config, &run, clinical_context)?
    } else {
        BTreeMap::new()
    };
    let report = Report {
        run: &run,
        requested_route,
        governed,
        clinical_context,
        classes,
    };

    let mut out = BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Table => table(&mut out, &config, &report)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The data classes of each found type, as the policy classified them for this tenant.
fn classes_by_type(
    config: &Config,
    run: &DryRun,
    clinical_context: bool,
) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let policy = Policy::new(&config.policy).context("cannot build the policy")?;
    let types: Vec<_> = run.findings.keys().cloned().collect();
    // An unclassified type makes the gateway block (the reasons say so): no map then, and
    // the table shows "?".
    let Ok(classified) = policy.classify(&run.tenant, &types, clinical_context) else {
        return Ok(BTreeMap::new());
    };
    let mut by_type: BTreeMap<String, Vec<String>> = types
        .iter()
        .map(|t| (t.as_str().to_owned(), Vec::new()))
        .collect();
    for (class, types) in classified.iter() {
        for t in types {
            if let Some(v) = by_type.get_mut(t.as_str()) {
                v.push(class.as_str().to_owned());
            }
        }
    }
    Ok(by_type)
}

fn str_field<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn table(out: &mut impl Write, config: &Config, r: &Report<'_>) -> anyhow::Result<()> {
    let run = r.run;
    let total: usize = run.findings.values().sum();
    let tenant = config.tenant(&run.tenant);
    let regimes = tenant.map_or_else(String::new, |t| {
        t.regimes
            .iter()
            .map(|g| g.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    });
    let private = config
        .policy
        .tenants
        .iter()
        .find(|t| t.name == run.tenant)
        .and_then(|t| t.private_route.as_deref());
    let mut rows: Vec<[String; 2]> = vec![
        [
            "tenant".into(),
            if r.governed {
                format!(
                    "{} (regimes: {regimes}; private route: {})",
                    run.tenant,
                    private.unwrap_or("none")
                )
            } else {
                format!("{} (no regimes)", run.tenant)
            },
        ],
        [
            "model".into(),
            format!("{} (provider {})", run.model, r.requested_route),
        ],
        ["decision".into(), run.decision.to_owned()],
        [
            "route".into(),
            run.route
                .clone()
                .unwrap_or_else(|| "none: blocked, nothing would be sent".to_owned()),
        ],
        [
            "findings".into(),
            format!("{total} ({} would be replaced)", run.replaced),
        ],
    ];
    if tenant.is_some_and(|t| t.regimes.contains(&hushgate_config::Regime::Hipaa)) {
        rows.push([
            "clinical".into(),
            if r.clinical_context {
                "yes: the text reads as clinical, so HIPAA identifiers in it are PHI".to_owned()
            } else {
                "no clinical context detected".to_owned()
            },
        ]);
    }
    for [k, v] in &rows {
        writeln!(out, "{:<10}{v}", format!("{k}:"))?;
    }

    if !run.findings.is_empty() {
        writeln!(out)?;
        let rows: Vec<[String; 3]> = run
            .findings
            .iter()
            .map(|(t, n)| {
                let classes = if r.governed {
                    match r.classes.get(t.as_str()) {
                        Some(c) if c.is_empty() => "none".to_owned(),
                        Some(c) => c.join(", "),
                        None => "?".to_owned(),
                    }
                } else {
                    "-".to_owned()
                };
                [format!("  {t}"), n.to_string(), classes]
            })
            .collect();
        super::write_table(out, &["  TYPE", "COUNT", "CLASSES"], &rows)?;
    }

    writeln!(out)?;
    match run.reasons.as_array() {
        _ if !r.governed => {
            let external = run
                .route
                .as_deref()
                .and_then(|p| config.provider(p))
                .is_some_and(|p| !p.self_hosted);
            writeln!(
                out,
                "reasons:  none: tenant `{}` has no `regimes`, so the policy engine does not \
                 govern it; {}. Add `regimes` to its [[tenants]] entry to have its data checked \
                 (see `hushgate help review`).",
                run.tenant,
                if external {
                    "every finding is pseudonymized before an external provider"
                } else {
                    "text goes to a self-hosted provider as it is"
                }
            )?;
        }
        Some(reasons) if !reasons.is_empty() => {
            writeln!(out, "reasons:")?;
            let rows: Vec<[String; 6]> = reasons
                .iter()
                .map(|v| {
                    let via = list_field(v, "via");
                    let provider = if via.is_empty() {
                        str_field(v, "provider").to_owned()
                    } else {
                        format!("{} (via {via})", str_field(v, "provider"))
                    };
                    [
                        format!("  {}", str_field(v, "rule")),
                        str_field(v, "class").to_owned(),
                        provider,
                        str_field(v, "action").to_owned(),
                        str_field(v, "detail").to_owned(),
                        list_field(v, "types"),
                    ]
                })
                .collect();
            super::write_table(
                out,
                &["  RULE", "CLASS", "PROVIDER", "ACTION", "DETAIL", "TYPES"],
                &rows,
            )?;
        }
        _ => writeln!(out, "reasons:  none: every rule is met")?,
    }
    if let Some(note) = replacement_note(config, r) {
        writeln!(out, "note:     {note}")?;
    }

    writeln!(out)?;
    match (&run.route, &run.sent) {
        (Some(route), Some(sent)) => {
            writeln!(out, "--- the text as `{route}` would receive it ---")?;
            write!(out, "{sent}")?;
            if !sent.ends_with('\n') {
                writeln!(out)?;
            }
            writeln!(out, "--- end ---")?;
        }
        _ => writeln!(out, "Nothing would be sent: the request would be blocked.")?,
    }
    Ok(())
}

/// Why every value is replaced, or why none are.
fn replacement_note(config: &Config, r: &Report<'_>) -> Option<String> {
    let run = r.run;
    let tenant = config.tenant(&run.tenant)?;
    let route = run.route.as_deref()?;
    let external = config.provider(route).is_some_and(|p| !p.self_hosted);
    if r.governed && tenant.pseudonymize_all && external && run.replaced > 0 {
        Some(format!(
            "every finding is replaced before `{route}`, whatever the rules demand: the \
             tenant's `pseudonymize` is \"all\" (the default); \"policy\" replaces only what \
             they demand"
        ))
    } else if !external && !run.findings.is_empty() {
        Some(format!(
            "`{route}` is self-hosted: the text goes to it unchanged"
        ))
    } else {
        None
    }
}
