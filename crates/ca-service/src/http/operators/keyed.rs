//! A new case keyed at the counter (issue 13 item 3b): an applicant who did not apply
//! online is served by a clerk who enters the application with the same rules as the
//! online create, and the counter then satisfies what the online steps would:
//!
//! - enterprise verification: the registry check of the online step, run on the keyed
//!   facts before anything is stored (a mismatch is the clerk's typo to correct);
//! - information confirmation: the clerk keyed it with the applicant present;
//! - the legal representative's and the handler's checks: the on-site identity check;
//! - documents and the letter of authorisation: scans the clerk uploads;
//! - the application signature: the applicant signs the printed application form in
//!   front of the clerk, who uploads its scan and attests to it.
//!
//! The application belongs to the contact phone, so the applicant finds the order in
//! their own app. The clerk is its first editor: never its reviewer.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::application::{CreateApplication, RequirementKind, RequirementStatus};
use certdesk_ca_api::channel::{Business, DocumentKind};
use certdesk_ca_api::counter::{Case, CounterSignature};
use certdesk_ca_api::operator::Role;
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use rusqlite::Connection;

use super::cases::acting;
use crate::http::extract::{ApiJson, HashedJson, IdempotencyKey, OperatorAuth};
use crate::http::idempotency;
use crate::state::Shared;
use crate::workflow::cases as wf;

use crate::audit::Action;
use crate::domain::requirements::{self, BEFORE_SIGNATURE, unmet};
use crate::error::{ApiError, ApiResult};
use crate::http::applications::{insert_new, new_doc};
use crate::http::steps::signature::{missing_parts, seal};
use crate::http::steps::verification::registry_errors;
use crate::state::AppState;
use crate::store::audit;
use crate::store::cases::{self, CaseRow};
use crate::workflow::cases::{Acting, open_at_point, start};
use crate::workflow::{load_any, save_and_tell, supersede, tell_applicant};

fn field(name: &str, kind: &str, zh: &str, en: &str) -> ApiError {
    ApiError::fields(vec![FieldError::new(name, kind, zh, en)])
}

/// Creates the application keyed by the clerk and its case at the clerk's point, in the
/// caller's transaction: 422 with field errors for what the online create refuses, for
/// a missing part, or (`verification_failed`) for facts the registry does not hold;
/// 409 `duplicate_application` while the organisation has an unfinished application.
pub fn open_keyed(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    req: CreateApplication,
) -> ApiResult<CaseRow> {
    if req.business != Business::NewOrgCertificate || req.certificate_serial.is_some() {
        return Err(field(
            "business",
            "business_unavailable",
            "柜台录入仅办理单位证书新办",
            "only a new organisation certificate is keyed at the counter",
        ));
    }
    if crate::channels::is_operator(&req.channel_id) {
        return Err(field(
            "channel_id",
            "unknown_channel",
            "渠道不存在",
            "no such channel",
        ));
    }
    let missing = missing_parts(&req.input, false);
    if !missing.is_empty() {
        return Err(ApiError::fields(missing));
    }
    let owner = req.input.contact_phone().unwrap_or_default().to_owned();
    let mut doc = new_doc(state, &owner, req)?;
    let ent = crate::http::steps::need_enterprise(&doc)?.clone();
    let (errors, detail) = registry_errors(state.registry.lookup(conn, &ent.uscc)?, &ent);
    if !errors.is_empty() {
        let mut p = Problem::new(ProblemCode::VerificationFailed).field_errors(errors);
        p.detail = detail.or(Some(
            "company facts do not match the enterprise registry".into(),
        ));
        return Err(ApiError::problem(p));
    }
    let app = &mut doc.app;
    for kind in [
        RequirementKind::EnterpriseVerification,
        RequirementKind::InformationConfirmation,
    ] {
        requirements::set(app, kind, RequirementStatus::Valid, None);
    }
    insert_new(conn, state, &mut doc, &who.operator.id)?;
    // It passed enterprise verification: it holds its organisation, as online.
    supersede::supersede_unbound(conn, state, &doc)?;
    let row = start(conn, state, who, &doc.app.id, true)?;
    let entry = who
        .entry(Action::CaseKey, &row)
        .detail("channel", doc.app.channel_id.as_str());
    audit::append(conn, state.now(), &entry)?;
    let text = format!(
        "您的订单{}已由受理点{}录入，请在证书助手中用本手机号登录查看。",
        doc.app.number_or_id(),
        row.point_id
    );
    tell_applicant(conn, state, &doc, &text)?;
    Ok(row)
}

/// What a clerk may upload to a keyed case besides the identity copies: the licence,
/// the letter of authorisation and the signed application form, as scans.
pub fn is_counter_document(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::BusinessLicence
            | DocumentKind::AuthorisationLetter
            | DocumentKind::ApplicationForm
    )
}

/// The application signature at the counter: the scan of the form the applicant signed
/// in front of the clerk, and the clerk's attestation. Seals the submission as the SMS
/// code does online (then payment, or review when paid); the clerk becomes an editor.
pub fn sign(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    case_id: &str,
    req: &CounterSignature,
) -> ApiResult<CaseRow> {
    if !req.attested {
        return Err(field(
            "attested",
            "required",
            "请确认申请人已当面签署申请表",
            "the operator must attest that the applicant signed the form in person",
        ));
    }
    let case = open_at_point(conn, &who.operator.point_id, case_id)?;
    let mut doc = load_any(conn, &case.application_id)?;
    if !doc.app.status.is_editable() {
        return Err(ApiError::invalid_state(
            "the application is no longer awaiting its signature",
        ));
    }
    if !doc
        .app
        .documents
        .iter()
        .any(|d| d.id == req.form_document_id && d.kind == DocumentKind::ApplicationForm)
    {
        return Err(field(
            "form_document_id",
            "unknown",
            "请先上传申请人签字的申请表扫描件",
            "not a scan of the signed application form on this application",
        ));
    }
    let missing = unmet(&doc.app, &BEFORE_SIGNATURE);
    if !missing.is_empty() {
        return Err(crate::workflow::review::unmet_problem(&missing));
    }
    let text = seal(&mut doc.app);
    save_and_tell(conn, state, &mut doc, &text)?;
    cases::add_editor(conn, &case.id, &who.operator.id)?;
    let entry = who
        .entry(Action::CaseSignature, &case)
        .detail("document", req.form_document_id.as_str());
    audit::append(conn, state.now(), &entry)?;
    Ok(case)
}

/// Key a new application at the counter for an applicant who did not apply online, and
/// open its case (clerk). The body is the online create's (`business` must be
/// `new_org_certificate`), checked by the same rules, and the enterprise facts against
/// the registry; the application belongs to the contact phone. Send `Idempotency-Key`
/// to make retries safe.
#[utoipa::path(post, path = "/v1/operator/cases/keyed", tag = "counter", security(("operator" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes the create safe to retry")),
    request_body = CreateApplication,
    responses((status = 201, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn key_case(
    State(state): State<Shared>,
    who: OperatorAuth,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<CreateApplication>,
) -> ApiResult<Response> {
    who.require(Role::Clerk)?;
    let (principal, _) = who.actor().columns();
    let route = "POST /v1/operator/cases/keyed";
    let (status, value) = state.db.tx(|tx| {
        idempotency::run(
            tx,
            &principal,
            key.as_deref(),
            route,
            &hash,
            state.now(),
            || {
                let row = open_keyed(tx, &state, &acting(&who), req)?;
                let case = wf::wire(tx, &row)?;
                Ok((StatusCode::CREATED, serde_json::to_value(case)?))
            },
        )
    })?;
    Ok((status, Json(value)).into_response())
}

/// The application signature at the counter (clerk): the applicant signed the printed
/// application form in front of the clerk, whose scan (`application_form`, uploaded to
/// the case) and attestation seal the submission, as the handler's SMS code does online.
#[utoipa::path(post, path = "/v1/operator/cases/{id}/signature", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)), request_body = CounterSignature,
    responses((status = 200, body = Case),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_case(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CounterSignature>,
) -> ApiResult<Json<Case>> {
    who.require(Role::Clerk)?;
    let case = state.db.tx(|tx| {
        let row = sign(tx, &state, &acting(&who), &id, &req)?;
        wf::wire(tx, &row)
    })?;
    Ok(Json(case))
}
