//! Information confirmation, then the application signature (证书申请签名): the
//! handler's SMS code and consent seal the submission.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use certdesk_ca_api::application::{
    Application, ApplicationInput, ApplicationStatus, RequirementKind, RequirementStatus,
    SignApplication,
};
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::{FieldError, Problem};

use crate::domain::requirements::{self, BEFORE_SIGNATURE, status_of, unmet};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, Applicant};
use crate::http::txn::own;
use crate::state::Shared;
use crate::workflow::otp;
use crate::workflow::review::unmet_problem;

/// The parts of the input the applicant has not given yet. The mailing address is not
/// asked at the counter (`mailing: false`), where the token is made on the spot.
pub(crate) fn missing_parts(i: &ApplicationInput, mailing: bool) -> Vec<FieldError> {
    let legal_rep_handles = i.enterprise.as_ref().is_some_and(|e| e.legal_rep_handles);
    [
        (i.enterprise.is_some(), "enterprise", "企业信息"),
        (
            i.handler.is_some() || legal_rep_handles,
            "handler",
            "经办人信息",
        ),
        (i.certificate.is_some(), "certificate", "证书信息"),
        (i.invoice.is_some(), "invoice", "发票信息"),
        (i.mailing.is_some() || !mailing, "mailing", "邮寄信息"),
    ]
    .into_iter()
    .filter(|(present, _, _)| !present)
    .map(|(_, field, zh)| {
        FieldError::new(
            field,
            "empty",
            format!("请填写{zh}"),
            format!("{field} information missing"),
        )
    })
    .collect()
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
    own(&state, &who, &id).editable().answer(|s| {
        let missing = missing_parts(&s.doc.app.input, true);
        if !missing.is_empty() {
            return Err(ApiError::fields(missing));
        }
        requirements::set(
            &mut s.doc.app,
            RequirementKind::InformationConfirmation,
            RequirementStatus::Valid,
            None,
        );
        s.save()
    })
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
    let sent = own(&state, &who, &id).editable().run(|s| {
        let phone = crate::workflow::contact_phone(&s.doc);
        let app_id = s.doc.app.number_or_id().to_owned();
        otp::send(
            s.tx,
            s.state,
            &otp::signature_subject(&s.doc.app),
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
    // Failed code attempts count even though the signature is refused.
    own(&state, &who, &id)
        .editable()
        .keep_on_refusal()
        .answer(|s| {
            let missing = unmet(&s.doc.app, &BEFORE_SIGNATURE);
            if !missing.is_empty() {
                return Err(unmet_problem(&missing));
            }
            otp::verify(
                s.tx,
                s.state,
                &otp::signature_subject(&s.doc.app),
                &req.code,
            )?;
            let text = seal(&mut s.doc.app);
            s.save()?;
            s.tell(&text)
        })
}

/// The application signature is given: the submission is sealed and goes to payment,
/// or straight to review when it was paid before (a resubmission). Answers what the
/// applicant is told.
pub(crate) fn seal(app: &mut Application) -> String {
    requirements::set(
        app,
        RequirementKind::ApplicationSignature,
        RequirementStatus::Valid,
        None,
    );
    let paid = status_of(app, RequirementKind::Payment).is_satisfied();
    if paid {
        app.status = ApplicationStatus::InReview;
        requirements::set(
            app,
            RequirementKind::Review,
            RequirementStatus::Pending,
            None,
        );
        format!(
            "您的订单{}已重新提交，材料审核约需1个工作日。",
            app.number_or_id()
        )
    } else {
        app.status = ApplicationStatus::AwaitingPayment;
        format!("您的订单{}已提交，请完成支付。", app.number_or_id())
    }
}
