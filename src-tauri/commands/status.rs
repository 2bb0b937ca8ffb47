use certdesk_ipc::{CaConnection, IpcError, StatusSnapshot};
use tauri::{AppHandle, State};

use crate::error::poisoned;
use crate::state::AppState;
use crate::status;

#[tauri::command]
pub fn status_snapshot(state: State<'_, AppState>) -> Result<StatusSnapshot, IpcError> {
    state
        .status
        .lock()
        .map(|s| s.clone())
        .map_err(|_| poisoned())
}

/// Checks the CA now (the status bar's "retry").
#[tauri::command]
pub async fn check_ca(app: AppHandle) -> Result<CaConnection, IpcError> {
    status::refresh_ca(&app).await
}
