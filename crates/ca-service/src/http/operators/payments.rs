//! Payment at the counter (issue 13 item 4): recorded against the application, the case
//! and the operator who took it, on the operator's own point's cases only.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::Problem;
use certdesk_ca_api::counter::{CounterPayment, CounterPaymentList, CounterPaymentRequest};
use certdesk_ca_api::operator::Role;

use super::cases::acting;
use crate::error::ApiResult;
use crate::http::extract::{HashedJson, IdempotencyKey, OperatorAuth};
use crate::http::idempotency;
use crate::state::Shared;
use crate::store::counter_payments as store;
use crate::workflow::cases::at_point;
use crate::workflow::counter_payment as wf;

/// Record a payment taken at the counter: POS (slip number) or cash (receipt number)
/// settle the fee at once; WeChat/Alipay answer the provider payment whose QR code the
/// customer screen shows. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/payments", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "makes the record safe to retry")),
    request_body = CounterPaymentRequest,
    responses((status = 201, body = CounterPayment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn record_payment(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<CounterPaymentRequest>,
) -> ApiResult<Response> {
    who.require(Role::Clerk)?;
    let (principal, _) = who.actor().columns();
    let route = format!("POST /v1/operator/cases/{id}/payments");
    let (status, value) = state.db.tx(|tx| {
        idempotency::run(
            tx,
            &principal,
            key.as_deref(),
            &route,
            &hash,
            state.now(),
            || {
                let row = wf::record(tx, &state, &acting(&who), &id, &req)?;
                let paid = wf::wire(tx, state.now(), row)?;
                Ok((StatusCode::CREATED, serde_json::to_value(paid)?))
            },
        )
    })?;
    Ok((status, Json(value)).into_response())
}

/// The payments recorded on a case of the operator's point.
#[utoipa::path(get, path = "/v1/operator/cases/{id}/payments", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = CounterPaymentList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list_payments(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<CounterPaymentList>> {
    let now = state.now();
    let items = state.db.read(|c| {
        let case = at_point(c, &who.operator.point_id, &id)?;
        store::of_case(c, &case.id)?
            .into_iter()
            .map(|r| wf::wire(c, now, r))
            .collect::<ApiResult<Vec<_>>>()
    })?;
    Ok(Json(CounterPaymentList { items }))
}
