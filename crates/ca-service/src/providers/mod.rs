//! Third parties of the real world, each behind a trait a production deployment would
//! implement; the sandbox implementations live in `sandbox`.

pub mod sandbox;

use certdesk_ca_api::payment::PaymentProvider;
use certdesk_ca_api::sandbox::{OutboxChannel, RegistryCompany};
use rusqlite::Connection;

use crate::store::StoreError;

/// Enterprise registry (工商登记).
pub trait EnterpriseRegistry: Send + Sync {
    fn lookup(&self, conn: &Connection, uscc: &str) -> Result<Option<RegistryCompany>, StoreError>;
}

/// Phone three-factor and bank-card four-factor identity checks.
pub trait IdentityChecks: Send + Sync {
    fn phone_three_factor(&self, name: &str, id_number: &str, phone: &str) -> bool;
    fn bank_card_four_factor(&self, name: &str, id_number: &str, phone: &str, card: &str) -> bool;
}

/// SMS, e-mail and postal notifications; written in the caller's transaction.
pub trait Notifier: Send + Sync {
    fn send(
        &self,
        conn: &Connection,
        channel: OutboxChannel,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError>;
}

/// Payment providers: QR code content and verification of their signed notifications.
pub trait PaymentGateway: Send + Sync {
    fn code_url(&self, provider: PaymentProvider, payment_id: &str, amount_fen: u64) -> String;
    fn verify_notify(&self, provider: PaymentProvider, body: &[u8], signature_hex: &str) -> bool;
}
