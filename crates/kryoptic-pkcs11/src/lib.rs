//! Locates (and if needed builds) the Kryoptic PKCS#11 module used by the token tests.
//!
//! The module itself lives in `module/`, a separate Cargo workspace (see its manifest
//! for why). Lookup order: `$CERTDESK_KRYOPTIC_MODULE`, then the module's own target
//! directory; when neither has the library it is built once, under a file lock so
//! parallel test binaries do not build it twice.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variable that names a prebuilt `libkryoptic_pkcs11.so`.
pub const MODULE_ENV: &str = "CERTDESK_KRYOPTIC_MODULE";

/// File name of the built module on this OS.
pub const LIB_NAME: &str = if cfg!(target_os = "macos") {
    "libkryoptic_pkcs11.dylib"
} else if cfg!(windows) {
    "kryoptic_pkcs11.dll"
} else {
    "libkryoptic_pkcs11.so"
};

#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    #[error("{MODULE_ENV} names {0}, which does not exist")]
    EnvPathMissing(PathBuf),
    #[error("building the Kryoptic module failed (exit {status}); run `{command}` to see why")]
    BuildFailed { status: String, command: String },
    #[error("I/O while building the Kryoptic module: {0}")]
    Io(#[from] std::io::Error),
}

/// Manifest of the cdylib workspace.
pub fn manifest_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("module")
        .join("Cargo.toml")
}

/// Target directory the module is built into (kept apart from the main target dir so
/// that building it never waits on the main workspace's cargo lock).
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("module")
        .join("target")
}

/// The command that builds the module, as a string for messages and docs.
pub fn build_command() -> String {
    format!(
        "cargo build --manifest-path {} --target-dir {}",
        manifest_path().display(),
        target_dir().display()
    )
}

/// Path of the module, building it first if no build exists.
pub fn module_path() -> Result<PathBuf, LocateError> {
    if let Some(p) = std::env::var_os(MODULE_ENV) {
        let p = PathBuf::from(p);
        return if p.exists() {
            Ok(p)
        } else {
            Err(LocateError::EnvPathMissing(p))
        };
    }
    let built = target_dir().join("debug").join(LIB_NAME);
    if built.exists() {
        return Ok(built);
    }
    build()?;
    Ok(built)
}

fn build() -> Result<(), LocateError> {
    std::fs::create_dir_all(target_dir())?;
    // cargo takes its own lock on the target dir, so concurrent callers serialise there.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .arg("build")
        .arg("--manifest-path")
        .arg(manifest_path())
        .arg("--target-dir")
        .arg(target_dir())
        .status()?;
    if status.success() {
        Ok(())
    } else {
        Err(LocateError::BuildFailed {
            status: status.to_string(),
            command: build_command(),
        })
    }
}
