//! `hushgate`: a privacy gateway for LLM APIs. This binary only parses
//! arguments and calls the library crates.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Hushgate keeps PII, PHI, card data and secrets out of LLM API requests.
#[derive(Parser)]
#[command(
    name = "hushgate",
    version,
    about,
    long_about = "Hushgate keeps PII, PHI, card data and secrets out of LLM API requests.\n\n\
It finds sensitive values (Presidio entity names: PERSON, EMAIL_ADDRESS, CREDIT_CARD, US_SSN, \
API_KEY, ...) with one-pass automata, checksum validators and gazetteers, replaces them with \
placeholders or realistic fakes before text leaves, and puts the originals back afterwards.\n\n\
`hushgate serve` runs it as an OpenAI-compatible gateway: apps keep their OpenAI SDK and change \
the base URL; every request is scanned, decided by the tenant's policy (forward, pseudonymize, \
route to a self-hosted model, or block, with reasons) and recorded in a signed audit trail.",
    after_help = "Examples:\n  \
hushgate serve                      # the gateway on 127.0.0.1:8080\n  \
hushgate keys create --tenant default\n  \
hushgate review --config examples/clinic.toml   # where each kind of data goes, and why\n  \
echo 'Pt Jane Roe, MRN 0012345' | hushgate check --config examples/clinic.toml --tenant clinic\n  \
echo 'mail jane@example.org, SSN 219-09-9999' | hushgate scan\n  \
hushgate scan notes.txt logs/app.log --format json\n  \
hushgate scan --jsonl < records.jsonl > findings.jsonl\n  \
hushgate redact --vault note.vault note.txt > note.redacted.txt\n  \
hushgate restore --vault note.vault note.redacted.txt\n  \
hushgate audit verify\n\n\
Run `hushgate help <command>` for every option."
)]
struct Cli {
    /// A TOML config file; its [detection] table sets the threshold, phone
    /// regions, allow/deny lists and custom patterns, its [redact] table the
    /// transformation per entity type, [storage] and [audit] where keys and
    /// the audit trail live. Without it, the embedded default applies.
    #[arg(long, global = true, value_name = "FILE", env = "HUSHGATE_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Scan(cmd::scan::ScanArgs),
    Redact(cmd::redact::RedactArgs),
    Restore(cmd::restore::RestoreArgs),
    Serve(cmd::serve::ServeArgs),
    Keys(cmd::keys::KeysArgs),
    Audit(cmd::audit::AuditArgs),
    Review(cmd::review::ReviewArgs),
    Check(cmd::check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => cmd::scan::run(cli.config.as_deref(), args),
        Command::Redact(args) => cmd::redact::run(cli.config.as_deref(), args),
        Command::Restore(args) => cmd::restore::run(args),
        Command::Serve(args) => cmd::serve::run(cli.config.as_deref(), args),
        Command::Keys(args) => cmd::keys::run(cli.config.as_deref(), args),
        Command::Audit(args) => cmd::audit::run(cli.config.as_deref(), args),
        Command::Review(args) => cmd::review::run(cli.config.as_deref(), args),
        Command::Check(args) => cmd::check::run(cli.config.as_deref(), args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`hushgate scan | head`) is not an error.
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("hushgate: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(ErrorKind::BrokenPipe))
    })
}
