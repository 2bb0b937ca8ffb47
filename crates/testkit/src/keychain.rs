//! A private OS keychain for tests: a `dbus-daemon --session` of the test's own with a
//! `gnome-keyring-daemon` (secrets component, login keyring unlocked) on it, both
//! started and killed by PID. Processes that should use it get
//! `DBUS_SESSION_BUS_ADDRESS` = [`PrivateKeyring::bus_address`]; nothing here changes the
//! test process's own environment or touches the user's session bus.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use tempfile::TempDir;

/// A daemon of this harness, killed by PID when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Field order is drop order: the keyring goes before its bus, the home dir last.
pub struct PrivateKeyring {
    _keyring: Daemon,
    _dbus: Daemon,
    home: TempDir,
    address: String,
}

impl PrivateKeyring {
    pub fn start() -> anyhow::Result<Self> {
        let home = tempfile::tempdir()?;
        let mut dbus = Daemon(
            Command::new("dbus-daemon")
                .args(["--session", "--nofork", "--print-address=1"])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .context("starting dbus-daemon (apt: dbus)")?,
        );
        let mut address = String::new();
        BufReader::new(dbus.0.stdout.take().context("dbus-daemon stdout")?)
            .read_line(&mut address)?;
        let address = address.trim().to_owned();
        if !address.starts_with("unix:") {
            bail!("dbus-daemon printed {address:?} instead of its address");
        }
        let mut keyring = Daemon(
            Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .env("DBUS_SESSION_BUS_ADDRESS", &address)
                .env("HOME", home.path())
                .env("XDG_DATA_HOME", home.path().join("data"))
                .env("XDG_RUNTIME_DIR", home.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(home.path().join("keyring.log"))?)
                .spawn()
                .context("starting gnome-keyring-daemon (apt: gnome-keyring)")?,
        );
        // The login keyring's password on stdin, then EOF.
        keyring
            .0
            .stdin
            .take()
            .context("gnome-keyring stdin")?
            .write_all(b"test-password")?;
        // Ready once the login keyring exists (a client that finds no default collection
        // asks to create one, which needs a prompt a headless run never answers) and the
        // secret service answers on the bus.
        let login = home.path().join("data/keyrings/login.keyring");
        for _ in 0..150 {
            if login.exists() && ping(&address) {
                return Ok(Self {
                    _keyring: keyring,
                    _dbus: dbus,
                    home,
                    address,
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "gnome-keyring never answered on the private bus; its log: {}",
            std::fs::read_to_string(home.path().join("keyring.log")).unwrap_or_default()
        )
    }

    /// The private bus, for `DBUS_SESSION_BUS_ADDRESS` of the processes that use it.
    pub fn bus_address(&self) -> &str {
        &self.address
    }

    /// The keyring's home (its `data/keyrings/` holds the stored secrets, encrypted).
    pub fn home(&self) -> &Path {
        self.home.path()
    }
}

fn ping(address: &str) -> bool {
    Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.DBus.Peer.Ping",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
