//! E-invoices: list, PDF download, resend by e-mail.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::payment::{Invoice, InvoiceList, ResendInvoice};
use certdesk_ca_api::{FieldError, Problem};

use super::extract::{ApiJson, Applicant};
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use crate::store::invoices;
use crate::workflow::load_owned;
use crate::workflow::payment::send_invoice_mail;

fn owned_invoice(
    c: &rusqlite::Connection,
    id: &str,
    phone: &str,
) -> ApiResult<(Invoice, Business)> {
    let inv = invoices::get(c, id)?.ok_or_else(ApiError::not_found)?;
    let doc = load_owned(c, &inv.application_id, phone)?;
    Ok((inv, doc.app.business))
}

/// The application's e-invoices.
#[utoipa::path(get, path = "/v1/applications/{id}/invoices", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = InvoiceList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Json<InvoiceList>> {
    let items = state.db.read(|c| {
        load_owned(c, &id, &who.phone)?;
        Ok::<_, ApiError>(invoices::for_application(c, &id)?)
    })?;
    Ok(Json(InvoiceList { items }))
}

fn business_zh(b: Business) -> &'static str {
    match b {
        Business::NewOrgCertificate => "单位证书新办",
        Business::Renewal => "证书更新",
        Business::Change => "证书变更",
        Business::Reissue => "证书补办",
        Business::Unlock => "介质解锁",
    }
}

/// The e-invoice as PDF (CJK font embedded).
#[utoipa::path(get, path = "/v1/invoices/{id}/pdf", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn pdf(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (inv, business) = state.db.read(|c| owned_invoice(c, &id, &who.phone))?;
    super::pdf::answer(move || crate::invoice_pdf::render(&inv, business_zh(business))).await
}

/// Send the e-invoice again, to the given address.
#[utoipa::path(post, path = "/v1/invoices/{id}/resend", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ResendInvoice,
    responses((status = 200, body = Invoice),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn resend(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ResendInvoice>,
) -> ApiResult<Json<Invoice>> {
    certdesk_ident::email(&req.email)
        .map_err(|e| ApiError::fields(vec![FieldError::from_ident("email", &e)]))?;
    let inv = state.db.tx(|tx| {
        let (inv, _) = owned_invoice(tx, &id, &who.phone)?;
        send_invoice_mail(tx, &state, &inv, req.email.trim())?;
        Ok::<_, ApiError>(inv)
    })?;
    Ok(Json(inv))
}
