//! Renewal (更新) of a certificate on the token, started from "My certificates".
//!
//! ```text
//! login → challenge → prove (sign the CA's challenge with the CURRENT key on the token)
//!   → keygen (new pair on the token) → csr → finalize → write → self-test → confirm
//!   → remove-old
//! ```
//!
//! The old certificate and its key stay on the token until the new certificate is
//! written, has passed the self-test (sign on the token, verify with the new
//! certificate) and the CA has the download confirmed; only then are they removed. If
//! anything fails before that, the new key (and certificate, if written) is destroyed and
//! the token holds exactly what it held before.
//!
//! The steps from keygen on are recorded in the download [`Journal`] under the renewal
//! application the CA created (card serial `renewal:<old serial>`, nothing secret), so
//! support can see where a renewal stopped. A renewal interrupted by a crash is not
//! resumed: the old certificate is still valid and on the token, and the stray new key
//! carries the renewal application's label ([`super::key_label`]).

use certdesk_ca_api::channel::CertificateSet;
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_token::{KeyPurpose, KeySpec, SecretString, TokenError, TokenRef, TokenService};
use sha2::Digest as _;

use super::download::{alg_name, pem_chain, token_algorithm};
use super::journal::{Entry, EntryState, Facts, Journal, Step};
use crate::db::StoreError;

/// A renewal's journal entry carries this (and the old serial) where a download's has the
/// password-card serial: it is not a download, and the download's resume must skip it.
pub const RENEWAL_MARK: &str = "renewal:";

/// Whether a journal entry is a renewal's (not an interrupted download).
pub fn is_renewal(entry: &Entry) -> bool {
    entry.card_serial.starts_with(RENEWAL_MARK)
}

/// Errors of a renewal, each with a stable [`RenewalError::code`].
#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    #[error("token: {0}")]
    Token(#[from] TokenError),
    #[error("CA: {0}")]
    Ca(#[from] ClientError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the certificate {0} is not on the token with its private key")]
    NotOnToken(String),
    #[error("renewing a dual (signing + encryption) certificate is not supported here yet")]
    DualNotSupported,
    #[error("the CA's answer is not usable: {0}")]
    BadIssuance(String),
}

impl RenewalError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Token(e) => e.code(),
            Self::Ca(e) if e.is_transient() => "ca_unreachable",
            Self::Ca(_) => "ca_refused",
            Self::Store(_) => "store",
            Self::NotOnToken(_) => "not_on_token",
            Self::DualNotSupported => "unsupported",
            Self::BadIssuance(_) => "bad_issuance",
        }
    }
}

type Result<T> = std::result::Result<T, RenewalError>;

/// What a renewal needs. The PIN is a `SecretString` and is never stored.
pub struct RenewalRequest {
    pub ca_url: String,
    pub token: TokenRef,
    /// Serial (hex) of the certificate to renew, as the token lists it.
    pub serial: String,
    pub pin: SecretString,
    pub confirm_final_pin_try: bool,
}

/// The steps, for progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenewalStep {
    Login,
    Challenge,
    Prove,
    Keygen,
    Csr,
    Finalize,
    Write,
    SelfTest,
    Confirm,
    RemoveOld,
}

/// A finished renewal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Renewed {
    pub application_id: String,
    pub old_serial: String,
    pub new_serial: String,
    pub key_id: String,
    pub subject: String,
    pub not_after: String,
    pub journal_id: i64,
}

/// Renews the certificate `req.serial` on `req.token`.
pub async fn renew(
    svc: &TokenService,
    journal: &mut Journal,
    req: &RenewalRequest,
    progress: &mut (dyn FnMut(RenewalStep) + Send),
) -> Result<Renewed> {
    let client = CaClient::new(&req.ca_url)?;
    progress(RenewalStep::Login);
    svc.login(
        req.token.clone(),
        req.pin.clone(),
        req.confirm_final_pin_try,
    )
    .await?;
    let old = svc
        .list_certificates(req.token.clone())
        .await?
        .into_iter()
        .find(|c| !c.is_ca && c.serial == req.serial && c.has_private_key == Some(true))
        .ok_or_else(|| RenewalError::NotOnToken(req.serial.clone()))?;

    progress(RenewalStep::Challenge);
    let challenge = client.renewal_challenge(&req.serial).await?;
    let bytes = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(challenge.challenge.trim())
            .map_err(|e| RenewalError::BadIssuance(format!("challenge: {e}")))?
    };
    progress(RenewalStep::Prove);
    let proof = svc.sign(req.token.clone(), old.id.clone(), bytes).await?;
    let enrollment = client
        .renew(&req.serial, &challenge.challenge_id, &proof.signature)
        .await?;
    if enrollment.certificate_set == CertificateSet::Dual {
        return Err(RenewalError::DualNotSupported);
    }
    let algorithm = token_algorithm(enrollment.key_algorithm);
    let client = client.with_token(SecretString::from(enrollment.token.clone()));
    let application_id = enrollment.application_id.clone();
    let entry = journal.create(
        &application_id,
        &req.token,
        &req.ca_url,
        &format!("{RENEWAL_MARK}{}", req.serial),
    )?;
    journal.begin(entry.id, Step::Preflight)?;
    journal.end(
        entry.id,
        Step::Preflight,
        &Facts {
            key_algorithm: Some(alg_name(algorithm).into()),
            certificate_set: Some("single".into()),
            ..Facts::default()
        },
    )?;

    let mut run = Run {
        svc,
        journal,
        client,
        token: req.token.clone(),
        entry_id: entry.id,
        new_key: None,
        new_written: false,
        progress,
    };
    let r = run.issue_and_verify(&application_id, algorithm).await;
    let (key_id, new_serial, leaf) = match r {
        Ok(v) => v,
        Err(e) => {
            run.undo().await;
            let _ = run.journal.finish(run.entry_id, EntryState::Abandoned);
            return Err(e);
        }
    };

    // The new certificate is verified and confirmed: now, and only now, the old goes.
    (run.progress)(RenewalStep::RemoveOld);
    svc.delete_by_id(req.token.clone(), old.id.clone()).await?;
    run.journal.finish(run.entry_id, EntryState::Confirmed)?;
    let (subject, not_after) = subject_and_expiry(&leaf)?;
    Ok(Renewed {
        application_id,
        old_serial: req.serial.clone(),
        new_serial,
        key_id,
        subject,
        not_after,
        journal_id: entry.id,
    })
}

/// Subject and notAfter of a DER certificate.
fn subject_and_expiry(der: &[u8]) -> Result<(String, String)> {
    use der::Decode as _;
    let c = x509_cert::Certificate::from_der(der)
        .map_err(|e| RenewalError::BadIssuance(e.to_string()))?;
    let tbs = c.tbs_certificate();
    Ok((
        tbs.subject().to_string(),
        tbs.validity().not_after.to_string(),
    ))
}

struct Run<'a> {
    svc: &'a TokenService,
    journal: &'a mut Journal,
    client: CaClient,
    token: TokenRef,
    entry_id: i64,
    /// The new key pair, once generated: destroyed again if the renewal fails.
    new_key: Option<String>,
    new_written: bool,
    progress: &'a mut (dyn FnMut(RenewalStep) + Send),
}

impl Run<'_> {
    async fn step<T>(
        &mut self,
        step: Step,
        shown: RenewalStep,
        op: impl std::future::Future<Output = Result<(T, Facts)>>,
    ) -> Result<T> {
        self.journal.begin(self.entry_id, step)?;
        (self.progress)(shown);
        match op.await {
            Ok((v, facts)) => {
                self.journal.end(self.entry_id, step, &facts)?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.journal.failed(self.entry_id, step, e.code());
                Err(e)
            }
        }
    }

    /// Keygen → CSR → finalize → write → self-test → confirm. Returns the new key id,
    /// serial and certificate.
    async fn issue_and_verify(
        &mut self,
        application_id: &str,
        algorithm: certdesk_token::KeyAlgorithm,
    ) -> Result<(String, String, Vec<u8>)> {
        let svc = self.svc;
        let token = self.token.clone();
        let spec = KeySpec {
            algorithm,
            purpose: KeyPurpose::Signing,
            label: super::key_label(application_id),
        };
        let key = self
            .step(Step::Keygen, RenewalStep::Keygen, async {
                let k = svc.generate_key_pair(token.clone(), spec).await?;
                let facts = Facts {
                    key_id: Some(k.id.clone()),
                    ..Facts::default()
                };
                Ok((k, facts))
            })
            .await?;
        self.new_key = Some(key.id.clone());

        // The CA takes the subject from the vetted application, never from the CSR.
        let subject = format!("CN={application_id}");
        let csr = self
            .step(Step::Csr, RenewalStep::Csr, async {
                let csr = svc
                    .create_csr(token.clone(), key.id.clone(), subject)
                    .await?;
                let facts = Facts {
                    csr_sha256: Some(hex::encode(sha2::Sha256::digest(&csr.der))),
                    ..Facts::default()
                };
                Ok((csr, facts))
            })
            .await?;

        let client = self.client.clone();
        let (issuance, leaf, chain) = self
            .step(Step::Finalize, RenewalStep::Finalize, async {
                let issuance = client.finalize(&csr.pem).await?;
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
                Ok(((issuance, leaf, chain), facts))
            })
            .await?;

        let leaf_for_write = leaf.clone();
        self.step(Step::WriteCertificate, RenewalStep::Write, async {
            svc.write_certificate(token.clone(), leaf_for_write, chain)
                .await?;
            Ok(((), Facts::default()))
        })
        .await?;
        self.new_written = true;

        self.step(Step::SelfTest, RenewalStep::SelfTest, async {
            svc.self_test(token.clone(), key.id.clone()).await?;
            Ok(((), Facts::default()))
        })
        .await?;

        self.step(Step::Confirm, RenewalStep::Confirm, async {
            client.confirm_download().await?;
            Ok(((), Facts::default()))
        })
        .await?;
        Ok((key.id, issuance.serial, leaf))
    }

    /// Destroys what this renewal put on the token (new key pair and certificate), so
    /// the token holds only the old, still valid, certificate.
    async fn undo(&mut self) {
        if let Some(id) = self.new_key.take()
            && let Err(e) = self.svc.delete_by_id(self.token.clone(), id).await
        {
            tracing::warn!(error = %e, written = self.new_written, "could not remove the new key after a failed renewal");
        }
    }
}
