//! A point's token stock (库存, issue 14 item 2): tokens are received by serial, become
//! `made` when a case's certificate is recorded on them, or are taken out of use as
//! `spoiled` or `returned` with a reason. Only a token `in_stock` changes by hand: a
//! made token left with its applicant (a broken one is a revocation and a new case, not
//! a stock matter). A point with `stock_required` makes only onto its own `in_stock`
//! tokens. Every change is audited, naming the operator, the point and the serial.

use std::collections::{BTreeMap, HashSet};

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::stock::{
    RefusedSerial, Stock, StockCount, StockPolicy, StockQuery, StockReceived, StockRefusal,
    StockState, StockToken,
};
use rusqlite::Connection;

use super::cases::Acting;
use crate::audit::{Action, Actor, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::audit;
use crate::store::cases::CaseRow;
use crate::store::stock::{self, Change, StockRow};

fn entry(who: &Acting<'_>, action: Action, serial: &str) -> NewEntry {
    NewEntry::new(who.actor.clone(), action)
        .point(Some(&who.operator.point_id))
        .token(serial)
}

fn state_of(s: &str) -> StockState {
    StockState::parse(s).unwrap_or(StockState::InStock)
}

pub fn wire(r: StockRow) -> StockToken {
    StockToken {
        state: state_of(&r.state),
        serial: r.serial,
        model: r.model,
        application_id: r.application_id,
        case_id: r.case_id,
        reason: r.reason,
        received_by: r.received_by,
        received_at: rfc3339(r.received_at),
        changed_by: r.changed_by,
        changed_at: r.changed_at.map(rfc3339),
    }
}

/// Receives `serials` (already checked one by one) of `model` into the operator's
/// point. A serial recorded anywhere is refused alone, without saying where.
pub fn receive(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    model: &str,
    serials: &[&str],
) -> ApiResult<StockReceived> {
    let now = state.now();
    let point = &who.operator.point_id;
    let mut seen = HashSet::new();
    let mut out = StockReceived {
        received: Vec::new(),
        refused: Vec::new(),
    };
    for &serial in serials {
        let refuse = |reason| RefusedSerial {
            serial: serial.to_string(),
            reason,
        };
        if !seen.insert(serial) {
            out.refused.push(refuse(StockRefusal::Repeated));
            continue;
        }
        let row = StockRow {
            serial: serial.to_string(),
            point_id: point.clone(),
            model: model.to_string(),
            state: StockState::InStock.as_str().into(),
            application_id: None,
            case_id: None,
            reason: None,
            received_by: who.operator.id.clone(),
            received_at: now,
            changed_by: None,
            changed_at: None,
        };
        if stock::insert(conn, &row)? {
            let e = entry(who, Action::StockReceive, serial).detail("model", model);
            audit::append(conn, now, &e)?;
            out.received.push(row.serial);
        } else {
            let here = stock::get(conn, serial)?.is_some_and(|r| &r.point_id == point);
            out.refused.push(refuse(if here {
                StockRefusal::AlreadyHere
            } else {
                StockRefusal::Elsewhere
            }));
        }
    }
    Ok(out)
}

/// The point's counts per model and state, and its tokens as `q` filters them.
pub fn overview(conn: &Connection, point_id: &str, q: &StockQuery) -> ApiResult<Stock> {
    let mut by_model: BTreeMap<String, StockCount> = BTreeMap::new();
    for (model, st, n) in stock::counts(conn, point_id)? {
        let c = by_model.entry(model.clone()).or_insert_with(|| StockCount {
            model,
            ..StockCount::default()
        });
        match state_of(&st) {
            StockState::InStock => c.in_stock = n,
            StockState::Made => c.made = n,
            StockState::Spoiled => c.spoiled = n,
            StockState::Returned => c.returned = n,
        }
    }
    let limit = q.limit.unwrap_or(500).clamp(1, 1000);
    let model = q.model.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let items = stock::list(conn, point_id, q.state.map(|s| s.as_str()), model, limit)?;
    Ok(Stock {
        point_id: point_id.to_string(),
        stock_required: stock::required(conn, point_id)?.unwrap_or(false),
        counts: by_model.into_values().collect(),
        items: items.into_iter().map(wire).collect(),
    })
}

/// Spoils or returns a token of the operator's point that is `in_stock`. Another
/// point's token is "not found", exactly like an unknown serial.
pub fn take_out(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    serial: &str,
    to: StockState,
    reason: &str,
) -> ApiResult<StockToken> {
    let action = match to {
        StockState::Spoiled => Action::StockSpoil,
        StockState::Returned => Action::StockReturn,
        StockState::InStock | StockState::Made => {
            return Err(ApiError::fields(vec![certdesk_ca_api::FieldError::new(
                "state",
                "invalid",
                "只能标记为报废或退回",
                "only spoiled or returned",
            )]));
        }
    };
    let row = stock::get(conn, serial)?
        .filter(|r| r.point_id == who.operator.point_id)
        .ok_or_else(ApiError::not_found)?;
    let now = state.now();
    let change = Change {
        serial,
        from: StockState::InStock.as_str(),
        to: to.as_str(),
        reason: Some(reason),
        case: None,
        by: &who.operator.id,
        at: now,
    };
    if !stock::change(conn, &change)? {
        return Err(ApiError::invalid_state(format!(
            "the token is {}: only a token in stock is spoiled or returned",
            row.state
        )));
    }
    let e = entry(who, action, serial)
        .detail("model", row.model.as_str())
        .detail("reason", reason);
    audit::append(conn, now, &e)?;
    stock::get(conn, serial)?
        .map(wire)
        .ok_or_else(ApiError::not_found)
}

/// Switches the point's `stock_required`; audited as `actor`.
pub fn set_required(
    conn: &Connection,
    state: &AppState,
    actor: Actor,
    point_id: &str,
    on: bool,
) -> ApiResult<StockPolicy> {
    if !stock::set_required(conn, point_id, on)? {
        return Err(ApiError::not_found());
    }
    let e = NewEntry::new(actor, Action::PointStockRequired)
        .point(Some(point_id))
        .detail("stock_required", on.to_string());
    audit::append(conn, state.now(), &e)?;
    Ok(StockPolicy { stock_required: on })
}

/// Refuses making on `serial` at the point when the point requires its stock and the
/// token is not `in_stock` there (`token_not_in_stock`).
pub fn check_for_making(conn: &Connection, point_id: &str, serial: &str) -> ApiResult<()> {
    if !stock::required(conn, point_id)?.unwrap_or(false) {
        return Ok(());
    }
    let in_stock = stock::get(conn, serial)?
        .is_some_and(|r| r.point_id == point_id && r.state == StockState::InStock.as_str());
    if in_stock {
        Ok(())
    } else {
        Err(ApiError::detail(
            ProblemCode::TokenNotInStock,
            format!("token {serial} is not in stock at point {point_id}"),
        ))
    }
}

/// The case's token leaves the stock as `made` for it; whether it did (a point that
/// does not require its stock may make on a token it never received).
pub fn mark_made(
    conn: &Connection,
    who: &Acting<'_>,
    now: i64,
    serial: &str,
    case: &CaseRow,
) -> ApiResult<bool> {
    check_for_making(conn, &case.point_id, serial)?;
    let ours = stock::get(conn, serial)?.is_some_and(|r| r.point_id == case.point_id);
    if !ours {
        return Ok(false);
    }
    Ok(stock::change(
        conn,
        &Change {
            serial,
            from: StockState::InStock.as_str(),
            to: StockState::Made.as_str(),
            reason: None,
            case: Some((&case.application_id, &case.id)),
            by: &who.operator.id,
            at: now,
        },
    )?)
}
