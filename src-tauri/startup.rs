//! Start-up phase marks for `cargo xtask bench`, printed on stdout only when
//! `CERTDESK_REPORT_FIRST_RENDER` is set: `certdesk:phase <name> <ms since the epoch>`.
//! The wall clock, because the bench compares them with its own clock and the page's
//! `performance.timeOrigin`, which are in other processes.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use certdesk_ipc::FirstRenderMarks;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CERTDESK_REPORT_FIRST_RENDER").is_some())
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

fn print(phase: &str, at_ms: f64) {
    println!("certdesk:phase {phase} {at_ms:.3}");
}

/// Marks `phase` as reached now.
pub fn mark(phase: &str) {
    if enabled() {
        print(phase, now_ms());
    }
}

/// The page's marks, then the first-render line the bench stops at.
pub fn first_render(marks: FirstRenderMarks) {
    if enabled() {
        print("page_navigation", marks.navigation_ms);
        print("page_script", marks.script_ms);
        print("page_modules", marks.modules_ms);
        print("page_mounted", marks.mounted_ms);
        print("page_settings", marks.settings_ms);
        print("page_painted", marks.painted_ms);
        println!("certdesk:first-render");
    }
}
