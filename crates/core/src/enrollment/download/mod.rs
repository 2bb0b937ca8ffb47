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
//! - before each write step (keygen, certificate writing, envelope import) the journal
//!   records what is on the token and the temporary `CKA_ID` of the generation template;
//!   on resume the step's own debris (half-made objects, the temporary id, this
//!   application's label, new since that record) is destroyed first, anything else is
//!   left for the user's repair ([`super::debris`]);
//! - writing the certificate is idempotent (the token layer skips identical objects);
//! - a finished download started again (no unfinished entry, the certificate on the
//!   token with its key and valid at the CA for this application) is success with
//!   [`Downloaded::already_on_token`], not "not downloadable";
//! - if `confirm` had reached the CA before the crash, re-authorisation is refused; the
//!   entry is closed as confirmed when the CA's record of the journaled serial is valid
//!   for this application and the token holds that certificate paired with its key.
//!
//! **Fault injection (tests only).** [`fault_point`] reads `CERTDESK_FAULT_AFTER` and
//! aborts the process (no destructors, no flushing: as close to `kill -9` as a process
//! can do to itself) at the named point: `<step>` after the step's `end` record,
//! `<step>:begin` after its `begin` record, `<step>:op` after the step's operation ran
//! but before its `end` record. Unset, it does nothing. The token layer's points inside
//! a write (`keygen:generated`, `write-certificate:leaf-created`, …, see
//! `certdesk_token::fault`) use the same variable.

mod authority;
mod captcha;
mod errors;
mod preflight;
mod steps;

use std::path::PathBuf;

use certdesk_ca_api::channel::KeyAlgorithm as CaKeyAlgorithm;
use certdesk_ca_client::CaClient;
use certdesk_token::{KeyAlgorithm, SecretString, TokenRef, TokenService};

pub(crate) use authority::{Authority, CounterCase, Txn};
#[cfg(feature = "sandbox")]
pub use captcha::SandboxCaptcha;
pub use captcha::{AnsweredCaptcha, CaptchaSolver};
pub use errors::DownloadError;
use errors::Result;
pub(crate) use preflight::check_capabilities;
use preflight::choose_token;
pub use preflight::{CaCheck, MAX_CLOCK_SKEW_SECS, already_on_token, check_ca, clock_check};
pub(super) use steps::pem_chain;
use steps::{Ctx, Preflighted};

use super::journal::{DownloadStep, Entry, EntryState, Facts, Journal};

/// Environment variable naming the fault-injection point (tests only).
pub const FAULT_ENV: &str = certdesk_token::fault::FAULT_ENV;

/// **Deliberate fault injector for the crash tests.** Aborts the process at the point
/// named by `CERTDESK_FAULT_AFTER` (see the module docs). Does nothing when unset.
pub fn fault_point(step: DownloadStep, point: &str) {
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

/// What the look-up said about the application's channel (the app already made it,
/// with the user's captcha). Checked against the CA's authorisation answer.
#[derive(Debug, Clone, Copy)]
pub struct ChannelFacts {
    pub key_algorithm: CaKeyAlgorithm,
    pub dual: bool,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "DownloadPhase"))]
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
    pub step: DownloadStep,
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
    /// Nothing was done: the certificate was already on the token, paired and valid at
    /// the CA (a finished download run again).
    pub already_on_token: bool,
    /// The journal entry (0 when nothing was journaled).
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

/// Downloads (or resumes downloading) the application's certificate onto a token.
pub async fn download<S: CaptchaSolver>(
    svc: &TokenService,
    journal: &mut Journal,
    req: &DownloadRequest,
    solver: &S,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Downloaded> {
    transaction(
        svc,
        journal,
        &Txn::of(req),
        &authority::Card { req, solver },
        progress,
    )
    .await
}

/// The journaled transaction shared by a download and making a USBKey at the counter;
/// only the authorise step comes from `auth`.
pub(crate) async fn transaction<A: Authority>(
    svc: &TokenService,
    journal: &mut Journal,
    req: &Txn,
    auth: &A,
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
        step: DownloadStep::Preflight,
        phase: StepPhase::Started,
        resumed,
    });
    // ---- pre-flight: nothing is spent or written before it passes ----
    check_ca(&client).await?;
    let token = choose_token(svc, &req.token, resume.as_ref()).await?;
    if resume.is_none()
        && let Some(done) = already_on_token(svc, &client, &token, &req.application_id).await?
    {
        // Before the look-up, which answers "not downloadable" for a finished order.
        progress(Progress {
            step: DownloadStep::Confirm,
            phase: StepPhase::Skipped,
            resumed,
        });
        return Ok(done);
    }
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
        _ => auth.channel(&client, &req.application_id).await?,
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
            let e = journal.create(&req.application_id, &token, &req.ca_url, &auth.kind())?;
            journal.begin(e.id, DownloadStep::Preflight)?;
            fault_point(DownloadStep::Preflight, "begin");
            e
        }
    };
    let mut ctx = Ctx {
        svc,
        journal,
        client,
        auth,
        req,
        entry_id: entry.id,
        resumed,
        progress,
    };
    ctx.end(
        DownloadStep::Preflight,
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

    steps::run(&mut ctx, pre).await
}
