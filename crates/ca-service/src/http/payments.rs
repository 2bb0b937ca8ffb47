//! Payments: create (idempotent), poll, renew, and the providers' signed notifications.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use certdesk_ca_api::payment::{
    CreatePayment, NOTIFY_SIGNATURE_HEADER, NotifyAck, Payment, PaymentNotify, PaymentProvider,
};
use certdesk_ca_api::{Problem, ProblemCode};

use super::extract::{Applicant, HashedJson, IdempotencyKey, RawJson};
use super::json_body::parse_checked;
use super::txn::idempotent_create;
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use crate::store::records;
use crate::workflow::load_owned;
use crate::workflow::payment::{apply_notify, create, renew, to_wire};

/// Create a payment (QR code content, amount, expiry). Send `Idempotency-Key` to retry safely.
#[utoipa::path(post, path = "/v1/applications/{id}/payments", tag = "payments",
    security(("bearer" = [])), request_body = CreatePayment,
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Payment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn create_payment(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<CreatePayment>,
) -> ApiResult<Response> {
    let route = format!("POST /v1/applications/{id}/payments");
    idempotent_create(&state, &who.phone, key.as_deref(), &route, &hash, |tx| {
        let doc = load_owned(tx, &id, &who.phone)?;
        let row = create(tx, &state, &doc, req.provider)?;
        Ok(serde_json::to_value(to_wire(&row, state.now()))?)
    })
}

fn owned_payment(
    c: &rusqlite::Connection,
    id: &str,
    phone: &str,
) -> ApiResult<records::PaymentRow> {
    let row = records::get_payment(c, id)?.ok_or_else(ApiError::not_found)?;
    load_owned(c, &row.application_id, phone)?;
    Ok(row)
}

/// Poll a payment.
#[utoipa::path(get, path = "/v1/payments/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Payment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_payment(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Json<Payment>> {
    let row = state.db.read(|c| owned_payment(c, &id, &who.phone))?;
    Ok(Json(to_wire(&row, state.now())))
}

/// Give an expired payment a fresh expiry.
#[utoipa::path(post, path = "/v1/payments/{id}/renew", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Payment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn renew_payment(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Json<Payment>> {
    let row = state.db.tx(|tx| {
        let mut row = owned_payment(tx, &id, &who.phone)?;
        renew(tx, &state, &mut row)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(Json(to_wire(&row, state.now())))
}

/// The payment provider's asynchronous notification, signed with HMAC-SHA256 in the
/// `X-Payment-Signature` header. Duplicates are acknowledged without effect.
#[utoipa::path(post, path = "/v1/payments/notify/{provider}", tag = "payments",
    params(("provider" = PaymentProvider, Path), ("X-Payment-Signature" = String, Header)),
    request_body = PaymentNotify,
    responses((status = 200, body = NotifyAck),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn payment_notify(
    State(state): State<Shared>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    RawJson(body): RawJson,
) -> ApiResult<Json<NotifyAck>> {
    let provider: PaymentProvider = serde_json::from_value(serde_json::Value::String(provider))
        .map_err(|_| ApiError::not_found())?;
    let sig = headers
        .get(NOTIFY_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !state.payments.verify_notify(provider, &body, sig) {
        tracing::warn!(
            provider = provider.as_str(),
            "payment notification with a bad signature refused"
        );
        return Err(ApiError::code(ProblemCode::BadSignature));
    }
    let notify: PaymentNotify = parse_checked(&body)?;
    state
        .db
        .tx(|tx| apply_notify(tx, &state, provider, &notify))?;
    Ok(Json(NotifyAck { ok: true }))
}
