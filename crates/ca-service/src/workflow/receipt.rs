//! The counter receipt (受理回执, issue 13 item 7) of a case, filled from what the CA
//! recorded: the application, its documents, the counter payment, the token made, the
//! operators by number, the point and the times (Beijing time, as the point prints).

use certdesk_ca_api::application::{RequirementKind, RequirementStatus};
use certdesk_ca_api::counter::CounterPaymentMethod;
use certdesk_form_pdf::application_form::{business_name, yuan};
use certdesk_form_pdf::counter_receipt::{CounterReceipt, document_name};
use rusqlite::Connection;

use super::load_any;
use crate::audit::Action;
use crate::clock::rfc3339;
use crate::domain::requirements::status_of;
use crate::error::ApiResult;
use crate::store::audit::{self, Filter};
use crate::store::cases::CaseRow;
use crate::store::counter_payments::CounterPaymentRow;
use crate::store::{counter_payments, making, operators};

/// `YYYY-MM-DD HH:MM` in Beijing time (UTC+8, no daylight saving).
pub fn beijing(unix: i64) -> String {
    let t = rfc3339(unix + 8 * 3600).replacen('T', " ", 1);
    t.get(..16).unwrap_or(&t).to_string()
}

fn method_name(m: &str) -> CounterPaymentMethod {
    match m {
        "pos" => CounterPaymentMethod::Pos,
        "cash" => CounterPaymentMethod::Cash,
        "wechat" => CounterPaymentMethod::Wechat,
        _ => CounterPaymentMethod::Alipay,
    }
}

fn payment_text(p: &CounterPaymentRow) -> String {
    let reference = p.reference.as_deref().unwrap_or_default();
    match method_name(&p.method) {
        CounterPaymentMethod::Pos => format!("POS 刷卡，签购单号 {reference}"),
        CounterPaymentMethod::Cash => format!("现金，收据号 {reference}"),
        CounterPaymentMethod::Wechat => "微信扫码支付".into(),
        CounterPaymentMethod::Alipay => "支付宝扫码支付".into(),
    }
}

/// The reviewer who approved the case at the point, from the audit log.
fn approver(conn: &Connection, case: &CaseRow) -> ApiResult<Option<String>> {
    let f = Filter {
        action: Some(Action::CaseApprove.as_str().into()),
        application_id: Some(case.application_id.clone()),
        point: Some(case.point_id.clone()),
        ..Filter::default()
    };
    let (entries, _) = audit::list(conn, &f, 20)?;
    Ok(entries
        .into_iter()
        .find(|e| e.details.contains(&format!("\"{}\"", case.id)))
        .and_then(|e| e.actor.strip_prefix("operator:").map(str::to_string)))
}

pub fn of_case(
    conn: &Connection,
    case: &CaseRow,
    printed_by: &str,
    now: i64,
) -> ApiResult<CounterReceipt> {
    let app = load_any(conn, &case.application_id)?.app;
    let point = operators::get_point(conn, &case.point_id)?.map_or_else(
        || case.point_id.clone(),
        |p| format!("{}（{}）", p.name, p.id),
    );
    // The last counter payment speaks for the fee; none means it was paid online.
    let paid = counter_payments::of_case(conn, &case.id)?
        .into_iter()
        .last();
    let payment = match &paid {
        Some(p) => payment_text(p),
        None if status_of(&app, RequirementKind::Payment) == RequirementStatus::Valid => {
            "线上支付".into()
        }
        None => String::new(),
    };
    let token = making::get(conn, &case.id)?;
    // A keyed case says so: its opener entered the application at this point.
    let opened = if case.keyed { "柜台录入" } else { "受理" };
    let mut parts = vec![format!("{opened} {}", case.opened_by)];
    if let Some(id) = approver(conn, case)? {
        parts.push(format!("审核 {id}"));
    }
    if let Some(t) = &token {
        parts.push(format!("制证 {}", t.made_by));
    }
    parts.push(format!("打印 {printed_by}"));
    Ok(CounterReceipt {
        application_id: app.id.clone(),
        order_number: app.number_or_id().to_owned(),
        case_id: case.id.clone(),
        organisation: app
            .input
            .enterprise
            .as_ref()
            .map(|e| e.name.clone())
            .unwrap_or_default(),
        business: business_name(app.business).into(),
        documents: app
            .documents
            .iter()
            .map(|d| document_name(d.kind).to_string())
            .collect(),
        amount: yuan(paid.as_ref().map_or(app.amount_fen, |p| p.amount_fen)),
        payment,
        token_serial: token
            .as_ref()
            .map(|t| t.token_serial.clone())
            .unwrap_or_default(),
        certificate_serial: token
            .as_ref()
            .map(|t| t.certificate_serial.clone())
            .unwrap_or_default(),
        point,
        operators: parts.join("；"),
        printed_at: beijing(now),
        opened_at: beijing(case.created_at),
        handed_over_at: token
            .and_then(|t| t.handed_over_at)
            .map(beijing)
            .unwrap_or_default(),
    })
}
