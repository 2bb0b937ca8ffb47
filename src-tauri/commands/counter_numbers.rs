//! The supervisor's numbers of their point (counter mode, issue 14 item 4).

use certdesk_core::counter::{numbers_csv, summarise};
use certdesk_ipc::{
    ErrorCode, IpcError, NumbersCsvRequest, NumbersRequest, NumbersSummary, SavedFile,
};
use tauri::AppHandle;

use crate::counter;

/// The point's cases in the range grouped by stage, operator, token model and hour.
/// Supervisors only (the CA decides).
#[tauri::command]
pub async fn counter_numbers(
    app: AppHandle,
    request: NumbersRequest,
) -> Result<NumbersSummary, IpcError> {
    let c = counter::get(&app).await?;
    let numbers = c.numbers(&request.from, &request.to).await?;
    Ok(summarise(&numbers))
}

/// The range's cases as CSV, saved where the supervisor chooses (`path: null` when the
/// dialog is cancelled).
#[tauri::command]
pub async fn counter_numbers_csv(
    app: AppHandle,
    request: NumbersCsvRequest,
) -> Result<SavedFile, IpcError> {
    let c = counter::get(&app).await?;
    let numbers = c.numbers(&request.from, &request.to).await?;
    let bytes = numbers_csv(&numbers, request.language)
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("csv: {e}")))?;
    let name = format!("受理数据-{}-{}.csv", numbers.from, numbers.to);
    crate::save::save_bytes(&app, &name, "CSV", &["csv"], bytes).await
}
