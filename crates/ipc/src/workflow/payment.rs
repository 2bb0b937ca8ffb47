//! Payment and the courier tracking number of the mailed paper.

use certdesk_ca_api::payment::{PaymentProvider, PaymentStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaymentRequest {
    pub draft_id: String,
    pub provider: PaymentProvider,
}

/// A payment with its QR code drawn by the shell (an SVG `data:` URL: the CSP allows
/// `data:` images and no remote origin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaymentCode {
    pub id: String,
    pub application_id: String,
    pub provider: PaymentProvider,
    pub amount_fen: u64,
    pub status: PaymentStatus,
    pub qr: String,
    pub expires_at: String,
    pub paid_at: Option<String>,
}

/// The courier tracking number of the mailed paper, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrackingRequest {
    pub draft_id: String,
    pub courier: String,
    pub tracking_number: String,
}
