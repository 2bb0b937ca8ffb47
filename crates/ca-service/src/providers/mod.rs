//! Third parties of the real world, each behind a trait. `--sandbox` selects the
//! sandbox implementations (`sandbox`); otherwise every provider comes from the
//! `--providers` file (`config`) as an HTTP adapter (`webhook`) — never the sandbox.

pub mod config;
pub mod sandbox;
pub mod webhook;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::Person;
use certdesk_ca_api::payment::PaymentProvider;
use certdesk_ca_api::sandbox::{OutboxChannel, RegistryCompany};
use hmac::{Hmac, KeyInit, Mac};
use rusqlite::Connection;
use sha2::Sha256;

use crate::error::ApiError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The provider did not answer, or not in its contract's shape.
    #[error("{provider} provider: {reason}")]
    Unavailable {
        provider: &'static str,
        reason: String,
    },
}

impl From<ProviderError> for ApiError {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::Store(s) => ApiError::Store(s),
            ProviderError::Unavailable { provider, reason } => {
                tracing::warn!(provider, %reason, "provider unavailable");
                ApiError::detail(
                    ProblemCode::ProviderUnavailable,
                    format!("the {provider} provider did not answer"),
                )
            }
        }
    }
}

/// HMAC-SHA256 of `body` under `key`, hex: how providers sign what they send us.
pub fn sign(key: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a provider's hex HMAC-SHA256 signature in constant time.
pub fn signed_by(key: &str, body: &[u8], signature_hex: &str) -> bool {
    let Ok(sig) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// Header carrying a provider's signature on a face-check result.
pub const RESULT_SIGNATURE_HEADER: &str = "x-provider-signature";

/// Enterprise registry (工商登记).
pub trait EnterpriseRegistry: Send + Sync {
    fn lookup(
        &self,
        conn: &Connection,
        uscc: &str,
    ) -> Result<Option<RegistryCompany>, ProviderError>;
}

/// Phone three-factor and bank-card four-factor identity checks.
pub trait IdentityChecks: Send + Sync {
    fn phone_three_factor(
        &self,
        name: &str,
        id_number: &str,
        phone: &str,
    ) -> Result<bool, ProviderError>;
    fn bank_card_four_factor(
        &self,
        name: &str,
        id_number: &str,
        phone: &str,
        card: &str,
    ) -> Result<bool, ProviderError>;
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

/// Face checks: where the person completes check `id`, told to the provider on start;
/// the provider posts the result signed ([`RESULT_SIGNATURE_HEADER`]).
pub trait FaceChecks: Send + Sync {
    fn start(&self, id: &str, person: Person) -> Result<String, ProviderError>;
    fn url(&self, id: &str) -> String;
    fn verify_result(&self, body: &[u8], signature_hex: &str) -> bool;
}
