//! `hushgate redact`: replace sensitive values, keep the mapping in an
//! encrypted vault for `hushgate restore`.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hushgate_redact::{RedactOptions, Redactor, Transformation, Vault};
use hushgate_types::{EntityType, TenantId};
use serde::Serialize;

use super::scan::{JsonlError, parse_line, read_input};

/// Replace sensitive values with placeholders or fakes; keep the mapping in an
/// encrypted vault.
#[derive(Args)]
#[command(
    long_about = "Replace sensitive values with placeholders or realistic fakes, and keep the \
mapping in an encrypted vault so `hushgate restore` can put the originals back.\n\n\
Reads FILE, or standard input when none is given, and writes the redacted text to standard \
output. Each distinct value gets one placeholder everywhere in the input ([PERSON_1], \
[EMAIL_ADDRESS_2]); trivial variants (case, spacing, phone formatting) share it.\n\n\
--mode chooses one transformation for every type: pseudonymize (placeholders, reversible; the \
default), surrogate (realistic fakes: test card numbers, example.com addresses, fictional \
phones, shifted dates; reversible), mask (****-1234) or redact ([REDACTED_PERSON]). Without \
--mode, the config's [redact] table decides per type.\n\n\
With --vault FILE, the mapping is written to FILE encrypted with XChaCha20-Poly1305 under the \
key in HUSHGATE_VAULT_KEY (64 hex characters or base64 of 32 bytes), bound to --tenant and \
readable until --ttl has passed. Without --vault the mapping is discarded.\n\n\
With --jsonl, reads lines {\"id\": ..., \"text\": ...} (extra keys ignored) and writes \
{\"id\": ..., \"text\": <redacted>} lines in the same order, all into one vault; a malformed \
line gets {\"id\": null, \"error\": \"...\"}.",
    after_help = "Examples:\n  \
export HUSHGATE_VAULT_KEY=$(openssl rand -hex 32)\n  \
hushgate redact --vault note.vault note.txt > note.redacted.txt\n  \
hushgate restore --vault note.vault note.redacted.txt\n  \
echo 'Card 4111 1111 1111 1111' | hushgate redact --mode mask\n  \
hushgate redact --jsonl --vault batch.vault records.jsonl > redacted.jsonl"
)]
pub struct RedactArgs {
    /// File to redact; standard input when none.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,

    /// Write the mapping, encrypted with HUSHGATE_VAULT_KEY, to this file.
    #[arg(long, value_name = "FILE")]
    vault: Option<PathBuf>,

    /// One transformation for every type (overrides the config's [redact]).
    #[arg(long, value_enum)]
    mode: Option<Mode>,

    /// JSON Lines {"id","text"} in and out (the `hushgate scan --jsonl` contract).
    #[arg(long)]
    jsonl: bool,

    /// How long the vault can be opened: seconds, or 30m, 24h, 7d.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_ttl)]
    ttl: Duration,

    /// The tenant the vault belongs to; `restore` must name the same one.
    #[arg(
        long,
        value_name = "ID",
        default_value = "default",
        env = "HUSHGATE_TENANT"
    )]
    tenant: TenantId,

    /// Transform findings scoring at least this (0.0-1.0); overrides the config.
    #[arg(long, value_name = "SCORE")]
    threshold: Option<f32>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// [PERSON_1]: reversible placeholders.
    Pseudonymize,
    /// Realistic fakes of the same shape: reversible.
    Surrogate,
    /// ****-****-****-1234: irreversible.
    Mask,
    /// [REDACTED_PERSON]: irreversible.
    Redact,
}

fn parse_ttl(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration: use seconds, or 30m, 24h, 7d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => {
            return Err(format!(
                "`{s}` is not a duration: use seconds, or 30m, 24h, 7d"
            ));
        }
    };
    if secs == 0 {
        return Err("the TTL must be at least one second".into());
    }
    Ok(Duration::from_secs(secs))
}

#[derive(Serialize)]
struct JsonlOut<'a> {
    id: &'a serde_json::Value,
    text: &'a str,
}

pub fn run(config: Option<&Path>, args: RedactArgs) -> anyhow::Result<ExitCode> {
    // Fail before any work when the vault could not be written.
    let key = match &args.vault {
        Some(_) => Some(super::vault_key()?),
        None => None,
    };
    let mut cfg = super::config(config)?;
    if let Some(t) = args.threshold {
        cfg.detection.threshold = t;
    }
    let options = match args.mode {
        Some(mode) => RedactOptions::all(match mode {
            Mode::Pseudonymize => Transformation::Pseudonymize,
            Mode::Surrogate => Transformation::Surrogate,
            Mode::Mask => Transformation::Mask,
            Mode::Redact => Transformation::Redact,
        }),
        None => cfg.redact.clone(),
    };
    let redactor = Redactor::new(super::engine_for(&cfg)?, options)
        .context("cannot use the [redact] configuration")?;
    let mut vault = Vault::new(args.tenant.clone());
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut counts: BTreeMap<EntityType, usize> = BTreeMap::new();

    if args.jsonl {
        let input = super::read_bytes(args.file.as_deref())?;
        let lines: Vec<_> = super::jsonl_lines(&input)
            .enumerate()
            .map(|(i, l)| parse_line(l).map_err(|e| format!("line {}: {e}", i + 1)))
            .collect();
        let texts: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.as_ref().ok().map(|r| r.text.as_str()))
            .collect();
        let mut redacted = redactor.redact_batch(&texts, &mut vault).into_iter();
        for line in &lines {
            match line {
                Ok(rec) => {
                    let r = redacted
                        .next()
                        .context("internal: redaction count mismatch")?;
                    for (t, n) in r.counts {
                        *counts.entry(t).or_insert(0) += n;
                    }
                    serde_json::to_writer(
                        &mut out,
                        &JsonlOut {
                            id: &rec.id,
                            text: &r.text,
                        },
                    )?;
                }
                Err(error) => serde_json::to_writer(
                    &mut out,
                    &JsonlError {
                        id: None,
                        error: error.clone(),
                    },
                )?,
            }
            out.write_all(b"\n")?;
        }
    } else {
        let (_, text) = read_input(args.file.as_deref())?;
        let r = redactor.redact(&text, &mut vault);
        counts = r.counts;
        out.write_all(r.text.as_bytes())?;
    }
    out.flush()?;

    let total: usize = counts.values().sum();
    let summary: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
    match (&args.vault, key) {
        (Some(path), Some(key)) => {
            let sealed = vault
                .seal(&key, args.ttl)
                .context("cannot encrypt the vault")?;
            super::write_private(path, &sealed)?;
            eprintln!(
                "hushgate: {total} value(s) transformed ({}); vault {} holds {} for tenant {}, for {}",
                if summary.is_empty() {
                    "none".to_owned()
                } else {
                    summary.join(", ")
                },
                path.display(),
                vault.len(),
                vault.tenant(),
                human(args.ttl),
            );
        }
        _ if !vault.is_empty() => eprintln!(
            "hushgate: note: no --vault given, so the {} placeholder mapping(s) are discarded \
             and this output cannot be restored",
            vault.len()
        ),
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 86_400 == 0 && s > 86_400 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_parsing() {
        assert_eq!(parse_ttl("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_ttl("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_ttl("24h").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_ttl("7d").unwrap(), Duration::from_secs(604_800));
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("soon").is_err());
        assert!(parse_ttl("5y").is_err());
    }
}
