//! `DownloadError`, with the structure the UI acts on: the CA's problem code, the PIN's
//! retry state, the journaled token, the skew.

use certdesk_ca_client::ClientError;
use certdesk_core::enrollment::DownloadError;
use certdesk_token::TokenError;

use super::token::token;
use super::workflow::ca_problem;
use crate::{ClockDetails, ErrorCode, ErrorDetails, IpcError, WrongTokenDetails};

fn ca(e: &ClientError) -> (ErrorCode, Option<ErrorDetails>) {
    match e {
        _ if e.is_transient() => (ErrorCode::CaUnreachable, None),
        ClientError::Problem(p) => (
            ErrorCode::CaRejected,
            Some(ca_problem(p.code, &p.errors, p.retry_after)),
        ),
        ClientError::BaseUrl(_) => (ErrorCode::NotConfigured, None),
        ClientError::Transport(_) | ClientError::Trust(_) => (ErrorCode::CaUnreachable, None),
        _ => (ErrorCode::CaProtocol, None),
    }
}

/// The IPC error; the message is the English `Display` (never a secret: requests'
/// secrets are not part of any variant).
pub fn download_to_ipc(e: &DownloadError) -> IpcError {
    let (code, details) = match e {
        // In a download the one operation a token can lack is the key algorithm.
        DownloadError::Token(TokenError::Unsupported { .. }) => (ErrorCode::TokenAlgorithm, None),
        DownloadError::Token(e) => token(e),
        DownloadError::Ca(e) => ca(e),
        DownloadError::Store(_) => (ErrorCode::Storage, None),
        DownloadError::NoToken => (ErrorCode::TokenAbsent, None),
        DownloadError::SeveralTokens(_) => (ErrorCode::TokenChoiceNeeded, None),
        DownloadError::WrongToken { serial } => (
            ErrorCode::WrongToken,
            Some(
                WrongTokenDetails {
                    serial: serial.clone(),
                }
                .into(),
            ),
        ),
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
        DownloadError::ClockSkewed { seconds } => (
            ErrorCode::ClockSkewed,
            Some(ClockDetails { seconds: *seconds }.into()),
        ),
    };
    IpcError {
        code,
        message: e.to_string(),
        details,
    }
}

impl From<DownloadError> for IpcError {
    fn from(e: DownloadError) -> Self {
        download_to_ipc(&e)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use certdesk_token::PinState;

    use super::*;
    use crate::{PinErrorDetails, PinRefusal, PinStatus, token_to_ipc};

    #[test]
    fn wrong_pin_carries_the_retry_state_and_no_pin() {
        let e = download_to_ipc(&DownloadError::Token(TokenError::PinIncorrect {
            state: PinState::FinalTry,
        }));
        assert_eq!(e.code, ErrorCode::PinIncorrect);
        assert_eq!(
            e.details,
            Some(ErrorDetails::Pin(PinErrorDetails {
                pin_status: PinStatus::FinalTry
            }))
        );
        // The JSON the UI reads.
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["details"]["pin_status"], "final_try");
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
            let via_download = download_to_ipc(&DownloadError::Token(e));
            assert_eq!(via_download.code, direct.code);
            assert_eq!(via_download.details, direct.details);
        }
        let refused = token_to_ipc(&TokenError::PinInvalid {
            detail: "too long".into(),
        });
        assert_eq!(refused.code, ErrorCode::InvalidInput);
        let Some(ErrorDetails::PinRule(rule)) = refused.details else {
            panic!("{refused:?}");
        };
        assert_eq!(rule.pin_rule, PinRefusal::TokenRefused);
        assert_eq!(
            serde_json::to_value(rule).unwrap(),
            serde_json::json!({ "pin_rule": "token_refused" })
        );
        let unsupported = || TokenError::Unsupported {
            what: "C_SetPIN".into(),
        };
        assert_eq!(token_to_ipc(&unsupported()).code, ErrorCode::Unsupported);
        assert_eq!(
            download_to_ipc(&DownloadError::Token(unsupported())).code,
            ErrorCode::TokenAlgorithm
        );
    }

    #[test]
    fn download_refusals_have_their_own_codes() {
        assert_eq!(
            download_to_ipc(&DownloadError::SeveralTokens("a, b".into())).code,
            ErrorCode::TokenChoiceNeeded
        );
        assert_eq!(
            download_to_ipc(&DownloadError::NoRoom).code,
            ErrorCode::TokenFull
        );
        assert_eq!(
            download_to_ipc(&DownloadError::KeyLost).code,
            ErrorCode::KeyLost
        );
        let skew = download_to_ipc(&DownloadError::ClockSkewed { seconds: -900 });
        assert_eq!(skew.code, ErrorCode::ClockSkewed);
        assert_eq!(
            serde_json::to_value(&skew).unwrap()["details"]["seconds"],
            -900
        );
        assert_eq!(
            download_to_ipc(&DownloadError::Token(TokenError::TokenRemoved)).code,
            ErrorCode::TokenAbsent
        );
        // An untrusted CA certificate is "not reached", as the status bar says it.
        assert_eq!(
            download_to_ipc(&DownloadError::Ca(ClientError::Trust(
                "unknown issuer".into()
            )))
            .code,
            ErrorCode::CaUnreachable
        );
    }
}
