//! The applicant's steps: enterprise and handler verification, information confirmation,
//! letter of authorisation, application signature, paper, receipt (face checks: `face`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use certdesk_ca_api::application::{
    Application, ApplicationStatus, HandlerCheckMethod, HandlerCheckRequest, OnlineAuthorisation,
    RequirementKind, RequirementStatus, SignApplication, SignAuthorisation, TrackingInput,
};
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::channel::HandlerVerification;
use certdesk_ca_api::payment::NotifyAck;
use certdesk_ca_api::{FieldError, Problem, ProblemCode};

use super::extract::{ApiJson, Applicant};
use super::idempotency::json_with_etag;
use crate::domain::requirements::{self, BEFORE_SIGNATURE, status_of, unmet};
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::Shared;
use crate::store::applications::AppDoc;
use crate::store::records;
use crate::workflow::review::unmet_problem;
use crate::workflow::{load_any, load_owned, otp, save, tell_applicant};

fn respond(doc: &AppDoc) -> ApiResult<Response> {
    Ok(json_with_etag(
        StatusCode::OK,
        serde_json::to_value(&doc.app)?,
    ))
}

pub(super) fn editable(doc: &AppDoc) -> ApiResult<()> {
    if doc.app.status.is_editable() {
        Ok(())
    } else {
        Err(ApiError::invalid_state(
            "the application can no longer be edited",
        ))
    }
}

pub(super) fn need_enterprise(
    doc: &AppDoc,
) -> ApiResult<&certdesk_ca_api::application::EnterpriseInfo> {
    doc.app.input.enterprise.as_ref().ok_or_else(|| {
        ApiError::fields(vec![FieldError::new(
            "enterprise",
            "empty",
            "请先填写企业信息",
            "enterprise information missing",
        )])
    })
}

pub(super) fn need_handler(doc: &AppDoc) -> ApiResult<&certdesk_ca_api::application::HandlerInfo> {
    doc.app.input.handler.as_ref().ok_or_else(|| {
        ApiError::fields(vec![FieldError::new(
            "handler",
            "empty",
            "请先填写经办人信息",
            "handler information missing",
        )])
    })
}

/// The channel decides which handler verification methods it accepts.
pub(super) fn method_offered(
    state: &Shared,
    doc: &AppDoc,
    m: HandlerVerification,
) -> ApiResult<()> {
    if state
        .channel(&doc.app.channel_id)?
        .handler_verification
        .contains(&m)
    {
        Ok(())
    } else {
        Err(ApiError::fields(vec![FieldError::new(
            "method",
            "method_not_offered",
            "该渠道不支持此经办人核验方式",
            "this channel does not offer this handler verification method",
        )]))
    }
}

fn mismatch(field: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, "registry_mismatch", zh, en)
}

/// Check the company and legal representative against the enterprise registry.
#[utoipa::path(post, path = "/v1/applications/{id}/enterprise-verification", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn verify_enterprise(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let doc = state.db.tx_commit_always(|tx| {
        let mut doc = load_owned(tx, &id, &who.phone)?;
        editable(&doc)?;
        let ent = need_enterprise(&doc)?.clone();
        let mut errors = Vec::new();
        let mut detail = None;
        match state.registry.lookup(tx, &ent.uscc)? {
            None => errors.push(mismatch(
                "enterprise.uscc",
                "工商登记中未找到该统一社会信用代码",
                "USCC not found in the registry",
            )),
            Some(c) => {
                if c.status != "active" {
                    detail = Some(format!("registry status is {}", c.status));
                    errors.push(FieldError::new(
                        "enterprise.uscc",
                        "registry_inactive",
                        "企业登记状态异常（非存续）",
                        "company is not active in the registry",
                    ));
                }
                if c.name != ent.name.trim() {
                    errors.push(mismatch(
                        "enterprise.name",
                        "企业名称与登记信息不一致",
                        "name differs from the registry",
                    ));
                }
                if c.legal_rep_name != ent.legal_rep_name.trim() {
                    errors.push(mismatch(
                        "enterprise.legal_rep_name",
                        "法定代表人姓名与登记信息不一致",
                        "legal representative differs from the registry",
                    ));
                }
                if !c
                    .legal_rep_id_number
                    .eq_ignore_ascii_case(ent.legal_rep_id_number.trim())
                {
                    errors.push(mismatch(
                        "enterprise.legal_rep_id_number",
                        "法定代表人证件号与登记信息不一致",
                        "legal representative's ID differs from the registry",
                    ));
                }
            }
        }
        if errors.is_empty() {
            // Only one verified application per organisation; it then holds it.
            super::applications::ensure_no_duplicate(tx, &doc)?;
            requirements::set(
                &mut doc.app,
                RequirementKind::EnterpriseVerification,
                RequirementStatus::Valid,
                None,
            );
            save(tx, &state, &mut doc)?;
            crate::workflow::supersede::supersede_unbound(tx, &state, &doc)?;
            return Ok(doc);
        }
        requirements::set(
            &mut doc.app,
            RequirementKind::EnterpriseVerification,
            RequirementStatus::Invalid,
            Some(("verification_failed", "企业信息与工商登记不一致")),
        );
        save(tx, &state, &mut doc)?;
        let mut p = Problem::new(ProblemCode::VerificationFailed).field_errors(errors);
        p.detail = detail.or(Some(
            "company facts do not match the enterprise registry".into(),
        ));
        Err(ApiError::problem(p))
    })?;
    respond(&doc)
}

/// Verify the handler by phone three-factor or bank-card four-factor check.
#[utoipa::path(post, path = "/v1/applications/{id}/handler-verification", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = HandlerCheckRequest,
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn verify_handler(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<HandlerCheckRequest>,
) -> ApiResult<Response> {
    let doc = state.db.tx_commit_always(|tx| {
        let mut doc = load_owned(tx, &id, &who.phone)?;
        editable(&doc)?;
        if status_of(&doc.app, RequirementKind::HandlerVerification)
            == RequirementStatus::NotRequired
        {
            return Err(ApiError::invalid_state(
                "the legal representative handles this application",
            ));
        }
        let h = need_handler(&doc)?.clone();
        let wanted = match req.method {
            HandlerCheckMethod::Phone => HandlerVerification::Phone,
            HandlerCheckMethod::BankCard => HandlerVerification::BankCard,
        };
        method_offered(&state, &doc, wanted)?;
        let ok = match req.method {
            HandlerCheckMethod::Phone => {
                state
                    .checks
                    .phone_three_factor(&h.name, &h.id_number, &h.phone)?
            }
            HandlerCheckMethod::BankCard => {
                let card = req.bank_card.as_deref().unwrap_or_default();
                certdesk_ident::bank_card(card)
                    .map_err(|e| ApiError::fields(vec![FieldError::from_ident("bank_card", &e)]))?;
                state
                    .checks
                    .bank_card_four_factor(&h.name, &h.id_number, &h.phone, card)?
            }
        };
        if ok {
            requirements::set(
                &mut doc.app,
                RequirementKind::HandlerVerification,
                RequirementStatus::Valid,
                None,
            );
            save(tx, &state, &mut doc)?;
            return Ok(doc);
        }
        requirements::set(
            &mut doc.app,
            RequirementKind::HandlerVerification,
            RequirementStatus::Invalid,
            Some(("verification_failed", "经办人信息核验未通过")),
        );
        save(tx, &state, &mut doc)?;
        Err(ApiError::detail(
            ProblemCode::VerificationFailed,
            "handler identity check failed",
        ))
    })?;
    respond(&doc)
}

/// Confirm the certificate, invoice and mailing information.
#[utoipa::path(post, path = "/v1/applications/{id}/information-confirmation", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_information(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let doc = state.db.tx(|tx| {
        let mut doc = load_owned(tx, &id, &who.phone)?;
        editable(&doc)?;
        let i = &doc.app.input;
        let mut missing = Vec::new();
        for (present, field, zh) in [
            (i.enterprise.is_some(), "enterprise", "企业信息"),
            (
                i.handler.is_some() || i.enterprise.as_ref().is_some_and(|e| e.legal_rep_handles),
                "handler",
                "经办人信息",
            ),
            (i.certificate.is_some(), "certificate", "证书信息"),
            (i.invoice.is_some(), "invoice", "发票信息"),
            (i.mailing.is_some(), "mailing", "邮寄信息"),
        ] {
            if !present {
                missing.push(FieldError::new(
                    field,
                    "empty",
                    format!("请填写{zh}"),
                    format!("{field} information missing"),
                ));
            }
        }
        if !missing.is_empty() {
            return Err(ApiError::fields(missing));
        }
        requirements::set(
            &mut doc.app,
            RequirementKind::InformationConfirmation,
            RequirementStatus::Valid,
            None,
        );
        save(tx, &state, &mut doc)?;
        Ok(doc)
    })?;
    respond(&doc)
}

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
    let out = state.db.tx(|tx| {
        let doc = load_owned(tx, &id, &who.phone)?;
        editable(&doc)?;
        if status_of(&doc.app, RequirementKind::Authorisation) == RequirementStatus::NotRequired {
            return Err(ApiError::invalid_state(
                "the legal representative handles this application",
            ));
        }
        let ent = need_enterprise(&doc)?.clone();
        let auth_id = new_id("auth");
        records::put_authorisation(tx, &auth_id, &doc.app.id)?;
        // The CA's own signing page; the sandbox keeps it under /sandbox.
        let prefix = if state.sandbox { "/sandbox" } else { "" };
        let url = format!("{}{prefix}/authorisation/{auth_id}", state.base_url);
        let link = url.clone();
        let name = ent.name.clone();
        otp::send(
            tx,
            &state,
            &otp::authorisation_subject(&auth_id),
            &ent.legal_rep_phone,
            move |code| {
                format!(
                    "【证书助手】{name}申请单位数字证书，请打开{link}签署授权委托书，验证码{code}。"
                )
            },
        )?;
        Ok::<_, ApiError>(OnlineAuthorisation { id: auth_id, url })
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

/// Send the handler the SMS code that signs the application.
#[utoipa::path(post, path = "/v1/applications/{id}/signature/otp", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 202, body = OtpSent),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn send_signature_otp(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<OtpSent>)> {
    let sent = state.db.tx(|tx| {
        let doc = load_owned(tx, &id, &who.phone)?;
        editable(&doc)?;
        let phone = crate::workflow::contact_phone(&doc);
        let app_id = doc.app.id.clone();
        otp::send(
            tx,
            &state,
            &otp::signature_subject(&doc.app),
            &phone,
            move |code| {
                format!("【证书助手】您正在签署订单{app_id}的证书申请，验证码{code}，5分钟内有效。")
            },
        )
    })?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Seal the submission with the handler's SMS code and consent (证书申请签名).
#[utoipa::path(post, path = "/v1/applications/{id}/signature", tag = "steps",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = SignApplication,
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_application(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SignApplication>,
) -> ApiResult<Response> {
    if !req.consent {
        return Err(ApiError::fields(vec![FieldError::new(
            "consent",
            "required",
            "请阅读并同意用户协议",
            "consent is required",
        )]));
    }
    let doc = state.db.tx_commit_always(|tx| {
        let mut doc = load_owned(tx, &id, &who.phone)?;
        editable(&doc)?;
        let missing = unmet(&doc.app, &BEFORE_SIGNATURE);
        if !missing.is_empty() {
            return Err(unmet_problem(&missing));
        }
        otp::verify(tx, &state, &otp::signature_subject(&doc.app), &req.code)?;
        requirements::set(
            &mut doc.app,
            RequirementKind::ApplicationSignature,
            RequirementStatus::Valid,
            None,
        );
        let paid = status_of(&doc.app, RequirementKind::Payment).is_satisfied();
        doc.app.status = if paid {
            ApplicationStatus::InReview
        } else {
            ApplicationStatus::AwaitingPayment
        };
        if paid {
            requirements::set(
                &mut doc.app,
                RequirementKind::Review,
                RequirementStatus::Pending,
                None,
            );
        }
        save(tx, &state, &mut doc)?;
        let text = if paid {
            format!("您的订单{}已重新提交，材料审核约需1个工作日。", doc.app.id)
        } else {
            format!("您的订单{}已提交，请完成支付。", doc.app.id)
        };
        tell_applicant(tx, &state, &doc, &text)?;
        Ok::<_, ApiError>(doc)
    })?;
    respond(&doc)
}

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
    let doc = state.db.tx(|tx| {
        let mut doc = load_owned(tx, &id, &who.phone)?;
        if matches!(
            doc.app.status,
            ApplicationStatus::Cancelled | ApplicationStatus::Completed
        ) {
            return Err(ApiError::invalid_state("application closed"));
        }
        let Some(paper) = doc.app.paper.as_mut() else {
            return Err(ApiError::invalid_state("this channel needs no paper"));
        };
        paper.courier = Some(req.courier.trim().to_string());
        paper.tracking_number = Some(tn.to_string());
        save(tx, &state, &mut doc)?;
        Ok(doc)
    })?;
    respond(&doc)
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
    let doc = state.db.tx(|tx| {
        let mut doc = load_owned(tx, &id, &who.phone)?;
        let mode = state.channel(&doc.app.channel_id)?.issuance;
        if doc.app.status != ApplicationStatus::Issued
            || mode != certdesk_ca_api::channel::IssuanceMode::MailedToken
        {
            return Err(ApiError::invalid_state("nothing was mailed to confirm"));
        }
        doc.app.status = ApplicationStatus::Completed;
        save(tx, &state, &mut doc)?;
        tell_applicant(tx, &state, &doc, &format!("您的订单{}已完成。", doc.app.id))?;
        Ok(doc)
    })?;
    respond(&doc)
}
