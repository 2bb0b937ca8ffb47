//! E-invoices (电子发票): one-line adapters over the workflow; the PDF is saved through
//! the save dialog opened in Rust.

use certdesk_ipc::{InvoiceInfo, IpcError, OrderInvoices, SavedFile};
use tauri::{AppHandle, State};

use crate::error::from_workflow;
use crate::save;
use crate::state::AppState;

#[tauri::command]
pub async fn invoices(state: State<'_, AppState>) -> Result<Vec<OrderInvoices>, IpcError> {
    let w = state.workflow()?;
    let orders = w.invoices_by_order().await.map_err(from_workflow)?;
    Ok(orders.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn save_invoice_pdf(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<SavedFile, IpcError> {
    let w = state.workflow()?;
    let pdf = w.invoice_pdf(&id).await.map_err(from_workflow)?;
    let name = format!("invoice-{id}.pdf");
    save::save_bytes(&app, &name, "PDF", &["pdf"], pdf).await
}

#[tauri::command]
pub async fn resend_invoice(
    state: State<'_, AppState>,
    id: String,
    email: String,
) -> Result<InvoiceInfo, IpcError> {
    let w = state.workflow()?;
    Ok(w.resend_invoice(&id, &email)
        .await
        .map_err(from_workflow)?
        .into())
}
