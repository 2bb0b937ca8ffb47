//! The field self-check of a real token (`certdesk-cli doctor --deep`, 环境检测): with the
//! user's PIN, for each algorithm the token offers, make a key pair on it, a CSR and a
//! certificate signed on it, write the certificate and read it back, sign and verify,
//! then delete everything made. It confirms on the user's own token the mechanism-table
//! rows no one here could try (the vendor SM2 rows among them), and proves it left the
//! token as it found it by comparing every object before and after.
//!
//! Everything it makes carries the label prefix [`LABEL_PREFIX`]: a check interrupted
//! (token pulled, process killed) leaves only objects the next check recognises and
//! removes first.

mod certificate;
mod inventory;

use std::str::FromStr;

use der::Decode;
use x509_cert::name::Name;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

pub use inventory::ObjectPrint;

use crate::error::{Result, TokenError};
use crate::keys::{KeyPurpose, KeySpec};
use crate::pubkey::{self, KeyAlgorithm};
use crate::worker::{TokenRef, TokenService};

/// Label prefix of every object the check makes.
pub const LABEL_PREFIX: &str = "certdesk-selfcheck-";

/// The checks run for one algorithm, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStep {
    /// `C_GenerateKeyPair` with the algorithm's (possibly vendor) mechanism.
    KeyPair,
    /// A PKCS#10 request signed on the token, verified on the host.
    Csr,
    /// A certificate signed on the token, verified on the host, written to the token.
    WriteCertificate,
    /// The certificate read back byte for byte, paired with its key.
    ReadBack,
    /// A random challenge signed on the token, verified with the certificate's key.
    SignVerify,
    /// Everything made is deleted again.
    Delete,
}

/// How one step went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// Done on the token, but nothing on this computer can verify it (SM2 signatures).
    NotVerifiable,
    Failed {
        detail: String,
    },
    /// An earlier step failed.
    NotRun,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StepResult {
    pub step: CheckStep,
    pub outcome: Outcome,
}

/// One algorithm on this token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AlgorithmCheck {
    pub algorithm: KeyAlgorithm,
    /// The token lists the mechanisms for it.
    pub offered: bool,
    /// The vendor table row used (SM2), e.g. "Feitian".
    pub vendor_row: Option<String>,
    pub steps: Vec<StepResult>,
    /// Every step passed and was verified: the row is confirmed on this token.
    pub confirmed: bool,
}

/// The whole check of one token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SelfCheckReport {
    pub token: TokenRef,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub algorithms: Vec<AlgorithmCheck>,
    /// Objects an earlier, interrupted check had left (recognised by label), removed.
    pub leftovers_removed: usize,
    /// Objects before and after compared equal: the token is as it was found.
    pub untouched: bool,
    /// Fingerprints of objects that differ between before and after, when any.
    pub changed: Vec<ObjectPrint>,
}

impl SelfCheckReport {
    /// Every offered algorithm confirmed and the token left as found.
    pub fn passed(&self) -> bool {
        self.untouched
            && self
                .algorithms
                .iter()
                .filter(|a| a.offered)
                .all(|a| a.confirmed)
    }
}

const ALGORITHMS: [KeyAlgorithm; 4] = [
    KeyAlgorithm::Rsa2048,
    KeyAlgorithm::Rsa3072,
    KeyAlgorithm::EcP256,
    KeyAlgorithm::Sm2,
];

/// Runs the steps for one algorithm, recording each; stops at the first failure.
struct Run<'a> {
    svc: &'a TokenService,
    token: &'a TokenRef,
    algorithm: KeyAlgorithm,
    steps: Vec<StepResult>,
}

impl Run<'_> {
    fn record<T>(&mut self, step: CheckStep, r: Result<(T, bool)>) -> Option<T> {
        let (value, outcome) = match r {
            Ok((v, true)) => (Some(v), Outcome::Passed),
            Ok((v, false)) => (Some(v), Outcome::NotVerifiable),
            Err(e) => (
                None,
                Outcome::Failed {
                    detail: e.to_string(),
                },
            ),
        };
        self.steps.push(StepResult { step, outcome });
        value
    }

    /// Key pair → CSR → certificate → read back → sign/verify. Returns the key id made
    /// (for deletion), if any.
    async fn make(&mut self) -> Option<String> {
        let (svc, token, algorithm) = (self.svc, self.token.clone(), self.algorithm);
        let nonce = hex::encode(rand_bytes(6));
        let spec = KeySpec {
            algorithm,
            purpose: KeyPurpose::Signing,
            label: format!("{LABEL_PREFIX}{nonce}"),
            subject: None,
        };
        let key = self.record(
            CheckStep::KeyPair,
            svc.generate_key_pair(token.clone(), spec)
                .await
                .map(|k| (k, true)),
        )?;
        let subject = format!("CN=CertDesk self-check {nonce}");
        let csr = svc
            .create_csr(token.clone(), key.id.clone(), subject.clone())
            .await
            .map(|c| ((), c.verified_locally));
        self.record(CheckStep::Csr, csr)?;
        let written = self_signed(svc, &token, algorithm, &key.id, &key.spki_der, &subject).await;
        let der = self.record(CheckStep::WriteCertificate, written)?;
        let read = svc
            .list_certificates(token.clone())
            .await
            .and_then(|certs| {
                let back = certs.iter().find(|c| c.id == key.id);
                match back {
                    Some(c) if c.der == der && c.has_private_key != Some(false) => Ok(((), true)),
                    Some(_) => Err(TokenError::BadCertificate {
                        detail: "read back different bytes".into(),
                    }),
                    None => Err(TokenError::BadCertificate {
                        detail: "not found after writing".into(),
                    }),
                }
            });
        self.record(CheckStep::ReadBack, read)?;
        let verifiable = algorithm != KeyAlgorithm::Sm2;
        let signed = if verifiable {
            svc.self_test(token.clone(), key.id.clone())
                .await
                .map(|_| ((), true))
        } else {
            svc.sign(token.clone(), key.id.clone(), rand_bytes(32))
                .await
                .map(|_| ((), false))
        };
        self.record(CheckStep::SignVerify, signed);
        Some(key.id)
    }
}

/// Signs a self-signed certificate for the key on the token, verifies it on the host
/// (not possible for SM2 here), writes it; returns its DER and whether it was verified.
async fn self_signed(
    svc: &TokenService,
    token: &TokenRef,
    algorithm: KeyAlgorithm,
    key_id: &str,
    spki_der: &[u8],
    subject: &str,
) -> Result<(Vec<u8>, bool)> {
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der)?;
    let name = Name::from_str(subject).map_err(|e| TokenError::BadInput {
        detail: format!("subject: {e}"),
    })?;
    let tbs = certificate::tbs(algorithm, &name, spki.clone(), &rand_serial())?;
    let sig = svc
        .sign(token.clone(), key_id.to_owned(), tbs.clone())
        .await?;
    let expected = certificate::signature_algorithm(algorithm).oid;
    if sig.algorithm != expected.to_string() {
        return Err(TokenError::SelfTestFailed {
            detail: format!("signed with {}, expected {expected}", sig.algorithm),
        });
    }
    let verified = algorithm != KeyAlgorithm::Sm2;
    if verified {
        pubkey::verify(&spki, expected, &tbs, &sig.signature)?;
    }
    let der = certificate::assemble(algorithm, &tbs, &sig.signature)?;
    svc.write_certificate(token.clone(), der.clone(), Vec::new())
        .await?;
    Ok((der, verified))
}

fn rand_bytes(n: usize) -> Vec<u8> {
    use rand::RngCore as _;
    let mut v = vec![0u8; n];
    rand::rng().fill_bytes(&mut v);
    v
}

/// A positive 16-byte serial.
fn rand_serial() -> Vec<u8> {
    let mut s = rand_bytes(16);
    s[0] &= 0x7f;
    s[0] |= 0x01;
    s
}

/// Objects in `a` that are not in `b`.
fn missing_from(a: &[ObjectPrint], b: &[ObjectPrint]) -> Vec<ObjectPrint> {
    a.iter().filter(|o| !b.contains(o)).cloned().collect()
}

impl TokenService {
    /// The self-check of one token (the PIN must be right: it logs in). Removes what an
    /// earlier interrupted check left, then checks each offered algorithm and deletes
    /// what it made; the report says whether the objects after equal those before.
    pub async fn self_check(
        &self,
        token: TokenRef,
        pin: crate::SecretString,
    ) -> Result<SelfCheckReport> {
        let info = self.token_info(token.clone()).await?;
        let _ = self.logout(token.clone()).await;
        self.login(token.clone(), pin, false).await?;
        let leftovers_removed = {
            let t = token.clone();
            self.call(move |w| inventory::remove_labelled(w, &t, LABEL_PREFIX))
                .await?
        };
        let before = {
            let t = token.clone();
            self.call(move |w| inventory::take(w, &t)).await?
        };
        let caps = self.capabilities(token.clone()).await?;
        let mut algorithms = Vec::new();
        for algorithm in ALGORITHMS {
            let offered = caps.supports(algorithm);
            let vendor_row = (algorithm == KeyAlgorithm::Sm2)
                .then(|| caps.sm2.map(|r| r.vendor.to_owned()))
                .flatten();
            let mut run = Run {
                svc: self,
                token: &token,
                algorithm,
                steps: Vec::new(),
            };
            if offered {
                let made = run.make().await;
                let deleted = match made {
                    Some(id) => self
                        .delete_by_id(token.clone(), id)
                        .await
                        .map(|n| ((), n > 0)),
                    // Nothing identified: clear anything the failed step left by label.
                    None => {
                        let t = token.clone();
                        self.call(move |w| inventory::remove_labelled(w, &t, LABEL_PREFIX))
                            .await
                            .map(|_| ((), true))
                    }
                };
                for step in [
                    CheckStep::KeyPair,
                    CheckStep::Csr,
                    CheckStep::WriteCertificate,
                    CheckStep::ReadBack,
                    CheckStep::SignVerify,
                ] {
                    if !run.steps.iter().any(|s| s.step == step) {
                        run.steps.push(StepResult {
                            step,
                            outcome: Outcome::NotRun,
                        });
                    }
                }
                run.record(CheckStep::Delete, deleted);
            }
            let confirmed = offered && run.steps.iter().all(|s| s.outcome == Outcome::Passed);
            algorithms.push(AlgorithmCheck {
                algorithm,
                offered,
                vendor_row,
                steps: run.steps,
                confirmed,
            });
        }
        let after = {
            let t = token.clone();
            self.call(move |w| inventory::take(w, &t)).await?
        };
        let _ = self.logout(token.clone()).await;
        let mut changed = missing_from(&before, &after);
        changed.extend(missing_from(&after, &before));
        Ok(SelfCheckReport {
            untouched: changed.is_empty(),
            changed,
            label: info.label,
            manufacturer: info.manufacturer,
            model: info.model,
            token,
            algorithms,
            leftovers_removed,
        })
    }
}
