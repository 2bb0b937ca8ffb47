//! `cargo xtask demo`: the app against the sandbox reference CA on loopback and, when
//! no real token module is configured, a SoftHSM2 "virtual USBKey" kept in the user's
//! data dir (so certificates downloaded in one demo are still there in the next).

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
    sh::run(
        Command::new("npm")
            .args(["run", "build"])
            .current_dir(root.join("ui")),
    )?;
    sh::run(
        sh::cargo()
            .args(["build", "--bins", "-p", "certdesk"])
            .args(optional_packages(root, &["certdesk-ca-service"]))
            .current_dir(root),
    )?;
    let data = demo_dir()?;
    let debug = sh::target_dir(root).join("debug");
    let mut app = Command::new(debug.join("certdesk"));
    // The demo has no release feed: its update check answers "cannot be reached" instead
    // of asking the real update server.
    if std::env::var_os("CERTDESK_UPDATE_FEED").is_none() {
        app.env(
            "CERTDESK_UPDATE_FEED",
            "http://127.0.0.1:9/{channel}/latest.json",
        );
    }

    let _ca = match start_ca(&debug, &data.join("sandbox-ca"))? {
        Some((child, url)) => {
            println!(
                "参考 CA 沙箱 / sandbox CA:  {url}   (沙箱页面 / sandbox page: {url}/sandbox)"
            );
            app.env("CERTDESK_CA_URL", &url);
            Some(sh::KillOnDrop(child))
        }
        None => {
            println!(
                "参考 CA 服务尚未构建：应用将在没有 CA 的情况下启动。 / The reference CA is not built yet: the app starts without it."
            );
            None
        }
    };

    if std::env::var_os("CERTDESK_PKCS11_MODULE").is_none() {
        let conf = virtual_usbkey(&data.join("virtual-usbkey"))?;
        app.env("SOFTHSM2_CONF", &conf)
            .env("CERTDESK_PKCS11_MODULE", SOFTHSM_MODULE);
        println!(
            "虚拟 USBKey / virtual USBKey: \"{DEMO_LABEL}\"  用户 PIN / user PIN: {DEMO_USER_PIN}  SO PIN: {DEMO_SO_PIN}"
        );
    }

    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display: run the demo from a desktop session (or under xvfb-run to try it headless)"
        );
    }
    let status = app.status().context("starting the app")?;
    if !status.success() {
        bail!("the app exited with {status}");
    }
    Ok(())
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

/// Starts the sandbox CA with its data kept in the demo dir.
fn start_ca(bin_dir: &Path, data: &Path) -> anyhow::Result<Option<(Child, String)>> {
    let binary = bin_dir.join("certdesk-ca");
    if !binary.exists() {
        return Ok(None);
    }
    std::fs::create_dir_all(data)?;
    certdesk_testkit::ca::spawn_sandbox(&binary, data, Stdio::inherit()).map(Some)
}

/// A SoftHSM2 token store in the demo dir, initialised once.
fn virtual_usbkey(dir: &Path) -> anyhow::Result<PathBuf> {
    let tokens = dir.join("tokens");
    std::fs::create_dir_all(&tokens)?;
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
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
