//! Payment through WeChat Pay, Alipay or the online-banking gateway (sandbox providers).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Header carrying the provider's HMAC-SHA256 (hex) over the notify body.
pub const NOTIFY_SIGNATURE_HEADER: &str = "x-payment-signature";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PaymentProvider {
    Wechat,
    Alipay,
    BankGateway,
}

impl PaymentProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wechat => "wechat",
            Self::Alipay => "alipay",
            Self::BankGateway => "bank_gateway",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Expired,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatePayment {
    pub provider: PaymentProvider,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub id: String,
    pub application_id: String,
    pub provider: PaymentProvider,
    pub amount_fen: u64,
    pub status: PaymentStatus,
    /// Content of the QR code to show.
    pub code_url: String,
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
}

/// The provider's asynchronous notification (signed).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentNotify {
    pub payment_id: String,
    pub amount_fen: u64,
    pub provider_transaction_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotifyAck {
    pub ok: bool,
}

/// An e-invoice (电子发票), issued when the payment is confirmed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invoice {
    pub id: String,
    pub number: String,
    pub application_id: String,
    /// Buyer (invoice title).
    pub title: String,
    pub tax_number: String,
    pub amount_fen: u64,
    pub email: String,
    pub issued_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<Invoice>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResendInvoice {
    pub email: String,
}
