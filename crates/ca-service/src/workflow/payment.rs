//! Payments: creation, provider notifications (signed, idempotent), renewal.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::{ApplicationStatus, RequirementKind, RequirementStatus};
use certdesk_ca_api::payment::{Invoice, Payment, PaymentNotify, PaymentProvider, PaymentStatus};
use rusqlite::Connection;

use super::{load_any, save, tell_applicant};
use crate::clock::rfc3339;
use crate::domain::requirements;
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::AppState;
use crate::store::applications::AppDoc;
use crate::store::records::{self, PaymentRow};

pub fn to_wire(p: &PaymentRow, now: i64) -> Payment {
    let status = if p.status == PaymentStatus::Pending && p.expires_at < now {
        PaymentStatus::Expired
    } else {
        p.status
    };
    Payment {
        id: p.id.clone(),
        application_id: p.application_id.clone(),
        provider: p.provider,
        amount_fen: p.amount_fen,
        status,
        code_url: p.code_url.clone(),
        expires_at: rfc3339(p.expires_at),
        paid_at: p.paid_at.map(rfc3339),
    }
}

pub fn create(
    conn: &Connection,
    state: &AppState,
    doc: &AppDoc,
    provider: PaymentProvider,
) -> ApiResult<PaymentRow> {
    if doc.app.status != ApplicationStatus::AwaitingPayment {
        return Err(ApiError::invalid_state(
            "payment is possible only while awaiting_payment",
        ));
    }
    let id = new_id("pay");
    let row = PaymentRow {
        code_url: state.payments.code_url(provider, &id, doc.app.amount_fen),
        id,
        application_id: doc.app.id.clone(),
        provider,
        amount_fen: doc.app.amount_fen,
        status: PaymentStatus::Pending,
        expires_at: state.now() + state.payment_ttl_secs,
        paid_at: None,
    };
    records::put_payment(conn, &row)?;
    Ok(row)
}

/// An expired (or pending) payment gets a fresh expiry while the fee is still owed; a
/// paid one, or one of an application paid another way, is left alone.
pub fn renew(conn: &Connection, state: &AppState, row: &mut PaymentRow) -> ApiResult<()> {
    if row.status == PaymentStatus::Paid {
        return Err(ApiError::invalid_state("payment already paid"));
    }
    if load_any(conn, &row.application_id)?.app.status != ApplicationStatus::AwaitingPayment {
        return Err(ApiError::invalid_state(
            "the application's fee is no longer owed",
        ));
    }
    row.status = PaymentStatus::Pending;
    row.expires_at = state.now() + state.payment_ttl_secs;
    records::put_payment(conn, row)?;
    Ok(())
}

/// Applies a provider's (already signature-checked) notification. Duplicates are harmless.
pub fn apply_notify(
    conn: &Connection,
    state: &AppState,
    provider: PaymentProvider,
    n: &PaymentNotify,
) -> ApiResult<PaymentRow> {
    let now = state.now();
    let mut row = records::get_payment(conn, &n.payment_id)?.ok_or_else(ApiError::not_found)?;
    if row.provider != provider || row.amount_fen != n.amount_fen {
        return Err(ApiError::detail(
            ProblemCode::ValidationFailed,
            "notification does not match the payment (provider or amount)",
        ));
    }
    if row.status == PaymentStatus::Paid {
        return Ok(row);
    }
    // Expired, or closed because the fee was paid another way.
    if row.status == PaymentStatus::Expired || row.expires_at < now {
        return Err(ApiError::code(ProblemCode::PaymentExpired));
    }
    row.status = PaymentStatus::Paid;
    row.paid_at = Some(now);
    records::put_payment(conn, &row)?;
    settle(
        conn,
        state,
        &row.application_id,
        &row.id,
        row.amount_fen,
        now,
    )?;
    Ok(row)
}

/// The application's fee is paid (by a provider, or at a counter): the payment
/// requirement holds, review follows, the e-invoice is issued and the applicant told.
pub fn settle(
    conn: &Connection,
    state: &AppState,
    application_id: &str,
    payment_id: &str,
    amount_fen: u64,
    now: i64,
) -> ApiResult<()> {
    let mut doc = load_any(conn, application_id)?;
    records::close_other_payments(conn, application_id, payment_id, now)?;
    requirements::set(
        &mut doc.app,
        RequirementKind::Payment,
        RequirementStatus::Valid,
        None,
    );
    if doc.app.status == ApplicationStatus::AwaitingPayment {
        doc.app.status = ApplicationStatus::InReview;
    }
    save(conn, state, &mut doc)?;
    issue_invoice(conn, state, &doc, (payment_id, amount_fen), now)?;
    tell_applicant(
        conn,
        state,
        &doc,
        &format!(
            "您的订单{}已支付{}.{:02}元，材料审核约需1个工作日。电子发票将在24小时内发送至预留邮箱。",
            doc.app.number_or_id(),
            amount_fen / 100,
            amount_fen % 100
        ),
    )?;
    Ok(())
}

/// The e-invoice for a confirmed payment, e-mailed to the invoice address (outbox).
fn issue_invoice(
    conn: &Connection,
    state: &AppState,
    doc: &AppDoc,
    (payment_id, amount_fen): (&str, u64),
    now: i64,
) -> ApiResult<()> {
    let ent = doc.app.input.enterprise.as_ref();
    let (title, tax_number, email) = match &doc.app.input.invoice {
        Some(i) => (i.title.clone(), i.tax_number.clone(), i.email.clone()),
        None => (
            ent.map(|e| e.name.clone()).unwrap_or_default(),
            ent.map(|e| e.uscc.clone()).unwrap_or_default(),
            doc.app
                .input
                .handler
                .as_ref()
                .map(|h| h.email.clone())
                .unwrap_or_default(),
        ),
    };
    let inv = Invoice {
        id: new_id("inv"),
        number: format!(
            "{}{}",
            &rfc3339(now).replace('-', "")[..8],
            crate::secrets::digits(8)
        ),
        application_id: doc.app.id.clone(),
        title,
        tax_number,
        amount_fen,
        email: email.clone(),
        issued_at: rfc3339(now),
    };
    crate::store::invoices::insert(conn, &inv, payment_id, now)?;
    if !email.is_empty() {
        send_invoice_mail(conn, state, &inv, &email)?;
    }
    Ok(())
}

pub fn send_invoice_mail(
    conn: &Connection,
    state: &AppState,
    inv: &Invoice,
    email: &str,
) -> ApiResult<()> {
    state.notifier.send(
        conn,
        certdesk_ca_api::sandbox::OutboxChannel::Email,
        email,
        &format!("【证书助手】电子发票 {}", inv.number),
        &format!(
            "您好，订单{}的电子发票已开具：发票号码{}，金额{}.{:02}元。下载：{}/v1/invoices/{}/pdf",
            inv.application_id,
            inv.number,
            inv.amount_fen / 100,
            inv.amount_fen % 100,
            state.base_url,
            inv.id
        ),
    )?;
    Ok(())
}
