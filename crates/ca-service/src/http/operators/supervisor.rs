//! A point's supervisor (主管) manages the point's own operators: lists, adds (the
//! password card goes onto the new operator's token by the ordinary download) and
//! revokes them. Another point's operators are out of reach (404, as absent).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::operator::{NewOperator, Operator, OperatorCreated, OperatorList, Role};
use certdesk_ca_api::{Problem, ProblemCode};

use super::admin::create_operator;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{HashedJson, IdempotencyKey, OperatorAuth};
use crate::state::Shared;
use crate::store::operators as ops;
use crate::workflow::operators as wf;

/// The operators of the supervisor's point.
#[utoipa::path(get, path = "/v1/operator/operators", tag = "operators", security(("operator" = [])),
    responses((status = 200, body = OperatorList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list_point_operators(
    State(state): State<Shared>,
    who: OperatorAuth,
) -> ApiResult<Json<OperatorList>> {
    who.require(Role::Supervisor)?;
    let items = state.db.read(|c| {
        ops::operators(c, Some(&who.operator.point_id))?
            .iter()
            .map(|o| wf::operator_wire(c, o))
            .collect::<ApiResult<Vec<_>>>()
    })?;
    Ok(Json(OperatorList { items }))
}

/// Register an operator at the supervisor's own point (`point_id` must name it). Send
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/v1/operator/operators", tag = "operators", security(("operator" = [])),
    request_body = NewOperator,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes the create safe to retry")),
    responses((status = 201, body = OperatorCreated),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn add_point_operator(
    State(state): State<Shared>,
    who: OperatorAuth,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<NewOperator>,
) -> ApiResult<Response> {
    who.require(Role::Supervisor)?;
    if req.point_id != who.operator.point_id {
        return Err(ApiError::detail(
            ProblemCode::Forbidden,
            "a supervisor registers operators at its own point only",
        ));
    }
    let route = "POST /v1/operator/operators";
    create_operator(&state, who.actor(), key, route, (req, hash)).await
}

/// Revoke an operator of the supervisor's point: its sessions end, its certificate is
/// revoked. A supervisor does not revoke itself (the point would lose its supervisor by
/// a slip); the CA's staff do that.
#[utoipa::path(post, path = "/v1/operator/operators/{id}/revoke", tag = "operators", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Operator),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_point_operator(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Operator>> {
    who.require(Role::Supervisor)?;
    if id == who.operator.id {
        return Err(ApiError::invalid_state("a supervisor cannot revoke itself"));
    }
    let op = state.db.tx(|tx| {
        let row = wf::revoke_operator(tx, &state, &id, Some(&who.operator.point_id), who.actor())?;
        wf::operator_wire(tx, &row)
    })?;
    Ok(Json(op))
}
