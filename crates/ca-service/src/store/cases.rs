//! Walk-in cases at a point, who entered or changed each, and the clerk's field checks.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: String,
    pub point_id: String,
    pub application_id: String,
    /// `open`, `approved` or `rejected`.
    pub status: String,
    pub opened_by: String,
    pub created_at: i64,
    /// The application was keyed at the counter by `opened_by` (not applied online).
    pub keyed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub field: String,
    /// `checked` or `corrected`.
    pub outcome: String,
    pub operator_id: String,
    pub at: i64,
}

const COLS: &str = "id, point_id, application_id, status, opened_by, created_at, keyed";

fn case(r: &Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        id: r.get(0)?,
        point_id: r.get(1)?,
        application_id: r.get(2)?,
        status: r.get(3)?,
        opened_by: r.get(4)?,
        created_at: r.get(5)?,
        keyed: r.get(6)?,
    })
}

/// Inserts the case with its opener as the first editor.
pub fn insert(conn: &Connection, c: &CaseRow) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO cases ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            c.id,
            c.point_id,
            c.application_id,
            c.status,
            c.opened_by,
            c.created_at,
            c.keyed
        ],
    )?;
    add_editor(conn, &c.id, &c.opened_by)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<CaseRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM cases WHERE id = ?1"),
            [id],
            case,
        )
        .optional()?)
}

/// The application's open case, at whichever point.
pub fn open_for_application(
    conn: &Connection,
    application_id: &str,
) -> Result<Option<CaseRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM cases WHERE application_id = ?1 AND status = 'open'"),
            [application_id],
            case,
        )
        .optional()?)
}

/// The application's case that is still its case: open, approved (to be made) or handed
/// over; the newest. A rejected case is not: the order may be served again.
pub fn current_for_application(
    conn: &Connection,
    application_id: &str,
) -> Result<Option<CaseRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLS} FROM cases WHERE application_id = ?1 \
                 AND status IN ('open', 'approved', 'handed_over') \
                 ORDER BY created_at DESC, rowid DESC LIMIT 1"
            ),
            [application_id],
            case,
        )
        .optional()?)
}

/// One point's cases in `status`, oldest first (the queue order), at most `limit`.
pub fn list(
    conn: &Connection,
    point_id: &str,
    status: &str,
    limit: u32,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM cases WHERE point_id = ?1 AND status = ?2
         ORDER BY created_at, id LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![point_id, status, limit], case)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Moves an open case to `status`; false if it was not open.
pub fn close(conn: &Connection, id: &str, status: &str) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE cases SET status = ?2 WHERE id = ?1 AND status = 'open'",
        params![id, status],
    )?;
    Ok(n == 1)
}

/// Counts one try to open a case by `operator_id` within the last `window` seconds,
/// forgetting older ones. At `limit` tries the try is not counted: `Err(oldest)`, the
/// time of the oldest try still in the window.
pub fn open_attempt(
    conn: &Connection,
    operator_id: &str,
    now: i64,
    window: i64,
    limit: i64,
) -> Result<Result<(), i64>, StoreError> {
    conn.execute(
        "DELETE FROM case_open_attempts WHERE at <= ?1",
        [now - window],
    )?;
    let (count, oldest): (i64, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MIN(at) FROM case_open_attempts WHERE operator_id = ?1",
        [operator_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if count >= limit {
        return Ok(Err(oldest.unwrap_or(now)));
    }
    conn.execute(
        "INSERT INTO case_open_attempts (operator_id, at) VALUES (?1, ?2)",
        params![operator_id, now],
    )?;
    Ok(Ok(()))
}

/// An approved case whose token the applicant took: closed as handed over.
pub fn hand_over(conn: &Connection, id: &str) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE cases SET status = 'handed_over' WHERE id = ?1 AND status = 'approved'",
        [id],
    )?;
    Ok(n == 1)
}

pub fn add_editor(conn: &Connection, case_id: &str, operator_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO case_editors (case_id, operator_id) VALUES (?1, ?2)
         ON CONFLICT DO NOTHING",
        params![case_id, operator_id],
    )?;
    Ok(())
}

pub fn editors(conn: &Connection, case_id: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT operator_id FROM case_editors WHERE case_id = ?1 ORDER BY operator_id")?;
    let rows = stmt
        .query_map([case_id], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(rows)
}

pub fn add_check(conn: &Connection, case_id: &str, c: &CheckRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO case_checks (case_id, field, outcome, operator_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![case_id, c.field, c.outcome, c.operator_id, c.at],
    )?;
    Ok(())
}

pub fn checks(conn: &Connection, case_id: &str) -> Result<Vec<CheckRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT field, outcome, operator_id, at FROM case_checks WHERE case_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(CheckRow {
                field: r.get(0)?,
                outcome: r.get(1)?,
                operator_id: r.get(2)?,
                at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// An on-site identity check that matched: who was checked, on which original, with
/// which scan of the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    /// `legal_rep` or `handler`.
    pub person: String,
    pub document: String,
    pub copy_document_id: String,
    pub operator_id: String,
    pub at: i64,
}

pub fn add_identity(conn: &Connection, case_id: &str, r: &IdentityRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO case_identity_checks (case_id, person, document, copy_document_id, operator_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![case_id, r.person, r.document, r.copy_document_id, r.operator_id, r.at],
    )?;
    Ok(())
}

/// A case's on-site identity checks of `person` no longer count (the person's facts were
/// corrected after them); the audit log keeps that they happened.
pub fn void_identities(conn: &Connection, case_id: &str, person: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM case_identity_checks WHERE case_id = ?1 AND person = ?2",
        params![case_id, person],
    )?;
    Ok(())
}

pub fn identities(conn: &Connection, case_id: &str) -> Result<Vec<IdentityRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT person, document, copy_document_id, operator_id, at FROM case_identity_checks
         WHERE case_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(IdentityRow {
                person: r.get(0)?,
                document: r.get(1)?,
                copy_document_id: r.get(2)?,
                operator_id: r.get(3)?,
                at: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
