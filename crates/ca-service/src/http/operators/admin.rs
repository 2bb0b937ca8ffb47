//! Staff (and `certdesk-ca point|operator` on the host) manage points and operators.
//! The first supervisor of a point is made here: that is the bootstrap.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::Problem;
use certdesk_ca_api::operator::{
    NewOperator, NewPoint, Operator, OperatorCard, OperatorCreated, OperatorList, Point, PointList,
};
use secrecy::ExposeSecret;

use crate::audit::Actor;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, HashedJson, IdempotencyKey, Staff};
use crate::http::idempotency;
use crate::state::Shared;
use crate::store::operators as ops;
use crate::workflow::operators as wf;
use crate::workflow::review;

/// Register an acceptance point (受理点).
#[utoipa::path(post, path = "/v1/staff/points", tag = "operators", security(("staff" = [])),
    request_body = NewPoint,
    responses((status = 201, body = Point),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_point(
    State(state): State<Shared>,
    staff: Staff,
    ApiJson(req): ApiJson<NewPoint>,
) -> ApiResult<(StatusCode, Json<Point>)> {
    let p = state
        .db
        .tx(|tx| wf::add_point(tx, state.now(), &req, staff.actor))?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// All acceptance points.
#[utoipa::path(get, path = "/v1/staff/points", tag = "operators", security(("staff" = [])),
    responses((status = 200, body = PointList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list_points(State(state): State<Shared>, _staff: Staff) -> ApiResult<Json<PointList>> {
    let rows = state.db.read(ops::points)?;
    Ok(Json(PointList {
        items: rows.into_iter().map(wf::point_wire).collect(),
    }))
}

/// Register an operator and issue its certificate: the answer carries the password card
/// for the ordinary certificate download onto the operator's own token. Send
/// `Idempotency-Key` to make retries safe (a retry answers the same card).
#[utoipa::path(post, path = "/v1/staff/operators", tag = "operators", security(("staff" = [])),
    request_body = NewOperator,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes the create safe to retry")),
    responses((status = 201, body = OperatorCreated),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_operator(
    State(state): State<Shared>,
    staff: Staff,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<NewOperator>,
) -> ApiResult<Response> {
    create_operator(
        &state,
        staff.actor,
        key,
        "POST /v1/staff/operators",
        (req, hash),
    )
    .await
}

/// Registers the operator as `actor` (staff, or a supervisor of its point) under
/// `Idempotency-Key`; the answer carries the password card.
pub async fn create_operator(
    state: &Shared,
    actor: Actor,
    key: Option<String>,
    route: &str,
    (req, hash): (NewOperator, String),
) -> ApiResult<Response> {
    let card = tokio::task::spawn_blocking(review::new_card)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let (principal, _) = actor.columns();
    let (status, value) = state.db.tx(|tx| {
        idempotency::run(
            tx,
            &principal,
            key.as_deref(),
            route,
            &hash,
            state.now(),
            || {
                let (row, app_id) = wf::add_operator(tx, state, &req, &card, actor.clone())?;
                let created = OperatorCreated {
                    operator: wf::operator_wire(tx, &row)?,
                    card: OperatorCard {
                        application_id: app_id,
                        card_serial: card.serial.clone(),
                        card_password: card.password.expose_secret().to_string(),
                        phone: req.phone.clone(),
                        org_code: row.point_id.clone(),
                    },
                };
                Ok((StatusCode::CREATED, serde_json::to_value(created)?))
            },
        )
    })?;
    Ok((status, Json(value)).into_response())
}

/// All operators.
#[utoipa::path(get, path = "/v1/staff/operators", tag = "operators", security(("staff" = [])),
    responses((status = 200, body = OperatorList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list_operators(
    State(state): State<Shared>,
    _staff: Staff,
) -> ApiResult<Json<OperatorList>> {
    let items = state.db.read(|c| {
        ops::operators(c, None)?
            .iter()
            .map(|o| wf::operator_wire(c, o))
            .collect::<ApiResult<Vec<_>>>()
    })?;
    Ok(Json(OperatorList { items }))
}

/// Revoke an operator: its sessions end at once and its certificate is revoked.
#[utoipa::path(post, path = "/v1/staff/operators/{id}/revoke", tag = "operators", security(("staff" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Operator),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_operator(
    State(state): State<Shared>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Operator>> {
    let op = state.db.tx(|tx| {
        let row = wf::revoke_operator(tx, &state, &id, None, staff.actor)?;
        wf::operator_wire(tx, &row)
    })?;
    Ok(Json(op))
}
