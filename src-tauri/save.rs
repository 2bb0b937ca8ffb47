//! Saving a file the user chose: the native save dialog is opened here, in Rust, and the
//! bytes are written here, so the webview needs no fs or dialog permission.

use std::path::PathBuf;

use certdesk_ipc::{ErrorCode, IpcError, SavedFile};
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// **Test-only.** The window tests drive the webview through WebDriver, which cannot
/// reach a native GTK file chooser (it is not part of the page). When this variable
/// names a directory, the dialog is skipped and the file is written there under its
/// suggested name. Unset in the app, the demo and in production.
const TEST_SAVE_DIR: &str = "CERTDESK_TEST_SAVE_DIR";

/// Where the user wants `name` saved (`None`: cancelled).
pub async fn choose(app: &AppHandle, name: &str, filter: &str, exts: &[&str]) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(TEST_SAVE_DIR) {
        return Some(PathBuf::from(dir).join(name));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(name)
        .add_filter(filter, exts)
        .save_file(move |p| {
            let _ = tx.send(p);
        });
    rx.await.ok().flatten().and_then(|p| p.into_path().ok())
}

/// Asks where to save `bytes` (suggesting `name`) and writes them; a cancelled dialog
/// is `path: null`, not an error.
pub async fn save_bytes(
    app: &AppHandle,
    name: &str,
    filter: &str,
    exts: &[&str],
    bytes: Vec<u8>,
) -> Result<SavedFile, IpcError> {
    let Some(path) = choose(app, name, filter, exts).await else {
        return Ok(SavedFile { path: None });
    };
    tokio::fs::write(&path, bytes).await.map_err(|e| {
        IpcError::new(
            ErrorCode::Storage,
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    tracing::info!(path = %path.display(), "file saved");
    Ok(SavedFile {
        path: Some(path.display().to_string()),
    })
}
