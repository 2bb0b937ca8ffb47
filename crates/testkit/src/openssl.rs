//! `openssl` signing through a PKCS#11 token with the pkcs11 engine
//! (libengine-pkcs11-openssl), and checking that signature with a certificate: a tool
//! nobody here wrote proves a key on the token and its certificate belong together.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::process::run;

const ENGINE_PATHS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so",
];

/// Writes `dir/openssl.cnf`, loading the pkcs11 engine on `module`; returns its path
/// (for `OPENSSL_CONF`).
pub fn engine_conf(dir: &Path, module: &Path) -> anyhow::Result<PathBuf> {
    let engine = ENGINE_PATHS
        .iter()
        .find(|p| Path::new(p).exists())
        .context("libengine-pkcs11-openssl not installed")?;
    let conf = dir.join("openssl.cnf");
    std::fs::write(
        &conf,
        format!(
            "openssl_conf = init\n[init]\nengines = engines\n[engines]\npkcs11 = p11\n[p11]\nengine_id = pkcs11\ndynamic_path = {engine}\nMODULE_PATH = {}\ninit = 0\n",
            module.display()
        ),
    )?;
    Ok(conf)
}

/// The RFC 7512 URI of the private key with CKA_ID `key_id` (hex) on the token
/// labelled `token`, logging in with `pin`.
pub fn private_key_uri(token: &str, key_id: &str, pin: &str) -> String {
    let id: String = key_id
        .as_bytes()
        .chunks(2)
        .map(|c| format!("%{}", String::from_utf8_lossy(c)))
        .collect();
    format!("pkcs11:token={token};id={id};type=private;pin-value={pin}")
}

/// `openssl` with the engine config `conf` and the module's environment `env`.
fn engine_openssl(conf: &Path, env: Option<(&str, &OsStr)>) -> Command {
    let mut cmd = Command::new("openssl");
    cmd.env("OPENSSL_CONF", conf);
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    cmd
}

/// Signs `data` (SHA-256) with the token key at `uri` through the engine of `conf`,
/// into `sig`. `env` reaches the module (e.g. SoftHSM2's config file).
pub fn engine_sign(
    conf: &Path,
    env: Option<(&str, &OsStr)>,
    uri: &str,
    data: &Path,
    sig: &Path,
) -> anyhow::Result<()> {
    run(engine_openssl(conf, env)
        .args([
            "dgst", "-sha256", "-engine", "pkcs11", "-keyform", "engine", "-sign", uri, "-out",
        ])
        .arg(sig)
        .arg(data))?;
    Ok(())
}

/// A PKCS#10 request (PEM) signed by the token key at `uri` through the engine of
/// `conf`: the CSR a token makes without its key ever leaving it.
pub fn engine_csr(
    conf: &Path,
    env: Option<(&str, &OsStr)>,
    uri: &str,
    out: &Path,
) -> anyhow::Result<String> {
    run(engine_openssl(conf, env)
        .args([
            "req", "-new", "-engine", "pkcs11", "-keyform", "engine", "-key", uri,
        ])
        .args(["-subj", "/CN=ignored", "-sha256", "-out"])
        .arg(out))?;
    Ok(std::fs::read_to_string(out)?)
}

/// Whether the public key of `cert` (`inform`: "PEM" or "DER") verifies `sig` over
/// `data`: openssl says "Verified OK".
pub fn verified_by(cert: &Path, inform: &str, data: &Path, sig: &Path) -> anyhow::Result<bool> {
    let out = run(Command::new("openssl")
        .args(["x509", "-inform", inform, "-noout", "-pubkey", "-in"])
        .arg(cert))?;
    let pubkey = sig.with_extension("pub.pem");
    std::fs::write(&pubkey, out.stdout)?;
    let out = run(Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&pubkey)
        .arg("-signature")
        .arg(sig)
        .arg(data))?;
    Ok(String::from_utf8_lossy(&out.stdout).contains("Verified OK"))
}
