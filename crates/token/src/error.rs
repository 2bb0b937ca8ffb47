//! One error type for the token layer. Variants are stable kinds the app maps to IPC
//! error codes (`TokenError::code`); messages never contain a PIN.

use std::path::PathBuf;

/// Why a PKCS#11 module could not be loaded, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoadFailure {
    /// There is no file at the path.
    FileMissing,
    /// The file is a shared library for another CPU or OS (e.g. a 32-bit DLL).
    WrongArchitecture { found: String, expected: String },
    /// The file is not a loadable library, or has no `C_GetFunctionList`.
    NotPkcs11 { detail: String },
    /// The library loaded but `C_Initialize` failed.
    InitFailed { rv: String },
}

impl std::fmt::Display for LoadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FileMissing => write!(f, "the module file does not exist"),
            Self::WrongArchitecture { found, expected } => write!(
                f,
                "the module is built for {found}, this program needs {expected}; install the {expected} driver"
            ),
            Self::NotPkcs11 { detail } => write!(f, "the file is not a PKCS#11 module ({detail})"),
            Self::InitFailed { rv } => write!(f, "the module failed to initialise ({rv})"),
        }
    }
}

/// Errors of the token layer.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot load PKCS#11 module {path}: {reason}")]
    ModuleLoad { path: PathBuf, reason: LoadFailure },
    #[error("no token with serial {serial} in module {module}")]
    TokenNotFound { module: PathBuf, serial: String },
    #[error("the token was removed during the operation")]
    TokenRemoved,
    #[error("not logged in to the token")]
    NotLoggedIn,
    #[error("wrong PIN{}", remaining_hint(*.state))]
    PinIncorrect { state: PinState },
    #[error(
        "the PIN is locked; the security officer (SO) PIN is needed to set a new user PIN, or the token must be re-initialised by the issuing office"
    )]
    PinLocked,
    #[error("this is the last PIN attempt before the token locks; confirm to try it")]
    PinFinalTryNeedsConfirmation,
    #[error("the new PIN is not acceptable to the token ({detail})")]
    PinInvalid { detail: String },
    #[error("the token does not support {what}")]
    Unsupported { what: String },
    #[error("the token has no key with id {id}")]
    KeyNotFound { id: String },
    #[error("the certificate's public key does not match the key on the token")]
    KeyMismatch,
    #[error("invalid certificate: {detail}")]
    BadCertificate { detail: String },
    #[error("invalid input: {detail}")]
    BadInput { detail: String },
    #[error("signature produced by the token did not verify: {detail}")]
    SelfTestFailed { detail: String },
    #[error("smart-card service (PC/SC): {detail}")]
    Pcsc { detail: String },
    #[error("PKCS#11 {function} failed: {rv}")]
    Pkcs11 { function: String, rv: String },
    #[error("the token worker has stopped")]
    WorkerGone,
}

fn remaining_hint(state: PinState) -> &'static str {
    match state {
        PinState::Ok => "",
        PinState::CountLow => "; few attempts remain",
        PinState::FinalTry => "; one attempt remains before the token locks",
        PinState::Locked => "; the PIN is now locked",
    }
}

/// PIN retry state as the token reports it in its flags (PKCS#11 gives flags, not a
/// count). The UI knows it as `PinStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PinStatus"))]
#[serde(rename_all = "snake_case")]
pub enum PinState {
    Ok,
    CountLow,
    FinalTry,
    Locked,
}

impl TokenError {
    /// Stable machine-readable kind for the IPC layer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ModuleLoad { .. } => "module_load",
            Self::TokenNotFound { .. } => "token_not_found",
            Self::TokenRemoved => "token_removed",
            Self::NotLoggedIn => "not_logged_in",
            Self::PinIncorrect { .. } => "pin_incorrect",
            Self::PinLocked => "pin_locked",
            Self::PinFinalTryNeedsConfirmation => "pin_final_try",
            Self::PinInvalid { .. } => "pin_invalid",
            Self::Unsupported { .. } => "unsupported",
            Self::KeyNotFound { .. } => "key_not_found",
            Self::KeyMismatch => "key_mismatch",
            Self::BadCertificate { .. } => "bad_certificate",
            Self::BadInput { .. } => "bad_input",
            Self::SelfTestFailed { .. } => "self_test_failed",
            Self::Pcsc { .. } => "pcsc",
            Self::Pkcs11 { .. } => "pkcs11",
            Self::WorkerGone => "worker_gone",
        }
    }
}

impl From<cryptoki::error::Error> for TokenError {
    fn from(e: cryptoki::error::Error) -> Self {
        use cryptoki::error::{Error, RvError};
        match e {
            Error::Pkcs11(rv, function) => match rv {
                RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::SlotIdInvalid => Self::TokenRemoved,
                RvError::PinLocked => Self::PinLocked,
                RvError::UserNotLoggedIn => Self::NotLoggedIn,
                RvError::PinInvalid | RvError::PinLenRange => Self::PinInvalid {
                    detail: format!("{rv:?}"),
                },
                RvError::MechanismInvalid => Self::Unsupported {
                    what: format!("the mechanism used by {function:?}"),
                },
                _ => Self::Pkcs11 {
                    function: format!("{function:?}"),
                    rv: format!("{rv:?}"),
                },
            },
            other => Self::Pkcs11 {
                function: "-".into(),
                rv: other.to_string(),
            },
        }
    }
}

impl From<der::Error> for TokenError {
    fn from(e: der::Error) -> Self {
        Self::BadInput {
            detail: format!("DER: {e}"),
        }
    }
}

pub type Result<T, E = TokenError> = std::result::Result<T, E>;
