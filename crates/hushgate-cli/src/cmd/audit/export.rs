//! `hushgate audit export`.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hushgate_store::{ExportFormat, Store};

/// Write audit records to standard output as JSON lines or CSV.
#[derive(Args)]
#[command(
    long_about = "Write the audit records matching the filters to standard output, oldest \
first: JSON lines (every stored field, hashes as hex: enough to recompute the chain) or CSV \
with a header row (lists `;`-separated). Records hold no prompt text and no detected value: \
only counts by type and keyed hashes.",
    after_help = "Examples:\n  \
hushgate audit export > audit.jsonl\n  \
hushgate audit export --tenant clinic --since 2026-01-01 --until 2026-02-01 --format csv > january.csv\n  \
hushgate audit export --since 24h | jq -r .decision | sort | uniq -c"
)]
pub struct ExportArgs {
    #[command(flatten)]
    period: super::Period,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One JSON object per line.
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
}

pub async fn run(store: &Store, a: ExportArgs) -> anyhow::Result<ExitCode> {
    let filter = a.period.filter()?;
    let format = match a.format {
        Format::Jsonl => ExportFormat::Jsonl,
        Format::Csv => ExportFormat::Csv,
    };
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let n = store
        .export_audit(&filter, format, &mut out)
        .await
        .context("cannot export the audit trail")?;
    out.flush()?;
    eprintln!("hushgate: exported {n} record(s)");
    Ok(ExitCode::SUCCESS)
}
