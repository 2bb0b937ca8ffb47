//! The point's token stock (库存, issue 14 item 2): receive tokens by serial, see counts
//! and tokens, spoil or return one with a reason; the supervisor (or the CA's staff,
//! `certdesk-ca point stock-required`) decides whether making needs a token in stock.
//! Everything is the operator's own point's: another point's tokens are out of reach.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::Problem;
use certdesk_ca_api::operator::Role;
use certdesk_ca_api::stock::{
    MAX_RECEIVE, MODEL, ReceiveStock, Stock, StockChange, StockPolicy, StockQuery, StockReceived,
    StockToken,
};
use certdesk_ca_api::{FieldError, limits as max};

use super::cases::acting;
use super::making::{bad_serial, is_token_serial};
use crate::domain::checked::{Check, Checked};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, ApiQuery, HashedJson, IdempotencyKey, OperatorAuth, Staff};
use crate::http::idempotency;
use crate::state::Shared;
use crate::workflow::stock as wf;

/// Who keeps the stock: whoever makes tokens, and the supervisor.
const KEEPERS: &[Role] = &[Role::Clerk, Role::Maker, Role::Supervisor];

impl Checked for ReceiveStock {
    fn check(&self, c: &mut Check) {
        let ReceiveStock { model, serials } = self;
        c.text("model", model, MODEL);
        c.texts("serials", serials, MAX_RECEIVE, max::IDENTIFIER);
    }
}

impl Checked for StockQuery {
    fn check(&self, c: &mut Check) {
        let StockQuery {
            state: _,
            model,
            limit: _,
        } = self;
        c.opt_text("model", model.as_deref(), MODEL);
    }
}

impl Checked for StockChange {
    fn check(&self, c: &mut Check) {
        let StockChange { state: _, reason } = self;
        c.text("reason", reason, max::REASON);
    }
}

impl Checked for StockPolicy {
    fn check(&self, _: &mut Check) {
        let StockPolicy { stock_required: _ } = self;
    }
}

fn required(field: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, "required", zh, en)
}

/// The model and the serials, trimmed; every malformed serial is reported by index.
fn checked_receipt(req: &ReceiveStock) -> ApiResult<(&str, Vec<&str>)> {
    let model = req.model.trim();
    let serials: Vec<&str> = req.serials.iter().map(|s| s.trim()).collect();
    let mut errors: Vec<FieldError> = serials
        .iter()
        .enumerate()
        .filter(|(_, s)| !is_token_serial(s))
        .map(|(i, _)| bad_serial(&format!("serials[{i}]")))
        .collect();
    if model.is_empty() {
        errors.push(required("model", "请填写型号", "the model is required"));
    }
    if serials.is_empty() {
        errors.push(required(
            "serials",
            "请至少输入一个序列号",
            "at least one serial",
        ));
    }
    if errors.is_empty() {
        Ok((model, serials))
    } else {
        Err(ApiError::fields(errors))
    }
}

/// Receive tokens into the operator's point's stock. Each serial already recorded (here
/// or at another point, which is not named) is listed as refused; the others are
/// received. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/v1/operator/stock", tag = "counter", security(("operator" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes the receipt safe to retry")),
    request_body = ReceiveStock,
    responses((status = 201, body = StockReceived),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn receive(
    State(state): State<Shared>,
    who: OperatorAuth,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<ReceiveStock>,
) -> ApiResult<Response> {
    who.require_any(KEEPERS)?;
    let (model, serials) = checked_receipt(&req)?;
    let (principal, _) = who.actor().columns();
    let (status, value) = state.db.tx(|tx| {
        idempotency::run(
            tx,
            &principal,
            key.as_deref(),
            "POST /v1/operator/stock",
            &hash,
            state.now(),
            || {
                let done = wf::receive(tx, &state, &acting(&who), model, &serials)?;
                Ok((StatusCode::CREATED, serde_json::to_value(done)?))
            },
        )
    })?;
    Ok((status, Json(value)).into_response())
}

/// The operator's point's stock: counts per model and state over all of it, and its
/// tokens (newest first), filtered by `state` and `model`.
#[utoipa::path(get, path = "/v1/operator/stock", tag = "counter", security(("operator" = [])),
    params(StockQuery),
    responses((status = 200, body = Stock),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<Shared>,
    who: OperatorAuth,
    ApiQuery(q): ApiQuery<StockQuery>,
) -> ApiResult<Json<Stock>> {
    who.require_any(KEEPERS)?;
    let stock = state
        .db
        .read(|c| wf::overview(c, &who.operator.point_id, &q))?;
    Ok(Json(stock))
}

/// Spoil or return a token of the point's stock, with the reason. Only a token in
/// stock (409 `invalid_state` otherwise); another point's serial is 404.
#[utoipa::path(post, path = "/v1/operator/stock/{serial}/state", tag = "counter", security(("operator" = [])),
    params(("serial" = String, Path)), request_body = StockChange,
    responses((status = 200, body = StockToken),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn change_state(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(serial): Path<String>,
    ApiJson(req): ApiJson<StockChange>,
) -> ApiResult<Json<StockToken>> {
    who.require_any(KEEPERS)?;
    let serial = serial.trim();
    if !is_token_serial(serial) {
        return Err(ApiError::fields(vec![bad_serial("serial")]));
    }
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::fields(vec![required(
            "reason",
            "请填写原因",
            "the reason is required",
        )]));
    }
    let token = state
        .db
        .tx(|tx| wf::take_out(tx, &state, &acting(&who), serial, req.state, reason))?;
    Ok(Json(token))
}

/// The supervisor switches whether their point makes only onto tokens in its stock.
#[utoipa::path(put, path = "/v1/operator/stock/policy", tag = "counter", security(("operator" = [])),
    request_body = StockPolicy,
    responses((status = 200, body = StockPolicy),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn set_policy(
    State(state): State<Shared>,
    who: OperatorAuth,
    ApiJson(req): ApiJson<StockPolicy>,
) -> ApiResult<Json<StockPolicy>> {
    who.require(Role::Supervisor)?;
    let point = who.operator.point_id.clone();
    let policy = state
        .db
        .tx(|tx| wf::set_required(tx, &state, who.actor(), &point, req.stock_required))?;
    Ok(Json(policy))
}

/// The CA's staff (and `certdesk-ca point stock-required`) switch it for any point.
#[utoipa::path(put, path = "/v1/staff/points/{id}/stock-policy", tag = "operators", security(("staff" = [])),
    params(("id" = String, Path)), request_body = StockPolicy,
    responses((status = 200, body = StockPolicy),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_set_policy(
    State(state): State<Shared>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StockPolicy>,
) -> ApiResult<Json<StockPolicy>> {
    let policy = state
        .db
        .tx(|tx| wf::set_required(tx, &state, staff.actor, &id, req.stock_required))?;
    Ok(Json(policy))
}
