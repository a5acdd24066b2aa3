//! `hushgate audit purge`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use hushgate_config::Config;
use hushgate_store::Store;
use time::OffsetDateTime;

/// Delete records older than an age; the chains stay verifiable.
#[derive(Args)]
#[command(
    long_about = "Retention: delete audit records older than AGE (30d, 12h, 2w; units m, h, d, \
w). Each tenant's chain is cut at its newest signed checkpoint before the first record to keep, \
and a signed anchor records where the chain now starts, so `audit verify` keeps passing and \
still catches any other deletion. Records a little older than AGE may stay (up to one \
checkpoint interval); newer ones are never deleted.\n\n\
The trail is verified first, and nothing is purged if it does not verify: a purge destroys the \
evidence in the part it deletes. Needs the signing key (to sign the anchors).",
    after_help = "Examples:\n  hushgate audit purge --older-than 90d\n  hushgate audit purge --older-than 2w && hushgate audit verify"
)]
pub struct PurgeArgs {
    /// Delete records older than this age: 30d, 12h, 2w.
    #[arg(long, value_name = "AGE", value_parser = super::parse_age, required = true)]
    older_than: time::Duration,
}

pub async fn run(cfg: &Config, store: &Store, a: PurgeArgs) -> anyhow::Result<ExitCode> {
    let (signer, keys) = super::verifying_keys(cfg)?;
    let Some(signer) = signer else {
        bail!(
            "the audit signing key ({}) is not there: purging signs an anchor for each chain, \
             which needs it",
            cfg.audit.signing_key
        );
    };
    store.verify_audit(&keys).await.map_err(|e| {
        let what = if e.is_tampered() {
            "refusing to purge: the audit trail does not verify (run `hushgate audit verify`)"
        } else {
            "cannot verify the audit trail before purging"
        };
        anyhow::Error::new(e).context(what)
    })?;
    let cutoff = OffsetDateTime::now_utc() - a.older_than;
    let report = store
        .purge_audit(cutoff, &signer)
        .await
        .context("cannot purge the audit trail")?;
    let mut out = std::io::stdout().lock();
    if report.chains.is_empty() {
        writeln!(
            out,
            "nothing purged: no chain has a signed checkpoint before records newer than {}",
            crate::cmd::format_time(cutoff)
        )?;
    } else {
        writeln!(
            out,
            "purged {} record(s) older than {}:",
            report.deleted(),
            crate::cmd::format_time(cutoff)
        )?;
        for (tenant, deleted, anchor) in &report.chains {
            writeln!(
                out,
                "  {tenant}: deleted {deleted} record(s); the chain now starts after seq {anchor} (signed anchor)"
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
