//! Request extractors: bearer sessions, staff, JSON/query with problem+json rejections,
//! and the Idempotency-Key / If-Match headers.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use certdesk_ca_api::ProblemCode;
use secrecy::ExposeSecret;

use crate::error::ApiError;
use crate::secrets::{ct_eq, sha256_hex};
use crate::state::Shared;
use crate::store::auth;

/// JSON body whose rejection is a problem document.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query string whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match r {
            JsonRejection::JsonDataError(_) => ProblemCode::ValidationFailed,
            _ => ProblemCode::MalformedRequest,
        };
        ApiError::detail(code, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::detail(ProblemCode::ValidationFailed, r.body_text())
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A signed-in applicant, identified by the phone number they signed in with.
pub struct Applicant {
    pub phone: String,
    pub token_hash: String,
}

impl FromRequestParts<Shared> for Applicant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
        let token_hash = sha256_hex(&["session", token]);
        let now = crate::clock::now();
        let phone = state
            .db
            .read(|c| auth::session_phone(c, &token_hash, now))?
            .ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
        Ok(Applicant { phone, token_hash })
    }
}

/// CA staff, authenticated by the staff token from the data dir.
pub struct Staff;

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        match bearer(parts) {
            Some(t) if ct_eq(t, state.staff_token.expose_secret()) => Ok(Staff),
            _ => Err(ApiError::code(ProblemCode::Unauthorized)),
        }
    }
}

pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get(certdesk_ca_api::IDEMPOTENCY_KEY_HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(v) => match v.to_str() {
                Ok(s) if !s.is_empty() && s.len() <= 200 => Ok(IdempotencyKey(Some(s.to_string()))),
                _ => Err(ApiError::detail(
                    ProblemCode::ValidationFailed,
                    "Idempotency-Key must be 1-200 visible ASCII characters",
                )),
            },
        }
    }
}

pub struct IfMatch(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch(
            parts
                .headers
                .get(header::IF_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_string()),
        ))
    }
}

/// A live download enrollment (from password-card authorisation).
pub struct EnrollmentAuth {
    pub application_id: String,
    pub card_serial: String,
}

impl FromRequestParts<Shared> for EnrollmentAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
        let hash = sha256_hex(&["enrollment", token]);
        let now = crate::clock::now();
        let (application_id, card_serial) = state
            .db
            .read(|c| crate::store::certs::enrollment(c, &hash, now))?
            .ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
        Ok(EnrollmentAuth {
            application_id,
            card_serial,
        })
    }
}
