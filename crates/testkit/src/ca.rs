//! The reference CA service (`certdesk-ca`) as a real process on an ephemeral loopback
//! port with its own data dir, started and killed by PID.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use tempfile::TempDir;

/// The directory holding the workspace's built binaries (`target/debug`), found from
/// the running test executable (`target/debug/deps/<test>`).
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let deps = exe.parent().context("test executable has no parent dir")?;
    let dir = if deps.ends_with("deps") { deps.parent().context("no target dir")? } else { deps };
    Ok(dir.to_path_buf())
}

pub struct CaService {
    child: Child,
    url: String,
    _data: TempDir,
}

impl CaService {
    /// Starts `certdesk-ca serve --sandbox` and waits for the URL it prints first.
    pub fn start() -> anyhow::Result<Self> {
        let binary = std::env::var_os("CERTDESK_CA_BINARY")
            .map(PathBuf::from)
            .map_or_else(|| bin_dir().map(|d| d.join("certdesk-ca")), Ok)?;
        if !binary.exists() {
            bail!("{} missing: build it with `cargo build -p certdesk-ca-service`", binary.display());
        }
        let data = tempfile::tempdir()?;
        let mut child = Command::new(&binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--sandbox", "--data"])
            .arg(data.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("certdesk-ca stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let url = line.trim().to_owned();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            bail!("certdesk-ca printed {url:?} instead of its URL");
        }
        Ok(Self { child, url, _data: data })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for CaService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a `certdesk-ca` subcommand against the service and returns its stdout.
pub fn ca_command(args: &[&str]) -> anyhow::Result<String> {
    let binary = bin_dir()?.join("certdesk-ca");
    let out = crate::process::run(Command::new(binary).args(args))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
