//! The one place where domain errors become IPC errors with stable codes.

use certdesk_core::CoreError;
use certdesk_ipc::{ErrorCode, IpcError};

pub fn from_core(e: CoreError) -> IpcError {
    let code = match &e {
        CoreError::NoHomeDir | CoreError::Io { .. } | CoreError::CorruptSettings { .. } => {
            ErrorCode::Storage
        }
        CoreError::Logging(_) => ErrorCode::Internal,
    };
    IpcError::new(code, e.to_string())
}

pub fn poisoned() -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        "app state lock poisoned by an earlier panic",
    )
}
