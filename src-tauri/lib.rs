//! The desktop shell: a thin Tauri layer over `certdesk-core`. Commands are one-line
//! adapters (DTO → core call → DTO); errors are mapped to `IpcError` once, in `error.rs`.

mod commands;
mod error;
mod state;
mod status;
mod tokens;

use tauri::Manager;

use crate::state::AppState;

/// Builds and runs the app. Start-up failures (no home dir, unwritable log dir) are
/// printed and end the process: without them there is nothing safe to show.
pub fn run() {
    let state = match AppState::init() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("CertDesk cannot start: {e}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::system::app_info,
            commands::system::get_settings,
            commands::system::set_language,
            commands::system::first_render,
            commands::system::set_ca_url,
            commands::status::status_snapshot,
            commands::status::check_ca,
            commands::workflow::session_state,
            commands::workflow::captcha,
            commands::workflow::send_sign_in_code,
            commands::workflow::sign_in,
            commands::workflow::sign_out,
            commands::workflow::orders,
            commands::workflow::open_order,
            commands::workflow::cancel_order,
            commands::workflow::channels,
            commands::workflow::start_application,
            commands::workflow::open_draft,
            commands::workflow::save_field,
            commands::workflow::submit_enterprise,
            commands::workflow::local_drafts,
            commands::workflow::discard_draft,
            commands::workflow::verify_handler,
            commands::workflow::confirm_information,
            commands::download::download_lookup,
            commands::download::download_tokens,
            commands::download::download_ca_clock,
            commands::download::start_download,
            commands::download::interrupted_downloads,
        ])
        .setup(|app| {
            status::spawn_monitor(app.handle().clone());
            tokens::start(app.handle());
            let state = app.state::<AppState>();
            tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %state.paths.data_dir.display(), "CertDesk started");
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app loop ended with an error");
        eprintln!("CertDesk stopped: {e}");
        std::process::exit(1);
    }
}
