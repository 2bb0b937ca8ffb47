//! The renewal's steps from keygen to confirm, journaled, with what a failure before the
//! CA may have issued must undo.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_token::{KeyPurpose, KeySpec, TokenRef, TokenService};
use sha2::Digest as _;

use super::{RenewalError, RenewalStep, Result};
use crate::enrollment::debris::{self, keep_journaled_key};
use crate::enrollment::download::{fault_point, pem_chain};
use crate::enrollment::journal::{DownloadStep, Entry, Facts, Journal};

pub(super) struct Run<'a> {
    pub(super) svc: &'a TokenService,
    pub(super) journal: &'a mut Journal,
    pub(super) client: CaClient,
    pub(super) token: TokenRef,
    pub(super) entry: Entry,
    /// The new key pair made by this run: destroyed again if the renewal fails before
    /// the CA may have issued.
    pub(super) new_key: Option<String>,
    /// This run resumes an entry whose finalize had begun.
    pub(super) resumed: bool,
    /// A finalize was sent and the CA may have issued: nothing is destroyed any more.
    pub(super) maybe_issued: bool,
    pub(super) progress: &'a mut (dyn FnMut(RenewalStep) + Send),
    /// `CKA_SUBJECT` (DER) for the new key's generation template: the old
    /// certificate's, which the renewed one keeps (the write sets it if not).
    pub(super) subject: Option<Vec<u8>>,
}

fn label_of(e: &Entry) -> String {
    crate::enrollment::key_label(&e.application_id)
}

impl Run<'_> {
    /// An interrupted earlier run's debris of `step` removed, what is on the token
    /// recorded; the temporary `CKA_ID` for a generation template.
    async fn settle(&mut self, step: DownloadStep, label: &str) -> Result<Vec<u8>> {
        debris::settle::<RenewalError>(
            self.svc,
            self.journal,
            self.entry.id,
            step,
            &self.token,
            &[label.to_string()],
        )
        .await
    }
    async fn step<T>(
        &mut self,
        step: DownloadStep,
        shown: RenewalStep,
        op: impl std::future::Future<Output = Result<(T, Facts)>>,
    ) -> Result<T> {
        self.journal.begin(self.entry.id, step)?;
        (self.progress)(shown);
        fault_point(step, "begin");
        match op.await {
            Ok((v, facts)) => {
                fault_point(step, "op");
                self.journal.end(self.entry.id, step, &facts)?;
                fault_point(step, "");
                Ok(v)
            }
            Err(e) => {
                let _ = self.journal.failed(self.entry.id, step, e.code());
                Err(e)
            }
        }
    }

    /// The journaled key when it is still on the token (strays of the application
    /// removed), else a new one.
    async fn key(&mut self, algorithm: certdesk_token::KeyAlgorithm) -> Result<String> {
        let svc = self.svc;
        let token = self.token.clone();
        let label = crate::enrollment::key_label(&self.entry.application_id);
        let journaled = self
            .journal
            .get(self.entry.id)?
            .and_then(|e| e.key_id)
            .filter(|s| !s.is_empty());
        let keep = keep_journaled_key(svc, &token, &label, journaled.as_deref()).await?;
        if let Some(id) = keep {
            (self.progress)(RenewalStep::Keygen);
            return Ok(id);
        }
        if journaled.is_some() {
            // Gone from the token (wiped?): a new key; the CA refuses it if it already
            // issued for the old one.
            self.journal.clear_key(self.entry.id)?;
        }
        let spec = KeySpec {
            algorithm,
            purpose: KeyPurpose::Signing,
            label,
            subject: self.subject.clone(),
        };
        let tag = self
            .settle(DownloadStep::Keygen, &label_of(&self.entry))
            .await?;
        let key = self
            .step(DownloadStep::Keygen, RenewalStep::Keygen, async {
                let k = svc
                    .generate_key_pair_tagged(token.clone(), spec, tag)
                    .await?;
                let facts = Facts {
                    key_id: Some(k.id.clone()),
                    ..Facts::default()
                };
                Ok((k, facts))
            })
            .await?;
        self.new_key = Some(key.id.clone());
        Ok(key.id)
    }

    /// Keygen → CSR → finalize → write → self-test → confirm.
    pub(super) async fn issue_and_verify(
        &mut self,
        algorithm: certdesk_token::KeyAlgorithm,
    ) -> Result<()> {
        let svc = self.svc;
        let token = self.token.clone();
        let key_id = self.key(algorithm).await?;

        // The CA takes the subject from the vetted application, never from the CSR.
        let subject = format!("CN={}", self.entry.application_id);
        let csr = self
            .step(DownloadStep::Csr, RenewalStep::Csr, async {
                let csr = svc
                    .create_csr(token.clone(), key_id.clone(), subject)
                    .await?;
                let facts = Facts {
                    csr_sha256: Some(hex::encode(sha2::Sha256::digest(&csr.der))),
                    ..Facts::default()
                };
                Ok((csr, facts))
            })
            .await?;

        let client = self.client.clone();
        self.maybe_issued = true;
        let r = self
            .step(DownloadStep::Finalize, RenewalStep::Finalize, async {
                let issuance = client.finalize(&csr.pem).await.map_err(|e| {
                    if e.code() == Some(ProblemCode::IssuedForAnotherKey) {
                        RenewalError::NewKeyLost
                    } else {
                        e.into()
                    }
                })?;
                let leaf = pem_chain(&issuance.certificate_pem)
                    .map_err(|e| RenewalError::BadIssuance(e.to_string()))?
                    .into_iter()
                    .next()
                    .ok_or_else(|| RenewalError::BadIssuance("no certificate".into()))?;
                let chain = pem_chain(&issuance.chain_pem)
                    .map_err(|e| RenewalError::BadIssuance(e.to_string()))?;
                let facts = Facts {
                    cert_serial: Some(issuance.serial.clone()),
                    ..Facts::default()
                };
                Ok(((leaf, chain), facts))
            })
            .await;
        let (leaf, chain) = match r {
            Ok(v) => v,
            Err(e) => {
                self.maybe_issued = match e {
                    // This key is useless: the CA issued for another one.
                    RenewalError::NewKeyLost => false,
                    // An earlier run's finalize may have reached the CA.
                    _ => self.resumed || !not_issued(&e),
                };
                return Err(e);
            }
        };

        self.settle(DownloadStep::WriteCertificate, &label_of(&self.entry))
            .await?;
        self.step(DownloadStep::WriteCertificate, RenewalStep::Write, async {
            // Idempotent: the token layer skips an identical certificate already there.
            svc.write_certificate(token.clone(), leaf, chain).await?;
            Ok(((), Facts::default()))
        })
        .await?;

        self.step(DownloadStep::SelfTest, RenewalStep::SelfTest, async {
            svc.self_test(token.clone(), key_id.clone()).await?;
            Ok(((), Facts::default()))
        })
        .await?;

        self.step(DownloadStep::Confirm, RenewalStep::Confirm, async {
            client.confirm_download().await?;
            Ok(((), Facts::default()))
        })
        .await
    }

    /// Destroys the key pair this run made, so the token holds only what it held before.
    pub(super) async fn undo(&mut self) {
        if let Some(id) = self.new_key.take()
            && let Err(e) = self.svc.delete_by_id(self.token.clone(), id).await
        {
            tracing::warn!(error = %e, "could not remove the new key after a failed renewal");
        }
    }
}

/// A finalize error after which the CA certainly holds no certificate for this key: the
/// request never left (connection refused), the CA refused it, or it had issued for
/// another key (this key is useless then).
pub(super) fn not_issued(e: &RenewalError) -> bool {
    match e {
        RenewalError::NewKeyLost => true,
        RenewalError::Ca(ClientError::Transport(t)) => t.is_connect(),
        RenewalError::Ca(ClientError::Problem(p)) => (400..500).contains(&p.status),
        _ => false,
    }
}
