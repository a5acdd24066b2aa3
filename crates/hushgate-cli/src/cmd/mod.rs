pub mod audit;
pub mod check;
pub mod keys;
pub mod redact;
pub mod restore;
pub mod review;
pub mod scan;
pub mod serve;

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use hushgate_config::Config;
use hushgate_detect::Engine;
use hushgate_redact::VaultKey;

/// The environment variable holding the vault key.
pub const VAULT_KEY_ENV: &str = "HUSHGATE_VAULT_KEY";

/// Loads the config file, or the defaults.
pub fn config(config: Option<&Path>) -> anyhow::Result<Config> {
    Ok(match config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    })
}

/// Loads the config file, or the embedded default `hushgate serve` runs
/// without one (tenant `default`, `sqlite://hushgate.db`, audit key files in
/// the working directory).
pub fn config_or_embedded(config: Option<&Path>) -> anyhow::Result<Config> {
    Ok(match config {
        Some(path) => Config::load(path)?,
        None => Config::embedded_default(),
    })
}

/// A runtime for the storage commands (one thread: they run one statement at a time).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Connects to `[storage] url` (migrating it); errors show the URL without its password.
pub async fn open_store(cfg: &Config) -> anyhow::Result<hushgate_store::Store> {
    hushgate_store::Store::connect(&cfg.storage.url)
        .await
        .with_context(|| format!("cannot open storage {}", cfg.storage.redacted_url()))
}

/// A time as people read it in a table: RFC 3339 to the second, UTC.
pub fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Left-aligned columns separated by two spaces, a header row first.
pub fn write_table<const N: usize>(
    out: &mut impl Write,
    header: &[&str; N],
    rows: &[[String; N]],
) -> std::io::Result<()> {
    let mut widths = header.map(str::len);
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = |cells: &[&str]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == N {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(header)?;
    for r in rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&cells)?;
    }
    Ok(())
}

/// Loads the config (or the defaults) and builds the detection engine.
pub fn engine(config: Option<&Path>, threshold: Option<f32>) -> anyhow::Result<Engine> {
    let mut cfg = self::config(config)?;
    if let Some(t) = threshold {
        cfg.detection.threshold = t;
    }
    engine_for(&cfg)
}

pub fn engine_for(cfg: &Config) -> anyhow::Result<Engine> {
    Engine::with_options(&cfg.detection).context("cannot build the detection engine")
}

/// The vault key from `HUSHGATE_VAULT_KEY`, with an error that says how to
/// make one (and never repeats the variable's value).
pub fn vault_key() -> anyhow::Result<VaultKey> {
    let value = std::env::var(VAULT_KEY_ENV).map_err(|e| match e {
        std::env::VarError::NotPresent => anyhow::anyhow!(
            "{VAULT_KEY_ENV} is not set: the vault is encrypted with a 256-bit key given as \
             64 hex characters or base64 of 32 bytes; create one with \
             `export {VAULT_KEY_ENV}=$(openssl rand -hex 32)` and keep it like a password"
        ),
        std::env::VarError::NotUnicode(_) => {
            anyhow::anyhow!("{VAULT_KEY_ENV} is not valid UTF-8")
        }
    })?;
    VaultKey::parse(&value).with_context(|| format!("{VAULT_KEY_ENV} is not a usable key"))
}

/// Splits JSON Lines input like `hushgate scan --jsonl` reads it: `\n` or
/// `\r\n` line ends, a final line end optional.
pub fn jsonl_lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let input = input.strip_suffix(b"\n").unwrap_or(input);
    let empty = input.is_empty();
    input
        .split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// Writes `bytes` to `path`, readable by the owner only where that exists.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Reads a file, or standard input, as bytes.
pub fn read_bytes(path: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    match path {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display())),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            Ok(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn tables_align() {
        let mut out = Vec::new();
        write_table(
            &mut out,
            &["A", "LONGER"],
            &[["xyz".into(), "1".into()], ["q".into(), "".into()]],
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "A    LONGER\nxyz  1\nq\n");
    }

    #[test]
    fn times_to_the_second_in_utc() {
        assert_eq!(
            format_time(time::macros::datetime!(2026-01-31 07:30:12.345 +02:00)),
            "2026-01-31T05:30:12Z"
        );
    }
}
