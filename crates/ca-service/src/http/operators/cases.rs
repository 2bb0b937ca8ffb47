//! The counter's cases for a signed-in operator: open from an order number, check fields,
//! the point's review queue, approve or reject. Every case is scoped to the operator's
//! point; the roles are checked here, separation of duties in the workflow.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::application::DocumentInfo;
use certdesk_ca_api::application::RejectRequest;
use certdesk_ca_api::counter::{Case, CaseList, CaseStatus, FieldCheck, OnSiteIdentity, OpenCase};
use certdesk_ca_api::operator::Role;
use certdesk_ca_api::{FieldError, Problem};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};
use crate::http::documents::{self, FormResult};
use crate::http::extract::{ApiJson, ApiQuery, OperatorAuth};
use crate::state::Shared;
use crate::store::cases as store;
use crate::workflow::cases::{self as wf, Acting};
use crate::workflow::identity;

pub fn acting(who: &OperatorAuth) -> Acting<'_> {
    Acting {
        operator: &who.operator,
        actor: who.actor(),
    }
}

/// Open a walk-in case from the applicant's online application: the order's QR code
/// (its id), or its order number typed with the organisation's USCC (a number with
/// another USCC is "not found", like an unknown one). Opening it again at the same point
/// answers the open case (200).
#[utoipa::path(post, path = "/v1/operator/cases", tag = "counter", security(("operator" = [])),
    request_body = OpenCase,
    responses((status = 201, body = Case), (status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn open_case(
    State(state): State<Shared>,
    who: OperatorAuth,
    ApiJson(req): ApiJson<OpenCase>,
) -> ApiResult<(StatusCode, Json<Case>)> {
    who.require(Role::Clerk)?;
    state.db.tx(|tx| wf::open_try(tx, &state, &acting(&who)))?;
    let (case, created) = state.db.tx(|tx| {
        let (row, created) = wf::open(tx, &state, &acting(&who), &req)?;
        Ok::<_, ApiError>((wf::wire(tx, &row)?, created))
    })?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(case)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Default `open`: the point's queue.
    pub status: Option<CaseStatus>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl crate::domain::checked::Checked for CaseQuery {
    fn check(&self, _: &mut crate::domain::checked::Check) {
        let CaseQuery {
            status: _,
            limit: _,
        } = self;
    }
}

/// The operator's point's cases, oldest first: with the default `status=open`, the
/// review queue.
#[utoipa::path(get, path = "/v1/operator/cases", tag = "counter", security(("operator" = [])),
    params(CaseQuery),
    responses((status = 200, body = CaseList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list_cases(
    State(state): State<Shared>,
    who: OperatorAuth,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> ApiResult<Json<CaseList>> {
    let status = wf::status_text(q.status.unwrap_or(CaseStatus::Open));
    let limit = q.limit.unwrap_or(50).clamp(1, 100);
    let items = state.db.read(|c| {
        store::list(c, &who.operator.point_id, status, limit)?
            .into_iter()
            .map(|row| wf::summary(c, row))
            .collect::<ApiResult<Vec<_>>>()
    })?;
    Ok(Json(CaseList { items }))
}

/// One case of the operator's point, with the applicant's data and uploads.
#[utoipa::path(get, path = "/v1/operator/cases/{id}", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Case>> {
    let case = state.db.read(|c| {
        let row = wf::at_point(c, &who.operator.point_id, &id)?;
        wf::wire(c, &row)
    })?;
    Ok(Json(case))
}

/// Record a field checked against the originals, or corrected at the counter (the
/// operator then counts as an editor and cannot review the case).
#[utoipa::path(post, path = "/v1/operator/cases/{id}/checks", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = FieldCheck,
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn check_field(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FieldCheck>,
) -> ApiResult<Json<Case>> {
    who.require(Role::Clerk)?;
    let case = state.db.tx(|tx| {
        let row = wf::check(tx, &state, &acting(&who), &id, &req)?;
        wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}

/// Approve the case (reviewer; never one who entered or changed it).
#[utoipa::path(post, path = "/v1/operator/cases/{id}/approve", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn approve_case(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Case>> {
    who.require(Role::Reviewer)?;
    let case = state.db.tx(|tx| {
        let row = wf::approve(tx, &state, &acting(&who), &id)?;
        wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}

/// Reject the case with reasons (reviewer; never one who entered or changed it).
#[utoipa::path(post, path = "/v1/operator/cases/{id}/reject", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = RejectRequest,
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn reject_case(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<Json<Case>> {
    who.require(Role::Reviewer)?;
    let case = state.db.tx(|tx| {
        let row = wf::reject(tx, &state, &acting(&who), &id, req.reasons)?;
        wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}

/// The on-site identity check of the legal representative or the handler (clerk): the
/// original seen, its number typed from it, the attestation, the scan of the copy. A
/// match makes the person's check valid (it replaces the remote face check); a
/// mismatch is audited and refused with 422 `verification_failed`.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/identity", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = OnSiteIdentity,
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn check_identity(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<OnSiteIdentity>,
) -> ApiResult<Json<Case>> {
    who.require(Role::Clerk)?;
    // Committed even when refused, so that the mismatch stays in the audit log.
    let case = state.db.tx_commit_always(|tx| {
        let row = identity::check(tx, &state, &acting(&who), &id, &req)?;
        wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}

/// Upload the scan of an identity document's copy taken at the counter (clerk), for the
/// on-site identity check: `kind` is `handler_id_card` or `legal_rep_id_card`; on a
/// case keyed at the counter also `business_licence`, `authorisation_letter` and
/// `application_form` (the form the applicant signed, for the signature). The same
/// pipeline and limits as the applicant's uploads (PDF, PNG or JPEG by content; at most
/// 5 MiB); it is added beside the applicant's own uploads.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/documents", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    request_body(content = documents::UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentInfo),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn upload_copy(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    mp: FormResult,
) -> ApiResult<(StatusCode, Json<DocumentInfo>)> {
    who.require(Role::Clerk)?;
    // The case first: another point's case is "not found" before a byte is read.
    let case = state
        .db
        .read(|c| wf::at_point(c, &who.operator.point_id, &id))?;
    let (kind, file) = documents::read_form(mp).await?;
    let kind = documents::document_kind(kind)?;
    let keyed_scan = case.keyed && super::keyed::is_counter_document(kind);
    if !identity::is_identity_copy(kind) && !keyed_scan {
        return Err(ApiError::fields(vec![FieldError::new(
            "kind",
            "invalid",
            "只能上传证件复印件的扫描件",
            "only the scan of an identity document's copy",
        )]));
    }
    let (file, ct) = documents::check_file(file)?;
    let info = documents::store_file(&state, kind, file, ct).await?;
    state
        .db
        .tx(|tx| identity::add_copy(tx, &state, &acting(&who), &id, &info))?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// Read a document of the case's application (any operator of the case's point): the
/// bytes as uploaded, with the content type the CA decided at upload. Another point's
/// case or another application's document is 404. Every read is audited.
#[utoipa::path(get, path = "/v1/operator/cases/{id}/documents/{document_id}", tag = "counter",
    security(("operator" = [])),
    params(("id" = String, Path), ("document_id" = String, Path)),
    responses(
        (status = 200, description = "the document's bytes",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn read_document(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path((id, document_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let info = state
        .db
        .tx(|tx| wf::document(tx, &state, &acting(&who), &id, &document_id))?;
    let bytes = documents::read_file(&state, &info).await?;
    Ok((
        [
            (header::CONTENT_TYPE, info.content_type),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
