//! Installs what a fresh Debian/Ubuntu machine lacks: Debian packages (as root or with
//! sudo), the UI's npm packages, and the Python tools the tests call.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::sh;

pub fn ensure_all(root: &Path) -> anyhow::Result<()> {
    ensure_rust_components()?;
    ensure_apt(root)?;
    ensure_npm(root)?;
    ensure_pyenv(root)?;
    Ok(())
}

/// `cargo fmt` and `cargo clippy` are part of the test command; a minimal rustup
/// profile lacks them.
fn ensure_rust_components() -> anyhow::Result<()> {
    let missing: Vec<&str> = [("rustfmt", "rustfmt"), ("clippy", "cargo-clippy")]
        .into_iter()
        .filter(|(_, bin)| !sh::have(bin))
        .map(|(component, _)| component)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !sh::have("rustup") {
        bail!(
            "missing {}: install them with your Rust toolchain",
            missing.join(", ")
        );
    }
    sh::run(
        Command::new("rustup")
            .args(["component", "add"])
            .args(&missing),
    )
}

fn listed(file: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

pub fn ensure_apt(root: &Path) -> anyhow::Result<()> {
    if !sh::have("dpkg-query") {
        eprintln!("not a Debian/Ubuntu system: install the packages in xtask/deps/apt.txt by hand");
        return Ok(());
    }
    let missing: Vec<String> = listed(&root.join("xtask/deps/apt.txt"))?
        .into_iter()
        .filter(|p| !is_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing Debian packages: {}", missing.join(" "));
    let is_root = sh::output(Command::new("id").arg("-u"))?.trim() == "0";
    let prefix: Vec<&str> = if is_root {
        vec![]
    } else if sh::have("sudo") {
        vec!["sudo", "-n"]
    } else {
        bail!(
            "missing Debian packages and neither root nor sudo: apt-get install {}",
            missing.join(" ")
        );
    };
    let apt = |args: &[&str]| {
        let mut cmd = Command::new(prefix.first().copied().unwrap_or("apt-get"));
        cmd.args(prefix.iter().skip(1));
        if !prefix.is_empty() {
            cmd.arg("apt-get");
        }
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            .args(["-o", "DPkg::Lock::Timeout=600", "-q"])
            .args(args);
        cmd
    };
    sh::run(&mut apt(&["update"]))?;
    // With recommends: that is the set the suite was developed and measured against
    // (WebKitGTK's recommended GStreamer and font packages among them).
    let mut install = apt(&["install", "-y"]);
    install.args(&missing);
    sh::run(&mut install)
}

pub fn ensure_npm(root: &Path) -> anyhow::Result<()> {
    let ui = root.join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    let lock = ui.join("package-lock.json");
    let fresh = match (stamp.metadata(), lock.metadata()) {
        (Ok(s), Ok(l)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    if !sh::have("npm") {
        bail!("npm is missing: install Node.js 20 or newer (Debian: apt-get install nodejs npm)");
    }
    sh::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ui),
    )
}

/// The Python tools the tests call (schemathesis, pkilint) live in target/pyenv.
pub fn ensure_pyenv(root: &Path) -> anyhow::Result<()> {
    let reqs = listed(&root.join("xtask/deps/pip.txt"))?;
    let constraints = root.join("xtask/deps/pip-constraints.txt");
    let venv = root.join("target/pyenv");
    if reqs.is_empty() {
        return Ok(());
    }
    let stamp = venv.join(".installed");
    // Either file changing reinstalls.
    let wanted = reqs.join("\n") + "\n--\n" + &listed(&constraints)?.join("\n");
    // The stamp alone is not enough: a venv whose bin/ was emptied (a moved target dir)
    // keeps its stamp but has no tools.
    let intact = ["pip", "schemathesis", "lint_pkix_cert"]
        .iter()
        .all(|tool| venv.join("bin").join(tool).exists());
    if intact && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }
    if !venv.join("bin/pip").exists() {
        sh::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    sh::run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check", "-c"])
            .arg(&constraints)
            .args(&reqs),
    )?;
    std::fs::write(stamp, wanted)?;
    Ok(())
}
