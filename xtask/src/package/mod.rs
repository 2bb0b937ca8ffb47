//! `cargo xtask package`: the Linux packages (deb, rpm) from Tauri's bundler, and with
//! `--check` the lints that say they are right; `--install-test` installs the deb into a
//! clean Debian 12 root and starts it there. Windows and macOS installers need their own
//! runners and are built by .github/workflows/release.yml.

mod chroot;
mod lint;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::{deps, sh};

pub struct Options {
    pub check: bool,
    pub install_test: bool,
    pub release: bool,
}

/// The two packages one run produced, copied out of cargo's (possibly shared) target dir.
pub struct Packages {
    pub deb: PathBuf,
    pub rpm: PathBuf,
}

pub fn run(root: &Path, opts: &Options) -> anyhow::Result<()> {
    // debootstrap, lintian, appstream, rpm… are in xtask/deps/apt.txt.
    deps::ensure_apt(root)?;
    let started = std::time::Instant::now();
    build_ui(root)?;
    let packages = bundle(root, opts.release)?;
    eprintln!(
        "packages built in {} s: {} ({}), {} ({})",
        started.elapsed().as_secs(),
        packages.deb.display(),
        mib(&packages.deb)?,
        packages.rpm.display(),
        mib(&packages.rpm)?,
    );
    if opts.check {
        let t = std::time::Instant::now();
        lint::run(root, &packages)?;
        eprintln!("✔ package lints passed in {} s", t.elapsed().as_secs());
    }
    if opts.install_test {
        let t = std::time::Instant::now();
        chroot::install_and_start(root, &packages.deb)?;
        eprintln!(
            "✔ install-and-start test passed in {} s",
            t.elapsed().as_secs()
        );
    }
    Ok(())
}

fn build_ui(root: &Path) -> anyhow::Result<()> {
    let ui = root.join("ui");
    if !ui.join("node_modules/.bin/tauri").exists() {
        sh::run(Command::new("npm").arg("ci").current_dir(&ui))?;
    }
    sh::run(Command::new("npm").args(["run", "build"]).current_dir(&ui))
}

/// Builds the app with cargo, strips it (Debian policy: shipped binaries carry no symbol
/// table), then lets the Tauri CLI's bundler make the deb and rpm from it, and copies them
/// to `<root>/target/packages/` so a later build sharing the target dir cannot swap them.
/// `tauri build` is not used: its `beforeBuildCommand` runs in ui/ (where `npm --prefix
/// ui` does not resolve) and a `--config` override changes `TAURI_CONFIG`, which makes
/// cargo rebuild every tauri crate.
fn bundle(root: &Path, release: bool) -> anyhow::Result<Packages> {
    let target = sh::target_dir(root);
    let profile = if release { "release" } else { "debug" };
    let mut build = sh::cargo();
    build.args(["build", "-p", "certdesk", "--bins"]);
    if release {
        build.arg("--release");
    }
    sh::run(build.current_dir(root))?;
    sh::run(
        Command::new("strip")
            .arg("--strip-unneeded")
            .arg(target.join(profile).join("certdesk")),
    )?;

    let bundle_dir = target.join(profile).join("bundle");
    for kind in ["deb", "rpm"] {
        let dir = bundle_dir.join(kind);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
    }
    let mut cmd = Command::new(root.join("ui/node_modules/.bin/tauri"));
    cmd.arg("bundle");
    if !release {
        cmd.arg("--debug");
    }
    sh::run(cmd.args(["--bundles", "deb,rpm", "--ci"]).current_dir(root))?;

    let out = root.join("target/packages");
    std::fs::create_dir_all(&out)?;
    Ok(Packages {
        deb: copy_single(&bundle_dir.join("deb"), "deb", &out)?,
        rpm: copy_single(&bundle_dir.join("rpm"), "rpm", &out)?,
    })
}

fn copy_single(dir: &Path, ext: &str, out: &Path) -> anyhow::Result<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
    let [one] = found.as_slice() else {
        bail!("expected one .{ext} in {}, found {found:?}", dir.display());
    };
    let name = one.file_name().context("bundle without a file name")?;
    let dest = out.join(name);
    std::fs::copy(one, &dest).with_context(|| format!("copying {}", one.display()))?;
    Ok(dest)
}

pub fn mib(path: &Path) -> anyhow::Result<String> {
    let len = std::fs::metadata(path)?.len();
    Ok(format!("{:.1} MiB", len as f64 / 1_048_576.0))
}
