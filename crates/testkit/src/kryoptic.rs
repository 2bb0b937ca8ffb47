//! A private Kryoptic token store (`KRYOPTIC_CONF`), with the module located or built
//! by `certdesk-kryoptic-pkcs11`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::run;

pub struct Kryoptic {
    dir: tempfile::TempDir,
    conf: PathBuf,
    module: PathBuf,
}

impl Kryoptic {
    /// Path of `libkryoptic_pkcs11.so`, building it on first use.
    pub fn module() -> anyhow::Result<PathBuf> {
        certdesk_kryoptic_pkcs11::module_path().context("Kryoptic module unavailable")
    }

    pub fn new() -> anyhow::Result<Self> {
        Self::with_slots(1)
    }

    /// A store with `slots` slots (1, 2, …), each with its own blank token, as a
    /// reader per slot would hold.
    pub fn with_slots(slots: u32) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("certdesk-kryoptic-")
            .tempdir()?;
        let conf = dir.path().join("kryoptic.conf");
        let text: String = (1..=slots)
            .map(|n| {
                // The first keeps the name single-slot stores always had.
                let db = match n {
                    1 => dir.path().join("token.sql"),
                    n => dir.path().join(format!("token-{n}.sql")),
                };
                format!(
                    "[[slots]]\nslot = {n}\ndbtype = \"sqlite\"\ndbargs = \"{}\"\n",
                    db.display()
                )
            })
            .collect();
        std::fs::write(&conf, text)?;
        Ok(Self {
            dir,
            conf,
            module: Self::module()?,
        })
    }

    pub fn module_path(&self) -> &Path {
        &self.module
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn env(&self) -> (&'static str, PathBuf) {
        ("KRYOPTIC_CONF", self.conf.clone())
    }

    /// Points this process's Kryoptic at the store (read at `C_Initialize`).
    ///
    /// # Safety
    /// Call before other threads read the environment.
    pub unsafe fn install_env(&self) {
        // SAFETY: per the caller's contract.
        unsafe { std::env::set_var("KRYOPTIC_CONF", &self.conf) };
    }

    fn tool(&self) -> Command {
        let mut c = Command::new("pkcs11-tool");
        c.env("KRYOPTIC_CONF", &self.conf)
            .arg("--module")
            .arg(&self.module);
        c
    }

    /// Initialises the token (label, SO PIN, user PIN) and returns its serial.
    pub fn init_token(&self, label: &str, so_pin: &str, user_pin: &str) -> anyhow::Result<String> {
        run(self
            .tool()
            .args(["--init-token", "--label", label, "--so-pin", so_pin]))?;
        run(self.tool().args([
            "--init-pin",
            "--login",
            "--login-type",
            "so",
            "--so-pin",
            so_pin,
            "--pin",
            user_pin,
        ]))?;
        let out = run(self.tool().arg("-T"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            if let Some(v) = line.trim().strip_prefix("serial num") {
                return Ok(v.trim_start_matches([' ', ':']).trim().to_string());
            }
        }
        bail!("no serial in pkcs11-tool -T output:\n{text}")
    }
}
