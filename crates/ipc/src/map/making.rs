//! `MakingError` (making the USBKey at the counter) to its codes, once; and the made
//! token as the operator sees it.

use certdesk_core::counter::{BatchEvent, BatchItem, Made, MakingError, MakingProgress};

use super::counter_cases::case_to_ipc;
use super::download::download_to_ipc;
use super::token::token_to_ipc;
use crate::{
    BatchEventView, BatchItemView, ErrorCode, IpcError, MadeView, MakingProgressView, PinRefusal,
    PinRuleDetails, WrongTokenDetails,
};

pub fn making_to_ipc(e: &MakingError) -> IpcError {
    let code = match e {
        MakingError::Case(c) => return case_to_ipc(c),
        MakingError::Download(d) => return download_to_ipc(d),
        MakingError::Token(t) => return token_to_ipc(t),
        MakingError::MadeOnAnotherToken { token_serial } => {
            return IpcError::new(ErrorCode::MadeOnAnotherToken, e.to_string()).with_details(
                WrongTokenDetails {
                    serial: token_serial.clone(),
                },
            );
        }
        MakingError::PinRule(rule) => {
            return IpcError::new(ErrorCode::InvalidInput, e.to_string()).with_details(
                PinRuleDetails {
                    pin_rule: PinRefusal::from(*rule),
                    min: None,
                    max: None,
                },
            );
        }
        MakingError::NotApproved => ErrorCode::CaseNotApproved,
        MakingError::NotInStock => ErrorCode::TokenNotInStock,
        MakingError::NoToken => ErrorCode::TokenAbsent,
        MakingError::BatchSize => ErrorCode::InvalidInput,
        MakingError::SeveralTokens(_) => ErrorCode::TokenChoiceNeeded,
        MakingError::TokenNotBlank => ErrorCode::TokenNotBlank,
        MakingError::TokenInUse => ErrorCode::TokenInUse,
        MakingError::InitRefused => ErrorCode::TokenInitRefused,
        MakingError::TestSignatureFailed => ErrorCode::TestSignatureFailed,
        MakingError::HandoverCodeRejected => ErrorCode::HandoverCodeRejected,
        MakingError::HandoverLocked => ErrorCode::HandoverLocked,
    };
    IpcError::new(code, e.to_string())
}

impl From<MakingError> for IpcError {
    fn from(e: MakingError) -> Self {
        making_to_ipc(&e)
    }
}

impl From<&Made> for MadeView {
    fn from(m: &Made) -> Self {
        let c = &m.certificate;
        Self {
            case_id: m.case_id.clone(),
            token_serial: m.token_serial.clone(),
            initialised: m.initialised,
            certificate_serial: c.certificate_serial.clone(),
            subject: c.subject.clone(),
            not_after: c.not_after.clone(),
            key_algorithm: c.key_algorithm.clone(),
            test_signature_ok: m.test_signature_ok,
            already_made: m.already_made,
            resumed: c.resumed,
        }
    }
}

impl MakingProgressView {
    pub fn new(case_id: &str, p: MakingProgress) -> Self {
        Self {
            case_id: case_id.to_owned(),
            step: p.step,
            phase: p.phase,
            resumed: p.resumed,
        }
    }
}

/// The code a batch item's failure is kept under: the IPC code of the error, so the
/// batch view shows it like any other error (also after a restart).
pub fn batch_failure_code(e: &MakingError) -> String {
    making_to_ipc(e).code.as_str()
}

/// A kept failure code back to its [`ErrorCode`] (an unknown one is internal).
pub fn batch_failure(code: &str) -> ErrorCode {
    ErrorCode::parse(code).unwrap_or(ErrorCode::Internal)
}

impl BatchItemView {
    pub fn new(item: &BatchItem, mailer_ready: bool) -> Self {
        Self {
            position: item.position,
            case_id: item.case_id.clone(),
            order_number: item.order_number.clone(),
            organisation: item.organisation.clone(),
            state: item.state,
            token_serial: item.token_serial.clone(),
            certificate_serial: item.certificate_serial.clone(),
            failure: item.failure.as_deref().map(batch_failure),
            mailer_ready,
        }
    }
}

impl From<&BatchEvent> for BatchEventView {
    fn from(e: &BatchEvent) -> Self {
        Self {
            batch_id: u32::try_from(e.batch_id).unwrap_or(u32::MAX),
            position: e.position,
            state: e.state,
            step: e.step,
            token_serial: e.token_serial.clone(),
            failure: e.failure.as_deref().map(batch_failure),
        }
    }
}
