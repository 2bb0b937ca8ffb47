//! Notifications through the notification plugin (Windows toasts, macOS user
//! notifications); Linux talks to the daemon itself (`linux.rs`).

/// The OS's own plugins: notifications (used from Rust only; the capability file grants
/// the webview none of its commands).
pub fn with_plugins(b: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    b.plugin(tauri_plugin_notification::init())
}

/// Shows a desktop notification through the notification plugin.
pub fn notify(app: &tauri::AppHandle, title: &str, body: &str) -> Result<(), String> {
    use tauri_plugin_notification::NotificationExt;
    app.notification()
        .builder()
        .title(title)
        .body(body)
        .show()
        .map_err(|e| e.to_string())
}
