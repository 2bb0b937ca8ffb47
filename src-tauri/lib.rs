//! The desktop shell: a thin Tauri layer over `certdesk-core`. Commands are one-line
//! adapters (DTO → core call → DTO); errors are mapped to `IpcError` once, in `error.rs`.

mod commands;
mod counter;
mod customer;
mod error;
mod form;
mod links;
mod notify;
mod platform;
mod save;
mod startup;
mod state;
mod status;
mod tokens;
mod txn;
mod window;

use tauri::Manager;

use crate::state::AppState;

/// `certdesk://` links: the scheme registered as the OS wants it (`platform`), the
/// start-up link kept for the page, later ones delivered.
fn setup_deep_links(app: &tauri::AppHandle) {
    use tauri_plugin_deep_link::DeepLinkExt;
    platform::register_url_scheme(app);
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            if let Some(u) = urls.first() {
                links::remember(app, u.to_string());
            }
        }
        Ok(None) => {
            // The plugin sees only a lone argument; take ours from any position.
            let args: Vec<String> = std::env::args().collect();
            if let Some(u) = links::in_args(&args) {
                links::remember(app, u);
            }
        }
        Err(e) => tracing::info!(error = %e, "no start-up link"),
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        if let Some(u) = event.urls().first() {
            links::deliver(&handle, u.to_string());
        }
    });
}

/// Builds and runs the app. Start-up failures (no home dir, unwritable log dir) are
/// printed and end the process: without them there is nothing safe to show.
pub fn run() {
    startup::mark("main");
    platform::prepare_webview();
    let state = match AppState::init() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("CertDesk cannot start: {e}");
            std::process::exit(1);
        }
    };
    startup::mark("state");
    let builder = tauri::Builder::default()
        // Deep links, the printed form's save dialog. Single-instance first: a second
        // launch (a `certdesk://` link clicked while the app runs) hands its arguments
        // to this one and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // A lone link argument reaches the deep-link plugin too (`on_open_url`);
            // anything else is looked through here.
            let lone = argv.len() == 2;
            if let (false, Some(url)) = (lone, links::in_args(&argv)) {
                links::deliver(app, url);
            } else if let Some(w) = app.get_webview_window(window::MAIN) {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        // Used from Rust only (commands::updates): the webview gets none of its commands.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(commands::updates::Pending::default())
        .manage(links::PendingLink::default())
        .manage(window::Placement::new(
            certdesk_core::window::WindowStore::new(&state.paths.config_dir),
        ))
        .manage(state)
        .on_window_event(window::on_event)
        .manage(commands::certificates::CertStore::new())
        .manage(counter::CounterSlot::default())
        .manage(customer::Desk::default())
        .manage(commands::counter_batch::HeldMailers::default());
    // The dialog plugin (save dialog above) and the OS's notification plugin are used
    // from Rust only: the capability file grants the webview neither plugin's commands.
    let result = platform::with_plugins(builder)
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
            commands::environment::self_check,
            commands::updates::update_policy,
            commands::updates::set_update_channel,
            commands::updates::check_for_update,
            commands::updates::download_update,
            commands::updates::install_update,
            commands::environment::inspect_token_damage,
            commands::environment::repair_token,
            commands::workflow::session_state,
            commands::workflow::captcha,
            commands::workflow::send_sign_in_code,
            commands::workflow::sign_in,
            commands::workflow::sign_out,
            commands::workflow::orders,
            commands::workflow::open_order,
            commands::workflow::cancel_order,
            commands::workflow::channels,
            commands::workflow::channel_agreements,
            commands::workflow::start_application,
            commands::workflow::open_draft,
            commands::workflow::prefill_information,
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
            commands::certificates::check_certificate_standing,
            commands::certificates::forget_certificate,
            commands::invoices::invoices,
            commands::invoices::save_invoice_pdf,
            commands::invoices::resend_invoice,
            commands::workflow::upload_document,
            commands::workflow::document_thumbnails,
            commands::workflow::ocr_business_licence,
            commands::workflow::start_face_check,
            commands::workflow::face_check,
            commands::workflow::start_online_authorisation,
            commands::workflow::send_signature_code,
            commands::workflow::sign_application,
            commands::workflow::start_payment,
            commands::workflow::payment_status,
            commands::workflow::renew_payment,
            commands::workflow::record_paper_tracking,
            commands::workflow::confirm_receipt,
            commands::workflow::save_application_form,
            commands::workflow::open_link,
            commands::workflow::pending_link,
            commands::workflow::sync_draft,
            commands::workflow::resolve_conflicts,
            commands::download::download_lookup,
            commands::download::order_download,
            commands::download::download_tokens,
            commands::download::download_ca_clock,
            commands::download::start_download,
            commands::download::interrupted_downloads,
            commands::counter::counter_state,
            commands::counter::counter_operator_on_token,
            commands::counter::counter_sign_in,
            commands::counter::counter_unlock,
            commands::counter::counter_sign_out,
            commands::counter::counter_activity,
            commands::counter::set_counter_settings,
            commands::counter_batch::counter_batch_create,
            commands::counter_batch::counter_batch_current,
            commands::counter_batch::counter_batch_run,
            commands::counter_batch::counter_batch_mark,
            commands::counter_batch::counter_batch_mailers,
            commands::customer::customer_screen,
            commands::customer::customer_language,
            commands::customer::customer_choose_language,
            commands::customer::customer_answer_pin,
            commands::customer::customer_answer_code,
            commands::customer::counter_customer_screen,
            commands::customer::counter_customer_window,
            commands::counter_cases::counter_case_open,
            commands::counter_keyed::counter_case_key,
            commands::counter_keyed::counter_case_key_check,
            commands::counter_keyed::counter_case_sign,
            commands::counter_keyed::counter_case_upload_scan,
            commands::counter_keyed::counter_case_form,
            commands::counter_cases::counter_case_get,
            commands::counter_cases::counter_case_queue,
            commands::counter_cases::counter_case_check,
            commands::counter_cases::counter_case_document,
            commands::counter_cases::counter_case_document_save,
            commands::counter_cases::counter_case_identity,
            commands::counter_cases::counter_case_upload_copy,
            commands::counter_cases::counter_case_pay,
            commands::counter_cases::counter_case_payments,
            commands::counter_cases::counter_case_approve,
            commands::counter_cases::counter_case_reject,
            commands::counter_audit::counter_audit,
            commands::counter_numbers::counter_numbers,
            commands::counter_numbers::counter_numbers_csv,
            commands::counter_stock::counter_stock,
            commands::counter_stock::counter_stock_receive,
            commands::counter_stock::counter_stock_change,
            commands::counter_stock::counter_stock_required,
            commands::counter_close::counter_close,
            commands::counter_close::counter_close_sign,
            commands::counter_close::counter_close_correct,
            commands::counter_close::counter_close_report,
            commands::counter_making::counter_making_tokens,
            commands::counter_making::counter_make,
            commands::counter_making::counter_hand_over,
            commands::counter_making::counter_case_receipt,
            commands::counter_making::counter_customer_cancel,
        ])
        .setup(|app| {
            startup::mark("setup");
            window::build_main(app.handle())?;
            startup::mark("window");
            status::spawn_monitor(app.handle().clone());
            tokens::start(app.handle());
            counter::spawn_ticker(app.handle().clone());
            customer::spawn_forwarder(app.handle().clone());
            notify::spawn(app.handle().clone());
            setup_deep_links(app.handle());
            commands::updates::spawn_start_check(app.handle().clone());
            let state = app.state::<AppState>();
            tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %state.paths.data_dir.display(), "CertDesk started");
            startup::mark("setup_done");
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app loop ended with an error");
        eprintln!("CertDesk stopped: {e}");
        std::process::exit(1);
    }
}
