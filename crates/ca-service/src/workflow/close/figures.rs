//! The day's figures and differences at a point, from the counter's own tables.

use std::collections::BTreeMap;

use certdesk_ca_api::close::{
    CloseDifference, CloseFigures, CloseMethod, DifferenceKind, MethodFigure, OperatorFigures,
};
use rusqlite::Connection;

use crate::error::ApiResult;
use crate::store::closes::{self as store, DayMaking, DayPayment, DayStockChange};
use crate::store::operators as ops;

fn method(s: &str) -> CloseMethod {
    match s {
        "cash" => CloseMethod::Cash,
        "wechat" => CloseMethod::Wechat,
        "alipay" => CloseMethod::Alipay,
        _ => CloseMethod::Pos,
    }
}

fn add_payment(f: &mut CloseFigures, m: CloseMethod, amount_fen: u64) {
    match f.payments.iter_mut().find(|p| p.method == m) {
        Some(p) => {
            p.count += 1;
            p.amount_fen += amount_fen;
        }
        None => {
            f.payments.push(MethodFigure {
                method: m,
                count: 1,
                amount_fen,
            });
            f.payments.sort_by_key(|p| p.method);
        }
    }
    f.paid_fen += amount_fen;
}

/// Figures for each operator and for the point, built by applying each fact to both.
#[derive(Default)]
struct Tally {
    point: CloseFigures,
    operators: BTreeMap<String, CloseFigures>,
}

impl Tally {
    fn apply(&mut self, operator: Option<&str>, f: impl Fn(&mut CloseFigures)) {
        f(&mut self.point);
        if let Some(op) = operator {
            f(self.operators.entry(op.to_string()).or_default());
        }
    }
}

fn difference(kind: DifferenceKind, subject: &str) -> CloseDifference {
    let code = serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    CloseDifference {
        id: format!("{code}:{subject}"),
        kind,
        operator_id: None,
        case_id: None,
        application_id: None,
        token_serial: None,
        amount_fen: None,
        note: None,
        explanation: None,
    }
}

fn payments(t: &mut Tally, diffs: &mut Vec<CloseDifference>, rows: &[DayPayment]) {
    for p in rows.iter().filter(|p| p.paid) {
        t.apply(Some(&p.operator_id), |f| {
            add_payment(f, method(&p.method), p.amount_fen)
        });
        if !p.made {
            diffs.push(CloseDifference {
                operator_id: Some(p.operator_id.clone()),
                case_id: Some(p.case_id.clone()),
                application_id: Some(p.application_id.clone()),
                amount_fen: Some(p.amount_fen),
                ..difference(DifferenceKind::PaidNotMade, &p.id)
            });
        }
    }
}

fn makings(t: &mut Tally, diffs: &mut Vec<CloseDifference>, rows: &[DayMaking], stock: bool) {
    for m in rows {
        t.apply(Some(&m.made_by), |f| f.certificates_made += 1);
        let base = CloseDifference {
            operator_id: Some(m.made_by.clone()),
            case_id: Some(m.case_id.clone()),
            application_id: Some(m.application_id.clone()),
            token_serial: Some(m.token_serial.clone()),
            ..difference(DifferenceKind::MadeNotPaid, &m.case_id)
        };
        match (m.paid_at_counter, m.paid_online_fen) {
            (false, Some(fen)) => {
                t.apply(Some(&m.made_by), |f| {
                    add_payment(f, CloseMethod::Online, fen)
                });
            }
            (false, None) => diffs.push(base.clone()),
            (true, _) => {}
        }
        if stock && m.stock_state.as_deref() != Some("made") {
            let off = difference(DifferenceKind::MadeOffStock, &m.case_id);
            diffs.push(CloseDifference {
                id: off.id,
                kind: off.kind,
                ..base
            });
        }
    }
}

fn stock_changes(t: &mut Tally, diffs: &mut Vec<CloseDifference>, rows: &[DayStockChange]) {
    for s in rows {
        let by = s.changed_by.as_deref();
        let kind = match s.state.as_str() {
            "made" => {
                t.apply(by, |f| f.tokens_made += 1);
                if s.has_case_token {
                    continue;
                }
                DifferenceKind::StockMadeNoCase
            }
            "spoiled" => {
                t.apply(by, |f| f.tokens_spoiled += 1);
                DifferenceKind::TokenSpoiled
            }
            _ => {
                t.apply(by, |f| f.tokens_returned += 1);
                DifferenceKind::TokenReturned
            }
        };
        diffs.push(CloseDifference {
            operator_id: s.changed_by.clone(),
            token_serial: Some(s.serial.clone()),
            note: s.reason.clone(),
            ..difference(kind, &s.serial)
        });
    }
}

/// The point's and each operator's figures for the day `window` (Unix seconds, from
/// inclusive, to exclusive), and the differences sorted by id.
pub fn of_day(
    conn: &Connection,
    point: &str,
    window: (i64, i64),
) -> ApiResult<(CloseFigures, Vec<OperatorFigures>, Vec<CloseDifference>)> {
    let mut t = Tally::default();
    let mut diffs = Vec::new();
    payments(
        &mut t,
        &mut diffs,
        &store::day_payments(conn, point, window)?,
    );
    let stock = store::keeps_stock(conn, point)?;
    makings(
        &mut t,
        &mut diffs,
        &store::day_makings(conn, point, window)?,
        stock,
    );
    stock_changes(
        &mut t,
        &mut diffs,
        &store::day_stock_changes(conn, point, window)?,
    );
    diffs.sort_by(|a, b| a.id.cmp(&b.id));
    let operators = t
        .operators
        .into_iter()
        .map(|(id, figures)| {
            let name = ops::get_operator(conn, &id)?
                .map(|o| o.name)
                .unwrap_or_default();
            Ok(OperatorFigures {
                operator_id: id,
                name,
                figures,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok((t.point, operators, diffs))
}
