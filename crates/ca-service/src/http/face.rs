//! The face-check provider's result: signed with the provider's result key (in the
//! sandbox its published `sandbox-face-secret`), verified before anything is parsed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use certdesk_ca_api::application::{FaceCheck, FaceCheckResult};
use certdesk_ca_api::{Problem, ProblemCode};

use super::extract::RawJson;
use super::json_body::parse_checked;
use crate::error::{ApiError, ApiResult};
use crate::providers::RESULT_SIGNATURE_HEADER;
use crate::state::Shared;

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
        .tx(|tx| super::steps::complete_face(tx, &state, &id, result.pass))?;
    Ok(Json(f))
}
