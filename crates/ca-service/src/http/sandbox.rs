//! Sandbox-only endpoints (`--sandbox`): the outbox, captcha answers, the registry
//! fixture, and buttons standing in for face-check and payment providers and staff.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use certdesk_ca_api::application::{Application, FaceCheck, RejectRequest};
use certdesk_ca_api::payment::{Payment, PaymentNotify};
use certdesk_ca_api::sandbox::{CaptchaAnswer, CompleteCheck, Outbox, RegistryCompany};
use certdesk_ca_api::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiQuery};
use super::txn::app_response;
use crate::audit::Actor;
use crate::error::{ApiError, ApiResult};
use crate::providers::sandbox::{sandbox_secret, sign};
use crate::state::Shared;
use crate::store::{applications, auth, outbox, records};
use crate::workflow::payment::{apply_notify, to_wire};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only messages to this recipient (phone, e-mail, or postal line).
    pub to: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl crate::domain::checked::Checked for OutboxQuery {
    fn check(&self, c: &mut crate::domain::checked::Check) {
        let OutboxQuery { to, limit: _ } = self;
        c.opt_text("to", to.as_deref(), certdesk_ca_api::limits::ADDRESS);
    }
}

/// Messages "sent" by SMS, e-mail and post, newest first.
#[utoipa::path(get, path = "/sandbox/outbox", tag = "sandbox", params(OutboxQuery),
    responses((status = 200, body = Outbox),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_outbox(
    State(state): State<Shared>,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Outbox>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let items = state.db.read(|c| outbox::list(c, q.to.as_deref(), limit))?;
    Ok(Json(Outbox { items }))
}

/// The answer to a captcha (testers and scripts cannot read images).
#[utoipa::path(get, path = "/sandbox/captchas/{id}", tag = "sandbox", params(("id" = String, Path)),
    responses((status = 200, body = CaptchaAnswer),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn captcha_answer(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Json<CaptchaAnswer>> {
    let answer = state
        .db
        .read(|c| auth::peek_captcha(c, &id))?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(CaptchaAnswer { answer }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistryList {
    pub items: Vec<RegistryCompany>,
}

/// The enterprise registry fixture.
#[utoipa::path(get, path = "/sandbox/registry", tag = "sandbox",
    responses((status = 200, body = RegistryList)))]
pub async fn list_registry(State(state): State<Shared>) -> ApiResult<Json<RegistryList>> {
    let items = state.db.read(records::registry_list)?;
    Ok(Json(RegistryList { items }))
}

/// Add or replace a company in the registry fixture.
#[utoipa::path(post, path = "/sandbox/registry", tag = "sandbox", request_body = RegistryCompany,
    responses((status = 201, body = RegistryCompany),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn put_registry(
    State(state): State<Shared>,
    ApiJson(c): ApiJson<RegistryCompany>,
) -> ApiResult<(StatusCode, Json<RegistryCompany>)> {
    let mut errors = Vec::new();
    if let Err(e) = certdesk_ident::uscc(&c.uscc) {
        errors.push(FieldError::from_ident("uscc", &e));
    }
    if let Err(e) = certdesk_ident::resident_id(&c.legal_rep_id_number) {
        errors.push(FieldError::from_ident("legal_rep_id_number", &e));
    }
    if c.name.trim().is_empty() || c.legal_rep_name.trim().is_empty() {
        errors.push(FieldError::new(
            "name",
            "empty",
            "不能为空",
            "must not be empty",
        ));
    }
    if !["active", "revoked", "deregistered"].contains(&c.status.as_str()) {
        errors.push(FieldError::new(
            "status",
            "invalid",
            "状态无效",
            "active, revoked or deregistered",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    state.db.tx(|tx| records::registry_put(tx, &c))?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Complete a pending face check (pass or fail).
#[utoipa::path(post, path = "/sandbox/face-checks/{id}/complete", tag = "sandbox",
    params(("id" = String, Path)), request_body = CompleteCheck,
    responses((status = 200, body = FaceCheck),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn complete_face_check(
    State(state): State<Shared>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CompleteCheck>,
) -> ApiResult<Json<FaceCheck>> {
    let f = state
        .db
        .tx(|tx| super::face::complete_face(tx, &state, &id, req.pass))?;
    Ok(Json(f))
}

/// Pay: the sandbox provider sends its signed notification through the real check.
#[utoipa::path(post, path = "/sandbox/payments/{id}/pay", tag = "sandbox",
    params(("id" = String, Path)),
    responses((status = 200, body = Payment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn pay(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Payment>> {
    let row = state
        .db
        .read(|c| records::get_payment(c, &id))?
        .ok_or_else(ApiError::not_found)?;
    let notify = PaymentNotify {
        payment_id: row.id.clone(),
        amount_fen: row.amount_fen,
        provider_transaction_id: crate::secrets::new_id("txn"),
    };
    let body = serde_json::to_vec(&notify)?;
    let sig = sign(&sandbox_secret(row.provider), &body);
    if !state.payments.verify_notify(row.provider, &body, &sig) {
        return Err(ApiError::Internal(
            "sandbox signature did not verify".into(),
        ));
    }
    let row = state
        .db
        .tx(|tx| apply_notify(tx, &state, row.provider, &notify))?;
    Ok(Json(to_wire(&row, state.now())))
}

/// Approve as staff would (sandbox shortcut; the staff API needs the staff token).
#[utoipa::path(post, path = "/sandbox/applications/{id}/approve", tag = "sandbox",
    params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn approve(State(state): State<Shared>, Path(id): Path<String>) -> ApiResult<Response> {
    let app = super::staff::approve_now(&state, &id, Actor::Sandbox).await?;
    app_response(&app)
}

/// Reject as staff would.
#[utoipa::path(post, path = "/sandbox/applications/{id}/reject", tag = "sandbox",
    params(("id" = String, Path)), request_body = RejectRequest,
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn reject(
    State(state): State<Shared>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<Response> {
    super::staff::reject_now(&state, &id, req.reasons, Actor::Sandbox)
}

/// Record paper receipt as staff would.
#[utoipa::path(post, path = "/sandbox/applications/{id}/paper-received", tag = "sandbox",
    params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn paper_received(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    super::staff::paper_received_now(&state, &id, Actor::Sandbox)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingFace {
    pub id: String,
    pub application_id: String,
    pub person: certdesk_ca_api::application::Person,
}

/// What a tester can act on now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SandboxState {
    pub face_checks: Vec<PendingFace>,
    pub payments: Vec<Payment>,
    pub in_review: Vec<Application>,
}

/// Pending face checks and payments, and the review queue.
#[utoipa::path(get, path = "/sandbox/state", tag = "sandbox",
    responses((status = 200, body = SandboxState)))]
pub async fn sandbox_state(State(state): State<Shared>) -> ApiResult<Json<SandboxState>> {
    let now = state.now();
    let s = state.db.read(|c| {
        let faces = records::pending_faces(c)?;
        let pays = records::pending_payments(c)?;
        let (apps, _) = applications::list(c, None, &["in_review"], None, 100)?;
        Ok::<_, ApiError>(SandboxState {
            face_checks: faces
                .into_iter()
                .map(|f| PendingFace {
                    id: f.id,
                    application_id: f.application_id,
                    person: f.person,
                })
                .collect(),
            payments: pays.iter().map(|p| to_wire(p, now)).collect(),
            in_review: apps.into_iter().map(|d| d.app).collect(),
        })
    })?;
    Ok(Json(s))
}
