//! IPC contract between the Tauri shell and the UI.
