//! `CounterError` (operator sign-in, lock, unlock) and the counter's values.

use certdesk_core::counter::{CounterError, CounterState, LockReason, OperatorInfo};

use super::token::token;
use super::workflow::workflow_to_ipc;
use crate::{CounterLockReason, CounterToken, CounterView, ErrorCode, IpcError, OperatorView};

pub fn counter_to_ipc(e: &CounterError) -> IpcError {
    let code = match e {
        CounterError::NotSignedIn => ErrorCode::CounterSignedOut,
        CounterError::AlreadySignedIn | CounterError::NotLocked => ErrorCode::Conflict,
        CounterError::NoOperatorCertificate => ErrorCode::NoOperatorCertificate,
        CounterError::OtherOperator => ErrorCode::OtherOperator,
        CounterError::UnknownOperator => ErrorCode::OperatorUnknown,
        CounterError::OperatorRevoked => ErrorCode::OperatorRevoked,
        CounterError::Keychain(_) => ErrorCode::Keychain,
        CounterError::Token(t) => {
            let (code, details) = token(t);
            return IpcError {
                code,
                message: e.to_string(),
                details,
            };
        }
        CounterError::Ca(w) => return workflow_to_ipc(w),
    };
    IpcError::new(code, e.to_string())
}

impl From<CounterError> for IpcError {
    fn from(e: CounterError) -> Self {
        counter_to_ipc(&e)
    }
}

impl From<OperatorInfo> for OperatorView {
    fn from(o: OperatorInfo) -> Self {
        Self {
            id: o.id,
            name: o.name,
            point_id: o.point_id,
            roles: o.roles,
        }
    }
}

impl From<LockReason> for CounterLockReason {
    fn from(r: LockReason) -> Self {
        match r {
            LockReason::TokenRemoved => Self::TokenRemoved,
            LockReason::Idle => Self::Idle,
            LockReason::Expired => Self::Expired,
        }
    }
}

impl From<CounterState> for CounterView {
    fn from(s: CounterState) -> Self {
        match s {
            CounterState::SignedOut => Self::SignedOut,
            CounterState::SignedIn {
                operator,
                token,
                expires_at,
            } => Self::SignedIn {
                operator: operator.into(),
                token: CounterToken {
                    module: token.module.display().to_string(),
                    serial: token.serial,
                },
                expires_at,
            },
            CounterState::Locked { operator, reason } => Self::Locked {
                operator: operator.into(),
                reason: reason.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use certdesk_token::{PinState, TokenError};

    use super::*;

    #[test]
    fn each_counter_failure_has_its_code() {
        use ErrorCode as C;
        for (e, want) in [
            (CounterError::NotSignedIn, C::CounterSignedOut),
            (
                CounterError::NoOperatorCertificate,
                C::NoOperatorCertificate,
            ),
            (CounterError::OtherOperator, C::OtherOperator),
            (CounterError::UnknownOperator, C::OperatorUnknown),
            (CounterError::OperatorRevoked, C::OperatorRevoked),
            (
                CounterError::Token(TokenError::PinIncorrect {
                    state: PinState::CountLow,
                }),
                C::PinIncorrect,
            ),
            (
                CounterError::Token(TokenError::TokenRemoved),
                C::TokenAbsent,
            ),
            (CounterError::Token(TokenError::PinLocked), C::PinLocked),
        ] {
            assert_eq!(counter_to_ipc(&e).code, want, "{e:?}");
        }
        let wrong = counter_to_ipc(&CounterError::Token(TokenError::PinIncorrect {
            state: PinState::CountLow,
        }));
        assert!(
            wrong.details.is_some(),
            "the PIN state goes with a wrong PIN"
        );
    }
}
