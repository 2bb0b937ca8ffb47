//! Request extractors: bearer sessions, staff, JSON/query with problem+json rejections,
//! and the Idempotency-Key / If-Match headers.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use certdesk_ca_api::ProblemCode;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use super::json_body::{parse_checked, parse_hashed, read_json_bytes};
use crate::domain::checked::{self, Checked};
use crate::error::ApiError;
use crate::secrets::{ct_eq, sha256_hex};
use crate::state::Shared;
use crate::store::{StoreError, auth};

/// JSON body, `Content-Type: application/json`, at most `JSON_BODY_BYTES`, every text
/// field checked ([`Checked`]); each refusal is a problem document.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Checked> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_bytes(req).await?;
        Ok(ApiJson(parse_checked(&bytes)?))
    }
}

/// As [`ApiJson`], plus a hash of the body's canonical form for `Idempotency-Key`.
pub struct HashedJson<T> {
    pub value: T,
    pub hash: String,
}

impl<S: Send + Sync, T: DeserializeOwned + Checked> FromRequest<S> for HashedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        let bytes = read_json_bytes(req).await?;
        let (value, hash) = parse_hashed(&bytes)?;
        Ok(HashedJson { value, hash })
    }
}

/// The raw bytes of a JSON body (content type and size checked), for bodies whose
/// signature covers the exact bytes; parse them with [`parse_checked`] after verifying.
pub struct RawJson(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RawJson(read_json_bytes(req).await?))
    }
}

/// Query string whose rejection is a problem document; text parameters are checked.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Checked> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(q) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        let errors = checked::errors(&q);
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        Ok(ApiQuery(q))
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

/// What a live bearer token of `kind` stands for, found by its hash (tokens are stored
/// only hashed) at the service's time; anything else is 401.
fn by_token<T>(
    parts: &Parts,
    state: &Shared,
    kind: &str,
    find: impl FnOnce(&rusqlite::Connection, &str, i64) -> Result<Option<T>, StoreError>,
) -> Result<(String, T), ApiError> {
    let token = bearer(parts).ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
    let hash = sha256_hex(&[kind, token]);
    let now = state.now();
    let found = state
        .db
        .read(|c| find(c, &hash, now))?
        .ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
    Ok((hash, found))
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
        let (token_hash, phone) = by_token(parts, state, "session", auth::session_phone)?;
        Ok(Applicant { phone, token_hash })
    }
}

/// CA staff, authenticated by a staff credential from the data dir: `staff-token` (staff
/// tools) or `cli-token` (`certdesk-ca review` on the host); the audit log names which.
pub struct Staff {
    pub actor: crate::audit::Actor,
}

impl FromRequestParts<Shared> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        use crate::audit::Actor;
        let t = bearer(parts).ok_or_else(|| ApiError::code(ProblemCode::Unauthorized))?;
        // Both compared in constant time, whichever matches.
        let staff = ct_eq(t, state.staff_token.expose_secret());
        let cli = ct_eq(t, state.cli_token.expose_secret());
        match (staff, cli) {
            (true, _) => Ok(Staff {
                actor: Actor::Staff {
                    credential: "staff-token".into(),
                },
            }),
            (false, true) => Ok(Staff { actor: Actor::Cli }),
            _ => Err(ApiError::code(ProblemCode::Unauthorized)),
        }
    }
}

/// A signed-in operator (certificate sign-in, `/v1/operator/sessions`): active, with
/// the certificate it signed in with. Revoking the operator ends the session at once.
pub struct OperatorAuth {
    pub operator: crate::store::operators::OperatorRow,
    pub certificate_serial: String,
    pub token_hash: String,
}

impl OperatorAuth {
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor::Operator {
            id: self.operator.id.clone(),
            certificate_serial: self.certificate_serial.clone(),
        }
    }

    /// 403 `forbidden` unless the operator holds `role`.
    pub fn require(&self, role: certdesk_ca_api::operator::Role) -> Result<(), ApiError> {
        self.require_any(&[role])
    }

    /// One of `roles` (e.g. making the key: the clerk or the maker).
    pub fn require_any(&self, roles: &[certdesk_ca_api::operator::Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.operator.has(*r)) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::detail(
                ProblemCode::Forbidden,
                format!("needs the {} role", names.join(" or ")),
            ))
        }
    }
}

impl FromRequestParts<Shared> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let (token_hash, (operator, certificate_serial)) = by_token(
            parts,
            state,
            crate::store::operators::SESSION_KIND,
            crate::store::operators::session,
        )?;
        Ok(OperatorAuth {
            operator,
            certificate_serial,
            token_hash,
        })
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
        let (_, (application_id, card_serial)) =
            by_token(parts, state, "enrollment", crate::store::certs::enrollment)?;
        Ok(EnrollmentAuth {
            application_id,
            card_serial,
        })
    }
}

/// A base64 `signature` field's bytes.
pub fn signature_bytes(b64: &str) -> Result<Vec<u8>, ApiError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| {
            ApiError::fields(vec![certdesk_ca_api::FieldError::new(
                "signature",
                "invalid",
                "签名格式错误",
                "signature must be base64",
            )])
        })
}
