//! The tools' way: `pkcs11-tool --keypairgen` + `openssl req -engine pkcs11` +
//! `pkcs11-tool --write-object`, one process each.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::process::run;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::KeyAlgorithm;

use super::{PIN, Phases};

/// Where the tools find the token: the module they load, with its environment.
pub struct Tools<'a> {
    pub hsm: &'a SoftHsm,
    pub module: &'a Path,
    /// `OPENSSL_CONF` loading the pkcs11 engine over the real module.
    pub openssl_conf: &'a Path,
}

impl Tools<'_> {
    pub fn once(&self, ca: &TestCa, alg: KeyAlgorithm, n: usize) -> Phases {
        let id = format!("b{n:03}");
        let key_type = if alg == KeyAlgorithm::EcP256 {
            "EC:prime256v1"
        } else {
            "rsa:2048"
        };
        let csr = self.hsm.dir().join("baseline.csr");
        let t0 = Instant::now();
        run(self.pkcs11_tool().args([
            "--keypairgen",
            "--key-type",
            key_type,
            "--id",
            &id,
            "--label",
            &format!("tool-{n}"),
        ]))
        .unwrap();
        let keygen = t0.elapsed();
        let t1 = Instant::now();
        run(Command::new("openssl")
            .env(self.hsm.env().0, self.hsm.env().1)
            .env("OPENSSL_CONF", self.openssl_conf)
            .args([
                "req",
                "-new",
                "-engine",
                "pkcs11",
                "-keyform",
                "engine",
                "-outform",
                "DER",
                "-subj",
                &format!("/CN=bench {n}/C=CN"),
                "-key",
            ])
            .arg(format!(
                "pkcs11:token=BENCH;id={};type=private;pin-value={PIN}",
                percent(&id)
            ))
            .arg("-out")
            .arg(&csr))
        .unwrap();
        let csr_time = t1.elapsed();
        let leaf = ca
            .issue(&std::fs::read(&csr).unwrap(), Usage::Signing)
            .unwrap();
        let cert = self.hsm.dir().join("baseline.der");
        std::fs::write(&cert, leaf).unwrap();
        let t2 = Instant::now();
        run(self
            .pkcs11_tool()
            .args(["--write-object"])
            .arg(&cert)
            .args([
                "--type",
                "cert",
                "--id",
                &id,
                "--label",
                &format!("tool-{n}"),
            ]))
        .unwrap();
        Phases {
            keygen,
            csr: csr_time,
            write: t2.elapsed(),
            // Inside another process: not seen from here.
            keygen_call: None,
            outside_worker: None,
        }
    }

    /// `pkcs11-tool` logged in to the bench token (its environment is inherited, so the
    /// spy's variables reach it when `module` is the spy).
    fn pkcs11_tool(&self) -> Command {
        let mut c = Command::new("pkcs11-tool");
        c.env(self.hsm.env().0, self.hsm.env().1)
            .arg("--module")
            .arg(self.module)
            .args(["--token-label", "BENCH", "--login", "--pin", PIN]);
        c
    }
}

/// The `OPENSSL_CONF` that loads the pkcs11 engine over `module`.
pub fn openssl_conf(dir: &Path, module: &Path) -> std::path::PathBuf {
    let conf = dir.join("openssl.cnf");
    let engine = [
        "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .unwrap();
    std::fs::write(&conf, format!("openssl_conf = init\n[init]\nengines = engines\n[engines]\npkcs11 = p11\n[p11]\nengine_id = pkcs11\ndynamic_path = {engine}\nMODULE_PATH = {}\ninit = 0\n", module.display())).unwrap();
    conf
}

/// pkcs11-tool takes the id as hex; the pkcs11 URI wants it percent-encoded.
fn percent(hex_id: &str) -> String {
    hex_id
        .as_bytes()
        .chunks(2)
        .map(|c| format!("%{}", String::from_utf8_lossy(c)))
        .collect()
}
