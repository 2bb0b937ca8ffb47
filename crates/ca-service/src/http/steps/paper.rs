//! Paper by post (seed 000): the courier tracking number; and the receipt of a token
//! the CA made and mailed.

use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::application::{Application, ApplicationStatus, TrackingInput};
use certdesk_ca_api::channel::IssuanceMode;
use certdesk_ca_api::{FieldError, Problem};

use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, Applicant};
use crate::http::txn::own;
use crate::state::Shared;

/// Record the courier tracking number of the mailed paper (seed 000, step 4).
#[utoipa::path(put, path = "/v1/applications/{id}/paper/tracking", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = TrackingInput,
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn record_paper_tracking(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TrackingInput>,
) -> ApiResult<Response> {
    let tn = req.tracking_number.trim();
    if tn.is_empty()
        || tn.len() > 40
        || !tn.chars().all(|c| c.is_ascii_alphanumeric())
        || req.courier.trim().is_empty()
    {
        return Err(ApiError::fields(vec![FieldError::new(
            "tracking_number",
            "invalid",
            "快递单号格式不正确",
            "invalid tracking number",
        )]));
    }
    own(&state, &who, &id).answer(|s| {
        if matches!(
            s.doc.app.status,
            ApplicationStatus::Cancelled | ApplicationStatus::Completed
        ) {
            return Err(ApiError::invalid_state("application closed"));
        }
        let Some(paper) = s.doc.app.paper.as_mut() else {
            return Err(ApiError::invalid_state("this channel needs no paper"));
        };
        paper.courier = Some(req.courier.trim().to_string());
        paper.tracking_number = Some(tn.to_string());
        s.save()
    })
}

/// Confirm receipt of a token the CA made and mailed.
#[utoipa::path(post, path = "/v1/applications/{id}/receipt", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_receipt(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    own(&state, &who, &id).answer(|s| {
        let mode = s.state.channel(&s.doc.app.channel_id)?.issuance;
        if s.doc.app.status != ApplicationStatus::Issued || mode != IssuanceMode::MailedToken {
            return Err(ApiError::invalid_state("nothing was mailed to confirm"));
        }
        s.doc.app.status = ApplicationStatus::Completed;
        s.save()?;
        s.tell(&format!("您的订单{}已完成。", s.doc.app.number_or_id()))
    })
}
