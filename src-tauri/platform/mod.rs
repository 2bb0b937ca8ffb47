//! What the desktop shell does differently per OS, one file per OS: registering the
//! `certdesk://` scheme, opening a file with the user's default application, what
//! desktop notifications need, and how the webview draws. Every OS's file is
//! compiled where its plugin calls exist; the running OS's is used.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::{notify, open_file, prepare_webview, register_url_scheme, with_plugins};
#[cfg(target_os = "macos")]
mod macos;
#[cfg(target_os = "macos")]
pub use macos::{open_file, prepare_webview, register_url_scheme};
#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::{open_file, prepare_webview, register_url_scheme};
// Windows and macOS show notifications through the plugin (toasts, user notifications).
#[cfg(not(target_os = "linux"))]
mod notification;
#[cfg(not(target_os = "linux"))]
pub use notification::{notify, with_plugins};
