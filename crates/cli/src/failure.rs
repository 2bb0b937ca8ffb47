//! A failed command in words a person can act on: what happened, what to do next, and
//! the stable code (the same in `--json`). Sentences come from the app's catalog.

use certdesk_ca_client::ClientError;
use certdesk_core::enrollment::DownloadError;
use certdesk_ipc::{ErrorCode, IpcError, download_to_ipc, token_to_ipc};
use certdesk_token::{PinState, TokenError};

use crate::catalog::{Catalog, Lang, fmt, wire_name};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A download (or its resume) stopped; `card_authorised` says whether the password
    /// card had already authorised it (then a resume does not spend it again).
    #[error("download: {error}")]
    Download {
        error: DownloadError,
        card_authorised: bool,
    },
    #[error("token: {0}")]
    Token(#[from] TokenError),
    #[error("no token inserted")]
    NoToken,
    #[error("several tokens are inserted ({0}); choose one")]
    SeveralTokens(String),
    /// Reading a secret or an answer from the terminal or stdin.
    #[error("input: {0}")]
    Input(#[from] InputError),
    /// The local data directory or the download journal.
    #[error("local storage: {0}")]
    Storage(String),
    #[error("output: {0}")]
    Output(#[from] serde_json::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("stdin ended before every secret was read")]
    StdinEnded,
    #[error("{0}")]
    Read(#[from] std::io::Error),
}

/// What to do next, in the order it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Reinsert,
    Rerun,
    FixInput,
    ChooseToken,
    ConfirmFinalTry,
    Doctor,
    ContactCa,
}

/// The worded failure.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    /// Stable machine code (`token_absent`, `not_downloadable`, …).
    pub code: String,
    /// The app's error code for the same failure.
    pub kind: ErrorCode,
    pub message: String,
    pub next: Vec<String>,
    /// English technical detail for support; never holds a secret.
    pub detail: String,
}

impl Failure {
    pub fn download(error: DownloadError, card_authorised: bool) -> Self {
        Failure::Download {
            error,
            card_authorised,
        }
    }

    fn code(&self) -> String {
        match self {
            Failure::Download { error, .. } => error.code().to_owned(),
            Failure::Token(e) => e.code().to_owned(),
            Failure::NoToken => "no_token".into(),
            Failure::SeveralTokens(_) => "several_tokens".into(),
            Failure::Input(_) => "input".into(),
            Failure::Storage(_) => "storage".into(),
            Failure::Output(_) => "internal".into(),
        }
    }

    fn ipc(&self) -> IpcError {
        match self {
            Failure::Download { error, .. } => download_to_ipc(error),
            Failure::Token(e) => token_to_ipc(e),
            Failure::NoToken => IpcError::new(ErrorCode::TokenAbsent, self.to_string()),
            Failure::SeveralTokens(_) => {
                IpcError::new(ErrorCode::TokenChoiceNeeded, self.to_string())
            }
            Failure::Input(e) => IpcError::new(ErrorCode::InvalidInput, e.to_string()),
            Failure::Storage(m) => IpcError::new(ErrorCode::Storage, m.clone()),
            Failure::Output(e) => IpcError::new(ErrorCode::Internal, e.to_string()),
        }
    }

    fn problem(&self) -> Option<&certdesk_ca_api::problem::Problem> {
        match self {
            Failure::Download {
                error: DownloadError::Ca(e @ ClientError::Problem(_)),
                ..
            } => e.problem(),
            _ => None,
        }
    }

    fn pin_state(&self) -> Option<PinState> {
        match self {
            Failure::Download {
                error: DownloadError::Token(TokenError::PinIncorrect { state }),
                ..
            }
            | Failure::Token(TokenError::PinIncorrect { state }) => Some(*state),
            _ => None,
        }
    }

    /// The main sentence: a known CA problem's own sentence, the skew in minutes, or the
    /// error code's sentence.
    fn message(&self, t: &Catalog, lang: Lang, kind: ErrorCode) -> String {
        if let Some(p) = self.problem() {
            let code = p.code.as_str();
            let secs = p.retry_after.filter(|s| *s > 0).unwrap_or(60);
            return match t.problems.get(code) {
                Some(s) => fmt(s, &[("n", &secs), ("m", &secs.div_ceil(60).max(1))]),
                None => match lang {
                    Lang::ZhCn => p.title_zh.clone(),
                    Lang::En => p.title.clone(),
                },
            };
        }
        match self {
            Failure::Input(InputError::StdinEnded) => return t.cli.stdin_ended.clone(),
            Failure::Input(InputError::Read(e)) => {
                return fmt(&t.cli.read_failed, &[("detail", e)]);
            }
            _ => {}
        }
        if let Failure::Download {
            error: DownloadError::ClockSkewed { seconds },
            ..
        } = self
        {
            let minutes = (seconds.unsigned_abs() + 30) / 60;
            return fmt(&t.error_details.clock_skewed_by, &[("m", &minutes.max(1))]);
        }
        let text = t
            .error(&wire_name(kind).unwrap_or_else(|| "internal".into()))
            .to_owned();
        match self.pin_state() {
            Some(state) => format!("{text}{}", pin_words(t, state)),
            None => text,
        }
    }

    fn next(&self, kind: ErrorCode) -> Vec<Next> {
        if let Some(p) = self.problem() {
            return match p.code.as_str() {
                "password_card_invalid" | "captcha_invalid" | "validation_failed" => {
                    vec![Next::FixInput]
                }
                "rate_limited" | "locked_out" => vec![Next::Rerun],
                _ => vec![Next::ContactCa],
            };
        }
        match kind {
            ErrorCode::TokenAbsent | ErrorCode::TokenFailed | ErrorCode::WrongToken => {
                vec![Next::Reinsert]
            }
            ErrorCode::CaUnreachable
            | ErrorCode::CaProtocol
            | ErrorCode::ClockSkewed
            | ErrorCode::UpdateUnavailable => {
                vec![Next::Rerun, Next::Doctor]
            }
            ErrorCode::PinIncorrect | ErrorCode::InvalidInput | ErrorCode::NotConfigured => {
                vec![Next::FixInput]
            }
            ErrorCode::TokenChoiceNeeded => vec![Next::ChooseToken],
            ErrorCode::PinFinalTry => vec![Next::ConfirmFinalTry],
            ErrorCode::TokenModule | ErrorCode::Unsupported => vec![Next::Doctor],
            ErrorCode::Storage | ErrorCode::Internal | ErrorCode::Keychain => {
                vec![Next::Doctor, Next::ContactCa]
            }
            ErrorCode::PinLocked
            | ErrorCode::KeyLost
            | ErrorCode::NotDownloadable
            | ErrorCode::TokenFull
            | ErrorCode::TokenWriteProtected
            | ErrorCode::TokenAlgorithm
            | ErrorCode::CaRejected
            | ErrorCode::SessionExpired
            | ErrorCode::NotFound
            | ErrorCode::Conflict
            | ErrorCode::AlreadyOnToken
            | ErrorCode::UpdateRejected => vec![Next::ContactCa],
            // Counter mode is the app's alone; the CLI never meets these.
            ErrorCode::CounterSignedOut
            | ErrorCode::NoOperatorCertificate
            | ErrorCode::OtherOperator
            | ErrorCode::OperatorUnknown
            | ErrorCode::OperatorRevoked
            | ErrorCode::CaseNotFound
            | ErrorCode::CaseElsewhere
            | ErrorCode::SeparationOfDuties
            | ErrorCode::RoleMissing
            | ErrorCode::CaseInvalidState
            | ErrorCode::IdentityMismatch
            | ErrorCode::CaseNotApproved
            | ErrorCode::MadeOnAnotherToken
            | ErrorCode::TokenNotInStock
            | ErrorCode::TokenNotBlank
            | ErrorCode::TokenInUse
            | ErrorCode::TokenInitRefused
            | ErrorCode::TestSignatureFailed
            | ErrorCode::HandoverCodeRejected
            | ErrorCode::HandoverLocked
            | ErrorCode::CustomerCancelled
            | ErrorCode::CloseUnexplained
            | ErrorCode::CloseChanged
            | ErrorCode::CloseAlreadySigned => vec![Next::ContactCa],
        }
    }

    /// The password card's state, for a download that stopped; nothing when the card
    /// itself was refused (the CA's sentence says why).
    fn card(&self, t: &Catalog) -> Option<String> {
        let Failure::Download {
            card_authorised, ..
        } = self
        else {
            return None;
        };
        if self
            .problem()
            .is_some_and(|p| p.code.as_str().starts_with("password_card"))
        {
            return None;
        }
        Some(if *card_authorised {
            t.cli.card_kept.clone()
        } else {
            t.cli.card_not_spent.clone()
        })
    }

    pub fn report(&self, lang: Lang) -> Report {
        let t = lang.catalog();
        let ipc = self.ipc();
        let code = self.code();
        let mut next: Vec<String> = self
            .next(ipc.code)
            .into_iter()
            .map(|n| match n {
                Next::Reinsert => t.cli.next_reinsert.clone(),
                Next::Rerun => t.cli.next_rerun.clone(),
                Next::FixInput => t.cli.next_fix_input.clone(),
                Next::ChooseToken => fmt(&t.cli.next_choose_token, &[("serials", &serials(self))]),
                Next::ConfirmFinalTry => t.cli.next_confirm_final_try.clone(),
                Next::Doctor => t.cli.next_doctor.clone(),
                Next::ContactCa => fmt(&t.cli.next_contact_ca, &[("code", &code)]),
            })
            .collect();
        if let Some(card) = self.card(t) {
            next.push(card);
        }
        Report {
            message: self.message(t, lang, ipc.code),
            kind: ipc.code,
            next,
            detail: ipc.message,
            code,
        }
    }

    /// Prints the failure: JSON on stdout with `--json`, the sentences on stderr always.
    pub fn print(&self, lang: Lang, json: bool) {
        let r = self.report(lang);
        tracing::debug!(code = %r.code, detail = %r.detail, "command failed");
        if json {
            println!("{}", serde_json::json!({ "error": &r }));
        }
        let t = lang.catalog();
        eprintln!("{}{}{}", t.cli.error, colon(lang), r.message);
        for line in &r.next {
            eprintln!("  {line}");
        }
        eprintln!("  {}", fmt(&t.cli.error_code, &[("code", &r.code)]));
    }
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "：",
        Lang::En => ": ",
    }
}

fn pin_words(t: &Catalog, state: PinState) -> String {
    let words = match state {
        PinState::Ok => return String::new(),
        PinState::CountLow => &t.environment.pin.count_low,
        PinState::FinalTry => &t.environment.pin.final_try,
        PinState::Locked => &t.environment.pin.locked,
    };
    format!(" {words}")
}

fn serials(f: &Failure) -> String {
    match f {
        Failure::Download {
            error: DownloadError::SeveralTokens(list),
            ..
        }
        | Failure::SeveralTokens(list) => list.clone(),
        _ => String::new(),
    }
}
