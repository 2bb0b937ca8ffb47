//! A private SoftHSM2 token store in a temp dir (`SOFTHSM2_CONF`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::run;

const MODULE_PATHS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

pub struct SoftHsm {
    dir: tempfile::TempDir,
    conf: PathBuf,
    tokens: PathBuf,
    unplugged: PathBuf,
}

impl SoftHsm {
    /// The installed SoftHSM2 module.
    pub fn module() -> anyhow::Result<PathBuf> {
        MODULE_PATHS
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .context("SoftHSM2 is not installed (apt-get install softhsm2)")
    }

    pub fn new() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("certdesk-softhsm-")
            .tempdir()?;
        let tokens = dir.path().join("tokens");
        let unplugged = dir.path().join("unplugged");
        std::fs::create_dir_all(&tokens)?;
        std::fs::create_dir_all(&unplugged)?;
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )?;
        Ok(Self {
            dir,
            conf,
            tokens,
            unplugged,
        })
    }

    pub fn conf(&self) -> &Path {
        &self.conf
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Environment for child processes (pkcs11-tool, openssl) using this store.
    pub fn env(&self) -> (&'static str, PathBuf) {
        ("SOFTHSM2_CONF", self.conf.clone())
    }

    /// Points this process's SoftHSM2 at the store. SoftHSM2 reads the variable at
    /// `C_Initialize`, and a module is initialised once per process, so each test
    /// binary that loads SoftHSM2 in-process uses one store.
    ///
    /// # Safety
    /// Call before other threads read the environment (start of a test binary's only
    /// SoftHSM2 test, before any module is loaded).
    pub unsafe fn install_env(&self) {
        // SAFETY: per the caller's contract.
        unsafe { std::env::set_var("SOFTHSM2_CONF", &self.conf) };
    }

    fn util(&self) -> Command {
        let mut c = Command::new("softhsm2-util");
        c.env("SOFTHSM2_CONF", &self.conf);
        c
    }

    /// Initialises a fresh token and returns its serial number: the one serial that was
    /// not there before (labels need not be unique: two operators' tokens may share one).
    pub fn init_token(&self, label: &str, so_pin: &str, user_pin: &str) -> anyhow::Result<String> {
        let before = self.serials()?;
        run(self.util().args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            so_pin,
            "--pin",
            user_pin,
        ]))?;
        let fresh: Vec<String> = self
            .serials()?
            .into_iter()
            .filter(|s| !before.contains(s))
            .collect();
        match fresh.as_slice() {
            [one] => Ok(one.clone()),
            _ => bail!("token {label}: not one new serial after --init-token: {fresh:?}"),
        }
    }

    /// The serials of the initialised tokens in the store.
    fn serials(&self) -> anyhow::Result<Vec<String>> {
        let out = run(self.util().arg("--show-slots"))?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Serial number:"))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect())
    }

    /// Generates a key pair on the token labelled `label` with `pkcs11-tool` (the
    /// module's own key generation: the private key never leaves the token).
    /// `key_type` as pkcs11-tool takes it: `EC:prime256v1`, `rsa:2048`.
    pub fn generate_key(
        &self,
        label: &str,
        user_pin: &str,
        key_type: &str,
        id_hex: &str,
    ) -> anyhow::Result<()> {
        run(Command::new("pkcs11-tool")
            .env("SOFTHSM2_CONF", &self.conf)
            .arg("--module")
            .arg(Self::module()?)
            .args(["--token-label", label, "--login", "--pin", user_pin])
            .args(["--keypairgen", "--key-type", key_type, "--id", id_hex])
            .args(["--label", label]))?;
        Ok(())
    }

    /// "Unplugs" every token: moves their directories out of the token dir. The module
    /// sees it after re-initialisation, as with a real USB token and SoftHSM2.
    pub fn unplug(&self) -> anyhow::Result<()> {
        move_children(&self.tokens, &self.unplugged)
    }

    /// "Unplugs" one token, found by serial, leaving the others inserted; [`replug`]
    /// puts it back. A token's directory is named by a UUID whose last 16 hex digits
    /// (without the dash) are its serial.
    ///
    /// [`replug`]: Self::replug
    pub fn unplug_token(&self, serial: &str) -> anyhow::Result<()> {
        for e in std::fs::read_dir(&self.tokens)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().replace('-', "");
            if name.ends_with(serial) {
                std::fs::rename(e.path(), self.unplugged.join(e.file_name()))?;
                return Ok(());
            }
        }
        bail!("no SoftHSM2 token {serial} in {}", self.tokens.display())
    }

    /// Deletes one token for good (a USBKey lost), leaving the others inserted.
    pub fn delete_token(&self, serial: &str) -> anyhow::Result<()> {
        run(self.util().args(["--delete-token", "--serial", serial]))?;
        Ok(())
    }

    /// Puts unplugged tokens back.
    pub fn replug(&self) -> anyhow::Result<()> {
        move_children(&self.unplugged, &self.tokens)
    }
}

fn move_children(from: &Path, to: &Path) -> anyhow::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        std::fs::rename(e.path(), to.join(e.file_name()))?;
    }
    Ok(())
}
