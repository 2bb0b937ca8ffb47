use certdesk_ipc::{AppInfo, FirstRenderMarks, IpcError, Language, Settings};
use tauri::{Manager, State};

use crate::error::{from_core, poisoned};
use crate::state::AppState;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        data_dir: state.paths.data_dir.display().to_string(),
        log_dir: state.paths.log_dir.display().to_string(),
        ca_url: state.ca_url(),
    }
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Result<Settings, IpcError> {
    state
        .settings
        .lock()
        .map(|s| s.clone())
        .map_err(|_| poisoned())
}

#[tauri::command]
pub fn set_language(state: State<'_, AppState>, language: Language) -> Result<Settings, IpcError> {
    let mut settings = state.settings.lock().map_err(|_| poisoned())?;
    let mut next = settings.clone();
    next.language = language;
    state.settings_store.save(&next).map_err(from_core)?;
    *settings = next.clone();
    tracing::info!(?language, "language changed");
    Ok(next)
}

/// Sets (or with `None`, clears) the CA service address. Only http(s) URLs with a host
/// are accepted; anything else is `invalid_input` and the old value stays.
#[tauri::command]
pub async fn set_ca_url(app: tauri::AppHandle, url: Option<String>) -> Result<Settings, IpcError> {
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(u) = &url {
        certdesk_core::settings::validate_ca_url(u)
            .map_err(|e| IpcError::new(certdesk_ipc::ErrorCode::InvalidInput, e.to_string()))?;
    }
    let next = {
        let state = app.state::<AppState>();
        let mut settings = state.settings.lock().map_err(|_| poisoned())?;
        let mut next = settings.clone();
        next.ca_url = url;
        state.settings_store.save(&next).map_err(from_core)?;
        *settings = next.clone();
        next
    };
    crate::status::refresh_ca(&app).await?;
    Ok(next)
}

/// The UI calls this once its first content is painted; the bench measures start-up to
/// the line this prints and reads the page's phases from it.
#[tauri::command]
pub fn first_render(marks: FirstRenderMarks) {
    crate::startup::first_render(marks);
}
