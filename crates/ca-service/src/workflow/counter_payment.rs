//! Payment taken at the counter (issue 13 item 4), recorded against the application, the
//! case and the operator. POS and cash settle the application's payment as a provider's
//! notification does; a WeChat/Alipay QR code is an ordinary provider payment that the
//! applicant pays from the customer-facing screen.

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::counter::{CounterPayment, CounterPaymentMethod, CounterPaymentRequest};
use certdesk_ca_api::payment::{PaymentProvider, PaymentStatus};
use rusqlite::Connection;

use super::cases::{Acting, at_point};
use super::{load_any, payment};
use crate::audit::{Action, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::AppState;
use crate::store::counter_payments::{self as store, CounterPaymentRow};
use crate::store::{audit, records};

pub fn method_text(m: CounterPaymentMethod) -> &'static str {
    match m {
        CounterPaymentMethod::Pos => "pos",
        CounterPaymentMethod::Cash => "cash",
        CounterPaymentMethod::Wechat => "wechat",
        CounterPaymentMethod::Alipay => "alipay",
    }
}

fn method_of(s: &str) -> CounterPaymentMethod {
    match s {
        "cash" => CounterPaymentMethod::Cash,
        "wechat" => CounterPaymentMethod::Wechat,
        "alipay" => CounterPaymentMethod::Alipay,
        _ => CounterPaymentMethod::Pos,
    }
}

fn reference_error(zh: &str, en: &str) -> ApiError {
    ApiError::fields(vec![FieldError::new("reference", "invalid", zh, en)])
}

/// A slip or receipt number for POS and cash, nothing for a QR code.
fn checked_reference(req: &CounterPaymentRequest) -> ApiResult<Option<String>> {
    let r = req.reference.as_deref().map(str::trim);
    match (req.method, r) {
        (CounterPaymentMethod::Pos | CounterPaymentMethod::Cash, Some(r))
            if (4..=32).contains(&r.len())
                && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Ok(Some(r.to_string()))
        }
        (CounterPaymentMethod::Pos | CounterPaymentMethod::Cash, _) => Err(reference_error(
            "请填写4到32位的签购单号或收据号",
            "a POS slip or cash receipt number of 4-32 letters, digits or -",
        )),
        (_, None) => Ok(None),
        (_, Some(_)) => Err(reference_error(
            "扫码支付无需单号",
            "QR payments take no reference",
        )),
    }
}

pub fn wire(conn: &Connection, now: i64, r: CounterPaymentRow) -> ApiResult<CounterPayment> {
    let provider = match &r.payment_id {
        Some(id) => records::get_payment(conn, id)?.map(|p| payment::to_wire(&p, now)),
        None => None,
    };
    Ok(CounterPayment {
        status: provider.as_ref().map_or(PaymentStatus::Paid, |p| p.status),
        payment: provider,
        method: method_of(&r.method),
        id: r.id,
        case_id: r.case_id,
        application_id: r.application_id,
        reference: r.reference,
        amount_fen: r.amount_fen,
        operator_id: r.operator_id,
        created_at: rfc3339(r.created_at),
    })
}

/// Records the payment on the operator's point's open case; the application must be
/// awaiting payment.
pub fn record(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    case_id: &str,
    req: &CounterPaymentRequest,
) -> ApiResult<CounterPaymentRow> {
    let reference = checked_reference(req)?;
    let case = at_point(conn, &who.operator.point_id, case_id)?;
    if case.status != "open" {
        return Err(ApiError::invalid_state("the case is closed"));
    }
    let doc = load_any(conn, &case.application_id)?;
    if doc.app.status != ApplicationStatus::AwaitingPayment {
        return Err(ApiError::invalid_state(
            "payment is possible only while awaiting_payment",
        ));
    }
    let now = state.now();
    let id = new_id("cpay");
    let payment_id = match req.method {
        CounterPaymentMethod::Pos | CounterPaymentMethod::Cash => {
            payment::settle(conn, state, &doc.app.id, &id, doc.app.amount_fen, now)?;
            None
        }
        CounterPaymentMethod::Wechat => {
            Some(payment::create(conn, state, &doc, PaymentProvider::Wechat)?.id)
        }
        CounterPaymentMethod::Alipay => {
            Some(payment::create(conn, state, &doc, PaymentProvider::Alipay)?.id)
        }
    };
    let row = CounterPaymentRow {
        id,
        case_id: case.id.clone(),
        application_id: case.application_id.clone(),
        point_id: case.point_id.clone(),
        method: method_text(req.method).into(),
        reference,
        amount_fen: doc.app.amount_fen,
        operator_id: who.operator.id.clone(),
        payment_id,
        created_at: now,
    };
    store::insert(conn, &row)?;
    let mut entry = NewEntry::new(who.actor.clone(), Action::CasePayment)
        .point(Some(&case.point_id))
        .application(&case.application_id)
        .detail("case", case.id.as_str())
        .detail("method", row.method.as_str())
        .detail("amount_fen", row.amount_fen.to_string());
    if let Some(r) = &row.reference {
        entry = entry.detail("reference", r.as_str());
    }
    audit::append(conn, now, &entry)?;
    Ok(row)
}
