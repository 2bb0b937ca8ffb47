//! Payment, the paper to mail and the parcel.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the fee is paid (the app offers WeChat Pay and Alipay; the gateway may appear
/// on payments made elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentProvider {
    Wechat,
    Alipay,
    BankGateway,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Expired,
}

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

/// What the channel wants mailed, where to, and what to write on the waybill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperToMail {
    pub items: Vec<String>,
    pub address: String,
    pub postcode: String,
    pub recipient: String,
    pub phone: String,
    pub waybill_note: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderPaper {
    pub requirement: PaperToMail,
    #[serde(default)]
    pub courier: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderShipment {
    pub courier: String,
    pub tracking_number: String,
    pub contents: Vec<String>,
    pub shipped_at: String,
}

/// The courier tracking number of the mailed paper, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrackingRequest {
    pub draft_id: String,
    pub courier: String,
    pub tracking_number: String,
}
