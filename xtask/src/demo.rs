//! `cargo xtask demo`: the app against the sandbox reference CA on loopback and, when
//! no real token module is configured, a SoftHSM2 "virtual USBKey" kept in the user's
//! data dir (so certificates downloaded in one demo are still there in the next).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::{deps, sh, test::optional_packages};

const SOFTHSM_MODULE: &str = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so";
const DEMO_LABEL: &str = "CertDesk Virtual USBKey";
// Demo-only token PINs, printed for the person running the demo; never used elsewhere.
const DEMO_SO_PIN: &str = "87654321";
const DEMO_USER_PIN: &str = "12345678";

pub fn run(root: &Path) -> anyhow::Result<()> {
    deps::ensure_all(root)?;
    sh::run(Command::new("npm").args(["run", "build"]).current_dir(root.join("ui")))?;
    sh::run(
        sh::cargo()
            .args(["build", "--bins", "-p", "certdesk"])
            .args(optional_packages(root, &["certdesk-ca-service"]))
            .current_dir(root),
    )?;
    let data = demo_dir()?;
    let debug = sh::target_dir(root).join("debug");
    let mut app = Command::new(debug.join("certdesk"));

    let _ca = match start_ca(&debug, &data.join("sandbox-ca"))? {
        Some((child, url)) => {
            println!("参考 CA 沙箱 / sandbox CA:  {url}   (沙箱页面 / sandbox page: {url}/sandbox)");
            app.env("CERTDESK_CA_URL", &url);
            Some(KillOnDrop(child))
        }
        None => {
            println!("参考 CA 服务尚未构建：应用将在没有 CA 的情况下启动。 / The reference CA is not built yet: the app starts without it.");
            None
        }
    };

    if std::env::var_os("CERTDESK_PKCS11_MODULE").is_none() {
        let conf = virtual_usbkey(&data.join("virtual-usbkey"))?;
        app.env("SOFTHSM2_CONF", &conf).env("CERTDESK_PKCS11_MODULE", SOFTHSM_MODULE);
        println!(
            "虚拟 USBKey / virtual USBKey: \"{DEMO_LABEL}\"  用户 PIN / user PIN: {DEMO_USER_PIN}  SO PIN: {DEMO_SO_PIN}"
        );
    }

    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!("no display: run the demo from a desktop session (or under xvfb-run to try it headless)");
    }
    let status = app.status().context("starting the app")?;
    if !status.success() {
        bail!("the app exited with {status}");
    }
    Ok(())
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn demo_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .context("HOME is not set")?;
    let dir = base.join("certdesk-demo");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Starts `certdesk-ca serve` in sandbox mode; its first stdout line is its URL.
fn start_ca(bin_dir: &Path, data: &Path) -> anyhow::Result<Option<(Child, String)>> {
    let binary = bin_dir.join("certdesk-ca");
    if !binary.exists() {
        return Ok(None);
    }
    std::fs::create_dir_all(data)?;
    let mut child = Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:0", "--sandbox", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting certdesk-ca")?;
    let stdout = child.stdout.take().context("certdesk-ca stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let url = line.trim().to_owned();
    if !url.starts_with("http") {
        let _ = child.kill();
        bail!("certdesk-ca printed {url:?} instead of its URL");
    }
    Ok(Some((child, url)))
}

/// A SoftHSM2 token store in the demo dir, initialised once.
fn virtual_usbkey(dir: &Path) -> anyhow::Result<PathBuf> {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens)?;
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
    )?;
    let initialised = std::fs::read_dir(&tokens)?.next().is_some();
    if !initialised {
        sh::run(
            Command::new("softhsm2-util")
                .env("SOFTHSM2_CONF", &conf)
                .args(["--init-token", "--free", "--label", DEMO_LABEL])
                .args(["--so-pin", DEMO_SO_PIN, "--pin", DEMO_USER_PIN]),
        )?;
    }
    Ok(conf)
}
