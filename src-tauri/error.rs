//! Domain errors become IPC errors in `certdesk-ipc` (one mapping per domain error,
//! shared with the CLI); the shell only names them.

use certdesk_ipc::{ErrorCode, IpcError};

pub use certdesk_ipc::{from_core, poisoned};

/// Workflow errors carry their codes and structured details.
pub fn from_workflow(e: certdesk_core::workflow::WorkflowError) -> IpcError {
    certdesk_ipc::workflow_to_ipc(&e)
}

/// Converts a core value to its IPC mirror through JSON: the IPC types spell fields and
/// variants as the core serialises them, and keep only what the UI shows.
pub fn mirror<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> Result<B, IpcError> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("IPC conversion: {e}")))
}
