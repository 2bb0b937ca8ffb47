//! Linux.
//! - `certdesk://`: the deb/rpm install `certdesk.desktop` with
//!   `MimeType=x-scheme-handler/certdesk;` and run `update-desktop-database`, which makes
//!   the app the handler for every user. A development build has no package, so it
//!   registers itself at start (a desktop file in `~/.local/share/applications`); a
//!   release build never writes there, the package owns the registration.
//! - Notifications go to the desktop's notification daemon over D-Bus
//!   (`org.freedesktop.Notifications`); without one (a bare X session) they are dropped
//!   silently and the same news waits in the window.
//! - A second launch finds the first over the session D-Bus (single instance).

pub fn register_url_scheme(app: &tauri::AppHandle) {
    if cfg!(debug_assertions) {
        use tauri_plugin_deep_link::DeepLinkExt;
        if let Err(e) = app.deep_link().register_all() {
            tracing::info!(error = %e, "certdesk:// not registered with the desktop");
        }
    }
}

/// Opens `path` with the desktop's default application for the file type (`xdg-open`).
pub fn open_file(path: &std::path::Path) -> std::io::Result<()> {
    std::process::Command::new("xdg-open")
        .arg(path)
        .spawn()
        .map(drop)
}

/// The OS's own plugins: none, notifications need no plugin here (`notify`).
pub fn with_plugins(b: tauri::Builder<tauri::Wry>) -> tauri::Builder<tauri::Wry> {
    b
}

/// Shows a desktop notification through the notification daemon (blocking: one D-Bus
/// call, bounded by the bus's timeout).
pub fn notify(_app: &tauri::AppHandle, title: &str, body: &str) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("CertDesk")
        .summary(title)
        .body(body)
        .show()
        .map(drop)
        .map_err(|e| e.to_string())
}
