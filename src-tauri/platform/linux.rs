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
//! - Without a GPU, WebKitGTK rasterises on the CPU (`prepare_webview`).

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

/// Chooses how WebKitGTK draws, before anything starts a thread or a web process (they
/// inherit the environment). WebKitGTK draws with Skia on the GPU; on a machine without
/// one (a virtual machine, a remote desktop) that "GPU" is Mesa's llvmpipe, which
/// compiles a shader for each kind of drawing at first paint: the first screen took
/// ≈400 ms longer than on the CPU (issue 16's start-up bench). With no DRM render node
/// there is no GPU to lose, so Skia draws on the CPU. A value the user set is kept.
pub fn prepare_webview() {
    const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
    if std::env::var_os(CPU_RENDERING).is_some() || has_render_node() {
        return;
    }
    // SAFETY: called first thing in `run`, while the process has one thread.
    unsafe { std::env::set_var(CPU_RENDERING, "1") };
}

fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}
