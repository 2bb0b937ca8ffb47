//! The supervisor's daily close (日结) of their point (counter mode, issue 14 item 3).

use certdesk_ipc::{CloseSignRequest, DailyClose, FormAction, FormSaved, IpcError};
use certdesk_token::SecretString;
use tauri::AppHandle;

use crate::counter;

/// The day (YYYY-MM-DD, China time) at the signed-in supervisor's point: signed, or its
/// live figures and differences. Supervisors only (the CA decides).
#[tauri::command]
pub async fn counter_close(app: AppHandle, day: String) -> Result<DailyClose, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.daily_close(&day).await?)
}

/// Signs the day with the explanations, on the supervisor's operator token after the PIN.
#[tauri::command]
pub async fn counter_close_sign(
    app: AppHandle,
    request: CloseSignRequest,
) -> Result<DailyClose, IpcError> {
    let c = counter::get(&app).await?;
    let pairs = request.pairs();
    Ok(c.sign_daily_close(
        &request.day,
        &pairs,
        SecretString::from(request.pin),
        request.confirm_final_try,
    )
    .await?)
}

/// A correction beside a signed day (the close itself never changes).
#[tauri::command]
pub async fn counter_close_correct(
    app: AppHandle,
    day: String,
    text: String,
) -> Result<DailyClose, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.correct_daily_close(&day, &text).await?)
}

/// The day's report (日结报告) as the CA renders it: saved where the supervisor chooses
/// (`None` when the dialog is cancelled), and for "print" opened in the PDF viewer.
#[tauri::command]
pub async fn counter_close_report(
    app: AppHandle,
    day: String,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    let c = counter::get(&app).await?;
    let pdf = c.daily_close_report(&day).await?;
    let name = format!("日结报告-{day}.pdf");
    crate::form::deliver(&app, &name, pdf, 1, action).await
}
