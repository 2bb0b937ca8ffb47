//! The daily close (日结, issue 14 item 3): the supervisor of a point reads the day,
//! explains its differences, signs it with their operator token, and corrects a signed
//! day by a new entry. Another point's closes are out of reach (404, as absent).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use certdesk_ca_api::Problem;
use certdesk_ca_api::close::{
    CloseExplanations, CloseToSign, DailyClose, NewCloseCorrection, SignClose,
};
use certdesk_ca_api::operator::Role;

use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, OperatorAuth, signature_bytes};
use crate::state::Shared;
use crate::store::operators as ops;
use crate::workflow::close::{self as wf, sign as close};
use crate::workflow::receipt::beijing;

/// The caller supervises `point` (403 for another role, 404 for another point).
pub(super) fn supervising(who: &OperatorAuth, point: &str) -> ApiResult<()> {
    who.require(Role::Supervisor)?;
    if who.operator.point_id != point {
        return Err(ApiError::not_found());
    }
    Ok(())
}

/// The day at the point (YYYY-MM-DD, China time): its signed close, or the figures and
/// differences as they stand.
#[utoipa::path(get, path = "/v1/operator/closes/{point}/{day}", tag = "counter", security(("operator" = [])),
    params(("point" = String, Path), ("day" = String, Path, description = "YYYY-MM-DD, China time")),
    responses((status = 200, body = DailyClose),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_close(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path((point, day)): Path<(String, String)>,
) -> ApiResult<Json<DailyClose>> {
    supervising(&who, &point)?;
    let now = state.now();
    let close = state
        .db
        .read(|c| close::wire(c, &state.base_url, &point, &day, now))?;
    Ok(Json(close))
}

/// The bytes to sign for the day with these explanations (one per difference; 422
/// `differences_unexplained` when one is missing).
#[utoipa::path(post, path = "/v1/operator/closes/{point}/{day}/to-sign", tag = "counter", security(("operator" = [])),
    params(("point" = String, Path), ("day" = String, Path)),
    request_body = CloseExplanations,
    responses((status = 200, body = CloseToSign),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn to_sign(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path((point, day)): Path<(String, String)>,
    ApiJson(req): ApiJson<CloseExplanations>,
) -> ApiResult<Json<CloseToSign>> {
    supervising(&who, &point)?;
    let now = state.now();
    let doc = state.db.read(|c| {
        close::document_json(c, (&state.base_url, &point, &day), &req.explanations, now)
    })?;
    Ok(Json(CloseToSign {
        to_sign: base64::engine::general_purpose::STANDARD.encode(wf::signed_bytes(&doc)),
        document_sha256: wf::sha256_hex(doc.as_bytes()),
    }))
}

/// Sign the day: the explanations again and the signature, by the operator token the
/// supervisor signed in with, over the bytes `to-sign` gave. Kept as signed, for good.
#[utoipa::path(post, path = "/v1/operator/closes/{point}/{day}", tag = "counter", security(("operator" = [])),
    params(("point" = String, Path), ("day" = String, Path)),
    request_body = SignClose,
    responses((status = 201, body = DailyClose),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_close(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path((point, day)): Path<(String, String)>,
    ApiJson(req): ApiJson<SignClose>,
) -> ApiResult<(StatusCode, Json<DailyClose>)> {
    supervising(&who, &point)?;
    let sig = signature_bytes(&req.signature)?;
    let now = state.now();
    let close = state.db.tx(|tx| {
        close::sign(tx, (&state.base_url, &day), &who, &req, (&sig, now))?;
        close::wire(tx, &state.base_url, &point, &day, now)
    })?;
    Ok((StatusCode::CREATED, Json(close)))
}

/// Correct a signed day: a new, audited entry beside the close, which stays as signed.
#[utoipa::path(post, path = "/v1/operator/closes/{point}/{day}/corrections", tag = "counter", security(("operator" = [])),
    params(("point" = String, Path), ("day" = String, Path)),
    request_body = NewCloseCorrection,
    responses((status = 201, body = DailyClose),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn correct_close(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path((point, day)): Path<(String, String)>,
    ApiJson(req): ApiJson<NewCloseCorrection>,
) -> ApiResult<(StatusCode, Json<DailyClose>)> {
    supervising(&who, &point)?;
    let now = state.now();
    wf::window(&day, now)?;
    let close = state.db.tx(|tx| {
        close::correct(tx, &who, &day, &req.text, now)?;
        close::wire(tx, &state.base_url, &point, &day, now)
    })?;
    Ok((StatusCode::CREATED, Json(close)))
}

/// The day's close as a PDF report (日结报告): figures, differences with their
/// explanations, signer and signature fingerprint (unsigned: marked so).
#[utoipa::path(get, path = "/v1/operator/closes/{point}/{day}/report", tag = "counter", security(("operator" = [])),
    params(("point" = String, Path), ("day" = String, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path((point, day)): Path<(String, String)>,
) -> ApiResult<Response> {
    supervising(&who, &point)?;
    let now = state.now();
    let report = state.db.read(|c| {
        let close = close::wire(c, &state.base_url, &point, &day, now)?;
        let name = ops::get_point(c, &point)?
            .map(|p| p.name)
            .unwrap_or_default();
        Ok::<_, ApiError>(wf::report::of_close(&close, &name, beijing(now)))
    })?;
    crate::http::pdf::answer(move || certdesk_form_pdf::daily_close::render(&report)).await
}
