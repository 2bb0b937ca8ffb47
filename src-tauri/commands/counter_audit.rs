//! The supervisor's audit view of their point (counter mode).

use certdesk_ipc::{AuditPageView, AuditRequest, IpcError};
use tauri::AppHandle;

use crate::counter;

/// One page of the point's audit log, newest first; supervisors only (the CA decides).
#[tauri::command]
pub async fn counter_audit(
    app: AppHandle,
    request: AuditRequest,
) -> Result<AuditPageView, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.audit(&request.into()).await?.into())
}
