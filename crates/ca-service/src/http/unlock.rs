//! Unlock (解锁): after SMS verification of the handler on record, the CA authorises an
//! SO-PIN based user-PIN reset for a token it issued.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use certdesk_ca_api::download::{UnlockAuthorise, UnlockGrant, UnlockRequest, UnlockStarted};
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use rusqlite::{OptionalExtension, params};

use super::auth::{check_captcha, check_phone};
use super::extract::{ApiJson, Staff};
use crate::audit::{Action, NewEntry};
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::Shared;
use crate::store::certs;
use crate::workflow::{contact_phone, load_any, otp};

const UNLOCK_TTL: i64 = 600;

fn token_serial_ok(s: &str) -> ApiResult<()> {
    let t = s.trim();
    if t.is_empty() || t.len() > 32 || !t.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::fields(vec![FieldError::new(
            "token_serial",
            "invalid",
            "介质序列号格式不正确",
            "1-32 letters or digits",
        )]));
    }
    Ok(())
}

/// Start an unlock: the SMS code goes to the handler's phone on record.
#[utoipa::path(post, path = "/v1/unlock", tag = "unlock", request_body = UnlockRequest,
    responses((status = 201, body = UnlockStarted),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn start(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<UnlockRequest>,
) -> ApiResult<(StatusCode, Json<UnlockStarted>)> {
    check_phone("phone", &req.phone)?;
    token_serial_ok(&req.token_serial)?;
    let id = new_id("unl");
    let now = state.now();
    let started = state.db.tx_commit_always(|tx| {
        check_captcha(tx, state.now(), &req.captcha_id, &req.captcha_answer)?;
        let cert = certs::get(tx, &req.certificate_serial.trim().to_ascii_lowercase())?
            .filter(|c| c.status == "valid")
            .ok_or_else(ApiError::not_found)?;
        let doc = load_any(tx, &cert.application_id)?;
        if contact_phone(&doc) != req.phone {
            return Err(ApiError::detail(ProblemCode::VerificationFailed, "the phone is not the one on record for this certificate"));
        }
        tx.execute(
            "INSERT INTO unlock_requests (id, certificate_serial, token_serial, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, cert.serial, req.token_serial.trim(), now + UNLOCK_TTL],
        )?;
        let sent = otp::send(tx, &state, &format!("unlock:{id}"), &req.phone, |code| {
            format!("【证书助手】您正在申请解锁证书介质，验证码{code}，5分钟内有效。如非本人操作请忽略。")
        })?;
        Ok::<_, ApiError>(sent)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(UnlockStarted {
            request_id: id,
            expires_in: started.expires_in,
        }),
    ))
}

/// Verify the SMS code; returns the token's SO PIN for the user-PIN reset (once).
#[utoipa::path(post, path = "/v1/unlock/{id}/authorise", tag = "unlock", params(("id" = String, Path)),
    request_body = UnlockAuthorise,
    responses((status = 200, body = UnlockGrant),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn authorise(
    State(state): State<Shared>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UnlockAuthorise>,
) -> ApiResult<Json<UnlockGrant>> {
    let now = state.now();
    let token_serial = state.db.tx_commit_always(|tx| {
        let row: Option<(String, i64, Option<i64>)> = tx
            .query_row(
                "SELECT token_serial, expires_at, granted_at FROM unlock_requests WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (token_serial, expires_at, granted) = row.ok_or_else(ApiError::not_found)?;
        if granted.is_some() || expires_at < now {
            return Err(ApiError::invalid_state(
                "unlock request already used or expired",
            ));
        }
        otp::verify(tx, &state, &format!("unlock:{id}"), &req.code)?;
        tx.execute(
            "UPDATE unlock_requests SET granted_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok::<_, ApiError>(token_serial)
    })?;
    let so_pin = state
        .pki
        .so_pin(&token_serial)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!("unlock authorised");
    Ok(Json(UnlockGrant {
        token_serial,
        so_pin,
    }))
}

/// SO PIN to initialise a token the CA issues (token production).
#[utoipa::path(get, path = "/v1/staff/tokens/{token_serial}/so-pin", tag = "staff", security(("staff" = [])),
    params(("token_serial" = String, Path)),
    responses((status = 200, body = UnlockGrant),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_so_pin(
    State(state): State<Shared>,
    staff: Staff,
    Path(token_serial): Path<String>,
) -> ApiResult<Json<UnlockGrant>> {
    token_serial_ok(&token_serial)?;
    // Releasing a token's SO PIN is recorded (the PIN itself never is).
    let entry = NewEntry::new(staff.actor, Action::TokenSoPin).token(token_serial.trim());
    state
        .db
        .tx(|tx| crate::store::audit::append(tx, state.now(), &entry))?;
    let so_pin = state
        .pki
        .so_pin(&token_serial)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(UnlockGrant {
        token_serial: token_serial.trim().to_string(),
        so_pin,
    }))
}
