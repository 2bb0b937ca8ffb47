//! `TokenError`: the one mapping of token failures, for every command that touches a
//! token (download, renewal, PIN change, export, self-check, repair) and the CLI.

use certdesk_token::TokenError;

use crate::{ErrorCode, ErrorDetails, IpcError, PinErrorDetails, PinRefusal, PinRuleDetails};

pub(super) fn token(e: &TokenError) -> (ErrorCode, Option<ErrorDetails>) {
    match e {
        TokenError::TokenNotFound { .. } | TokenError::TokenRemoved => {
            (ErrorCode::TokenAbsent, None)
        }
        TokenError::PinIncorrect { state } => (
            ErrorCode::PinIncorrect,
            Some(PinErrorDetails { pin_status: *state }.into()),
        ),
        TokenError::PinLocked => (ErrorCode::PinLocked, None),
        // The code alone says it: the last try is not spent without the user's yes.
        TokenError::PinFinalTryNeedsConfirmation => (ErrorCode::PinFinalTry, None),
        // The token refused a new PIN that passed our own rules.
        TokenError::PinInvalid { .. } => (
            ErrorCode::InvalidInput,
            Some(
                PinRuleDetails {
                    pin_rule: PinRefusal::TokenRefused,
                    min: None,
                    max: None,
                }
                .into(),
            ),
        ),
        TokenError::Unsupported { .. } => (ErrorCode::Unsupported, None),
        TokenError::KeyNotFound { .. }
        | TokenError::KeyMismatch
        | TokenError::BadCertificate { .. }
        | TokenError::BadInput { .. } => (ErrorCode::Internal, None),
        TokenError::ModuleLoad { .. } | TokenError::Pcsc { .. } => (ErrorCode::TokenModule, None),
        // A login lost between two steps (the token was pulled and put back, or another
        // program logged out) is a token fault the user can recover from by trying again,
        // not an internal error: the journal resumes where it stopped.
        TokenError::NotLoggedIn
        | TokenError::SelfTestFailed { .. }
        | TokenError::Pkcs11 { .. }
        | TokenError::WorkerGone => (ErrorCode::TokenFailed, None),
    }
}

/// A token failure as the app and the CLI show it.
pub fn token_to_ipc(e: &TokenError) -> IpcError {
    let (code, details) = token(e);
    IpcError {
        code,
        message: e.to_string(),
        details,
    }
}

impl From<TokenError> for IpcError {
    fn from(e: TokenError) -> Self {
        token_to_ipc(&e)
    }
}

impl From<certdesk_core::pin_rules::PinRule> for PinRefusal {
    fn from(r: certdesk_core::pin_rules::PinRule) -> Self {
        use certdesk_core::pin_rules::PinRule;
        match r {
            PinRule::TooShort => Self::TooShort,
            PinRule::TooLong => Self::TooLong,
            PinRule::SameAsOld => Self::SameAsOld,
            PinRule::Trivial => Self::Trivial,
        }
    }
}
