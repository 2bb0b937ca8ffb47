//! The desktop shell: a thin Tauri layer over `certdesk-core`. Commands are one-line
//! adapters (DTO → core call → DTO); errors are mapped to `IpcError` once, in `error.rs`.

mod commands;
mod error;
mod notify;
mod save;
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
        .manage(commands::certificates::CertStore::new())
        // Used from Rust only (save dialog, desktop notifications): the capability file
        // grants the webview neither plugin's commands.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![
            commands::system::app_info,
            commands::system::get_settings,
            commands::system::set_language,
            commands::system::first_render,
            commands::system::set_ca_url,
            commands::status::status_snapshot,
            commands::status::check_ca,
            commands::environment::environment_check,
            commands::environment::diagnostic_bundle,
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
            commands::certificates::my_certificates,
            commands::certificates::change_pin,
            commands::certificates::export_certificate,
            commands::certificates::renew_certificate,
            commands::invoices::invoices,
            commands::invoices::save_invoice_pdf,
            commands::invoices::resend_invoice,
            commands::workflow::upload_document,
            commands::workflow::ocr_business_licence,
            commands::workflow::start_face_check,
            commands::workflow::face_check,
            commands::workflow::start_online_authorisation,
            commands::workflow::send_signature_code,
            commands::workflow::sign_application,
        ])
        .setup(|app| {
            status::spawn_monitor(app.handle().clone());
            tokens::start(app.handle());
            notify::spawn(app.handle().clone());
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
