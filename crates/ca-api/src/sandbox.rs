//! Sandbox-only views: the outbox and test fixtures.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutboxChannel {
    Sms,
    Email,
    /// Physical mail (password cards, parcels).
    Mail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: OutboxChannel,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Outbox {
    pub items: Vec<OutboxMessage>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaptchaAnswer {
    pub answer: String,
}

/// A company in the sandbox enterprise registry.
#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RegistryCompany {
    pub uscc: String,
    pub name: String,
    pub legal_rep_name: String,
    pub legal_rep_id_number: String,
    /// `active`, `revoked`, `deregistered`.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompleteCheck {
    pub pass: bool,
}

/// Output of `certdesk-ca sandbox approved-order --json`.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovedOrder {
    pub application_id: String,
    pub uscc: String,
    pub org_code: String,
    pub phone: String,
    pub handler_id: String,
    pub card_serial: String,
    pub card_password: String,
    pub ca_url: String,
}

impl std::fmt::Debug for ApprovedOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApprovedOrder")
            .field("application_id", &self.application_id)
            .field("card_serial", &self.card_serial)
            .finish_non_exhaustive()
    }
}

crate::redacted_debug!(RegistryCompany { name, status });
