//! The checks that make a package right, not just present: Debian's and freedesktop's
//! validators, plus the facts the issue asks for that no validator knows about
//! (the `%u` that carries certdesk:// links, the smart-card dependencies).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use super::Packages;
use crate::sh;

/// What a token user needs besides the app: the PC/SC daemon, the CCID reader driver,
/// the PC/SC client library, WebKitGTK 4.1 and the system SQLite the app links.
const DEB_DEPENDS: &[&str] = &[
    "pcscd",
    "libccid",
    "libpcsclite1",
    "libwebkit2gtk-4.1-0",
    "libsqlite3-0",
];
const RPM_REQUIRES: &[&str] = &[
    "pcsc-lite",
    "pcsc-lite-ccid",
    "pcsc-lite-libs",
    "webkit2gtk4.1",
    "sqlite-libs",
];

pub fn run(root: &Path, packages: &Packages) -> anyhow::Result<()> {
    man_page_current(root)?;
    let scratch = tempfile::tempdir()?;
    let deb_tree = scratch.path().join("deb");
    sh::run(
        Command::new("dpkg-deb")
            .arg("-x")
            .arg(&packages.deb)
            .arg(&deb_tree),
    )?;
    let rpm_tree = scratch.path().join("rpm");
    extract_rpm(&packages.rpm, &rpm_tree)?;

    for tree in [&deb_tree, &rpm_tree] {
        let desktop = tree.join("usr/share/applications/certdesk.desktop");
        sh::run(Command::new("desktop-file-validate").arg(&desktop))?;
        desktop_entry_handles_links(&desktop)?;
        sh::run(
            Command::new("appstreamcli")
                .args(["validate", "--no-net", "--pedantic"])
                .arg(tree.join("usr/share/metainfo/cn.certdesk.app.metainfo.xml")),
        )?;
    }

    // Errors and warnings fail. An accepted warning would be overridden, with its reason,
    // in a lintian-overrides file shipped in the package; today none is needed.
    sh::run(
        Command::new("lintian")
            .args(["--fail-on", "error,warning", "--info"])
            .arg(&packages.deb),
    )?;
    let depends = sh::output(
        Command::new("dpkg-deb")
            .args(["-f"])
            .arg(&packages.deb)
            .arg("Depends"),
    )?;
    require_all("deb Depends", &depends, DEB_DEPENDS)?;
    let requires = sh::output(
        Command::new("rpm")
            .args(["-qp", "--requires"])
            .arg(&packages.rpm),
    )?;
    require_all("rpm Requires", &requires, RPM_REQUIRES)?;
    let scripts = sh::output(
        Command::new("rpm")
            .args(["-qp", "--scripts"])
            .arg(&packages.rpm),
    )?;
    require_all("rpm scriptlets", &scripts, &["update-desktop-database"])?;
    Ok(())
}

/// `Exec` must pass the URL (`%u`), or the desktop drops the certdesk:// link it opens.
fn desktop_entry_handles_links(desktop: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(desktop)?;
    let exec = text
        .lines()
        .find(|l| l.starts_with("Exec="))
        .context("desktop entry without Exec")?;
    if !exec.split_whitespace().any(|arg| arg == "%u") {
        bail!("{}: {exec} does not pass the URL (%u)", desktop.display());
    }
    if !text
        .lines()
        .any(|l| l.starts_with("MimeType=") && l.contains("x-scheme-handler/certdesk;"))
    {
        bail!(
            "{}: no MimeType=x-scheme-handler/certdesk;",
            desktop.display()
        );
    }
    Ok(())
}

fn require_all(what: &str, haystack: &str, needles: &[&str]) -> anyhow::Result<()> {
    let words: Vec<&str> = haystack
        .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
        .collect();
    let missing: Vec<&&str> = needles.iter().filter(|n| !words.contains(n)).collect();
    if !missing.is_empty() {
        bail!("{what} lacks {missing:?}: {haystack}");
    }
    Ok(())
}

fn extract_rpm(rpm: &Path, into: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(into)?;
    let script = format!(
        "rpm2cpio '{}' | cpio -idm --quiet --no-absolute-filenames",
        rpm.display()
    );
    sh::run(Command::new("sh").args(["-c", &script]).current_dir(into))
}

/// The package ships the gzipped man page (lintian wants it compressed); it must be the
/// committed source, compressed reproducibly (`gzip -9n`).
fn man_page_current(root: &Path) -> anyhow::Result<()> {
    let dir = root.join("packaging/linux");
    let source = std::fs::read(dir.join("certdesk.1"))?;
    let unpacked = sh::output(
        Command::new("gzip")
            .arg("-dc")
            .arg(dir.join("certdesk.1.gz")),
    )?;
    if unpacked.as_bytes() != source.as_slice() {
        bail!(
            "packaging/linux/certdesk.1.gz is stale: run gzip -9n -k -f packaging/linux/certdesk.1"
        );
    }
    Ok(())
}
