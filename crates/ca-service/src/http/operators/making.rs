//! Making the USBKey at the counter (issue 13 item 6): the maker of the case's point
//! gets the enrollment the download runs on, records the token, and the applicant
//! confirms the hand-over with the SMS code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::counter::{Case, CaseSoPin, Handover, RecordToken};
use certdesk_ca_api::download::{Enrollment, UnlockGrant};
use certdesk_ca_api::operator::Role;
use certdesk_ca_api::{FieldError, Problem};

use super::cases::acting;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, OperatorAuth};
use crate::state::Shared;
use crate::workflow::cases as cases_wf;
use crate::workflow::making as wf;

/// Who makes the USBKey at the counter: the clerk serving the case, or a maker (a
/// small point combines entry and making; approval stays with someone else).
const MAKERS: &[Role] = &[Role::Clerk, Role::Maker];

/// The enrollment for an approved case of the maker's point, in place of a password
/// card: the download then runs on the token being made (keygen, CSR, finalize,
/// confirm). Granted again until the certificate is confirmed; 409 `already_made`
/// once a token holds it.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/enrollment", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = Enrollment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn enrollment(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    who.require_any(MAKERS)?;
    let granted = state
        .db
        .tx(|tx| wf::enrollment(tx, &state, &acting(&who), &id))?;
    Ok((StatusCode::CREATED, Json(granted)))
}

/// Whether `s` is a PKCS#11 token serial: 1-32 letters, digits or `-`.
pub(super) fn is_token_serial(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The field error of a malformed token serial.
pub(super) fn bad_serial(field: &str) -> FieldError {
    FieldError::new(
        field,
        "invalid",
        "USBKey 序列号应为1到32位字母、数字或-",
        "a token serial of 1-32 letters, digits or -",
    )
}

/// A PKCS#11 token serial, trimmed.
fn token_serial(raw: &str) -> ApiResult<&str> {
    let s = raw.trim();
    if is_token_serial(s) {
        Ok(s)
    } else {
        Err(ApiError::fields(vec![bad_serial("token_serial")]))
    }
}

/// The SO PIN to initialise the token the case is made on: the CA's per-token SO PIN
/// (the one unlock derives) for `token_serial`, or for a blank token that says no
/// serial yet the case's transitional one. Maker only, for an approved case of the
/// maker's point not made on another token; every release is audited (the PIN never is).
#[utoipa::path(post, path = "/v1/operator/cases/{id}/so-pin", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = CaseSoPin,
    responses((status = 200, body = UnlockGrant),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn so_pin(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CaseSoPin>,
) -> ApiResult<Json<UnlockGrant>> {
    who.require_any(MAKERS)?;
    let serial = req.token_serial.as_deref().map(token_serial).transpose()?;
    let grant = state
        .db
        .tx(|tx| wf::so_pin(tx, &state, &acting(&who), &id, serial))?;
    Ok(Json(grant))
}

/// Record the token the case's certificate was written to (after the self-test). The
/// same token again answers the case as it is; another token, 409 `already_made`.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/token", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = RecordToken,
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn record_token(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RecordToken>,
) -> ApiResult<Json<Case>> {
    who.require_any(MAKERS)?;
    let serial = token_serial(&req.token_serial)?;
    // A model is text the token reports: blank padding dropped, nothing else changed.
    let model = req
        .token_model
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let case = state.db.tx(|tx| {
        let row = wf::record_token(tx, &state, &acting(&who), &id, serial, model)?;
        cases_wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}

/// Send the hand-over code by SMS to the handler's phone (the legal representative's
/// when they handle it). Resend limits as for every one-time code.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/handover/code", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OtpSent),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn handover_code(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<OtpSent>> {
    who.require_any(MAKERS)?;
    let sent = state
        .db
        .tx(|tx| wf::send_code(tx, &state, &acting(&who), &id))?;
    Ok(Json(sent))
}

/// The applicant's code (typed on the customer window) confirms the hand-over; the case
/// closes as `handed_over`. Wrong codes count and lock like every one-time code.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/handover", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = Handover,
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn hand_over(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<Handover>,
) -> ApiResult<Json<Case>> {
    who.require_any(MAKERS)?;
    // Committed even when refused: the failed try counts.
    let case = state.db.tx_commit_always(|tx| {
        let row = wf::hand_over(tx, &state, &acting(&who), &id, &req.code)?;
        cases_wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}
