//! `hushgate audit verify`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use hushgate_config::Config;
use hushgate_store::{Store, VerifyingKeys};

/// Check every chain and signature; exit 1 naming the first bad record.
#[derive(Args)]
#[command(
    long_about = "Check the whole audit trail: every tenant's hash chain, record by record, and \
every signed checkpoint and purge anchor. Exits 0 with a summary when everything holds. Exits 1 \
naming the first bad record (tenant, seq, row id, what is wrong) when a record was edited, \
deleted, inserted, reordered, or the tail of a chain was truncated.\n\n\
Signatures are checked with the public half of the configured signing key and with every key in \
[audit] verify_keys (retired keys, after a rotation). An auditor can verify with verify_keys \
alone, without the signing key.",
    after_help = "Examples:\n  hushgate audit verify\n  hushgate --config /etc/hushgate/hushgate.toml audit verify && echo intact"
)]
pub struct VerifyArgs {}

pub async fn run(cfg: &Config, store: &Store, _args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let keys = match super::verifying_keys(cfg) {
        Ok((_, keys)) => keys,
        Err(no_key) => {
            // No key yet (the gateway creates it on first start): fine while nothing was
            // signed, and then there is nothing to verify either.
            match store.verify_audit(&VerifyingKeys::new()).await {
                Ok(r) if r.records() == 0 && r.signatures == 0 => {
                    println!(
                        "audit trail empty: no records yet ({}); no signing key yet",
                        cfg.storage.redacted_url()
                    );
                    return Ok(ExitCode::SUCCESS);
                }
                _ => return Err(no_key),
            }
        }
    };
    let report = store.verify_audit(&keys).await.map_err(|e| {
        if e.is_tampered() {
            anyhow::Error::new(e).context("audit verify FAILED")
        } else {
            anyhow::Error::new(e).context("cannot verify the audit trail")
        }
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "audit trail intact: {} record(s) in {} chain(s), {} signature(s) verified ({})",
        report.records(),
        report.chains.len(),
        report.signatures,
        cfg.storage.redacted_url()
    )?;
    for c in &report.chains {
        let range = match c.first_seq {
            Some(first) => format!("seq {first}..={}", c.last_seq),
            None => "no records".to_owned(),
        };
        let mut line = format!("  {}: {} record(s), {range}", c.tenant, c.records);
        if let Some(a) = c.anchor_seq {
            line.push_str(&format!(", purged through seq {a} (signed anchor)"));
        }
        match c.last_signed_seq {
            Some(s) => line.push_str(&format!(", signed through seq {s}")),
            None => line.push_str(", not signed yet"),
        }
        if c.unsigned_tail > 0 {
            line.push_str(&format!(
                " ({} newer record(s) not yet covered by a checkpoint)",
                c.unsigned_tail
            ));
        }
        writeln!(out, "{line}")?;
    }
    out.flush().context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}
