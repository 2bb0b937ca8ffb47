//! Face checks (刷脸验证) of the legal representative or the handler: started here, done
//! at the face-check provider, whose result comes back signed with its result key (in
//! the sandbox its published `sandbox-face-secret`), verified before anything is parsed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use certdesk_ca_api::application::{
    FaceCheck, FaceCheckRequest, FaceCheckResult, FaceCheckStatus, FaceMethod, Person,
    RequirementKind, RequirementStatus,
};
use certdesk_ca_api::channel::HandlerVerification;
use certdesk_ca_api::sandbox::OutboxChannel;
use certdesk_ca_api::{Problem, ProblemCode};

use super::extract::{ApiJson, Applicant, RawJson};
use super::json_body::parse_checked;
use super::steps::{method_offered, need_enterprise, need_handler};
use super::txn::own;
use crate::domain::requirements::{self, status_of};
use crate::error::{ApiError, ApiResult};
use crate::providers::RESULT_SIGNATURE_HEADER;
use crate::secrets::new_id;
use crate::state::Shared;
use crate::store::records::{self, FaceRow};
use crate::workflow::{load_any, load_owned, save};

/// The face-check provider reports a result (signed, `X-Provider-Signature`).
#[utoipa::path(post, path = "/v1/face-checks/{id}/result", tag = "steps",
    params(("id" = String, Path), ("X-Provider-Signature" = String, Header)),
    request_body = FaceCheckResult,
    responses((status = 200, body = FaceCheck),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn face_check_result(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawJson(body): RawJson,
) -> ApiResult<Json<FaceCheck>> {
    let sig = headers
        .get(RESULT_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !state.face.verify_result(&body, sig) {
        tracing::warn!("face-check result with a bad signature refused");
        return Err(ApiError::code(ProblemCode::BadSignature));
    }
    let result: FaceCheckResult = parse_checked(&body)?;
    let f = state
        .db
        .tx(|tx| complete_face(tx, &state, &id, result.pass))?;
    Ok(Json(f))
}

fn face_wire(state: &Shared, f: &FaceRow) -> FaceCheck {
    FaceCheck {
        id: f.id.clone(),
        application_id: f.application_id.clone(),
        person: f.person,
        method: f.method,
        status: f.status,
        url: state.face.url(&f.id),
    }
}

/// Start a face check of the legal representative or the handler.
#[utoipa::path(post, path = "/v1/applications/{id}/face-checks", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = FaceCheckRequest,
    responses((status = 201, body = FaceCheck),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn start_face_check(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<FaceCheckRequest>,
) -> ApiResult<(StatusCode, Json<FaceCheck>)> {
    let face = own(&state, &who, &id).editable().run(|s| {
        let (tx, doc) = (s.tx, &s.doc);
        let ent = need_enterprise(doc)?;
        let (kind, phone) = match req.person {
            Person::LegalRep => (
                RequirementKind::LegalRepFaceCheck,
                ent.legal_rep_phone.clone(),
            ),
            Person::Handler => (
                RequirementKind::HandlerVerification,
                need_handler(doc)?.phone.clone(),
            ),
        };
        if req.person == Person::Handler {
            method_offered(&state, doc, HandlerVerification::Face)?;
        }
        if status_of(&doc.app, kind) == RequirementStatus::NotRequired {
            return Err(ApiError::invalid_state(
                "this face check is not required for the application",
            ));
        }
        let row = FaceRow {
            id: new_id("face"),
            application_id: doc.app.id.clone(),
            person: req.person,
            method: req.method,
            status: FaceCheckStatus::Pending,
        };
        records::put_face(tx, &row, state.now())?;
        state.face.start(&row.id, row.person)?;
        let wire = face_wire(&state, &row);
        if req.method == FaceMethod::SmsLink {
            state.notifier.send(
                tx,
                OutboxChannel::Sms,
                &phone,
                "【证书助手】刷脸验证",
                &format!("【证书助手】请点击链接完成刷脸验证：{}", wire.url),
            )?;
        }
        Ok(wire)
    })?;
    Ok((StatusCode::CREATED, Json(face)))
}

/// Poll a face check.
#[utoipa::path(get, path = "/v1/face-checks/{id}", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FaceCheck),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_face_check(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Json<FaceCheck>> {
    let row = state.db.read(|c| {
        let row = records::get_face(c, &id)?.ok_or_else(ApiError::not_found)?;
        load_owned(c, &row.application_id, &who.phone)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(Json(face_wire(&state, &row)))
}

/// Completes a face check: the provider's signed result, or the sandbox page.
pub fn complete_face(
    tx: &rusqlite::Connection,
    state: &Shared,
    id: &str,
    pass: bool,
) -> ApiResult<FaceCheck> {
    let mut row = records::get_face(tx, id)?.ok_or_else(ApiError::not_found)?;
    if row.status != FaceCheckStatus::Pending {
        return Err(ApiError::invalid_state("face check already completed"));
    }
    row.status = if pass {
        FaceCheckStatus::Passed
    } else {
        FaceCheckStatus::Failed
    };
    records::put_face(tx, &row, state.now())?;
    let mut doc = load_any(tx, &row.application_id)?;
    let kind = match row.person {
        Person::LegalRep => RequirementKind::LegalRepFaceCheck,
        Person::Handler => RequirementKind::HandlerVerification,
    };
    requirements::checked(&mut doc.app, kind, pass, "刷脸验证未通过");
    save(tx, state, &mut doc)?;
    Ok(face_wire(state, &row))
}
