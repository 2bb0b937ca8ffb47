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
//! certificate) and the CA has the download confirmed; only then are they removed.
//!
//! The steps from keygen on are recorded in the download [`Journal`] under the renewal
//! application the CA created (card serial `renewal:<old serial>`, nothing secret). The
//! guarantee is the download's: exactly one key paired with exactly one certificate at
//! the end, never a second certificate from the CA.
//!
//! **A failed step** before the CA may have issued (keygen, CSR, a finalize the CA
//! refused or never received) destroys the new key and closes the entry as abandoned:
//! the token holds exactly what it held before. From a finalize whose outcome is unknown
//! on, nothing is destroyed: the entry stays active and the next renewal of the same
//! certificate resumes it (My certificates says so on the certificate's card).
//!
//! **Resume rules** (an active entry for `renewal:<serial>` on this token; the PIN is
//! asked again, nothing secret is journaled):
//! - finalize never began: the CA cannot have issued. The stray new key (journaled id,
//!   or any key labelled [`super::key_label`] of the application without a certificate)
//!   is destroyed, the entry closed as abandoned, and the renewal runs anew;
//! - finalize began: the proof of possession with the old key resumes the CA's
//!   unfinished renewal application (the CA never opens a second one for a certificate);
//!   the journaled key is kept when it is still on the token, a CSR is made again with
//!   it and finalize answers the certificate already issued; writing is idempotent; then
//!   self-test, confirm, remove the old. A key that is gone while the CA issued for it
//!   is [`RenewalError::NewKeyLost`];
//! - confirm reached the CA but not the journal: the CA refuses a new renewal of a
//!   renewed certificate; the entry is closed as confirmed when the CA's record of the
//!   journaled serial is valid for the application and the token holds that certificate
//!   with its key;
//! - confirm journaled: only the old certificate's removal was left.
//!
//! **Fault injection (tests only)**: the download's [`super::download::fault_point`]
//! (`CERTDESK_FAULT_AFTER=<step>`, `<step>:begin`, `<step>:op`) at every journaled step.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::channel::CertificateSet;
use certdesk_ca_api::download::CertificateStatus;
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_token::{CertSummary, SecretString, TokenError, TokenRef, TokenService};

mod run;

use super::debris::{self, clean_strays};
use super::download::{alg_name, token_algorithm};
use super::journal::{DownloadStep, Entry, EntryKind, EntryState, Facts, Journal, Phase};
use crate::db::StoreError;
use run::Run;

/// Whether a journal entry is a renewal's (not an interrupted download).
pub fn is_renewal(entry: &Entry) -> bool {
    matches!(entry.kind, EntryKind::Renewal { .. })
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
    #[error(
        "the CA already issued the renewed certificate for a new key that is no longer on this token; the old certificate still works; apply for a reissue (补办)"
    )]
    NewKeyLost,
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
            Self::NewKeyLost => "key_lost",
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RenewalStepId"))]
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
    /// True when this run finished a renewal an earlier run left unfinished.
    pub resumed: bool,
}

/// A renewal left unfinished (active journal entry): the certificate it renews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    pub token: TokenRef,
    /// Serial of the certificate being renewed (the old one).
    pub serial: String,
    pub application_id: String,
    /// The journal knows the CA issued the new certificate.
    pub issued: bool,
}

/// Every renewal left unfinished, for My certificates to offer resuming it.
pub fn interrupted(journal: &Journal) -> std::result::Result<Vec<Interrupted>, StoreError> {
    Ok(journal
        .active(None)?
        .into_iter()
        .filter_map(|e| {
            let EntryKind::Renewal { old_serial } = e.kind else {
                return None;
            };
            Some(Interrupted {
                serial: old_serial,
                issued: e.cert_serial.is_some(),
                token: e.token,
                application_id: e.application_id,
            })
        })
        .collect())
}

/// The unfinished renewal of `serial` on `token`, if any.
fn pending_for(journal: &Journal, token: &TokenRef, serial: &str) -> Result<Option<Entry>> {
    Ok(journal
        .active(Some(token))?
        .into_iter()
        .find(|e| matches!(&e.kind, EntryKind::Renewal { old_serial } if old_serial == serial)))
}

/// Whether the entry recorded `phase` of `step` (or any phase when `None`).
fn recorded(
    journal: &Journal,
    e: &Entry,
    step: DownloadStep,
    phase: Option<Phase>,
) -> Result<bool> {
    Ok(journal
        .steps(e.id)?
        .iter()
        .any(|r| r.step == step && phase.is_none_or(|p| p == r.phase)))
}

fn same_serial(a: &str, b: &str) -> bool {
    a.trim_start_matches('0')
        .eq_ignore_ascii_case(b.trim_start_matches('0'))
}

/// Renews (or finishes the interrupted renewal of) the certificate `req.serial` on
/// `req.token`.
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
    let pending = pending_for(journal, &req.token, &req.serial)?;
    let old = svc
        .list_certificates(req.token.clone())
        .await?
        .into_iter()
        .find(|c| !c.is_ca && c.serial == req.serial && c.has_private_key == Some(true));

    if let Some(e) = &pending
        && recorded(journal, e, DownloadStep::Confirm, Some(Phase::End))?
    {
        // Confirmed to the CA: only the old certificate's removal was left.
        return finish(svc, journal, e, old, req, progress).await;
    }
    let old = old.ok_or_else(|| RenewalError::NotOnToken(req.serial.clone()))?;
    let pending = match pending {
        Some(e) if !recorded(journal, &e, DownloadStep::Finalize, None)? => {
            // Nothing reached the CA for a certificate: undo and start over.
            discard(svc, journal, &e).await?;
            None
        }
        other => other,
    };

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
    let enrollment = match client
        .renew(&req.serial, &challenge.challenge_id, &proof.signature)
        .await
    {
        Ok(e) => e,
        Err(err) => {
            if let Some(e) = &pending
                && err.code() == Some(ProblemCode::InvalidState)
                && confirmed_at_ca(&client, svc, e).await?
            {
                // `confirm` reached the CA before the crash; the CA refuses renewing a
                // renewed certificate.
                journal.end(e.id, DownloadStep::Confirm, &Facts::default())?;
                return finish(svc, journal, e, Some(old), req, progress).await;
            }
            return Err(err.into());
        }
    };
    if enrollment.certificate_set == CertificateSet::Dual {
        return Err(RenewalError::DualNotSupported);
    }
    let algorithm = token_algorithm(enrollment.key_algorithm);
    let client = client.with_token(SecretString::from(enrollment.token.clone()));
    let application_id = enrollment.application_id.clone();
    let (entry, resumed) = match pending {
        Some(e) if e.application_id == application_id => (e, true),
        Some(e) if e.cert_serial.is_none() => {
            // The CA opened a new renewal instead (its record of the old one is gone):
            // nothing was issued for the journaled key as far as anyone knows.
            discard(svc, journal, &e).await?;
            (start(journal, req, &application_id, algorithm)?, false)
        }
        Some(e) => {
            return Err(RenewalError::BadIssuance(format!(
                "the CA did not resume renewal {} although it issued certificate {}",
                e.application_id,
                e.cert_serial.unwrap_or_default()
            )));
        }
        None => (start(journal, req, &application_id, algorithm)?, false),
    };

    let mut run = Run {
        svc,
        journal,
        client,
        token: req.token.clone(),
        entry: entry.clone(),
        new_key: None,
        resumed,
        maybe_issued: resumed,
        progress,
        subject: subject_der(&old.der),
    };
    if let Err(e) = run.issue_and_verify(algorithm).await {
        if run.maybe_issued {
            // The CA may hold a certificate for the new key: keep it for the resume.
            tracing::warn!(error = %e, application = %run.entry.application_id, "renewal interrupted; it is resumed at the next renewal of this certificate");
        } else {
            run.undo().await;
            let _ = run.journal.finish(run.entry.id, EntryState::Abandoned);
        }
        return Err(e);
    }
    let mut renewed = finish(svc, run.journal, &entry, Some(old), req, run.progress).await?;
    renewed.resumed = resumed;
    Ok(renewed)
}

/// The subject (DER) of a certificate; `None` when it cannot be read (the key is then
/// generated without one and the certificate write sets it).
fn subject_der(cert: &[u8]) -> Option<Vec<u8>> {
    use der::{Decode, Encode};
    let c = x509_cert::Certificate::from_der(cert).ok()?;
    c.tbs_certificate().subject().to_der().ok()
}

/// A new journal entry for the renewal application the CA opened.
fn start(
    journal: &mut Journal,
    req: &RenewalRequest,
    application_id: &str,
    algorithm: certdesk_token::KeyAlgorithm,
) -> Result<Entry> {
    let entry = journal.create(
        application_id,
        &req.token,
        &req.ca_url,
        &EntryKind::Renewal {
            old_serial: req.serial.clone(),
        },
    )?;
    journal.begin(entry.id, DownloadStep::Preflight)?;
    journal.end(
        entry.id,
        DownloadStep::Preflight,
        &Facts {
            key_algorithm: Some(alg_name(algorithm).into()),
            certificate_set: Some("single".into()),
            ..Facts::default()
        },
    )?;
    Ok(entry)
}

/// Destroys what an interrupted renewal that never reached the CA's issuance left on
/// the token (its new key, by journaled id and by label) and closes it as abandoned.
/// (`&mut`: a `&Journal` held across an await would make the future not `Send`.)
async fn discard(svc: &TokenService, journal: &mut Journal, e: &Entry) -> Result<()> {
    if let Some(id) = e.key_id.as_deref().filter(|s| !s.is_empty()) {
        let present = svc
            .list_keys(e.token.clone())
            .await?
            .iter()
            .any(|k| k.id == id && !k.has_certificate);
        if present {
            svc.delete_by_id(e.token.clone(), id.to_string()).await?;
        }
    }
    let label = super::key_label(&e.application_id);
    debris::clear::<RenewalError>(
        svc,
        journal,
        e.id,
        DownloadStep::Keygen,
        &e.token,
        std::slice::from_ref(&label),
    )
    .await?;
    clean_strays(svc, &e.token, &label, None).await?;
    journal.finish(e.id, EntryState::Abandoned)?;
    tracing::info!(application = %e.application_id, "interrupted renewal undone");
    Ok(())
}

/// After a crash between the CA's answer to `confirm` and the journal's record of it:
/// the CA's record of the journaled serial is valid for this renewal and the token holds
/// that certificate with its key.
async fn confirmed_at_ca(client: &CaClient, svc: &TokenService, e: &Entry) -> Result<bool> {
    let Some(serial) = e.cert_serial.as_deref() else {
        return Ok(false);
    };
    let record = client.certificate(serial).await?;
    if record.application_id != e.application_id || record.status != CertificateStatus::Valid {
        return Ok(false);
    }
    Ok(svc
        .list_certificates(e.token.clone())
        .await?
        .iter()
        .any(|c| same_serial(&c.serial, serial) && c.has_private_key == Some(true)))
}

/// The new certificate is verified and confirmed: now, and only now, the old goes.
async fn finish(
    svc: &TokenService,
    journal: &mut Journal,
    e: &Entry,
    old: Option<CertSummary>,
    req: &RenewalRequest,
    progress: &mut (dyn FnMut(RenewalStep) + Send),
) -> Result<Renewed> {
    progress(RenewalStep::RemoveOld);
    if let Some(old) = old {
        svc.delete_by_id(req.token.clone(), old.id).await?;
    }
    journal.finish(e.id, EntryState::Confirmed)?;
    let new_serial = journal
        .get(e.id)?
        .and_then(|e| e.cert_serial)
        .ok_or_else(|| RenewalError::BadIssuance("no certificate serial journaled".into()))?;
    let new = svc
        .list_certificates(req.token.clone())
        .await?
        .into_iter()
        .find(|c| same_serial(&c.serial, &new_serial))
        .ok_or_else(|| RenewalError::NotOnToken(new_serial.clone()))?;
    Ok(Renewed {
        application_id: e.application_id.clone(),
        old_serial: req.serial.clone(),
        new_serial: new.serial,
        key_id: new.id,
        subject: new.subject,
        not_after: new.not_after,
        journal_id: e.id,
        resumed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app runs a renewal inside a Tauri command, which needs a `Send` future.
    #[allow(dead_code)]
    fn renewal_future_is_send(
        svc: &TokenService,
        journal: &mut Journal,
        req: &RenewalRequest,
        progress: &mut (dyn FnMut(RenewalStep) + Send),
    ) -> impl std::future::Future<Output = Result<Renewed>> + Send {
        renew(svc, journal, req, progress)
    }
}
