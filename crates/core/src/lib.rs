//! CertDesk core: the Tauri-free heart of the app.
