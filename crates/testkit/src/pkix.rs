//! Checking certificates with tools nobody here wrote: the `openssl` command line and
//! pkilint (`lint_pkix_cert`, from the Python test tools in `target/pyenv`).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Runs `openssl args…` in `dir`; its stdout, or an error with its stderr.
pub fn openssl(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .context("openssl must be installed")?;
    if !out.status.success() {
        bail!("openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// pkilint must report nothing at ERROR or above for the PEM certificate `file`. Its
/// findings are on stdout; Python warnings about its own dependencies (cryptography 51
/// deprecates DSA) are silenced so they are not mistaken for one.
pub fn pkilint(file: &Path) -> anyhow::Result<()> {
    let out = Command::new("lint_pkix_cert")
        .env("PYTHONWARNINGS", "ignore")
        .args(["lint", "-s", "ERROR", "--document-format", "PEM"])
        .arg(file)
        .output()
        .context("pkilint (lint_pkix_cert) must be on PATH: `cargo xtask deps` installs it")?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !text.trim().is_empty() {
        bail!("pkilint {}: {text}", file.display());
    }
    Ok(())
}

/// `openssl verify` accepts the certificate `leaf` (a PEM file in `dir`) up to
/// `root.pem` through `issuing.pem`, both in `dir`.
pub fn verify_chain(dir: &Path, leaf: &str) -> anyhow::Result<()> {
    let out = openssl(
        dir,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
            leaf,
        ],
    )?;
    if !out.contains(&format!("{leaf}: OK")) {
        bail!("openssl verify {leaf}: {out}");
    }
    Ok(())
}

/// As [`verify_chain`] for SM2: OpenSSL 3 has no default SM2 distinguishing ID and
/// applies `-vfyopt` only to the target certificate, so each link is verified on its own.
pub fn verify_sm2_chain(dir: &Path, leaf: &str) -> anyhow::Result<()> {
    let id = "distid:1234567812345678";
    let link = openssl(
        dir,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-vfyopt",
            id,
            "issuing.pem",
        ],
    )?;
    if !link.contains("issuing.pem: OK") {
        bail!("openssl verify issuing.pem: {link}");
    }
    let out = openssl(
        dir,
        &[
            "verify",
            "-partial_chain",
            "-CAfile",
            "issuing.pem",
            "-vfyopt",
            id,
            leaf,
        ],
    )?;
    if !out.contains(&format!("{leaf}: OK")) {
        bail!("openssl verify {leaf}: {out}");
    }
    Ok(())
}
