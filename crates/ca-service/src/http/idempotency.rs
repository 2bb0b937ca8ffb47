//! Idempotent creates: same key + same body → the stored response; same key + other
//! body → 422 `idempotency_key_reused`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::ProblemCode;
use rusqlite::Connection;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::store::idempotency::{self, Stored};

pub fn run(
    conn: &Connection,
    principal: &str,
    key: Option<&str>,
    route: &str,
    body_hash: &str,
    now: i64,
    create: impl FnOnce() -> ApiResult<(StatusCode, Value)>,
) -> ApiResult<(StatusCode, Value)> {
    let Some(key) = key else {
        return create();
    };
    if let Some(stored) = idempotency::get(conn, principal, key, route)? {
        if stored.body_hash != body_hash {
            return Err(ApiError::code(ProblemCode::IdempotencyKeyReused));
        }
        let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
        return Ok((status, serde_json::from_str(&stored.response)?));
    }
    let (status, value) = create()?;
    idempotency::put(
        conn,
        principal,
        key,
        route,
        &Stored {
            body_hash: body_hash.to_string(),
            status: status.as_u16(),
            response: value.to_string(),
        },
        now,
    )?;
    Ok((status, value))
}

/// JSON response carrying the body's `etag` as the ETag header, when it has one.
pub fn json_with_etag(status: StatusCode, value: Value) -> Response {
    let etag = value
        .get("etag")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut resp = (status, axum::Json(value)).into_response();
    if let Some(tag) = etag
        && let Ok(v) = HeaderValue::from_str(&tag)
    {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}
