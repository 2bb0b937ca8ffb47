//! CA staff: review queue, approve, reject, paper receipt.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::Problem;
use certdesk_ca_api::application::{Application, ApplicationStatus};
use certdesk_ca_api::application::{ApplicationPage, RejectRequest};
use certdesk_ca_api::counter::CaseStatus;
use serde::Deserialize;
use utoipa::IntoParams;

use super::applications::parse_page;
use super::extract::{ApiJson, ApiQuery, Staff};
use super::txn::app_response;
use crate::audit::{Action, Actor, NewEntry};
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use crate::store::{applications, audit};
use crate::workflow::{cases, review};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffListQuery {
    /// Default `in_review`.
    pub status: Option<ApplicationStatus>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl crate::domain::checked::Checked for StaffListQuery {
    fn check(&self, c: &mut crate::domain::checked::Check) {
        let StaffListQuery {
            status: _,
            limit: _,
            cursor,
        } = self;
        c.opt_text(
            "cursor",
            cursor.as_deref(),
            certdesk_ca_api::limits::IDENTIFIER,
        );
    }
}

/// Applications by status (default: the review queue).
#[utoipa::path(get, path = "/v1/staff/applications", tag = "staff", security(("staff" = [])),
    params(StaffListQuery),
    responses((status = 200, body = ApplicationPage),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_list(
    State(state): State<Shared>,
    _staff: Staff,
    ApiQuery(q): ApiQuery<StaffListQuery>,
) -> ApiResult<Json<ApplicationPage>> {
    let (cursor, limit) = parse_page(&super::applications::ListQuery {
        state: None,
        limit: q.limit,
        cursor: q.cursor.clone(),
    })?;
    let status = serde_json::to_value(q.status.unwrap_or(ApplicationStatus::InReview))?;
    let s = status.as_str().unwrap_or("in_review").to_string();
    let (docs, next) = state
        .db
        .read(|c| applications::list(c, None, &[s.as_str()], cursor, limit))?;
    Ok(Json(ApplicationPage {
        items: docs.into_iter().map(|d| d.app).collect(),
        next_cursor: next.map(|n| n.to_string()),
    }))
}

/// Approves as `actor`; the audit entry commits with the approval.
pub async fn approve_now(state: &Shared, id: &str, actor: Actor) -> ApiResult<Application> {
    let card = tokio::task::spawn_blocking(review::new_card)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let doc = state.db.tx(|tx| {
        let doc = review::approve(tx, state, id, review::Delivery::Mail(card))?;
        let entry = NewEntry::new(actor, Action::ReviewApprove).application(id);
        let entry = cases::close_by_staff(tx, id, CaseStatus::Approved, entry)?;
        audit::append(tx, state.now(), &entry)?;
        Ok::<_, ApiError>(doc)
    })?;
    Ok(doc.app)
}

/// Rejects as `actor`. The entry counts the reasons; their text stays in the sealed
/// application (free text could hold anything).
pub fn reject_now(
    state: &Shared,
    id: &str,
    reasons: Vec<String>,
    actor: Actor,
) -> ApiResult<Response> {
    let count = reasons.len();
    let doc = state.db.tx(|tx| {
        let doc = review::reject(tx, state, id, reasons)?;
        let entry = NewEntry::new(actor, Action::ReviewReject)
            .application(id)
            .detail("reasons", count.to_string());
        let entry = cases::close_by_staff(tx, id, CaseStatus::Rejected, entry)?;
        audit::append(tx, state.now(), &entry)?;
        Ok::<_, ApiError>(doc)
    })?;
    app_response(&doc.app)
}

pub fn paper_received_now(state: &Shared, id: &str, actor: Actor) -> ApiResult<Response> {
    let doc = state.db.tx(|tx| {
        let doc = review::paper_received(tx, state, id)?;
        let entry = NewEntry::new(actor, Action::ReviewPaperReceived).application(id);
        audit::append(tx, state.now(), &entry)?;
        Ok::<_, ApiError>(doc)
    })?;
    app_response(&doc.app)
}

/// Approve: download channels get a password card by post; mailed-token channels a parcel.
#[utoipa::path(post, path = "/v1/staff/applications/{id}/approve", tag = "staff", security(("staff" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_approve(
    State(state): State<Shared>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let app = approve_now(&state, &id, staff.actor).await?;
    app_response(&app)
}

/// Reject with reasons; the application returns to the applicant for editing.
#[utoipa::path(post, path = "/v1/staff/applications/{id}/reject", tag = "staff", security(("staff" = [])),
    params(("id" = String, Path)), request_body = RejectRequest,
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_reject(
    State(state): State<Shared>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<Response> {
    reject_now(&state, &id, req.reasons, staff.actor)
}

/// Record receipt of the mailed paper.
#[utoipa::path(post, path = "/v1/staff/applications/{id}/paper-received", tag = "staff", security(("staff" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_paper_received(
    State(state): State<Shared>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    paper_received_now(&state, &id, staff.actor)
}
