//! The reference CA service (`certdesk-ca`) as a real process on an ephemeral loopback
//! port with its own data dir, started and killed by PID.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};
use tempfile::TempDir;

/// The directory holding the workspace's built binaries (`target/debug`), found from
/// the running test executable (`target/debug/deps/<test>`).
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let deps = exe.parent().context("test executable has no parent dir")?;
    let dir = if deps.ends_with("deps") {
        deps.parent().context("no target dir")?
    } else {
        deps
    };
    Ok(dir.to_path_buf())
}

/// The `certdesk-ca` to run: `CERTDESK_CA_BINARY`, else the one built beside the test.
fn ca_binary() -> anyhow::Result<PathBuf> {
    Ok(match std::env::var_os("CERTDESK_CA_BINARY") {
        Some(b) => PathBuf::from(b),
        None => bin_dir()?.join("certdesk-ca"),
    })
}

/// For a bench (built in the release profile): points `CERTDESK_CA_BINARY` at the
/// `certdesk-ca` built beside it, or the debug one, unless it is set already.
pub fn use_built_ca_binary() -> anyhow::Result<()> {
    if std::env::var_os("CERTDESK_CA_BINARY").is_some() {
        return Ok(());
    }
    let dir = bin_dir()?;
    let found = [
        dir.join("certdesk-ca"),
        dir.parent()
            .context("no target dir")?
            .join("debug/certdesk-ca"),
    ]
    .into_iter()
    .find(|p| p.exists())
    .context("no certdesk-ca binary: cargo build -p certdesk-ca-service")?;
    // SAFETY: called first thing in a bench's single-threaded main, before anything
    // reads the environment.
    unsafe { std::env::set_var("CERTDESK_CA_BINARY", found) };
    Ok(())
}

/// Starts `certdesk-ca serve --sandbox` on an ephemeral loopback port with `data` as
/// its data dir; returns the process and the URL it prints on its first line.
pub fn spawn_sandbox(binary: &Path, data: &Path, stderr: Stdio) -> anyhow::Result<(Child, String)> {
    spawn_sandbox_on(binary, data, "127.0.0.1:0", &[], stderr)
}

/// As [`spawn_sandbox`], listening on `listen` (a restart on the same port), with
/// extra `serve` options (e.g. a short `--payment-ttl-secs`).
pub fn spawn_sandbox_on(
    binary: &Path,
    data: &Path,
    listen: &str,
    extra: &[String],
    stderr: Stdio,
) -> anyhow::Result<(Child, String)> {
    let mut args = vec!["--sandbox".to_owned()];
    args.extend_from_slice(extra);
    spawn_serve(binary, data, listen, &args, stderr)
}

/// Starts `certdesk-ca serve` on `listen` with `data` as its data dir and the `serve`
/// options `args` (no `--sandbox` unless given: production mode); returns the process
/// and the URL it prints on its first line.
pub fn spawn_serve(
    binary: &Path,
    data: &Path,
    listen: &str,
    args: &[String],
    stderr: Stdio,
) -> anyhow::Result<(Child, String)> {
    let mut child = Command::new(binary)
        .args(["serve", "--listen", listen, "--data"])
        .arg(data)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
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
    Ok((child, url))
}

/// A sandbox CA in a temp data dir, killed on drop.
pub struct CaService {
    child: Child,
    url: String,
    binary: PathBuf,
    extra: Vec<String>,
    _data: TempDir,
}

impl CaService {
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(&[])
    }

    /// With extra `serve` options, kept across [`Self::restart`].
    pub fn start_with(extra: &[&str]) -> anyhow::Result<Self> {
        let binary = ca_binary()?;
        if !binary.exists() {
            bail!(
                "{} missing: build it with `cargo build -p certdesk-ca-service`",
                binary.display()
            );
        }
        let data = tempfile::tempdir()?;
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        let (child, url) =
            spawn_sandbox_on(&binary, data.path(), "127.0.0.1:0", &extra, Stdio::null())?;
        Ok(Self {
            child,
            url,
            binary,
            extra,
            _data: data,
        })
    }

    /// Kills the service (the data dir stays): clients now see the CA unreachable.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same address and data with other `serve` options.
    pub fn restart_with(&mut self, extra: &[&str]) -> anyhow::Result<()> {
        self.extra = extra.iter().map(|s| (*s).to_owned()).collect();
        self.restart()
    }

    /// Starts it again on the same address with the same data.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        let listen = self
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let (child, url) = spawn_sandbox_on(
            &self.binary,
            self._data.path(),
            &listen,
            &self.extra,
            Stdio::null(),
        )?;
        if url.trim_end_matches('/') != self.url.trim_end_matches('/') {
            bail!("restarted on {url}, not {}", self.url);
        }
        self.child = child;
        Ok(())
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The service's data dir (`ca.sqlite3`, documents, CA keys).
    pub fn data_dir(&self) -> &Path {
        self._data.path()
    }
}

impl Drop for CaService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a `certdesk-ca` subcommand and returns its stdout.
pub fn ca_command(args: &[&str]) -> anyhow::Result<String> {
    let binary = ca_binary()?;
    let out = crate::process::run(Command::new(binary).args(args))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// An application walked to "approved" over HTTP by `certdesk-ca sandbox approved-order`,
/// with what the download asks for (the password card is printed by the sandbox).
pub use certdesk_ca_api::sandbox::ApprovedOrder;

/// Makes an approved order on `channel` at the sandbox CA at `url`.
pub fn approved_order(url: &str, channel: &str) -> anyhow::Result<ApprovedOrder> {
    let out = ca_command(&[
        "sandbox",
        "approved-order",
        "--ca",
        url,
        "--channel",
        channel,
        "--json",
    ])?;
    serde_json::from_str(&out).map_err(|e| anyhow::anyhow!("approved-order printed no order: {e}"))
}

/// How many certificates the CA in `data_dir` issued for an application, read from its
/// database (read-only, so a running service is not disturbed).
pub fn issued_for(data_dir: &Path, application_id: &str) -> anyhow::Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(
        data_dir.join("ca.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM certificates WHERE application_id = ?1",
        [application_id],
        |r| r.get(0),
    )?)
}
