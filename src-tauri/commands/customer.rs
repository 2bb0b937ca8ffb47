//! The customer-facing window's commands (`customer_*`, granted to that window only by
//! capabilities/customer.json) and the operator's control of that window.

use certdesk_ipc::{
    CustomerPinAnswer, CustomerScreen, CustomerWindowView, ErrorCode, IpcError, Language,
};
use certdesk_token::SecretString;
use tauri::{AppHandle, Manager};

use crate::customer::{self, Desk};

/// What the customer window shows now (read once when it loads; then `customer-changed`).
#[tauri::command]
pub fn customer_screen(app: AppHandle) -> CustomerScreen {
    app.state::<Desk>().0.screen()
}

/// The language the applicant chose on the window during their case (none: the point's).
#[tauri::command]
pub fn customer_language(app: AppHandle) -> Option<Language> {
    app.state::<Desk>().0.language()
}

/// The applicant switched the window's language.
#[tauri::command]
pub fn customer_choose_language(app: AppHandle, language: Language) {
    app.state::<Desk>().0.choose_language(language);
}

/// The applicant's new PIN, typed twice. Refused answers leave the question open, and
/// the screen says why.
#[tauri::command]
pub fn customer_answer_pin(app: AppHandle, answer: CustomerPinAnswer) -> Result<(), IpcError> {
    let pin = SecretString::from(answer.pin);
    let again = SecretString::from(answer.again);
    Ok(app.state::<Desk>().0.answer_pin(&pin, &again)?)
}

/// The hand-over code the applicant received by SMS.
#[tauri::command]
pub fn customer_answer_code(app: AppHandle, code: String) -> Result<(), IpcError> {
    Ok(app.state::<Desk>().0.answer_code(&code)?)
}

/// What the customer window shows, as the operator's window sees it (no answers).
#[tauri::command]
pub fn counter_customer_screen(app: AppHandle) -> CustomerScreen {
    app.state::<Desk>().0.screen()
}

/// Opens or closes the customer window by hand (e.g. to check the second display before
/// the first case; making opens it by itself).
#[tauri::command]
pub async fn counter_customer_window(
    app: AppHandle,
    open: bool,
) -> Result<CustomerWindowView, IpcError> {
    if open {
        customer::open(&app).map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
    } else {
        Ok(customer::close(&app))
    }
}
