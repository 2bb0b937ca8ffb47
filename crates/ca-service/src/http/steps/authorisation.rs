//! The letter of authorisation signed online: the legal representative gets an SMS
//! link to the CA's signing page and signs there with the code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use certdesk_ca_api::Problem;
use certdesk_ca_api::application::{
    OnlineAuthorisation, RequirementKind, RequirementStatus, SignAuthorisation,
};
use certdesk_ca_api::payment::NotifyAck;

use super::need_enterprise;
use crate::domain::requirements::status_of;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, Applicant};
use crate::http::txn::own;
use crate::secrets::new_id;
use crate::state::Shared;
use crate::store::records;
use crate::workflow::{load_any, otp, save};

/// Send the legal representative an SMS link to sign the letter of authorisation online.
#[utoipa::path(post, path = "/v1/applications/{id}/authorisation/online", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 201, body = OnlineAuthorisation),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn start_online_authorisation(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<OnlineAuthorisation>)> {
    let out = own(&state, &who, &id).editable().run(|s| {
        if status_of(&s.doc.app, RequirementKind::Authorisation) == RequirementStatus::NotRequired {
            return Err(ApiError::invalid_state(
                "the legal representative handles this application",
            ));
        }
        let ent = need_enterprise(&s.doc)?.clone();
        let auth_id = new_id("auth");
        records::put_authorisation(s.tx, &auth_id, &s.doc.app.id)?;
        // The CA's own signing page; the sandbox keeps it under /sandbox.
        let prefix = if s.state.sandbox { "/sandbox" } else { "" };
        let url = format!("{}{prefix}/authorisation/{auth_id}", s.state.base_url);
        let link = url.clone();
        let name = ent.name.clone();
        otp::send(
            s.tx,
            s.state,
            &otp::authorisation_subject(&auth_id),
            &ent.legal_rep_phone,
            move |code| {
                format!(
                    "【证书助手】{name}申请单位数字证书，请打开{link}签署授权委托书，验证码{code}。"
                )
            },
        )?;
        Ok(OnlineAuthorisation { id: auth_id, url })
    })?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// The legal representative signs the letter of authorisation with the SMS code.
#[utoipa::path(post, path = "/v1/authorisations/{id}/sign", tag = "steps",
    params(("id" = String, Path)), request_body = SignAuthorisation,
    responses((status = 200, body = NotifyAck),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_authorisation(
    State(state): State<Shared>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SignAuthorisation>,
) -> ApiResult<Json<NotifyAck>> {
    // Not the applicant's session: the legal representative signs by code alone, and
    // failed attempts count (committed on refusal).
    state.db.tx_commit_always(|tx| {
        let (app_id, signed) =
            records::get_authorisation(tx, &id)?.ok_or_else(ApiError::not_found)?;
        if signed {
            return Ok(());
        }
        otp::verify(tx, &state, &otp::authorisation_subject(&id), &req.code)?;
        records::sign_authorisation(tx, &id, state.now())?;
        let mut doc = load_any(tx, &app_id)?;
        doc.authorisation_signed = true;
        save(tx, &state, &mut doc)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(Json(NotifyAck { ok: true }))
}
