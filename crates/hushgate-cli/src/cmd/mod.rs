pub mod redact;
pub mod restore;
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
