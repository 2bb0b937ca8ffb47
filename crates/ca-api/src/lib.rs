//! The wire contract between CertDesk and a CA's online service.
//!
//! Shared by `certdesk-ca-service` (which generates the OpenAPI document from these
//! types) and `certdesk-ca-client`.

#[macro_use]
mod redact;

pub mod application;
pub mod auth;
pub mod channel;
pub mod download;
pub mod payment;
pub mod problem;
pub mod sandbox;

pub use problem::{FieldError, PROBLEM_CONTENT_TYPE, Problem, ProblemCode};

/// Header naming a create's idempotency key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    pub status: String,
    pub version: String,
}
