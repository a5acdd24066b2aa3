//! End-to-end helpers: the real `hushgate` binary as a child process (killed on drop), in a
//! temp directory holding its config, SQLite file and audit key files.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A working directory for one gateway: `hushgate.toml`, `hushgate.db` and the audit key
/// files (relative paths in the config resolve here, as for a newcomer).
pub struct Workdir {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

/// The `[storage]` and `[audit]` tables: SQLite and key files in the working directory.
pub const STORAGE_AND_AUDIT: &str = r#"
[storage]
url = "sqlite://hushgate.db"

[audit]
signing_key_file = "hushgate-audit.key"
secret_file = "hushgate-secret.key"
checkpoint_interval_secs = 0
"#;

impl Workdir {
    /// A temp directory with `config` written as `hushgate.toml`.
    pub fn new(config: &str) -> Workdir {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hushgate.toml");
        std::fs::write(&path, config).unwrap();
        Workdir { dir, config: path }
    }

    /// `hushgate --config hushgate.toml ARGS...` in the working directory.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hushgate"));
        c.current_dir(self.dir.path())
            .env_remove("HUSHGATE_CONFIG")
            .env_remove("OPENAI_API_KEY")
            .env_remove("HUSHGATE_LOG")
            .arg("--config")
            .arg(&self.config);
        c
    }

    /// `hushgate keys create --tenant TENANT`: the key it prints (and only the key).
    pub fn create_key(&self, tenant: &str) -> String {
        let out = self
            .command()
            .args(["keys", "create", "--tenant", tenant, "--name", "e2e"])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "keys create failed: {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        let key = stdout.trim().to_owned();
        assert!(
            key.starts_with("hg_") && stdout.lines().count() == 1,
            "{stdout:?}"
        );
        key
    }

    /// `hushgate serve --listen 127.0.0.1:0`, waiting for its address.
    pub fn serve(&self) -> Served {
        let mut cmd = self.command();
        cmd.args(["serve", "--listen", "127.0.0.1:0"]);
        Served::start(cmd)
    }
}

#[path = "../common/served.rs"]
mod served;
pub use served::Served;

/// The cargo target directory this test was built in (`…/target`), from the binary's path
/// (`…/target/debug/hushgate`): caches for e2e tools live beside the build.
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_hushgate"));
    bin.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}
