//! The one mapping of download errors to IPC error codes (with the structure the UI acts
//! on: the CA's problem code, the PIN's retry state, the journaled token, the skew).

use certdesk_ca_client::ClientError;
use certdesk_ipc::{ErrorCode, IpcError, PinErrorDetails, PinStatus};
use certdesk_token::{PinState, TokenError};
use serde_json::json;

use super::download::DownloadError;

/// The token's PIN state as the UI knows it (the one mapping; `certdesk-ipc` and
/// `certdesk-token` do not know each other).
pub fn pin_status(s: PinState) -> PinStatus {
    match s {
        PinState::Ok => PinStatus::Ok,
        PinState::CountLow => PinStatus::CountLow,
        PinState::FinalTry => PinStatus::FinalTry,
        PinState::Locked => PinStatus::Locked,
    }
}

/// The one mapping of token failures, for every command that touches a token (download,
/// renewal, PIN change, export, self-check, repair) and the CLI.
fn token(e: &TokenError) -> (ErrorCode, Option<serde_json::Value>) {
    match e {
        TokenError::TokenNotFound { .. } | TokenError::TokenRemoved => {
            (ErrorCode::TokenAbsent, None)
        }
        TokenError::PinIncorrect { state } => (
            ErrorCode::PinIncorrect,
            serde_json::to_value(PinErrorDetails {
                pin_status: pin_status(*state),
            })
            .ok(),
        ),
        TokenError::PinLocked => (ErrorCode::PinLocked, None),
        // The code alone says it: the last try is not spent without the user's yes.
        TokenError::PinFinalTryNeedsConfirmation => (ErrorCode::PinFinalTry, None),
        // The token refused a new PIN that passed our own rules.
        TokenError::PinInvalid { .. } => (
            ErrorCode::InvalidInput,
            Some(json!({ "pin_rule": "token_refused" })),
        ),
        TokenError::Unsupported { .. } => (ErrorCode::Unsupported, None),
        TokenError::NotLoggedIn
        | TokenError::KeyNotFound { .. }
        | TokenError::KeyMismatch
        | TokenError::BadCertificate { .. }
        | TokenError::BadInput { .. } => (ErrorCode::Internal, None),
        TokenError::ModuleLoad { .. } | TokenError::Pcsc { .. } => (ErrorCode::TokenModule, None),
        TokenError::SelfTestFailed { .. } | TokenError::Pkcs11 { .. } | TokenError::WorkerGone => {
            (ErrorCode::TokenFailed, None)
        }
    }
}

/// A token failure as the app and the CLI show it.
pub fn token_to_ipc(e: &TokenError) -> IpcError {
    let (code, details) = token(e);
    let err = IpcError::new(code, e.to_string());
    match details {
        Some(d) => err.with_details(d),
        None => err,
    }
}

fn ca(e: &ClientError) -> (ErrorCode, Option<serde_json::Value>) {
    match e {
        _ if e.is_transient() => (ErrorCode::CaUnreachable, None),
        ClientError::Problem(p) => (
            ErrorCode::CaRejected,
            Some(
                json!({ "problem": p.code.as_str(), "fields": p.errors, "retry_after": p.retry_after }),
            ),
        ),
        ClientError::BaseUrl(_) => (ErrorCode::NotConfigured, None),
        ClientError::Transport(_) | ClientError::Trust(_) => (ErrorCode::CaUnreachable, None),
        _ => (ErrorCode::CaProtocol, None),
    }
}

impl DownloadError {
    /// The IPC error; the message is the English `Display` (never a secret: requests'
    /// secrets are not part of any variant).
    pub fn to_ipc(&self) -> IpcError {
        let (code, details) = match self {
            // In a download the one operation a token can lack is the key algorithm.
            DownloadError::Token(TokenError::Unsupported { .. }) => {
                (ErrorCode::TokenAlgorithm, None)
            }
            DownloadError::Token(e) => token(e),
            DownloadError::Ca(e) => ca(e),
            DownloadError::Store(_) => (ErrorCode::Storage, None),
            DownloadError::NoToken => (ErrorCode::TokenAbsent, None),
            DownloadError::SeveralTokens(_) => (ErrorCode::TokenChoiceNeeded, None),
            DownloadError::WrongToken { serial } => {
                (ErrorCode::WrongToken, Some(json!({ "serial": serial })))
            }
            DownloadError::UnsupportedAlgorithm(_)
            | DownloadError::NoEnvelopeSupport
            | DownloadError::UnknownAlgorithm(_) => (ErrorCode::TokenAlgorithm, None),
            DownloadError::PinFinalTry => (ErrorCode::PinFinalTry, None),
            DownloadError::PinLocked => (ErrorCode::PinLocked, None),
            DownloadError::NoRoom => (ErrorCode::TokenFull, None),
            DownloadError::WriteProtected => (ErrorCode::TokenWriteProtected, None),
            DownloadError::AlreadyOnToken => (ErrorCode::AlreadyOnToken, None),
            DownloadError::NotDownloadable(_) => (ErrorCode::NotDownloadable, None),
            DownloadError::KeyLost => (ErrorCode::KeyLost, None),
            DownloadError::BadIssuance(_) => (ErrorCode::CaProtocol, None),
            DownloadError::ClockSkewed { seconds } => {
                (ErrorCode::ClockSkewed, Some(json!({ "seconds": seconds })))
            }
        };
        let e = IpcError::new(code, self.to_string());
        match details {
            Some(d) => e.with_details(d),
            None => e,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wrong_pin_carries_the_retry_state_and_no_pin() {
        let e = DownloadError::Token(TokenError::PinIncorrect {
            state: PinState::FinalTry,
        })
        .to_ipc();
        assert_eq!(e.code, ErrorCode::PinIncorrect);
        assert_eq!(e.details.unwrap()["pin_status"], "final_try");
    }

    /// Every command says a token failure the same way; the download alone names an
    /// unsupported operation as the key algorithm.
    #[test]
    fn one_mapping_for_every_token_failure() {
        let cases = [
            (
                TokenError::PinFinalTryNeedsConfirmation,
                ErrorCode::PinFinalTry,
            ),
            (TokenError::PinLocked, ErrorCode::PinLocked),
            (TokenError::TokenRemoved, ErrorCode::TokenAbsent),
            (
                TokenError::PinIncorrect {
                    state: PinState::CountLow,
                },
                ErrorCode::PinIncorrect,
            ),
        ];
        for (e, code) in cases {
            let direct = token_to_ipc(&e);
            assert_eq!(direct.code, code, "{e}");
            let via_download = DownloadError::Token(e).to_ipc();
            assert_eq!(via_download.code, direct.code);
            assert_eq!(via_download.details, direct.details);
        }
        let refused = token_to_ipc(&TokenError::PinInvalid {
            detail: "too long".into(),
        });
        assert_eq!(refused.code, ErrorCode::InvalidInput);
        assert_eq!(refused.details.unwrap()["pin_rule"], "token_refused");
        let unsupported = || TokenError::Unsupported {
            what: "C_SetPIN".into(),
        };
        assert_eq!(token_to_ipc(&unsupported()).code, ErrorCode::Unsupported);
        assert_eq!(
            DownloadError::Token(unsupported()).to_ipc().code,
            ErrorCode::TokenAlgorithm
        );
    }

    #[test]
    fn download_refusals_have_their_own_codes() {
        assert_eq!(
            DownloadError::SeveralTokens("a, b".into()).to_ipc().code,
            ErrorCode::TokenChoiceNeeded
        );
        assert_eq!(DownloadError::NoRoom.to_ipc().code, ErrorCode::TokenFull);
        assert_eq!(DownloadError::KeyLost.to_ipc().code, ErrorCode::KeyLost);
        let skew = DownloadError::ClockSkewed { seconds: -900 }.to_ipc();
        assert_eq!(skew.code, ErrorCode::ClockSkewed);
        assert_eq!(skew.details.unwrap()["seconds"], -900);
        assert_eq!(
            DownloadError::Token(TokenError::TokenRemoved).to_ipc().code,
            ErrorCode::TokenAbsent
        );
    }
}
