//! The supervisor's numbers (issue 14 item 4): each case opened at a point in a time
//! window, with the moments that bound its stages and who acted at each, read from the
//! counter's tables and the audit log (which alone records approvals and enrolments).

use rusqlite::{Connection, params};

use super::StoreError;

/// A moment of a case and the operator who made it (`None`: not an operator).
pub type Mark = Option<(i64, Option<String>)>;

/// One case and its stage boundaries (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMarks {
    pub case_id: String,
    pub application_id: String,
    pub order_number: Option<String>,
    pub keyed: bool,
    pub opened_by: String,
    pub opened_at: i64,
    /// The clerk's last field or identity check.
    pub verified: Mark,
    /// The first paid payment taken at the counter (a QR code: when it was paid).
    pub paid: Mark,
    /// The case approved at the point.
    pub approved: Mark,
    /// The first enrolment granted for the case (making begins).
    pub making: Mark,
    /// The token recorded.
    pub made: Mark,
    /// The applicant's confirmation.
    pub handed_over: Mark,
    /// The stock's model of the token, else what the token reported.
    pub token_model: Option<String>,
}

/// The operator id of an audit actor (`operator:<id>`).
fn operator_of(actor: Option<String>) -> Option<String> {
    actor.and_then(|a| a.strip_prefix("operator:").map(str::to_string))
}

/// The first audit entry of `action` for the case (its details name the case).
const AUDIT_MARK: &str = "SELECT at || ' ' || actor FROM audit_log
      WHERE application_id = c.application_id AND point = c.point_id AND action = '{}'
        AND json_extract(details, '$.case') = c.id
      ORDER BY seq LIMIT 1";

fn audit_mark(action: &str) -> String {
    format!("({})", AUDIT_MARK.replace("{}", action))
}

/// "<at> <actor>" as written by [`audit_mark`].
fn split_mark(raw: Option<String>) -> Mark {
    let raw = raw?;
    let (at, actor) = raw.split_once(' ')?;
    Some((at.parse().ok()?, operator_of(Some(actor.to_string()))))
}

fn mark(at: Option<i64>, by: Option<String>) -> Mark {
    at.map(|at| (at, by))
}

/// Cases opened at `point` in [from, to), oldest first.
pub fn cases_in(
    conn: &Connection,
    point: &str,
    (from, to): (i64, i64),
) -> Result<Vec<CaseMarks>, StoreError> {
    let sql = format!(
        "SELECT c.id, c.application_id, a.number, c.keyed, c.opened_by, c.created_at,
                v.at, v.operator_id,
                pay.at, pay.operator_id,
                {approved}, {enrolled},
                t.made_at, t.made_by, t.handed_over_at, {handover},
                COALESCE(
                  (SELECT s.model FROM stock_tokens s
                    WHERE s.serial = t.token_serial AND s.point_id = c.point_id),
                  t.token_model)
         FROM cases c
         JOIN applications a ON a.id = c.application_id
         LEFT JOIN case_tokens t ON t.case_id = c.id
         LEFT JOIN (
           SELECT case_id, at, operator_id,
                  ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY at DESC) AS n
             FROM (SELECT case_id, at, operator_id FROM case_checks
                   UNION ALL
                   SELECT case_id, at, operator_id FROM case_identity_checks)
         ) v ON v.case_id = c.id AND v.n = 1
         LEFT JOIN (
           SELECT cp.case_id, COALESCE(p.paid_at, cp.created_at) AS at, cp.operator_id,
                  ROW_NUMBER() OVER (PARTITION BY cp.case_id
                                     ORDER BY COALESCE(p.paid_at, cp.created_at)) AS n
             FROM counter_payments cp LEFT JOIN payments p ON p.id = cp.payment_id
            WHERE cp.payment_id IS NULL OR p.status = 'paid'
         ) pay ON pay.case_id = c.id AND pay.n = 1
         WHERE c.point_id = ?1 AND c.created_at >= ?2 AND c.created_at < ?3
         ORDER BY c.created_at, c.id",
        approved = audit_mark("case.approve"),
        enrolled = audit_mark("case.enrollment"),
        handover = audit_mark("case.handover"),
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(params![point, from, to], |r| {
            Ok(CaseMarks {
                case_id: r.get(0)?,
                application_id: r.get(1)?,
                order_number: r.get(2)?,
                keyed: r.get(3)?,
                opened_by: r.get(4)?,
                opened_at: r.get(5)?,
                verified: mark(r.get(6)?, r.get(7)?),
                paid: mark(r.get(8)?, r.get(9)?),
                approved: split_mark(r.get(10)?),
                making: split_mark(r.get(11)?),
                made: mark(r.get(12)?, r.get(13)?),
                handed_over: r
                    .get::<_, Option<i64>>(14)?
                    .map(|at| (at, split_mark(r.get(15).ok().flatten()).and_then(|m| m.1))),
                token_model: r.get(16)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
