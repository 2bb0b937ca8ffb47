//! Windows.
//! - `certdesk://`: the NSIS and MSI installers write the scheme under
//!   `HKCU`/`HKLM\Software\Classes\certdesk` (per-user or per-machine install). A
//!   development build registers itself for the current user at start; a release build
//!   leaves it to the installer, so that uninstalling removes it.
//! - Notifications are toasts under the app's AppUserModelID, which the installer's
//!   Start-menu shortcut carries; a development build's toasts show as PowerShell.
//! - A second launch finds the first through a named mutex and a window message (single
//!   instance) and hands it its arguments, the link among them.

pub fn register_url_scheme(app: &tauri::AppHandle) {
    if cfg!(debug_assertions) {
        use tauri_plugin_deep_link::DeepLinkExt;
        if let Err(e) = app.deep_link().register_all() {
            tracing::info!(error = %e, "certdesk:// not registered with the desktop");
        }
    }
}

/// Opens `path` with the default application registered for the extension (`explorer` hands the file to the shell).
pub fn open_file(path: &std::path::Path) -> std::io::Result<()> {
    std::process::Command::new("explorer")
        .arg(path)
        .spawn()
        .map(drop)
}

/// WebView2 chooses its own way of drawing: nothing to prepare.
pub fn prepare_webview() {}
