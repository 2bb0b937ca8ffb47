//! E-invoices (电子发票) per paid order.

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::Business;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoiceInfo {
    pub id: String,
    pub number: String,
    pub application_id: String,
    pub title: String,
    pub amount_fen: u64,
    pub email: String,
    pub issued_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderInvoices {
    pub application_id: String,
    /// The order number to show (empty from a CA that gives none: show the id).
    pub number: String,
    pub business: Business,
    pub status: ApplicationStatus,
    pub enterprise_name: Option<String>,
    pub amount_fen: u64,
    pub invoices: Vec<InvoiceInfo>,
}
