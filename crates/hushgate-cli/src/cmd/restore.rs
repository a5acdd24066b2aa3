//! `hushgate restore`: put the originals back into text redacted by
//! `hushgate redact`.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use hushgate_redact::{Restorer, Vault};
use hushgate_types::TenantId;
use serde::Serialize;

use super::scan::{JsonlError, parse_line, read_input};

/// Put the original values back into redacted text, using its vault.
#[derive(Args)]
#[command(
    long_about = "Put the original values back into text redacted by `hushgate redact`, or into \
a model's answer to it, using the vault written by `hushgate redact --vault`.\n\n\
Reads FILE, or standard input when none is given, and writes the restored text to standard \
output. Placeholders are restored in the forms models tend to produce ([PERSON_1], \
[Person_1], [PERSON_1]'s, PERSON_1); surrogates by exact match. Placeholders the vault does \
not hold (a model may invent [PERSON_9]) are left as they are and counted on standard error.\n\n\
The vault is decrypted with HUSHGATE_VAULT_KEY and must belong to --tenant and not have \
expired. With --jsonl, reads and writes {\"id\", \"text\"} lines like `hushgate redact --jsonl`.",
    after_help = "Examples:\n  \
hushgate restore --vault note.vault note.redacted.txt\n  \
llm-tool < note.redacted.txt | hushgate restore --vault note.vault\n  \
hushgate restore --jsonl --vault batch.vault redacted.jsonl > restored.jsonl"
)]
pub struct RestoreArgs {
    /// File to restore; standard input when none.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,

    /// The vault written by `hushgate redact --vault`.
    #[arg(long, value_name = "FILE", required = true)]
    vault: PathBuf,

    /// JSON Lines {"id","text"} in and out.
    #[arg(long)]
    jsonl: bool,

    /// The tenant the vault must belong to.
    #[arg(
        long,
        value_name = "ID",
        default_value = "default",
        env = "HUSHGATE_TENANT"
    )]
    tenant: TenantId,
}

#[derive(Serialize)]
struct JsonlOut<'a> {
    id: &'a serde_json::Value,
    text: &'a str,
}

pub fn run(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let key = super::vault_key()?;
    let sealed = std::fs::read(&args.vault)
        .with_context(|| format!("cannot read vault {}", args.vault.display()))?;
    let vault = Vault::open(&sealed, &key, &args.tenant)
        .with_context(|| format!("cannot open vault {}", args.vault.display()))?;
    let mut restorer = Restorer::new(&vault, &args.tenant)?;
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    if args.jsonl {
        let input = super::read_bytes(args.file.as_deref())?;
        for (i, line) in super::jsonl_lines(&input).enumerate() {
            match parse_line(line) {
                Ok(rec) => {
                    let text = restorer.restore(&rec.text);
                    serde_json::to_writer(
                        &mut out,
                        &JsonlOut {
                            id: &rec.id,
                            text: &text,
                        },
                    )?;
                }
                Err(e) => serde_json::to_writer(
                    &mut out,
                    &JsonlError {
                        id: None,
                        error: format!("line {}: {e}", i + 1),
                    },
                )?,
            }
            out.write_all(b"\n")?;
        }
    } else {
        let (_, text) = read_input(args.file.as_deref())?;
        out.write_all(restorer.restore(&text).as_bytes())?;
    }
    out.flush()?;
    if restorer.unknown() > 0 {
        eprintln!(
            "hushgate: {} placeholder(s) not in the vault were left as they are",
            restorer.unknown()
        );
    }
    Ok(ExitCode::SUCCESS)
}
