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

/// Workflow errors carry their own IPC mapping (codes and structured details).
pub fn from_workflow(e: certdesk_core::workflow::WorkflowError) -> IpcError {
    e.to_ipc()
}

/// Converts a core value to its IPC mirror through JSON: the IPC types spell fields and
/// variants as the core serialises them, and keep only what the UI shows.
pub fn mirror<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> Result<B, IpcError> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("IPC conversion: {e}")))
}
