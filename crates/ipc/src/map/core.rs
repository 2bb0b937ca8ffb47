//! `CoreError` (settings, paths, logging) and the shell's own failures.

use certdesk_core::CoreError;

use crate::{ErrorCode, IpcError};

pub fn from_core(e: CoreError) -> IpcError {
    let code = match &e {
        CoreError::NoHomeDir | CoreError::Io { .. } | CoreError::CorruptSettings { .. } => {
            ErrorCode::Storage
        }
        CoreError::Logging(_) => ErrorCode::Internal,
    };
    IpcError::new(code, e.to_string())
}

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        from_core(e)
    }
}

pub fn poisoned() -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        "app state lock poisoned by an earlier panic",
    )
}
