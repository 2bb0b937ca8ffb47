//! `RenewalError`, `StandingError` and the certificate cache's `StoreError`.

use certdesk_core::db::StoreError;
use certdesk_core::enrollment::RenewalError;
use certdesk_core::standing::StandingError;

use super::token::token_to_ipc;
use super::workflow::client_to_ipc;
use crate::{BusinessDetails, ErrorCode, IpcError};

pub fn store_to_ipc(e: StoreError) -> IpcError {
    IpcError::new(ErrorCode::Storage, e.to_string())
}

pub fn renewal_to_ipc(e: RenewalError) -> IpcError {
    match e {
        RenewalError::Token(t) => token_to_ipc(&t),
        RenewalError::Ca(c) => client_to_ipc(c),
        RenewalError::Store(s) => store_to_ipc(s),
        e @ RenewalError::NotOnToken(_) => IpcError::new(ErrorCode::NotFound, e.to_string()),
        e @ RenewalError::DualNotSupported => IpcError::new(ErrorCode::Unsupported, e.to_string()),
        e @ RenewalError::BadIssuance(_) => IpcError::new(ErrorCode::CaProtocol, e.to_string()),
        // Said as a renewal's (the old certificate still works), not a download's.
        e @ RenewalError::NewKeyLost => IpcError::new(ErrorCode::KeyLost, e.to_string())
            .with_details(BusinessDetails {
                business: "renewal".into(),
            }),
    }
}

pub fn standing_to_ipc(e: StandingError) -> IpcError {
    match e {
        StandingError::Ca(c) => client_to_ipc(c),
        StandingError::Store(s) => store_to_ipc(s),
    }
}
