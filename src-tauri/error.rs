//! Domain errors become IPC errors in `certdesk-ipc` (one mapping per domain error,
//! shared with the CLI); the shell only names them.

use certdesk_ipc::IpcError;

pub use certdesk_ipc::{from_core, poisoned};

/// Workflow errors carry their codes and structured details.
pub fn from_workflow(e: certdesk_core::workflow::WorkflowError) -> IpcError {
    certdesk_ipc::workflow_to_ipc(&e)
}
