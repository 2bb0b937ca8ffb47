//! Enterprise verification against the registry, and the handler's identity check. A
//! failed check stays on record (the transaction commits) while the request is refused.

use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::application::{
    Application, EnterpriseInfo, HandlerCheckMethod, HandlerCheckRequest, RequirementKind,
    RequirementStatus,
};
use certdesk_ca_api::channel::HandlerVerification;
use certdesk_ca_api::sandbox::RegistryCompany;
use certdesk_ca_api::{FieldError, Problem, ProblemCode};

use super::{method_offered, need_enterprise, need_handler};
use crate::domain::requirements::{self, status_of};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, Applicant};
use crate::http::txn::own;
use crate::state::Shared;

fn mismatch(field: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, "registry_mismatch", zh, en)
}

/// Where the application's company facts differ from the registry's, and a detail for
/// the problem when the company is not active.
pub(crate) fn registry_errors(
    found: Option<RegistryCompany>,
    ent: &EnterpriseInfo,
) -> (Vec<FieldError>, Option<String>) {
    let Some(c) = found else {
        let e = mismatch(
            "enterprise.uscc",
            "工商登记中未找到该统一社会信用代码",
            "USCC not found in the registry",
        );
        return (vec![e], None);
    };
    let mut errors = Vec::new();
    let mut detail = None;
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
    (errors, detail)
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
    own(&state, &who, &id)
        .editable()
        .keep_on_refusal()
        .answer(|s| {
            let ent = need_enterprise(&s.doc)?.clone();
            let found = s.state.registry.lookup(s.tx, &ent.uscc)?;
            let (errors, detail) = registry_errors(found, &ent);
            let passed = errors.is_empty();
            if passed {
                // Only one verified application per organisation; it then holds it.
                crate::http::applications::ensure_no_duplicate(s.tx, &s.doc)?;
            }
            let kind = RequirementKind::EnterpriseVerification;
            requirements::checked(&mut s.doc.app, kind, passed, "企业信息与工商登记不一致");
            s.save()?;
            if passed {
                crate::workflow::supersede::supersede_unbound(s.tx, s.state, &s.doc)?;
                return Ok(());
            }
            let mut p = Problem::new(ProblemCode::VerificationFailed).field_errors(errors);
            p.detail = detail.or(Some(
                "company facts do not match the enterprise registry".into(),
            ));
            Err(ApiError::problem(p))
        })
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
    own(&state, &who, &id)
        .editable()
        .keep_on_refusal()
        .answer(|s| {
            let kind = RequirementKind::HandlerVerification;
            if status_of(&s.doc.app, kind) == RequirementStatus::NotRequired {
                return Err(ApiError::invalid_state(
                    "the legal representative handles this application",
                ));
            }
            let h = need_handler(&s.doc)?.clone();
            let wanted = match req.method {
                HandlerCheckMethod::Phone => HandlerVerification::Phone,
                HandlerCheckMethod::BankCard => HandlerVerification::BankCard,
            };
            method_offered(s.state, &s.doc, wanted)?;
            let checks = &s.state.checks;
            let passed = match req.method {
                HandlerCheckMethod::Phone => {
                    checks.phone_three_factor(&h.name, &h.id_number, &h.phone)?
                }
                HandlerCheckMethod::BankCard => {
                    let card = req.bank_card.as_deref().unwrap_or_default();
                    certdesk_ident::bank_card(card).map_err(|e| {
                        ApiError::fields(vec![FieldError::from_ident("bank_card", &e)])
                    })?;
                    checks.bank_card_four_factor(&h.name, &h.id_number, &h.phone, card)?
                }
            };
            requirements::checked(&mut s.doc.app, kind, passed, "经办人信息核验未通过");
            s.save()?;
            if passed {
                return Ok(());
            }
            Err(ApiError::detail(
                ProblemCode::VerificationFailed,
                "handler identity check failed",
            ))
        })
}
