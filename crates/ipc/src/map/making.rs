//! `MakingError` (making the USBKey at the counter) to its codes, once; and the made
//! token as the operator sees it.

use certdesk_core::counter::{Made, MakingError, MakingProgress};

use super::counter_cases::case_to_ipc;
use super::download::download_to_ipc;
use super::token::token_to_ipc;
use crate::{
    ErrorCode, IpcError, MadeView, MakingProgressView, PinRefusal, PinRuleDetails,
    WrongTokenDetails,
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
