//! `hushgate audit`: verify, export, purge and summarize the audit trail.

mod export;
mod purge;
mod stats;
mod verify;

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::format_time;

/// Verify, export, purge and summarize the audit trail.
#[derive(Args)]
#[command(
    long_about = "The audit trail holds one record per request the gateway handled: time, \
tenant, key id, endpoint, model, route, decision and reasons, counts of findings by type, keyed \
hashes of the detected values, tokens, latency and status. Never prompt or answer text, never a \
detected value.\n\n\
Each tenant's records form a hash chain; the chain heads are signed (Ed25519) with the key of \
[audit] signing_key_file / signing_key_env. These commands read the database of [storage] url.",
    after_help = "Examples:\n  \
hushgate audit verify\n  \
hushgate audit export --tenant clinic --since 2026-01-01 --format csv > clinic.csv\n  \
hushgate audit purge --older-than 90d\n  \
hushgate audit stats --since 7d"
)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand)]
enum AuditCommand {
    Verify(verify::VerifyArgs),
    Export(export::ExportArgs),
    Purge(purge::PurgeArgs),
    Stats(stats::StatsArgs),
}

pub fn run(config: Option<&Path>, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let cfg = super::config_or_embedded(config)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let store = super::open_store(&cfg).await?;
        let result = match args.command {
            AuditCommand::Verify(a) => verify::run(&cfg, &store, a).await,
            AuditCommand::Export(a) => export::run(&store, a).await,
            AuditCommand::Purge(a) => purge::run(&cfg, &store, a).await,
            AuditCommand::Stats(a) => stats::run(&store, a).await,
        };
        store.close().await;
        result
    })
}

/// The verifying keys of `[audit]`: the signing key's public half when its file or variable
/// is there (a missing file is not created here), plus `verify_keys`.
fn verifying_keys(
    cfg: &hushgate_config::Config,
) -> anyhow::Result<(
    Option<hushgate_store::AuditSigner>,
    hushgate_store::VerifyingKeys,
)> {
    let signer =
        hushgate_store::AuditSigner::load(&cfg.audit.signing_key, hushgate_store::Missing::Skip)?;
    let keys = hushgate_store::VerifyingKeys::from_config(&cfg.audit, signer.as_ref())?;
    Ok((signer, keys))
}

/// A time for `--since` / `--until`: `2026-01-31` (midnight UTC), an RFC 3339 time
/// (`2026-01-31T08:00:00Z`), or an age counted back from now (`7d`, `12h`, `2w`).
pub fn parse_when(s: &str) -> Result<OffsetDateTime, String> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let date_fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(s, &date_fmt) {
        return Ok(d.midnight().assume_utc());
    }
    if let Ok(age) = parse_age(s) {
        return Ok(OffsetDateTime::now_utc() - age);
    }
    Err(format!(
        "`{s}` is not a date: use 2026-01-31, 2026-01-31T08:00:00Z, or an age such as 7d, 12h, 2w"
    ))
}

/// An age: a positive whole number and a unit, `m` (minutes), `h`, `d` or `w`.
pub fn parse_age(s: &str) -> Result<time::Duration, String> {
    let s = s.trim();
    let bad = || {
        format!(
            "`{s}` is not an age: use a number and a unit, e.g. 30d, 12h, 2w (units m, h, d, w)"
        )
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err(bad());
    }
    let minutes_per = match unit {
        "m" | "min" => 1,
        "h" => 60,
        "d" => 60 * 24,
        "w" => 60 * 24 * 7,
        _ => return Err(bad()),
    };
    n.checked_mul(minutes_per)
        .filter(|m| *m <= 60 * 24 * 366 * 1000)
        .map(time::Duration::minutes)
        .ok_or_else(bad)
}

/// `--tenant`, `--since`, `--until`: which records `export` and `stats` read.
#[derive(clap::Args)]
pub struct Period {
    /// Only this tenant's records.
    #[arg(long, value_name = "NAME")]
    tenant: Option<String>,
    /// Records at or after DATE: 2026-01-31, 2026-01-31T08:00:00Z, or an age (7d, 12h, 2w).
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    since: Option<OffsetDateTime>,
    /// Records before DATE (same forms as --since).
    #[arg(long, value_name = "DATE", value_parser = parse_when)]
    until: Option<OffsetDateTime>,
}

impl Period {
    /// The store's filter; an empty period (`--since` not before `--until`) is an error.
    fn filter(self) -> anyhow::Result<hushgate_store::AuditFilter> {
        if let (Some(s), Some(u)) = (self.since, self.until)
            && s >= u
        {
            bail!(
                "--since ({}) is not before --until ({})",
                format_time(s),
                format_time(u)
            );
        }
        Ok(hushgate_store::AuditFilter {
            tenant: self.tenant,
            since: self.since,
            until: self.until,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn ages_and_dates() {
        assert_eq!(parse_age("30d").unwrap(), time::Duration::days(30));
        assert_eq!(parse_age("12h").unwrap(), time::Duration::hours(12));
        assert_eq!(parse_age("2w").unwrap(), time::Duration::weeks(2));
        assert_eq!(parse_age("90m").unwrap(), time::Duration::minutes(90));
        for bad in [
            "",
            "d",
            "0d",
            "30",
            "30x",
            "-3d",
            "3.5d",
            "99999999999999999999d",
        ] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_when("2026-01-31").unwrap(),
            time::macros::datetime!(2026-01-31 00:00 UTC)
        );
        assert_eq!(
            parse_when("2026-01-31T08:30:00+01:00").unwrap(),
            time::macros::datetime!(2026-01-31 07:30 UTC)
        );
        let week_ago = parse_when("1w").unwrap();
        let expected = OffsetDateTime::now_utc() - time::Duration::weeks(1);
        assert!((week_ago - expected).abs() < time::Duration::minutes(1));
        assert!(parse_when("yesterday").unwrap_err().contains("yesterday"));
    }
}
