// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread or file: everything CertDesk writes is the user's alone.
    certdesk_core::paths::private_files();
    certdesk_app::run();
}
