//! Certificate download (证书下载, seed 000 step 6) as a journaled transaction.
//!
//! ```text
//! Preflighted ─authorise→ Authorised ─login→ LoggedIn ─keygen→ KeyReady ─csr→ CsrSigned
//!   ─finalize→ Issued ─write (+ envelope)→ Written ─self-test→ Tested ─confirm→ Downloaded
//! ```
//!
//! **Pre-flight** (nothing spent, nothing written, nothing journaled for a new download):
//! the CA answers `/healthz` and the clocks agree within [`MAX_CLOCK_SKEW_SECS`]; exactly
//! one candidate token or the chosen one; the channel's algorithm (from the caller's
//! look-up in [`DownloadRequest::channel`], else a look-up here) is supported, with the
//! envelope import on dual channels; room, not write-protected; the PIN not locked and
//! its final try only when confirmed; this application's certificate not on the token
//! yet; and the PIN itself is verified (login + logout), so a typo costs neither a
//! password-card attempt nor the captcha. The CA's authorisation must name the same
//! algorithm and certificate set.
//!
//! Each state is a type holding only the data valid in it; each transition consumes the
//! previous state. Every step is recorded in the [`Journal`] before (`begin`) and after
//! (`end`, with what it learnt) it runs.
//!
//! **Resume rules** (an `active` journal entry exists for the application):
//! - the download continues on the journaled token (module + serial); another token is
//!   refused, because the key lives there;
//! - the user gives the card password and the PIN again (nothing secret is journaled);
//!   the card is re-authorised, which the CA allows until `confirm` spent it;
//! - keygen is skipped when the journaled key is on the token; keys carrying this
//!   application's label without a certificate (from a keygen or envelope import
//!   interrupted before its `end` record) are destroyed first, so exactly one key remains;
//! - a CSR is made again with the same key and finalized again: the CA answers the
//!   certificate it already issued for that key, never a second one;
//! - writing the certificate is idempotent (the token layer skips identical objects);
//! - if `confirm` had reached the CA before the crash, re-authorisation is refused; the
//!   entry is closed as confirmed when the CA's record of the journaled serial is valid
//!   for this application and the token holds that certificate paired with its key.
//!
//! **Fault injection (tests only).** [`fault_point`] reads `CERTDESK_FAULT_AFTER` and
//! aborts the process (no destructors, no flushing: as close to `kill -9` as a process
//! can do to itself) at the named point: `<step>` after the step's `end` record,
//! `<step>:begin` after its `begin` record, `<step>:op` after the step's operation ran
//! but before its `end` record. Unset, it does nothing.

use std::path::PathBuf;

use base64::Engine as _;
use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::auth::Captcha;
use certdesk_ca_api::channel::{CertificateSet, KeyAlgorithm as CaKeyAlgorithm};
use certdesk_ca_api::download::{CertificateStatus, DownloadAuthorise, DownloadLookup, Issuance};
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_token::{
    Capabilities, Envelope, KeyAlgorithm, KeyPurpose, KeySpec, PinState, SecretString, TokenError,
    TokenRef, TokenService,
};
use der::{Decode, Encode};
use secrecy::ExposeSecret;
use sha2::Digest as _;

use super::journal::{Entry, EntryState, Facts, Journal, Step};
use crate::db::StoreError;

/// Environment variable naming the fault-injection point (tests only).
pub const FAULT_ENV: &str = "CERTDESK_FAULT_AFTER";

/// **Deliberate fault injector for the crash tests.** Aborts the process at the point
/// named by `CERTDESK_FAULT_AFTER` (see the module docs). Does nothing when unset.
pub fn fault_point(step: Step, point: &str) {
    if let Some(want) = std::env::var_os(FAULT_ENV) {
        let here = if point.is_empty() {
            step.as_str().to_string()
        } else {
            format!("{}:{point}", step.as_str())
        };
        if want.to_string_lossy() == here {
            eprintln!("certdesk: fault injected after {here}: aborting");
            std::process::abort();
        }
    }
}

/// Errors of a download, each with a stable [`DownloadError::code`].
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("token: {0}")]
    Token(#[from] TokenError),
    #[error("CA: {0}")]
    Ca(#[from] ClientError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("no token inserted")]
    NoToken,
    #[error("several tokens are inserted ({0}); choose one")]
    SeveralTokens(String),
    #[error("the unfinished download of this application continues on token {serial}; insert it")]
    WrongToken { serial: String },
    #[error("the token cannot make {0:?} keys, which this channel needs")]
    UnsupportedAlgorithm(KeyAlgorithm),
    #[error("the token cannot import the encryption key envelope this channel sends")]
    NoEnvelopeSupport,
    #[error("the token's PIN is on its final try; confirm explicitly to use it")]
    PinFinalTry,
    #[error("the token's PIN is locked; have it unlocked (解锁) first")]
    PinLocked,
    #[error("the token has no free memory for a new key and certificate")]
    NoRoom,
    #[error("the token is write-protected")]
    WriteProtected,
    #[error("the token already holds this application's certificate")]
    AlreadyOnToken,
    #[error("application {0} is not ready for download")]
    NotDownloadable(String),
    #[error(
        "the CA already issued this application's certificate for a key that is not on this token; apply for a reissue (补办)"
    )]
    KeyLost,
    #[error("the CA's answer is not usable: {0}")]
    BadIssuance(String),
    #[error("the channel's algorithm {0:?} is not supported here")]
    UnknownAlgorithm(String),
    #[error(
        "this computer's clock is {seconds} s off the CA's; set the system time automatically and try again"
    )]
    ClockSkewed { seconds: i64 },
}

impl DownloadError {
    pub fn code(&self) -> &'static str {
        match self {
            DownloadError::Token(e) => e.code(),
            DownloadError::Ca(e) if e.is_transient() => "ca_unreachable",
            DownloadError::Ca(_) => "ca_refused",
            DownloadError::Store(_) => "store",
            DownloadError::NoToken => "no_token",
            DownloadError::SeveralTokens(_) => "several_tokens",
            DownloadError::WrongToken { .. } => "wrong_token",
            DownloadError::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            DownloadError::NoEnvelopeSupport => "no_envelope_support",
            DownloadError::PinFinalTry => "pin_final_try",
            DownloadError::PinLocked => "pin_locked",
            DownloadError::NoRoom => "no_room",
            DownloadError::WriteProtected => "write_protected",
            DownloadError::AlreadyOnToken => "already_on_token",
            DownloadError::NotDownloadable(_) => "not_downloadable",
            DownloadError::KeyLost => "key_lost",
            DownloadError::BadIssuance(_) => "bad_issuance",
            DownloadError::UnknownAlgorithm(_) => "unknown_algorithm",
            DownloadError::ClockSkewed { .. } => "clock_skewed",
        }
    }
}

type Result<T> = std::result::Result<T, DownloadError>;

/// Answers the CA's image captchas (a person in the app or CLI; the sandbox's answer
/// endpoint in tests).
pub trait CaptchaSolver: Sync {
    fn solve(
        &self,
        client: &CaClient,
        captcha: &Captcha,
    ) -> impl std::future::Future<Output = Result<String>> + Send;

    /// A captcha id with its answer: by default a fresh captcha from the CA, solved.
    /// The app overrides it with the captcha the user already answered on the form.
    fn answer(
        &self,
        client: &CaClient,
    ) -> impl std::future::Future<Output = Result<(String, String)>> + Send {
        async move {
            let c = client.captcha().await?;
            let a = self.solve(client, &c).await?;
            Ok((c.captcha_id, a))
        }
    }
}

/// The captcha the user answered on the card form, used for the one authorisation a
/// run makes (the app passes [`DownloadRequest::channel`], so no look-up is needed). A
/// second call means a retry inside one run, which the app does not make: it asks the
/// CA for a fresh captcha and gets `captcha_invalid` back, which the form shows.
pub struct AnsweredCaptcha {
    given: std::sync::Mutex<Option<(String, String)>>,
}

impl AnsweredCaptcha {
    pub fn new(captcha_id: String, answer: String) -> Self {
        Self {
            given: std::sync::Mutex::new(Some((captcha_id, answer))),
        }
    }
}

impl CaptchaSolver for AnsweredCaptcha {
    async fn solve(&self, _client: &CaClient, _captcha: &Captcha) -> Result<String> {
        // Nobody can read a second image here; an empty answer is refused by the CA.
        Ok(String::new())
    }

    async fn answer(&self, client: &CaClient) -> Result<(String, String)> {
        let given = self.given.lock().ok().and_then(|mut g| g.take());
        match given {
            Some(pair) => Ok(pair),
            None => {
                let c = client.captcha().await?;
                Ok((c.captcha_id, String::new()))
            }
        }
    }
}

/// What the look-up said about the application's channel (the app already made it,
/// with the user's captcha). Checked against the CA's authorisation answer.
#[derive(Debug, Clone, Copy)]
pub struct ChannelFacts {
    pub key_algorithm: CaKeyAlgorithm,
    pub dual: bool,
}

pub use certdesk_ipc::MAX_CLOCK_SKEW_SECS;

/// The CA's answer to the pre-flight reachability and clock check.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CaCheck {
    /// Local minus server time, seconds; `None` when the CA does not say its time.
    pub skew_seconds: Option<i64>,
}

/// Pre-flight: the CA answers `/healthz` and this computer's clock is within
/// [`MAX_CLOCK_SKEW_SECS`] of the CA's.
pub async fn check_ca(client: &CaClient) -> Result<CaCheck> {
    let health = client.health().await?;
    clock_check(
        health.server_time.as_deref(),
        time::OffsetDateTime::now_utc(),
    )
}

/// The skew rule on its own: `server_time` as the CA said it (RFC 3339), `now` local.
/// An unreadable or absent time is no refusal (older CAs do not say it).
pub fn clock_check(server_time: Option<&str>, now: time::OffsetDateTime) -> Result<CaCheck> {
    let skew_seconds = server_time.and_then(|t| {
        let server =
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()?;
        Some((now - server).whole_seconds())
    });
    if let Some(seconds) = skew_seconds
        && seconds.abs() > MAX_CLOCK_SKEW_SECS
    {
        return Err(DownloadError::ClockSkewed { seconds });
    }
    Ok(CaCheck { skew_seconds })
}

/// Reads the answer from the sandbox CA (tests, demo). Never for a production CA.
pub struct SandboxCaptcha;

impl CaptchaSolver for SandboxCaptcha {
    async fn solve(&self, client: &CaClient, captcha: &Captcha) -> Result<String> {
        Ok(client.sandbox_captcha_answer(&captcha.captcha_id).await?)
    }
}

/// Which token to use.
#[derive(Debug, Clone, Default)]
pub struct TokenChoice {
    /// Modules to look in.
    pub modules: Vec<PathBuf>,
    /// Only the token with this serial (required when several are inserted).
    pub serial: Option<String>,
}

/// Everything a download needs. Secrets are `SecretString`s and are never journaled.
pub struct DownloadRequest {
    pub ca_url: String,
    pub application_id: String,
    pub card_serial: String,
    pub card_password: SecretString,
    /// The handler's phone and the organisation code, as the CA's authorisation asks.
    pub phone: String,
    pub org_code: String,
    pub pin: SecretString,
    pub token: TokenChoice,
    /// Spend the PIN's final try (the user confirmed explicitly).
    pub confirm_final_pin_try: bool,
    /// The channel as the caller's own look-up found it; `None` makes the download look
    /// it up (one more captcha).
    pub channel: Option<ChannelFacts>,
}

/// Where a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepPhase {
    Started,
    Done,
    /// Already done by an earlier, interrupted run (resume).
    Skipped,
}

/// Progress of a download, one event per step boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub step: Step,
    pub phase: StepPhase,
    /// True when this run resumes an interrupted download.
    pub resumed: bool,
}

/// The outcome of a finished download.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Downloaded {
    pub application_id: String,
    pub token: TokenRef,
    pub key_id: String,
    pub certificate_serial: String,
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// `rsa2048`, `ecdsa-p256`, … (the channel's algorithm).
    pub key_algorithm: String,
    pub chain_len: usize,
    pub encryption_certificate_serial: Option<String>,
    pub resumed: bool,
    pub journal_id: i64,
}

/// The label of the key pair (and so of its certificate) made for an application:
/// how an interrupted run's objects are recognised on the token.
pub fn key_label(application_id: &str) -> String {
    format!("CertDesk {application_id}")
}

fn enc_label(application_id: &str) -> String {
    format!("CertDesk {application_id} encryption")
}

pub(crate) fn token_algorithm(a: CaKeyAlgorithm) -> KeyAlgorithm {
    match a {
        CaKeyAlgorithm::Rsa2048 => KeyAlgorithm::Rsa2048,
        CaKeyAlgorithm::Rsa3072 => KeyAlgorithm::Rsa3072,
        CaKeyAlgorithm::EcdsaP256 => KeyAlgorithm::EcP256,
        CaKeyAlgorithm::Sm2 => KeyAlgorithm::Sm2,
    }
}

pub(super) fn alg_name(a: KeyAlgorithm) -> &'static str {
    match a {
        KeyAlgorithm::Rsa2048 => "rsa2048",
        KeyAlgorithm::Rsa3072 => "rsa3072",
        KeyAlgorithm::EcP256 => "ecdsa-p256",
        KeyAlgorithm::Sm2 => "sm2",
    }
}

fn alg_parse(s: &str) -> Result<KeyAlgorithm> {
    Ok(match s {
        "rsa2048" => KeyAlgorithm::Rsa2048,
        "rsa3072" => KeyAlgorithm::Rsa3072,
        "ecdsa-p256" => KeyAlgorithm::EcP256,
        "sm2" => KeyAlgorithm::Sm2,
        other => return Err(DownloadError::UnknownAlgorithm(other.into())),
    })
}

/// The transaction's context: the token worker, the journal, the CA, progress.
struct Ctx<'a, S> {
    svc: &'a TokenService,
    journal: &'a mut Journal,
    client: CaClient,
    solver: &'a S,
    req: &'a DownloadRequest,
    entry_id: i64,
    resumed: bool,
    progress: &'a mut (dyn FnMut(Progress) + Send),
}

impl<S: CaptchaSolver> Ctx<'_, S> {
    fn emit(&mut self, step: Step, phase: StepPhase) {
        (self.progress)(Progress {
            step,
            phase,
            resumed: self.resumed,
        });
    }

    fn begin(&mut self, step: Step) -> Result<()> {
        self.journal.begin(self.entry_id, step)?;
        self.emit(step, StepPhase::Started);
        fault_point(step, "begin");
        Ok(())
    }

    fn end(&mut self, step: Step, facts: &Facts) -> Result<()> {
        fault_point(step, "op");
        self.journal.end(self.entry_id, step, facts)?;
        self.emit(step, StepPhase::Done);
        fault_point(step, "");
        Ok(())
    }

    fn skip(&mut self, step: Step) {
        self.emit(step, StepPhase::Skipped);
    }

    /// Runs `f` as step `step`: `failed` is journaled with the error's code.
    async fn failing<T>(&mut self, step: Step, r: Result<T>) -> Result<T> {
        if let Err(e) = &r {
            let _ = self.journal.failed(self.entry_id, step, e.code());
        }
        r
    }

    async fn captcha(&self) -> Result<(String, String)> {
        self.solver.answer(&self.client).await
    }
}

// ---- states -------------------------------------------------------------------------

/// Pre-flight passed: the token and the channel's requirements are known.
struct Preflighted {
    token: TokenRef,
    algorithm: KeyAlgorithm,
    dual: bool,
    entry: Entry,
}

/// The card authorised this download; the client carries the enrollment token.
struct Authorised {
    pre: Preflighted,
}

struct LoggedIn {
    pre: Preflighted,
}

struct KeyReady {
    pre: Preflighted,
    key_id: String,
}

struct CsrSigned {
    ready: KeyReady,
    csr_pem: String,
}

struct Issued {
    ready: KeyReady,
    issuance: Issuance,
    leaf_der: Vec<u8>,
    chain_der: Vec<Vec<u8>>,
}

struct Written {
    issued: Issued,
}

struct Tested {
    issued: Issued,
}

pub(super) fn pem_chain(pem: &str) -> Result<Vec<Vec<u8>>> {
    let certs = x509_cert::Certificate::load_pem_chain(pem.as_bytes())
        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?;
    certs
        .iter()
        .map(|c| {
            c.to_der()
                .map_err(|e| DownloadError::BadIssuance(e.to_string()))
        })
        .collect()
}

/// Picks the token: the journaled one when resuming, else exactly one candidate or the
/// explicit choice.
async fn choose_token(
    svc: &TokenService,
    choice: &TokenChoice,
    resume: Option<&Entry>,
) -> Result<TokenRef> {
    if let Some(e) = resume {
        if choice.serial.as_ref().is_some_and(|s| *s != e.token.serial) {
            return Err(DownloadError::WrongToken {
                serial: e.token.serial.clone(),
            });
        }
        // The token must be present (a pulled token reads as not found). Modules that
        // fix their slot list at initialisation (SoftHSM2) see a re-inserted token only
        // after a rescan.
        let _ = svc.rescan(e.token.module.clone()).await;
        svc.token_info(e.token.clone())
            .await
            .map_err(|err| match err {
                TokenError::TokenNotFound { .. } => DownloadError::WrongToken {
                    serial: e.token.serial.clone(),
                },
                other => other.into(),
            })?;
        return Ok(e.token.clone());
    }
    let mut found = Vec::new();
    for m in &choice.modules {
        let _ = svc.rescan(m.clone()).await;
        for t in svc.list_tokens(m.clone()).await? {
            if t.token_initialized && choice.serial.as_ref().is_none_or(|s| *s == t.serial) {
                found.push(t.token);
            }
        }
    }
    match found.len() {
        0 => Err(DownloadError::NoToken),
        1 => Ok(found.remove(0)),
        _ => Err(DownloadError::SeveralTokens(
            found
                .iter()
                .map(|t| t.serial.clone())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

pub(crate) fn check_capabilities(
    caps: &Capabilities,
    algorithm: KeyAlgorithm,
    dual: bool,
    confirm_final: bool,
) -> Result<()> {
    if !caps.supports(algorithm) {
        return Err(DownloadError::UnsupportedAlgorithm(algorithm));
    }
    if dual && caps.envelope_wrap_mechanism.is_none() {
        return Err(DownloadError::NoEnvelopeSupport);
    }
    match caps.pin_state {
        PinState::Locked => return Err(DownloadError::PinLocked),
        PinState::FinalTry if !confirm_final => return Err(DownloadError::PinFinalTry),
        _ => {}
    }
    if caps.write_protected {
        return Err(DownloadError::WriteProtected);
    }
    if caps.free_private_memory == Some(0) || caps.free_public_memory == Some(0) {
        return Err(DownloadError::NoRoom);
    }
    Ok(())
}

/// Downloads (or resumes downloading) the application's certificate onto a token.
pub async fn download<S: CaptchaSolver>(
    svc: &TokenService,
    journal: &mut Journal,
    req: &DownloadRequest,
    solver: &S,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Downloaded> {
    let resume = match journal.active_for(&req.application_id)? {
        // Killed between the entry's creation and the pre-flight's `end`: nothing was
        // generated, authorised or issued, and the channel was never recorded. Start over.
        Some(e) if e.key_algorithm.is_none() => {
            journal.finish(e.id, EntryState::Abandoned)?;
            None
        }
        other => other,
    };
    let resumed = resume.is_some();
    let client = CaClient::new(&req.ca_url)?;
    progress(Progress {
        step: Step::Preflight,
        phase: StepPhase::Started,
        resumed,
    });
    // ---- pre-flight: nothing is spent or written before it passes ----
    check_ca(&client).await?;
    let token = choose_token(svc, &req.token, resume.as_ref()).await?;
    let (algorithm, dual) = match (&resume, req.channel) {
        (
            Some(Entry {
                key_algorithm: Some(a),
                certificate_set: Some(s),
                ..
            }),
            _,
        ) => (alg_parse(a)?, s == "dual"),
        (_, Some(facts)) => (token_algorithm(facts.key_algorithm), facts.dual),
        _ => {
            let ctx_captcha = solver.answer(&client).await?;
            let candidates = client
                .download_lookup(&DownloadLookup {
                    org_code: Some(req.org_code.clone()),
                    handler_id_number: None,
                    phone: req.phone.clone(),
                    captcha_id: ctx_captcha.0,
                    captcha_answer: ctx_captcha.1,
                })
                .await?;
            let c = candidates
                .into_iter()
                .find(|c| c.application_id == req.application_id)
                .ok_or_else(|| DownloadError::NotDownloadable(req.application_id.clone()))?;
            if !matches!(
                c.status,
                ApplicationStatus::Approved | ApplicationStatus::Issued
            ) {
                return Err(DownloadError::NotDownloadable(req.application_id.clone()));
            }
            (
                token_algorithm(c.key_algorithm),
                c.certificate_set == CertificateSet::Dual,
            )
        }
    };
    let caps = svc.capabilities(token.clone()).await?;
    check_capabilities(&caps, algorithm, dual, req.confirm_final_pin_try)?;
    // The PIN is checked before the card is authorised, so a typo costs neither the
    // card's attempt nor the captcha; the Login step logs in again after authorise.
    // Log out first: a session left logged in by an earlier failed run would accept any
    // PIN here.
    let _ = svc.logout(token.clone()).await;
    svc.login(token.clone(), req.pin.clone(), req.confirm_final_pin_try)
        .await?;
    let _ = svc.logout(token.clone()).await;
    if !resumed {
        let label = key_label(&req.application_id);
        if svc
            .list_certificates(token.clone())
            .await?
            .iter()
            .any(|c| !c.is_ca && c.label == label)
        {
            return Err(DownloadError::AlreadyOnToken);
        }
    }
    let entry = match resume {
        Some(e) => e,
        None => {
            let e = journal.create(&req.application_id, &token, &req.ca_url, &req.card_serial)?;
            journal.begin(e.id, Step::Preflight)?;
            fault_point(Step::Preflight, "begin");
            e
        }
    };
    let mut ctx = Ctx {
        svc,
        journal,
        client,
        solver,
        req,
        entry_id: entry.id,
        resumed,
        progress,
    };
    ctx.end(
        Step::Preflight,
        &Facts {
            key_algorithm: Some(alg_name(algorithm).into()),
            certificate_set: Some(if dual { "dual" } else { "single" }.into()),
            ..Facts::default()
        },
    )?;
    let pre = Preflighted {
        token,
        algorithm,
        dual,
        entry,
    };

    // ---- authorise ----
    let authorised = match authorise(&mut ctx, pre).await? {
        Authorisation::Ready(a) => *a,
        Authorisation::AlreadyConfirmed(done) => return Ok(*done),
    };
    let logged_in = login(&mut ctx, authorised).await?;
    let ready = keygen(&mut ctx, logged_in).await?;
    let signed = csr(&mut ctx, ready).await?;
    let issued = finalize(&mut ctx, signed).await?;
    let written = write(&mut ctx, issued).await?;
    let tested = self_test(&mut ctx, written).await?;
    confirm(&mut ctx, tested).await
}

enum Authorisation {
    Ready(Box<Authorised>),
    AlreadyConfirmed(Box<Downloaded>),
}

async fn authorise<S: CaptchaSolver>(
    ctx: &mut Ctx<'_, S>,
    pre: Preflighted,
) -> Result<Authorisation> {
    ctx.begin(Step::Authorise)?;
    let r = async {
        let (captcha_id, captcha_answer) = ctx.captcha().await?;
        Ok::<_, DownloadError>(
            ctx.client
                .download_authorise(&DownloadAuthorise {
                    card_serial: ctx.req.card_serial.clone(),
                    card_password: ctx.req.card_password.expose_secret().to_string(),
                    phone: ctx.req.phone.clone(),
                    org_code: ctx.req.org_code.clone(),
                    captcha_id,
                    captcha_answer,
                })
                .await?,
        )
    }
    .await;
    let enrollment = match r {
        Ok(e) => e,
        Err(DownloadError::Ca(e))
            if ctx.resumed
                && pre.entry.cert_serial.is_some()
                && matches!(
                    e.code(),
                    Some(
                        ProblemCode::InvalidState
                            | ProblemCode::PasswordCardInvalid
                            | ProblemCode::PasswordCardUsed
                    )
                ) =>
        {
            // `confirm` may have reached the CA before the crash.
            if let Some(done) = confirmed_before(ctx, &pre).await? {
                return Ok(Authorisation::AlreadyConfirmed(Box::new(done)));
            }
            return ctx.failing(Step::Authorise, Err(e.into())).await;
        }
        Err(e) => return ctx.failing(Step::Authorise, Err(e)).await,
    };
    if token_algorithm(enrollment.key_algorithm) != pre.algorithm
        || (enrollment.certificate_set == CertificateSet::Dual) != pre.dual
    {
        let e = DownloadError::BadIssuance(
            "the CA authorised a different algorithm or certificate set than the look-up said"
                .into(),
        );
        return ctx.failing(Step::Authorise, Err(e)).await;
    }
    ctx.client
        .set_token(Some(SecretString::from(enrollment.token.clone())));
    ctx.end(Step::Authorise, &Facts::default())?;
    Ok(Authorisation::Ready(Box::new(Authorised { pre })))
}

/// After a crash between the CA's answer to `confirm` and the journal's record of it.
async fn confirmed_before<S: CaptchaSolver>(
    ctx: &mut Ctx<'_, S>,
    pre: &Preflighted,
) -> Result<Option<Downloaded>> {
    let Some(serial) = pre.entry.cert_serial.clone() else {
        return Ok(None);
    };
    let record = ctx.client.certificate(&serial).await?;
    if record.application_id != ctx.req.application_id || record.status != CertificateStatus::Valid
    {
        return Ok(None);
    }
    let on_token = ctx
        .svc
        .list_certificates(pre.token.clone())
        .await?
        .into_iter()
        .find(|c| c.serial.trim_start_matches('0') == serial.trim_start_matches('0'));
    let Some(cert) = on_token else {
        return Ok(None);
    };
    if !cert.has_public_key {
        return Ok(None);
    }
    ctx.journal.finish(ctx.entry_id, EntryState::Confirmed)?;
    ctx.skip(Step::Confirm);
    Ok(Some(Downloaded {
        application_id: ctx.req.application_id.clone(),
        token: pre.token.clone(),
        key_id: cert.id,
        certificate_serial: serial,
        subject: cert.subject,
        issuer: cert.issuer,
        not_before: cert.not_before,
        not_after: cert.not_after,
        key_algorithm: alg_name(pre.algorithm).into(),
        chain_len: 0,
        encryption_certificate_serial: pre.entry.enc_cert_serial.clone(),
        resumed: true,
        journal_id: ctx.entry_id,
    }))
}

async fn login<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, a: Authorised) -> Result<LoggedIn> {
    ctx.begin(Step::Login)?;
    let r = ctx
        .svc
        .login(
            a.pre.token.clone(),
            ctx.req.pin.clone(),
            ctx.req.confirm_final_pin_try,
        )
        .await
        .map_err(DownloadError::from);
    ctx.failing(Step::Login, r).await?;
    ctx.end(Step::Login, &Facts::default())?;
    Ok(LoggedIn { pre: a.pre })
}

/// Destroys keys labelled `label` that have no certificate, except `keep`: what an
/// interrupted keygen or envelope import of this application (or renewal) left on the
/// token.
pub(super) async fn clean_strays(
    svc: &TokenService,
    token: &TokenRef,
    label: &str,
    keep: Option<&str>,
) -> std::result::Result<usize, TokenError> {
    let mut ids: Vec<String> = svc
        .list_keys(token.clone())
        .await?
        .into_iter()
        .filter(|k| k.label == label && !k.has_certificate && Some(k.id.as_str()) != keep)
        .map(|k| k.id)
        .collect();
    ids.sort();
    ids.dedup();
    let mut n = 0;
    for id in ids {
        n += svc.delete_by_id(token.clone(), id).await?;
    }
    Ok(n)
}

/// The journaled key when it is still on the token, after destroying the other keys
/// labelled `label` without a certificate (what an interrupted keygen left).
pub(super) async fn keep_journaled_key(
    svc: &TokenService,
    token: &TokenRef,
    label: &str,
    journaled: Option<&str>,
) -> std::result::Result<Option<String>, TokenError> {
    let present = match journaled {
        Some(id) => svc
            .list_keys(token.clone())
            .await?
            .iter()
            .any(|k| k.private && k.id == id),
        None => false,
    };
    let keep = journaled.filter(|_| present).map(str::to_string);
    clean_strays(svc, token, label, keep.as_deref()).await?;
    Ok(keep)
}

async fn keygen<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, l: LoggedIn) -> Result<KeyReady> {
    let label = key_label(&ctx.req.application_id);
    let token = l.pre.token.clone();
    let journaled = ctx
        .journal
        .get(ctx.entry_id)?
        .and_then(|e| e.key_id)
        .filter(|s| !s.is_empty());
    let keep = keep_journaled_key(ctx.svc, &token, &label, journaled.as_deref()).await?;
    if let Some(key_id) = keep {
        ctx.skip(Step::Keygen);
        return Ok(KeyReady { pre: l.pre, key_id });
    }
    if journaled.is_some() {
        // The journaled key is gone from the token (wiped?): a new key is needed; the CA
        // refuses it if it already issued for the old one.
        ctx.journal.clear_key(ctx.entry_id)?;
    }
    ctx.begin(Step::Keygen)?;
    let spec = KeySpec {
        algorithm: l.pre.algorithm,
        purpose: if l.pre.dual {
            KeyPurpose::SigningWithEnvelope
        } else {
            KeyPurpose::Signing
        },
        label,
    };
    let r = ctx
        .svc
        .generate_key_pair(token, spec)
        .await
        .map_err(DownloadError::from);
    let key = ctx.failing(Step::Keygen, r).await?;
    ctx.end(
        Step::Keygen,
        &Facts {
            key_id: Some(key.id.clone()),
            ..Facts::default()
        },
    )?;
    Ok(KeyReady {
        pre: l.pre,
        key_id: key.id,
    })
}

async fn csr<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, ready: KeyReady) -> Result<CsrSigned> {
    ctx.begin(Step::Csr)?;
    // The CA takes the subject from the vetted application, never from the CSR.
    let subject = format!("CN={}", ctx.req.application_id);
    let r = ctx
        .svc
        .create_csr(ready.pre.token.clone(), ready.key_id.clone(), subject)
        .await
        .map_err(DownloadError::from);
    let csr = ctx.failing(Step::Csr, r).await?;
    ctx.end(
        Step::Csr,
        &Facts {
            csr_sha256: Some(hex::encode(sha2::Sha256::digest(&csr.der))),
            ..Facts::default()
        },
    )?;
    Ok(CsrSigned {
        ready,
        csr_pem: csr.pem,
    })
}

async fn finalize<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, s: CsrSigned) -> Result<Issued> {
    ctx.begin(Step::Finalize)?;
    let r = async {
        let issuance = ctx.client.finalize(&s.csr_pem).await.map_err(|e| {
            if e.code() == Some(ProblemCode::IssuedForAnotherKey) {
                DownloadError::KeyLost
            } else {
                e.into()
            }
        })?;
        let leaf = pem_chain(&issuance.certificate_pem)?;
        let leaf_der = leaf
            .into_iter()
            .next()
            .ok_or_else(|| DownloadError::BadIssuance("no certificate".into()))?;
        let chain_der = pem_chain(&issuance.chain_pem)?;
        Ok::<_, DownloadError>((issuance, leaf_der, chain_der))
    }
    .await;
    let (issuance, leaf_der, chain_der) = ctx.failing(Step::Finalize, r).await?;
    ctx.end(
        Step::Finalize,
        &Facts {
            cert_serial: Some(issuance.serial.clone()),
            enc_cert_serial: issuance.encryption.as_ref().map(|e| e.serial.clone()),
            ..Facts::default()
        },
    )?;
    Ok(Issued {
        ready: s.ready,
        issuance,
        leaf_der,
        chain_der,
    })
}

async fn write<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, issued: Issued) -> Result<Written> {
    let token = issued.ready.pre.token.clone();
    ctx.begin(Step::WriteCertificate)?;
    let r = ctx
        .svc
        .write_certificate(
            token.clone(),
            issued.leaf_der.clone(),
            issued.chain_der.clone(),
        )
        .await
        .map_err(DownloadError::from);
    ctx.failing(Step::WriteCertificate, r).await?;
    ctx.end(Step::WriteCertificate, &Facts::default())?;

    if let Some(enc) = issued.issuance.encryption.clone() {
        let enc_der = pem_chain(&enc.certificate_pem)?
            .into_iter()
            .next()
            .ok_or_else(|| DownloadError::BadIssuance("no encryption certificate".into()))?;
        let already = ctx
            .svc
            .list_certificates(token.clone())
            .await?
            .into_iter()
            .any(|c| c.der == enc_der && c.has_private_key == Some(true));
        if already {
            ctx.skip(Step::ImportEnvelope);
        } else {
            let label = enc_label(&ctx.req.application_id);
            clean_strays(ctx.svc, &token, &label, None).await?;
            ctx.begin(Step::ImportEnvelope)?;
            let b64 = base64::engine::general_purpose::STANDARD;
            let r = async {
                let envelope = Envelope {
                    signing_key_id: issued.ready.key_id.clone(),
                    wrapped_aes_key: b64
                        .decode(&enc.wrapped_aes_key)
                        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?,
                    wrapped_private_key: b64
                        .decode(&enc.wrapped_private_key)
                        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?,
                    encryption_certificate: enc_der,
                    label,
                };
                Ok::<_, DownloadError>(ctx.svc.import_envelope(token.clone(), envelope).await?)
            }
            .await;
            ctx.failing(Step::ImportEnvelope, r).await?;
            ctx.end(Step::ImportEnvelope, &Facts::default())?;
        }
    }
    Ok(Written { issued })
}

async fn self_test<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, w: Written) -> Result<Tested> {
    ctx.begin(Step::SelfTest)?;
    let r = ctx
        .svc
        .self_test(
            w.issued.ready.pre.token.clone(),
            w.issued.ready.key_id.clone(),
        )
        .await
        .map_err(DownloadError::from);
    ctx.failing(Step::SelfTest, r).await?;
    ctx.end(Step::SelfTest, &Facts::default())?;
    Ok(Tested { issued: w.issued })
}

async fn confirm<S: CaptchaSolver>(ctx: &mut Ctx<'_, S>, t: Tested) -> Result<Downloaded> {
    ctx.begin(Step::Confirm)?;
    let r = ctx
        .client
        .confirm_download()
        .await
        .map_err(DownloadError::from);
    ctx.failing(Step::Confirm, r).await?;
    fault_point(Step::Confirm, "op");
    ctx.journal.finish(ctx.entry_id, EntryState::Confirmed)?;
    ctx.end(Step::Confirm, &Facts::default())?;
    let issued = t.issued;
    let cert = x509_cert::Certificate::from_der(&issued.leaf_der)
        .map_err(|e| DownloadError::BadIssuance(e.to_string()))?;
    let tbs = cert.tbs_certificate();
    Ok(Downloaded {
        application_id: ctx.req.application_id.clone(),
        token: issued.ready.pre.token.clone(),
        key_id: issued.ready.key_id.clone(),
        certificate_serial: issued.issuance.serial.clone(),
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        not_before: tbs.validity().not_before.to_string(),
        not_after: tbs.validity().not_after.to_string(),
        key_algorithm: alg_name(issued.ready.pre.algorithm).into(),
        chain_len: issued.chain_der.len(),
        encryption_certificate_serial: issued.issuance.encryption.map(|e| e.serial),
        resumed: ctx.resumed,
        journal_id: ctx.entry_id,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(t: &str) -> time::OffsetDateTime {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn clocks_within_five_minutes_pass_and_further_apart_are_refused() {
        let server = "2026-11-21T12:00:00Z";
        let ok = clock_check(Some(server), at("2026-11-21T12:04:59Z")).unwrap();
        assert_eq!(ok.skew_seconds, Some(299));
        let behind = clock_check(Some(server), at("2026-11-21T11:54:00Z")).unwrap_err();
        assert!(matches!(
            behind,
            DownloadError::ClockSkewed { seconds: -360 }
        ));
        let ahead = clock_check(Some(server), at("2026-11-21T13:00:00Z")).unwrap_err();
        assert!(matches!(
            ahead,
            DownloadError::ClockSkewed { seconds: 3600 }
        ));
    }

    #[test]
    fn a_ca_that_does_not_tell_its_time_is_not_refused() {
        let now = at("2026-11-21T12:00:00Z");
        assert_eq!(clock_check(None, now).unwrap().skew_seconds, None);
        assert_eq!(
            clock_check(Some("yesterday"), now).unwrap().skew_seconds,
            None
        );
    }
}
