//! Making the applicant's USBKey at the counter (制证, issue 13 item 6), over the
//! signed-in operator's session.
//!
//! ```text
//! approved case ─(blank token) init: label + the CA's SO PIN, user PIN = applicant's PIN
//!   ─ the download transaction, authorised by the case instead of a password card
//!     (pre-flight … keygen, CSR, finalize, write, self-test, confirm: the same code and
//!     the same journal, entry kind `counter_making`)
//!   ─ test signature on the token, verified here against the issued certificate
//!   ─ token serial recorded at the CA ─ hand-over code by SMS ─ hand-over with the code
//! ```
//!
//! **Token initialisation.** A token that is not initialised gets the organisation's
//! name as its label (cut to the 32 bytes PKCS#11 has), the SO PIN the CA derives for its
//! serial (the one unlock releases later) and the applicant's PIN as the user PIN. A
//! blank token that says no serial before `C_InitToken` (SoftHSM2's free slot) is
//! initialised with the case's transitional SO PIN from the CA and then given its
//! serial's own SO PIN (`C_SetPIN` as SO). An initialised token with no CertDesk objects
//! is used only if the applicant's PIN logs in on it; one holding another application's
//! CertDesk objects is refused. The PIN is a `SecretString` from the customer window and
//! goes nowhere but the token: not into the journal, the log or an error.
//!
//! **Resume.** An unfinished making (an `active` journal entry for the case's
//! application) continues on the journaled token with the download's resume rules: one
//! key, one certificate, never a second issuance. The CA grants the case's enrollment
//! again until the certificate is confirmed. Making a case again on the token that holds
//! its certificate answers [`Made::already_made`]; on another token it is refused
//! ([`MakingError::MadeOnAnotherToken`]).

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::counter::{Case, CaseStatus};
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_token::{PinState, SecretString, TokenError, TokenInfo, TokenRef, TokenService};
use der::Decode;
use der::asn1::ObjectIdentifier;
use secrecy::ExposeSecret;

use super::{CaseError, CaseNumber, Counter, CounterError, CounterState};
use crate::enrollment::download::{CounterCase, Txn, key_label, transaction};
use crate::enrollment::journal::{DownloadStep, EntryKind, Journal};
use crate::enrollment::{DownloadError, Downloaded, Progress, StepPhase, TokenChoice};
use crate::pin_rules::{self, PinRule};
use crate::workflow::WorkflowError;

/// PKCS#11 token labels are 32 bytes.
const LABEL_MAX: usize = 32;
/// Every key and certificate CertDesk makes is labelled `CertDesk <application id>`.
const OUR_LABEL_PREFIX: &str = "CertDesk ";

/// The steps of a making, for the progress shown to the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case", tag = "kind", content = "step")]
pub enum MakingStep {
    /// Token initialisation (label, SO PIN, the applicant's user PIN).
    InitToken,
    /// A step of the shared download transaction.
    Transaction(DownloadStep),
    /// A signature made on the token, verified against the issued certificate.
    TestSignature,
    /// The token's serial recorded against the case at the CA.
    RecordToken,
}

/// Progress of a making, one event per step boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MakingProgress {
    pub step: MakingStep,
    pub phase: StepPhase,
    /// True when this run resumes an interrupted making.
    pub resumed: bool,
}

/// A made USBKey.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Made {
    pub case_id: String,
    /// The token's serial, as recorded at the CA.
    pub token_serial: String,
    /// The token was initialised by this run.
    pub initialised: bool,
    /// The certificate on the token (serial, subject, validity …), as the transaction
    /// left it.
    pub certificate: Downloaded,
    /// A signature made on the token verified against the issued certificate's public
    /// key (a failure is [`MakingError::TestSignatureFailed`], so this is true).
    pub test_signature_ok: bool,
    /// The signature's algorithm OID.
    pub test_signature_algorithm: String,
    /// The token already held this case's certificate: nothing was made again.
    pub already_made: bool,
    /// The case as the CA has it after the token was recorded.
    #[serde(skip)]
    pub case: Box<Case>,
}

/// The making's failures, one variant per thing the operator is told apart. Never a PIN
/// or a code in a message.
#[derive(Debug, thiserror::Error)]
pub enum MakingError {
    /// Signed out, locked, an invalid case number, a case of another point (`NotFound`),
    /// a missing role, or another CA refusal of a case call.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// Only a case approved at the counter (or already handed over: then only to say it
    /// is made) is made here.
    #[error("the case is not approved at the counter")]
    NotApproved,
    /// The case's certificate is on another token already.
    #[error("this case's certificate is already on token {token_serial}")]
    MadeOnAnotherToken { token_serial: String },
    /// The point makes only onto tokens in its stock, and this one is not in it (never
    /// received, or made, spoiled or returned already).
    #[error("the token is not in the point's stock")]
    NotInStock,
    #[error("no token for the applicant is inserted")]
    NoToken,
    /// A batch takes 1 to [`super::batch::MAX_BATCH`] cases.
    #[error("a batch takes 1 to 200 cases")]
    BatchSize,
    /// Several tokens besides the operator's are inserted; choose one.
    #[error("several tokens are inserted ({0}); choose one")]
    SeveralTokens(String),
    /// The applicant's new PIN breaks a rule (length, trivial).
    #[error("the PIN does not meet the rules: {0:?}")]
    PinRule(PinRule),
    /// An initialised token without CertDesk objects on which the applicant's PIN does
    /// not log in: it is someone else's, or needs initialising (unlock/reset) first.
    #[error("the token is initialised and the applicant's PIN does not open it")]
    TokenNotBlank,
    /// The token holds another application's CertDesk key or certificate.
    #[error("the token holds another certificate made by CertDesk")]
    TokenInUse,
    /// The token refuses to be initialised here (the module does not allow it, or its
    /// SO PIN is not the CA's).
    #[error("the token cannot be initialised here")]
    InitRefused,
    #[error("the test signature did not verify against the issued certificate")]
    TestSignatureFailed,
    /// The hand-over code was wrong or has expired; the applicant may ask for a new one.
    #[error("the hand-over code is wrong or expired")]
    HandoverCodeRejected,
    /// Too many wrong codes: wait, then send a new code.
    #[error("too many wrong hand-over codes")]
    HandoverLocked,
    /// A step of the shared download transaction (token, CA down, key lost …).
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl MakingError {
    /// A stable code for the IPC layer (which gives each its message in both languages).
    pub fn code(&self) -> &'static str {
        match self {
            MakingError::Case(CaseError::Counter(CounterError::NotSignedIn)) => "not_signed_in",
            MakingError::Case(CaseError::Counter(CounterError::Ca(
                WorkflowError::CaUnreachable(_),
            ))) => "ca_unreachable",
            MakingError::Case(_) => "case_refused",
            MakingError::NotApproved => "case_not_approved",
            MakingError::MadeOnAnotherToken { .. } => "made_on_another_token",
            MakingError::NotInStock => "token_not_in_stock",
            MakingError::NoToken => "no_token",
            MakingError::BatchSize => "batch_size",
            MakingError::SeveralTokens(_) => "several_tokens",
            MakingError::PinRule(_) => "pin_rule",
            MakingError::TokenNotBlank => "token_not_blank",
            MakingError::TokenInUse => "token_in_use",
            MakingError::InitRefused => "init_refused",
            MakingError::TestSignatureFailed => "test_signature_failed",
            MakingError::HandoverCodeRejected => "handover_code_rejected",
            MakingError::HandoverLocked => "handover_locked",
            MakingError::Download(e) => e.code(),
            MakingError::Token(e) => e.code(),
        }
    }
}

pub(super) fn case_refusal(e: ClientError) -> MakingError {
    match e.code() {
        Some(ProblemCode::Unauthorized) => CaseError::Counter(CounterError::NotSignedIn).into(),
        Some(ProblemCode::NotFound) => CaseError::NotFound.into(),
        Some(ProblemCode::Forbidden) => CaseError::RoleMissing.into(),
        Some(ProblemCode::InvalidState) => MakingError::NotApproved,
        Some(ProblemCode::TokenNotInStock) => MakingError::NotInStock,
        _ => CaseError::Counter(CounterError::Ca(WorkflowError::from_client(e))).into(),
    }
}

/// The organisation's name as a token label: at most 32 bytes, cut at a character.
fn token_label(case: &Case) -> String {
    let name = case
        .application
        .input
        .enterprise
        .as_ref()
        .map(|e| e.name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or("CertDesk");
    cut_label(name)
}

fn cut_label(name: &str) -> String {
    let mut end = name.len().min(LABEL_MAX);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// Whether any of `labels` is of a key or certificate CertDesk made for another
/// application than this one.
fn foreign<'a>(mut labels: impl Iterator<Item = &'a str>, application_id: &str) -> bool {
    let ours = key_label(application_id);
    labels.any(|l| l.starts_with(OUR_LABEL_PREFIX) && !l.starts_with(&ours))
}

/// Every inserted token but the operator's own, blank ones included: what a making
/// could be made on.
async fn candidates(
    svc: &TokenService,
    modules: &[PathBuf],
    operator_token: Option<&TokenRef>,
) -> Result<Vec<TokenInfo>, MakingError> {
    let mut found = Vec::new();
    for m in modules {
        let _ = svc.rescan(m.clone()).await;
        for t in svc.list_tokens(m.clone()).await? {
            if Some(&t.token) != operator_token {
                found.push(t);
            }
        }
    }
    Ok(found)
}

/// The customer's token: the chosen one, never the operator's own.
async fn pick_token(
    svc: &TokenService,
    choice: &TokenChoice,
    operator_token: Option<&TokenRef>,
) -> Result<TokenInfo, MakingError> {
    let mut found: Vec<TokenInfo> = candidates(svc, &choice.modules, operator_token)
        .await?
        .into_iter()
        .filter(|t| choice.serial.as_ref().is_none_or(|s| *s == t.serial))
        .collect();
    match found.len() {
        0 => Err(MakingError::NoToken),
        1 => Ok(found.remove(0)),
        _ => Err(MakingError::SeveralTokens(
            found
                .iter()
                .map(|t| t.serial.clone())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// The making operations of a counter; see [`Counter::making`].
pub struct Making<'a> {
    counter: &'a Counter,
}

impl Counter {
    /// Making USBKeys for approved cases, over this counter's signed-in session.
    pub fn making(&self) -> Making<'_> {
        Making { counter: self }
    }
}

impl Making<'_> {
    /// The tokens the applicant's USBKey could be made on: every inserted token but the
    /// signed-in operator's own, blank ones (not initialised, maybe without a serial yet)
    /// included.
    pub async fn candidates(&self, modules: &[PathBuf]) -> Result<Vec<TokenInfo>, MakingError> {
        let operator_token = match self.counter.state() {
            CounterState::SignedIn { token, .. } => Some(token),
            _ => None,
        };
        candidates(
            self.counter.token_service(),
            modules,
            operator_token.as_ref(),
        )
        .await
    }

    pub(super) fn client(&self) -> Result<CaClient, MakingError> {
        let client = self
            .counter
            .session_client()
            .map_err(|e| MakingError::Case(e.into()))?;
        self.counter.touch(std::time::Instant::now());
        Ok(client)
    }

    /// Makes the USBKey for an approved case on the inserted token (or resumes an
    /// interrupted making): initialise it when blank, run the download transaction
    /// authorised by the case, make and verify a test signature, record the token's
    /// serial at the CA.
    ///
    /// `token.serial`: the token to make (`Some("")` names a blank token that reports
    /// no serial, like SoftHSM2's free slot); `None` takes the one token inserted besides
    /// the operator's. `user_pin` is the applicant's PIN from the customer window: the
    /// new token's user PIN, or the PIN that must open an initialised one.
    pub async fn make(
        &self,
        journal: &mut Journal,
        case_id: &str,
        token: &TokenChoice,
        user_pin: SecretString,
        progress: &mut (dyn FnMut(MakingProgress) + Send),
    ) -> Result<Made, MakingError> {
        let id = CaseNumber::parse(case_id)?;
        let case_id = id.as_str();
        let client = self.client()?;
        let svc = self.counter.token_service();
        let case = client.case(case_id).await.map_err(case_refusal)?;
        if !matches!(case.status, CaseStatus::Approved | CaseStatus::HandedOver) {
            return Err(MakingError::NotApproved);
        }
        let application_id = case.application.id.clone();
        let operator_token = match self.counter.state() {
            CounterState::SignedIn { token, .. } => Some(token),
            _ => None,
        };

        // The token: the journaled one when resuming, else the customer's, initialised
        // when blank.
        let resume = journal
            .active_for(&application_id)
            .map_err(DownloadError::from)?
            .filter(|e| matches!(&e.kind, EntryKind::CounterMaking { case_id: c } if c == case_id));
        let resumed = resume.is_some();
        let mut initialised = false;
        let token_ref = match resume {
            // The key lives on the journaled token: another one named is refused.
            Some(e) => match token.serial.as_deref() {
                Some(s) if !s.is_empty() && s != e.token.serial => {
                    return Err(DownloadError::WrongToken {
                        serial: e.token.serial,
                    }
                    .into());
                }
                _ => e.token,
            },
            None => {
                let info = pick_token(svc, token, operator_token.as_ref()).await?;
                if let Some(m) = &case.making
                    && m.token_serial != info.serial
                {
                    return Err(MakingError::MadeOnAnotherToken {
                        token_serial: m.token_serial.clone(),
                    });
                }
                if case.status == CaseStatus::HandedOver && case.making.is_none() {
                    return Err(MakingError::NotApproved);
                }
                if info.token_initialized {
                    self.check_initialised(svc, &info, &application_id, &user_pin)
                        .await?;
                    self.settle_so_pin(svc, &client, &case, &info).await?;
                    info.token
                } else {
                    progress(MakingProgress {
                        step: MakingStep::InitToken,
                        phase: StepPhase::Started,
                        resumed,
                    });
                    let made = self
                        .initialise(svc, &client, &case, &info, &user_pin)
                        .await?;
                    progress(MakingProgress {
                        step: MakingStep::InitToken,
                        phase: StepPhase::Done,
                        resumed,
                    });
                    initialised = true;
                    made
                }
            }
        };
        if let Some(m) = &case.making
            && m.token_serial != token_ref.serial
        {
            return Err(MakingError::MadeOnAnotherToken {
                token_serial: m.token_serial.clone(),
            });
        }

        // The download transaction, authorised by the case.
        let txn = Txn {
            ca_url: client.base_url().to_string(),
            application_id: application_id.clone(),
            pin: user_pin.clone(),
            token: TokenChoice {
                modules: vec![token_ref.module.clone()],
                serial: Some(token_ref.serial.clone()),
            },
            confirm_final_pin_try: false,
            channel: None,
        };
        let auth = CounterCase {
            operator: &client,
            case_id,
        };
        let mut inner = |p: Progress| {
            progress(MakingProgress {
                step: MakingStep::Transaction(p.step),
                phase: p.phase,
                resumed: p.resumed,
            })
        };
        let done = transaction(svc, journal, &txn, &auth, &mut inner).await?;
        self.counter.touch(std::time::Instant::now());

        // The test signature, verified here against the issued certificate.
        progress(MakingProgress {
            step: MakingStep::TestSignature,
            phase: StepPhase::Started,
            resumed,
        });
        let algorithm = test_signature(svc, &done, case_id, &user_pin).await?;
        progress(MakingProgress {
            step: MakingStep::TestSignature,
            phase: StepPhase::Done,
            resumed,
        });

        // The serial at the CA (the same token again is answered as recorded).
        progress(MakingProgress {
            step: MakingStep::RecordToken,
            phase: StepPhase::Started,
            resumed,
        });
        // The model only names the token in the supervisor's numbers: unknown is fine.
        let model = svc
            .token_info(token_ref.clone())
            .await
            .ok()
            .map(|i| i.model);
        let recorded = client
            .record_case_token(case_id, &token_ref.serial, model.as_deref())
            .await
            .map_err(|e| match e.code() {
                Some(ProblemCode::AlreadyMade) => MakingError::MadeOnAnotherToken {
                    token_serial: case
                        .making
                        .as_ref()
                        .map(|m| m.token_serial.clone())
                        .unwrap_or_default(),
                },
                _ => case_refusal(e),
            })?;
        progress(MakingProgress {
            step: MakingStep::RecordToken,
            phase: StepPhase::Done,
            resumed,
        });
        Ok(Made {
            case_id: case_id.to_string(),
            token_serial: token_ref.serial.clone(),
            initialised,
            already_made: done.already_on_token,
            certificate: done,
            test_signature_ok: true,
            test_signature_algorithm: algorithm,
            case: Box::new(recorded),
        })
    }

    /// An initialised token is used only when it holds nothing of another application's
    /// and the applicant's PIN opens it.
    async fn check_initialised(
        &self,
        svc: &TokenService,
        info: &TokenInfo,
        application_id: &str,
        user_pin: &SecretString,
    ) -> Result<(), MakingError> {
        if info.pin_state == PinState::Locked {
            return Err(MakingError::Download(DownloadError::PinLocked));
        }
        // Certificates are public objects: seen before any PIN is tried.
        let certs = svc.list_certificates(info.token.clone()).await?;
        if foreign(
            certs.iter().filter(|c| !c.is_ca).map(|c| c.label.as_str()),
            application_id,
        ) {
            return Err(MakingError::TokenInUse);
        }
        let _ = svc.logout(info.token.clone()).await;
        // Never the final try: a token whose PIN is that close to locking is not blank.
        match svc.login(info.token.clone(), user_pin.clone(), false).await {
            Ok(_) => {}
            Err(
                TokenError::PinIncorrect { .. }
                | TokenError::PinFinalTryNeedsConfirmation
                | TokenError::PinLocked,
            ) => return Err(MakingError::TokenNotBlank),
            Err(e) => return Err(e.into()),
        }
        // Private keys are seen only logged in.
        let keys = svc.list_keys(info.token.clone()).await;
        let _ = svc.logout(info.token.clone()).await;
        if foreign(keys?.iter().map(|k| k.label.as_str()), application_id) {
            return Err(MakingError::TokenInUse);
        }
        Ok(())
    }

    /// Initialises a blank token: the organisation's label, the CA's SO PIN for it, the
    /// applicant's PIN as the user PIN. Returns the token as it is now addressed.
    pub(super) async fn initialise(
        &self,
        svc: &TokenService,
        client: &CaClient,
        case: &Case,
        info: &TokenInfo,
        user_pin: &SecretString,
    ) -> Result<TokenRef, MakingError> {
        pin_rules::check(
            "",
            user_pin.expose_secret(),
            info.min_pin_len,
            info.max_pin_len,
        )
        .map_err(MakingError::PinRule)?;
        let known_serial = (!info.serial.is_empty()).then_some(info.serial.as_str());
        let so_pin = client
            .case_so_pin(&case.id, known_serial)
            .await
            .map_err(case_refusal)?;
        let fresh = svc
            .init_token(
                info.token.clone(),
                token_label(case),
                so_pin.clone(),
                user_pin.clone(),
            )
            .await
            .map_err(|e| match e {
                TokenError::PinIncorrect { .. } => MakingError::InitRefused,
                other => other.into(),
            })?;
        certdesk_token::fault::point("init-token:initialised");
        if known_serial != Some(fresh.serial.as_str()) {
            // The serial came with the initialisation: the transitional SO PIN gives way
            // to the one the CA derives for that serial (which unlock uses later).
            let own = client
                .case_so_pin(&case.id, Some(&fresh.serial))
                .await
                .map_err(case_refusal)?;
            svc.change_so_pin(fresh.token.clone(), so_pin, own)
                .await
                .map_err(|e| match e {
                    TokenError::PinIncorrect { .. } => MakingError::InitRefused,
                    other => other.into(),
                })?;
        }
        Ok(fresh.token)
    }

    /// A token this counter initialised for the case (its label is the organisation's)
    /// whose making was cut off between `C_InitToken` and the SO PIN change still has the
    /// case's transitional SO PIN: it gets its serial's own. Tried with its own first, so
    /// a settled token costs no failed SO login; a token with neither is left alone (it
    /// was not initialised here).
    async fn settle_so_pin(
        &self,
        svc: &TokenService,
        client: &CaClient,
        case: &Case,
        info: &TokenInfo,
    ) -> Result<(), MakingError> {
        if info.label != token_label(case).trim() || case.making.is_some() {
            return Ok(());
        }
        let own = client
            .case_so_pin(&case.id, Some(&info.serial))
            .await
            .map_err(case_refusal)?;
        match svc
            .change_so_pin(info.token.clone(), own.clone(), own.clone())
            .await
        {
            Err(TokenError::PinIncorrect { .. }) => {}
            other => return Ok(other?),
        }
        let transitional = client
            .case_so_pin(&case.id, None)
            .await
            .map_err(case_refusal)?;
        match svc
            .change_so_pin(info.token.clone(), transitional, own)
            .await
        {
            Err(TokenError::PinIncorrect { .. }) => Ok(()),
            other => Ok(other?),
        }
    }

    /// Sends the hand-over code by SMS to the handler's phone (after the token was
    /// recorded). Each call sends an SMS: the CA's resend limits apply.
    pub async fn send_handover_code(&self, case_id: &str) -> Result<OtpSent, MakingError> {
        let id = CaseNumber::parse(case_id)?;
        let client = self.client()?;
        client
            .send_handover_code(id.as_str())
            .await
            .map_err(case_refusal)
    }

    /// The applicant's code (typed on the customer window) confirms the hand-over; the
    /// case comes back `handed_over`.
    pub async fn hand_over(&self, case_id: &str, code: &SecretString) -> Result<Case, MakingError> {
        let id = CaseNumber::parse(case_id)?;
        let client = self.client()?;
        client
            .hand_over_case(id.as_str(), code)
            .await
            .map_err(|e| match e.code() {
                Some(ProblemCode::OtpInvalid | ProblemCode::OtpExpired) => {
                    MakingError::HandoverCodeRejected
                }
                Some(ProblemCode::LockedOut) => MakingError::HandoverLocked,
                _ => case_refusal(e),
            })
    }
}

/// Signs a message naming the case and the moment on the token with the new key and
/// verifies it here with the public key of the certificate the CA issued (as it is on
/// the token). Returns the signature algorithm's OID.
async fn test_signature(
    svc: &TokenService,
    done: &Downloaded,
    case_id: &str,
    user_pin: &SecretString,
) -> Result<String, MakingError> {
    let token = done.token.clone();
    let cert = svc
        .list_certificates(token.clone())
        .await?
        .into_iter()
        .find(|c| {
            !c.is_ca
                && c.serial.trim_start_matches('0')
                    == done.certificate_serial.trim_start_matches('0')
        })
        .ok_or(MakingError::TestSignatureFailed)?;
    let cert = x509_cert::Certificate::from_der(&cert.der)
        .map_err(|_| MakingError::TestSignatureFailed)?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let message = format!(
        "CertDesk counter test signature\ncase: {case_id}\ncertificate: {}\nat: {nanos}",
        done.certificate_serial
    )
    .into_bytes();
    let _ = svc.logout(token.clone()).await;
    svc.login(token.clone(), user_pin.clone(), false)
        .await
        .map_err(DownloadError::from)?;
    let signed = svc
        .sign(token.clone(), done.key_id.clone(), message.clone())
        .await;
    let _ = svc.logout(token).await;
    let signed = signed?;
    let oid =
        ObjectIdentifier::new(&signed.algorithm).map_err(|_| MakingError::TestSignatureFailed)?;
    certdesk_token::pubkey::verify(
        cert.tbs_certificate().subject_public_key_info(),
        oid,
        &message,
        &signed.signature,
    )
    .map_err(|_| MakingError::TestSignatureFailed)?;
    Ok(signed.algorithm)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_long_organisation_name_is_cut_at_a_character_within_32_bytes() {
        let cut = cut_label("北京市海淀区某某某某科技发展有限责任公司");
        assert!(cut.len() <= 32);
        assert_eq!(cut, "北京市海淀区某某某某");
        assert_eq!(cut_label("ACME Ltd"), "ACME Ltd");
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(MakingError::TokenInUse.code(), "token_in_use");
        assert_eq!(
            MakingError::MadeOnAnotherToken {
                token_serial: "x".into()
            }
            .code(),
            "made_on_another_token"
        );
        assert_eq!(
            MakingError::Download(DownloadError::NoToken).code(),
            "no_token"
        );
    }
}
