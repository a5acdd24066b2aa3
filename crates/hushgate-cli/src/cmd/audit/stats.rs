//! `hushgate audit stats`.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hushgate_store::{StatsRow, Store};
use serde::Serialize;

/// Requests, decisions and findings by type, per tenant and route.
#[derive(Args)]
#[command(
    long_about = "Summarize the audit trail over a period: per tenant and route (the provider \
a request went to; `-` when it went nowhere, e.g. blocked), the number of requests, the \
decisions taken, the findings by entity type, upstream errors and tokens. A readable table, or \
JSON with --format json.",
    after_help = "Examples:\n  \
hushgate audit stats\n  \
hushgate audit stats --tenant clinic --since 7d\n  \
hushgate audit stats --since 2026-01-01 --until 2026-02-01 --format json"
)]
pub struct StatsArgs {
    #[command(flatten)]
    period: super::Period,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON object: {since, until, rows, total}.
    Json,
}

#[derive(Serialize)]
struct JsonStats<'a> {
    #[serde(flatten)]
    stats: &'a hushgate_store::AuditStats,
    total: StatsRow,
}

fn counts<K: Display>(m: &BTreeMap<K, u64>) -> String {
    if m.is_empty() {
        return "-".to_owned();
    }
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn cells(r: &StatsRow) -> [String; 7] {
    [
        r.tenant.clone(),
        r.route.clone().unwrap_or_else(|| "-".into()),
        r.requests.to_string(),
        counts(&r.decisions),
        counts(&r.findings),
        r.upstream_errors.to_string(),
        (r.prompt_tokens + r.completion_tokens).to_string(),
    ]
}

pub async fn run(store: &Store, a: StatsArgs) -> anyhow::Result<ExitCode> {
    let filter = a.period.filter()?;
    let stats = store
        .audit_stats(&filter)
        .await
        .context("cannot read the audit trail")?;
    let total = stats.total();
    let mut out = BufWriter::new(std::io::stdout().lock());
    match a.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &JsonStats {
                    stats: &stats,
                    total,
                },
            )?;
            writeln!(out)?;
        }
        Format::Table => {
            let period = match (stats.since, stats.until) {
                (None, None) => "all records".to_owned(),
                (Some(s), None) => format!("since {}", crate::cmd::format_time(s)),
                (None, Some(u)) => format!("before {}", crate::cmd::format_time(u)),
                (Some(s), Some(u)) => {
                    format!(
                        "{} to {}",
                        crate::cmd::format_time(s),
                        crate::cmd::format_time(u)
                    )
                }
            };
            writeln!(out, "audit stats, {period}")?;
            if stats.rows.is_empty() {
                writeln!(out, "no audit records")?;
                out.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut rows: Vec<[String; 7]> = stats.rows.iter().map(cells).collect();
            if stats.rows.len() > 1 {
                let mut t = cells(&total);
                t[0] = "TOTAL".into();
                t[1] = String::new();
                rows.push(t);
            }
            crate::cmd::write_table(
                &mut out,
                &[
                    "TENANT",
                    "ROUTE",
                    "REQUESTS",
                    "DECISIONS",
                    "FINDINGS",
                    "UPSTREAM_ERRORS",
                    "TOKENS",
                ],
                &rows,
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
