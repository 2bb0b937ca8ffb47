//! The wire contract between CertDesk and a CA's online service.
//!
//! Shared by `certdesk-ca-service` (which generates the OpenAPI document from these
//! types) and `certdesk-ca-client`.

#[macro_use]
mod redact;

pub mod agreement;
pub mod application;
pub mod audit;
pub mod auth;
pub mod channel;
pub mod close;
pub mod counter;
pub mod download;
pub mod limits;
pub mod numbers;
pub mod operator;
pub mod payment;
pub mod problem;
pub mod sandbox;
pub mod stock;

pub use problem::{FieldError, PROBLEM_CONTENT_TYPE, Problem, ProblemCode};

/// Header naming a create's idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
    /// The server's clock (RFC 3339, UTC), so clients can refuse to enroll with a
    /// skewed clock. Absent from CAs that predate it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<String>,
}
