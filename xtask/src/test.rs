//! `cargo xtask test`: every check the project promises, cheapest first.

use std::path::Path;
use std::process::Command;

use crate::{deps, sh};

pub fn run(root: &Path, e2e: bool) -> anyhow::Result<()> {
    deps::ensure_all(root)?;
    let ui = root.join("ui");
    // The app crate embeds ui/dist at compile time, so the UI is built before any cargo step.
    sh::run(Command::new("npm").args(["run", "build"]).current_dir(&ui))?;
    sh::run(
        sh::cargo()
            .args(["fmt", "--all", "--check"])
            .current_dir(root),
    )?;
    sh::run(Command::new("npm").args(["run", "check"]).current_dir(&ui))?;
    sh::run(Command::new("npm").args(["test"]).current_dir(&ui))?;
    sh::run(
        sh::cargo()
            .args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(root),
    )?;
    // Tests start the built binaries (certdesk-ca, certdesk-cli) as real processes.
    sh::run(
        sh::cargo()
            .args(["build", "--workspace", "--bins"])
            .current_dir(root),
    )?;
    build_kryoptic(root)?;
    sh::run(
        test_env(root, &mut sh::cargo())
            .args(["test", "--workspace", "--exclude", "certdesk-e2e"])
            .current_dir(root),
    )?;
    if e2e {
        run_e2e(root)?;
    }
    eprintln!("✔ all checks and tests passed");
    Ok(())
}

/// The environment every test process gets: the Python tools first on PATH, and no
/// stray D-Bus daemons started by GLib.
pub fn test_env<'a>(root: &Path, cmd: &'a mut Command) -> &'a mut Command {
    let path = std::env::var("PATH").unwrap_or_default();
    let pybin = root.join("target/pyenv/bin");
    cmd.env("PATH", format!("{}:{path}", pybin.display()))
        .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
}

/// Kryoptic, the second real PKCS#11 module of the token tests, lives in a workspace of
/// its own (its dependency tree must not mix with the app's); build it up front so no
/// test pays for it.
fn build_kryoptic(root: &Path) -> anyhow::Result<()> {
    let module = root.join("crates/kryoptic-pkcs11/module");
    if !module.join("Cargo.toml").exists() {
        return Ok(());
    }
    sh::run(
        sh::cargo()
            .arg("build")
            .arg("--manifest-path")
            .arg(module.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(module.join("target"))
            .current_dir(root),
    )
}

/// The end-to-end suite drives the real app window through WebKitWebDriver under Xvfb.
fn run_e2e(root: &Path) -> anyhow::Result<()> {
    sh::run(
        sh::cargo()
            .args(["build", "--bins", "-p", "certdesk"])
            .args(optional_packages(root, &["certdesk-ca-service"]))
            .current_dir(root),
    )?;
    let mut cmd = Command::new("xvfb-run");
    cmd.args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["test", "-p", "certdesk-e2e", "--", "--test-threads=1"])
        .current_dir(root);
    sh::run(test_env(root, &mut cmd))
}

/// `-p NAME` for each package that exists yet, so the harness grows with the workspace.
pub fn optional_packages(root: &Path, names: &[&str]) -> Vec<String> {
    let mut args = Vec::new();
    for name in names {
        let dir = name.trim_start_matches("certdesk-");
        if root.join("crates").join(dir).join("Cargo.toml").exists() {
            args.push("-p".to_owned());
            args.push((*name).to_owned());
        }
    }
    args
}
