//! Walk-in cases at a point (issue 13 items 3a and 5): opened from the applicant's online
//! application, checked field by field against the originals, reviewed by another
//! operator. Separation of duties lives here, not in any client: whoever entered or
//! changed a case can neither approve nor reject it. Each runs inside the caller's
//! transaction, and every step appends its audit entry in it.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::counter::FieldOutcome;
use certdesk_ca_api::counter::{
    Case, CaseStatus, CaseSummary, FieldCheck, FieldCheckRecord, OpenCase,
};
use rusqlite::Connection;

use super::{correction, load_any, review};
use crate::audit::{Action, Actor, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::AppState;
use crate::store::applications::{self, AppDoc};
use crate::store::audit;
use crate::store::cases::{self, CaseRow, CheckRow};
use crate::store::operators::OperatorRow;

/// The signed-in operator acting, and how the audit log names it.
pub struct Acting<'a> {
    pub operator: &'a OperatorRow,
    pub actor: Actor,
}

impl Acting<'_> {
    pub fn entry(&self, action: Action, case: &CaseRow) -> NewEntry {
        NewEntry::new(self.actor.clone(), action)
            .point(Some(&case.point_id))
            .application(&case.application_id)
            .detail("case", case.id.as_str())
    }
}

fn status_of(s: &str) -> CaseStatus {
    match s {
        "approved" => CaseStatus::Approved,
        "rejected" => CaseStatus::Rejected,
        "handed_over" => CaseStatus::HandedOver,
        _ => CaseStatus::Open,
    }
}

pub fn status_text(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => "open",
        CaseStatus::Approved => "approved",
        CaseStatus::Rejected => "rejected",
        CaseStatus::HandedOver => "handed_over",
    }
}

fn outcome_text(o: FieldOutcome) -> &'static str {
    match o {
        FieldOutcome::Checked => "checked",
        FieldOutcome::Corrected => "corrected",
    }
}

/// The case if it belongs to the operator's point; another point's case is "not found",
/// exactly like one that does not exist.
pub fn at_point(conn: &Connection, point_id: &str, id: &str) -> ApiResult<CaseRow> {
    cases::get(conn, id)?
        .filter(|c| c.point_id == point_id)
        .ok_or_else(ApiError::not_found)
}

pub fn open_at_point(conn: &Connection, point_id: &str, id: &str) -> ApiResult<CaseRow> {
    let case = at_point(conn, point_id, id)?;
    if case.status != "open" {
        return Err(ApiError::invalid_state("the case is closed"));
    }
    Ok(case)
}

/// A case in a list, with the order number and organisation the operator knows it by.
pub fn summary(conn: &Connection, c: CaseRow) -> ApiResult<CaseSummary> {
    let doc = load_any(conn, &c.application_id)?;
    Ok(CaseSummary {
        status: status_of(&c.status),
        id: c.id,
        application_id: c.application_id,
        opened_by: c.opened_by,
        created_at: rfc3339(c.created_at),
        order_number: Some(doc.app.number.clone()).filter(|n| !n.is_empty()),
        organisation: doc.app.input.enterprise.as_ref().map(|e| e.name.clone()),
    })
}

pub fn wire(conn: &Connection, c: &CaseRow) -> ApiResult<Case> {
    let doc = load_any(conn, &c.application_id)?;
    let checks = cases::checks(conn, &c.id)?
        .into_iter()
        .map(|k| FieldCheckRecord {
            outcome: if k.outcome == "corrected" {
                FieldOutcome::Corrected
            } else {
                FieldOutcome::Checked
            },
            field: k.field,
            operator_id: k.operator_id,
            at: rfc3339(k.at),
        })
        .collect();
    Ok(Case {
        id: c.id.clone(),
        point_id: c.point_id.clone(),
        status: status_of(&c.status),
        opened_by: c.opened_by.clone(),
        keyed: c.keyed,
        editors: cases::editors(conn, &c.id)?,
        checks,
        identity_checks: super::identity::records(conn, &c.id)?,
        corrections: correction::originals(&doc, &c.id),
        application: doc.app,
        making: super::making::record(conn, &c.id)?,
        created_at: rfc3339(c.created_at),
    })
}

/// Tries to open a case an operator may make in [`OPEN_WINDOW`] seconds: far above a
/// clerk's pace (a walk-in takes minutes, a misread scan is tried again), far below
/// what trying order numbers with a stolen session would need.
pub const OPENS_PER_WINDOW: i64 = 30;
pub const OPEN_WINDOW: i64 = 10 * 60;

/// Counts a try to open a case towards the operator's limit, in its own transaction
/// (so a miss counts whatever [`open`] answers); past the limit, 429 `rate_limited`.
pub fn open_try(conn: &Connection, state: &AppState, who: &Acting<'_>) -> ApiResult<()> {
    let now = state.now();
    match cases::open_attempt(conn, &who.operator.id, now, OPEN_WINDOW, OPENS_PER_WINDOW)? {
        Ok(()) => Ok(()),
        Err(oldest) => Err(ApiError::retry_after(
            ProblemCode::RateLimited,
            (oldest + OPEN_WINDOW - now).max(1) as u64,
        )),
    }
}

/// Opens a case from an online application's number. Opening it again at the same point
/// answers its case (`false`: nothing new) while that case is open, approved (the
/// scanned order leads to making) or handed over; while it is another point's, 409
/// `case_elsewhere` and nothing of that point's case. After a rejection a new case opens.
pub fn open(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    req: &OpenCase,
) -> ApiResult<(CaseRow, bool)> {
    let doc = named_application(conn, req)?;
    let application_id = doc.app.id.as_str();
    if !doc.app.status.can_open_at_counter() {
        return Err(ApiError::invalid_state("the application is finished"));
    }
    if crate::channels::is_operator(&doc.app.channel_id) {
        // An operator certificate's own issuance is no walk-in case.
        return Err(ApiError::not_found());
    }
    let point = &who.operator.point_id;
    if let Some(c) = cases::current_for_application(conn, application_id)? {
        return if &c.point_id == point {
            Ok((c, false))
        } else {
            Err(ApiError::code(ProblemCode::CaseElsewhere))
        };
    }
    let row = start(conn, state, who, &doc.app.id, false)?;
    audit::append(conn, state.now(), &who.entry(Action::CaseOpen, &row))?;
    Ok((row, true))
}

/// A new open case of `application_id` at the operator's point, the operator its
/// opener and first editor; `keyed` when the operator also entered the application.
pub fn start(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    application_id: &str,
    keyed: bool,
) -> ApiResult<CaseRow> {
    let row = CaseRow {
        id: new_id("case"),
        point_id: who.operator.point_id.clone(),
        application_id: application_id.to_owned(),
        status: "open".into(),
        opened_by: who.operator.id.clone(),
        created_at: state.now(),
        keyed,
    };
    cases::insert(conn, &row)?;
    Ok(row)
}

/// The application a clerk named: its id (the QR code), or its order number typed by
/// hand with the organisation's USCC from the licence's original. Order numbers are
/// sequential and could be guessed, so a number with another organisation's USCC is
/// answered like an unknown number.
fn named_application(conn: &Connection, req: &OpenCase) -> ApiResult<AppDoc> {
    let key = req.application_id.trim();
    if !OpenCase::is_order_number(key) {
        return load_any(conn, key);
    }
    let uscc = req
        .uscc
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            ApiError::fields(vec![certdesk_ca_api::FieldError::new(
                "uscc",
                "required",
                "按订单号办理时，请核对营业执照原件并填写统一社会信用代码",
                "with an order number, the organisation's unified social credit code from the licence's original",
            )])
        })?;
    applications::by_number(conn, key)?
        .filter(|d| {
            d.app
                .input
                .enterprise
                .as_ref()
                .is_some_and(|e| e.uscc.eq_ignore_ascii_case(uscc))
        })
        .ok_or_else(ApiError::not_found)
}

/// A field path as the application's wire shape names it, e.g. `enterprise.name`.
fn check_field_path(field: &str) -> ApiResult<()> {
    let ok = (1..=64).contains(&field.len())
        && field
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::fields(vec![certdesk_ca_api::FieldError::new(
            "field",
            "invalid",
            "字段名无效",
            "a field path such as enterprise.name",
        )]))
    }
}

fn value_field(kind: &str, zh: &str, en: &str) -> ApiError {
    ApiError::fields(vec![certdesk_ca_api::FieldError::new(
        "value", kind, zh, en,
    )])
}

/// Records the clerk's verdict on one field. A correction carries the value read from
/// the original, which goes into the application ([`correction::correct`]), and makes
/// the operator an editor of the case, so it can no longer review it. The audit entry
/// names the field, never the value.
pub fn check(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
    req: &FieldCheck,
) -> ApiResult<CaseRow> {
    check_field_path(&req.field)?;
    let case = open_at_point(conn, &who.operator.point_id, id)?;
    match (req.outcome, req.value.as_deref()) {
        (FieldOutcome::Checked, None) => {}
        (FieldOutcome::Checked, Some(_)) => {
            return Err(value_field(
                "not_allowed",
                "核对无误时不填写更正值",
                "a value is sent only with a correction",
            ));
        }
        (FieldOutcome::Corrected, None) => {
            return Err(value_field(
                "required",
                "请填写更正后的内容",
                "a correction carries the corrected value",
            ));
        }
        (FieldOutcome::Corrected, Some(v)) => {
            correction::correct(conn, state, &case, &req.field, v)?;
        }
    }
    let now = state.now();
    let outcome = outcome_text(req.outcome);
    cases::add_check(
        conn,
        &case.id,
        &CheckRow {
            field: req.field.clone(),
            outcome: outcome.into(),
            operator_id: who.operator.id.clone(),
            at: now,
        },
    )?;
    if req.outcome == FieldOutcome::Corrected {
        cases::add_editor(conn, &case.id, &who.operator.id)?;
    }
    let entry = who
        .entry(Action::CaseCheck, &case)
        .detail("field", req.field.as_str())
        .detail("outcome", outcome);
    audit::append(conn, now, &entry)?;
    Ok(case)
}

/// 403 `separation_of_duties` when the reviewer entered or changed the case.
fn not_an_editor(conn: &Connection, case: &CaseRow, operator_id: &str) -> ApiResult<()> {
    if cases::editors(conn, &case.id)?
        .iter()
        .any(|e| e == operator_id)
    {
        return Err(ApiError::code(ProblemCode::SeparationOfDuties));
    }
    Ok(())
}

/// Approves the case's application (the same review as the staff's) and closes the case.
pub fn approve(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
) -> ApiResult<CaseRow> {
    let case = open_at_point(conn, &who.operator.point_id, id)?;
    not_an_editor(conn, &case, &who.operator.id)?;
    correction::ready_for_approval(conn, &case)?;
    review::approve(conn, state, &case.application_id, review::Delivery::Counter)?;
    cases::close(conn, &case.id, "approved")?;
    audit::append(conn, state.now(), &who.entry(Action::CaseApprove, &case))?;
    Ok(CaseRow {
        status: "approved".into(),
        ..case
    })
}

/// Rejects the case's application with reasons (back to the applicant) and closes it.
/// The entry counts the reasons; their text stays in the sealed application.
pub fn reject(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
    reasons: Vec<String>,
) -> ApiResult<CaseRow> {
    let case = open_at_point(conn, &who.operator.point_id, id)?;
    not_an_editor(conn, &case, &who.operator.id)?;
    let count = reasons.len();
    review::reject(conn, state, &case.application_id, reasons)?;
    cases::close(conn, &case.id, "rejected")?;
    let entry = who
        .entry(Action::CaseReject, &case)
        .detail("reasons", count.to_string());
    audit::append(conn, state.now(), &entry)?;
    Ok(CaseRow {
        status: "rejected".into(),
        ..case
    })
}

/// The staff decided the application itself (staff API, `certdesk-ca review`): its open
/// case at a point, if any, closes with the same outcome so no queue keeps a decided
/// case. The audit entry of the decision names the case and its point.
pub fn close_by_staff(
    conn: &Connection,
    application_id: &str,
    status: CaseStatus,
    entry: NewEntry,
) -> ApiResult<NewEntry> {
    let Some(case) = cases::open_for_application(conn, application_id)? else {
        return Ok(entry);
    };
    cases::close(conn, &case.id, status_text(status))?;
    Ok(entry
        .point(Some(&case.point_id))
        .detail("case", case.id.as_str()))
}

/// A document of the case's application, for an operator of the case's point to read:
/// another point's case, or a document that is not this application's, is "not found".
/// The read is audited (the scans are personal data: an ID card's copy above all).
pub fn document(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    case_id: &str,
    document_id: &str,
) -> ApiResult<certdesk_ca_api::application::DocumentInfo> {
    let case = at_point(conn, &who.operator.point_id, case_id)?;
    let info = load_any(conn, &case.application_id)?
        .app
        .documents
        .into_iter()
        .find(|d| d.id == document_id)
        .ok_or_else(ApiError::not_found)?;
    let entry = who
        .entry(Action::CaseDocumentView, &case)
        .detail("document", info.id.as_str());
    audit::append(conn, state.now(), &entry)?;
    Ok(info)
}
