//! A throwaway CA made with the `openssl` CLI, to issue test certificates for CSRs the
//! token layer produced (`openssl x509 -req` also checks the CSR's signature, a second
//! opinion from a tool we did not write). The real CA service is tested elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::run;

pub struct TestCa {
    dir: tempfile::TempDir,
    key: PathBuf,
    cert: PathBuf,
    serial: std::cell::Cell<u32>,
}

/// Extensions for the issued certificate.
#[derive(Debug, Clone, Copy)]
pub enum Usage {
    Signing,
    Encryption,
}

impl TestCa {
    pub fn new() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("certdesk-testca-")
            .tempdir()?;
        let key = dir.path().join("ca.key");
        let cert = dir.path().join("ca.pem");
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "30",
            ])
            .args(["-subj", "/C=CN/O=CertDesk Test/CN=CertDesk Test CA"])
            .args([
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert))?;
        Ok(Self {
            dir,
            key,
            cert,
            serial: std::cell::Cell::new(0x1000),
        })
    }

    pub fn cert_pem_path(&self) -> &Path {
        &self.cert
    }

    pub fn cert_der(&self) -> anyhow::Result<Vec<u8>> {
        let out = run(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&self.cert))?;
        Ok(out.stdout)
    }

    fn ext_file(&self, usage: Usage) -> anyhow::Result<PathBuf> {
        let p = self.dir.path().join("ext.cnf");
        let ku = match usage {
            Usage::Signing => "critical,digitalSignature,nonRepudiation",
            Usage::Encryption => "critical,keyEncipherment,dataEncipherment,keyAgreement",
        };
        std::fs::write(
            &p,
            format!(
                "basicConstraints=critical,CA:FALSE\nkeyUsage={ku}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
            ),
        )?;
        Ok(p)
    }

    /// Issues a certificate for a DER CSR; returns the certificate as DER.
    pub fn issue(&self, csr_der: &[u8], usage: Usage) -> anyhow::Result<Vec<u8>> {
        let csr = self.dir.path().join("req.der");
        std::fs::write(&csr, csr_der)?;
        self.sign_request(&csr, "DER", usage)
    }

    fn sign_request(&self, csr: &Path, inform: &str, usage: Usage) -> anyhow::Result<Vec<u8>> {
        let n = self.serial.get() + 1;
        self.serial.set(n);
        let out = run(Command::new("openssl")
            .args(["x509", "-req", "-days", "30", "-inform", inform, "-in"])
            .arg(csr)
            .arg("-CA")
            .arg(&self.cert)
            .arg("-CAkey")
            .arg(&self.key)
            .args(["-set_serial", &n.to_string(), "-outform", "DER", "-extfile"])
            .arg(self.ext_file(usage)?))?;
        Ok(out.stdout)
    }

    /// Issues a certificate for a host key (PEM private key file), e.g. the encryption
    /// key a CA generates for a dual certificate.
    pub fn issue_for_key(
        &self,
        key_pem: &Path,
        subject: &str,
        usage: Usage,
    ) -> anyhow::Result<Vec<u8>> {
        let csr = self.dir.path().join("host.csr");
        run(Command::new("openssl")
            .args(["req", "-new", "-subj", subject, "-key"])
            .arg(key_pem)
            .arg("-out")
            .arg(&csr))?;
        self.sign_request(&csr, "PEM", usage)
    }

    /// A TLS server certificate for the IP address `ip` (its only name) with a fresh
    /// P-256 key; returns the certificate's and the key's PEM files.
    pub fn issue_server(&self, ip: &str) -> anyhow::Result<(PathBuf, PathBuf)> {
        let key = self.dir.path().join("server.key");
        let csr = self.dir.path().join("server.csr");
        let cert = self.dir.path().join("server.pem");
        run(Command::new("openssl")
            .args(["req", "-new", "-newkey", "ec", "-pkeyopt"])
            .args(["ec_paramgen_curve:P-256", "-nodes", "-subj"])
            .arg(format!("/CN={ip}"))
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&csr))?;
        let ext = self.dir.path().join("server-ext.cnf");
        std::fs::write(
            &ext,
            format!(
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:{ip}\n"
            ),
        )?;
        let n = self.serial.get() + 1;
        self.serial.set(n);
        run(Command::new("openssl")
            .args(["x509", "-req", "-days", "30", "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(&self.cert)
            .arg("-CAkey")
            .arg(&self.key)
            .args(["-set_serial", &n.to_string(), "-extfile"])
            .arg(&ext)
            .arg("-out")
            .arg(&cert))?;
        Ok((cert, key))
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}
