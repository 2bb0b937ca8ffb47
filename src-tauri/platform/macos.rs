//! macOS.
//! - `certdesk://` is declared in the bundle's Info.plist (`CFBundleURLTypes`, from the
//!   deep-link plugin's config); Launch Services registers it when the app is first
//!   seen in /Applications. It cannot be registered at run time, so there is nothing to
//!   do here; links reach the running app as Apple events.
//! - Notifications need a signed bundle; the first one asks the user for permission.
//!   An unbundled development binary shows none.
//! - Launch Services opens a bundle once; a second start from a terminal is handed to
//!   the first by the single-instance plugin, as elsewhere.

pub fn register_url_scheme(_app: &tauri::AppHandle) {}

/// Opens `path` with Launch Services' default application (`open`).
pub fn open_file(path: &std::path::Path) -> std::io::Result<()> {
    std::process::Command::new("open")
        .arg(path)
        .spawn()
        .map(drop)
}

/// WKWebView chooses its own way of drawing: nothing to prepare.
pub fn prepare_webview() {}
