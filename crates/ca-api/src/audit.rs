//! The CA's audit log as supervisors read it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One audit entry. `hash` = SHA-256 over the entry's canonical encoding and
/// `prev_hash` (see `certdesk-ca audit verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, the CA's clock.
    pub at: String,
    /// `operator:<id>`, `staff:<credential>`, `cli`, `service` or `sandbox`.
    pub actor: String,
    /// The operator certificate the operator signed in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_certificate_serial: Option<String>,
    /// The acceptance point (受理点), for operators' actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<String>,
    /// Stable action code, e.g. `review.approve`, `certificate.revoke`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_serial: Option<String>,
    /// Small facts (a reason code, a role); never personal data or secrets.
    pub details: BTreeMap<String, String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
