//! The printed application form (单位数字证书申请表): rendered in Rust, saved through the
//! native save dialog that the shell opens (the webview gets no dialog or fs
//! permission), and for "print" handed to the system's PDF viewer.
//!
//! Why the system viewer rather than the webview's `window.print()`: the form is a
//! PDF with exact page geometry; Edge/Preview/Evince print a PDF as laid out on all
//! three platforms, while printing from the webview differs per engine (WKWebView on
//! macOS ignores `window.print()` in Tauri) and would print HTML, not the file mailed.

use std::path::Path;

use certdesk_ca_api::application::Application;
use certdesk_ca_api::channel::Channel;
use certdesk_form_pdf::FormPdfError;
use certdesk_form_pdf::application_form::{ApplicationForm, render};
use certdesk_ipc::{ErrorCode, FormAction, FormSaved, IpcError};
use tauri::AppHandle;

pub fn from_form(e: FormPdfError) -> IpcError {
    let code = match e {
        FormPdfError::Font(_) => ErrorCode::NotConfigured,
        FormPdfError::Pdf(_) => ErrorCode::Internal,
    };
    IpcError::new(code, e.to_string())
}

/// Opens `path` with the system's default PDF application; false when none starts.
fn open_in_viewer(path: &Path) -> bool {
    match crate::platform::open_file(path) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no PDF viewer could be started");
            false
        }
    }
}

pub async fn save(
    app: &AppHandle,
    application: &Application,
    channel: &Channel,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    // The application date is the day it was created at the CA (the form's 申请日期).
    let date = application.created_at.get(..10).unwrap_or_default();
    let form = ApplicationForm::from_application(application, channel, date);
    let pdf = tauri::async_runtime::spawn_blocking(move || render(&form))
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(from_form)?;
    let name = format!("单位数字证书申请表-{}.pdf", application.id);
    let saved = deliver(app, &name, pdf, 2, action).await?;
    if saved.is_some() {
        tracing::info!(application = %application.id, "application form saved");
    }
    Ok(saved)
}

/// Saves a rendered PDF of `pages` pages where the user chooses (`None`: cancelled) and,
/// for "print", opens it in the system's PDF viewer.
pub async fn deliver(
    app: &AppHandle,
    name: &str,
    pdf: Vec<u8>,
    pages: u32,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    let Some(path) = crate::save::choose(app, name, "PDF", &["pdf"]).await else {
        return Ok(None);
    };
    tokio::fs::write(&path, &pdf)
        .await
        .map_err(|e| IpcError::new(ErrorCode::Storage, format!("saving {name}: {e}")))?;
    let opened = action == FormAction::Print && open_in_viewer(&path);
    Ok(Some(FormSaved {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.to_owned()),
        pages,
        opened,
    }))
}
