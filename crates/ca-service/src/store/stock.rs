//! A point's stock of numbered USBKeys (`stock_tokens`, migration 19) and the point's
//! `stock_required` switch.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub serial: String,
    pub point_id: String,
    pub model: String,
    /// `in_stock`, `made`, `spoiled` or `returned`.
    pub state: String,
    pub application_id: Option<String>,
    pub case_id: Option<String>,
    pub reason: Option<String>,
    pub received_by: String,
    pub received_at: i64,
    pub changed_by: Option<String>,
    pub changed_at: Option<i64>,
}

const COLS: &str = "serial, point_id, model, state, application_id, case_id, reason, \
                    received_by, received_at, changed_by, changed_at";

fn row(r: &Row<'_>) -> rusqlite::Result<StockRow> {
    Ok(StockRow {
        serial: r.get(0)?,
        point_id: r.get(1)?,
        model: r.get(2)?,
        state: r.get(3)?,
        application_id: r.get(4)?,
        case_id: r.get(5)?,
        reason: r.get(6)?,
        received_by: r.get(7)?,
        received_at: r.get(8)?,
        changed_by: r.get(9)?,
        changed_at: r.get(10)?,
    })
}

pub fn get(conn: &Connection, serial: &str) -> Result<Option<StockRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM stock_tokens WHERE serial = ?1"),
            [serial],
            row,
        )
        .optional()?)
}

/// Adds a received token; false when the serial is recorded already (at any point).
pub fn insert(conn: &Connection, r: &StockRow) -> Result<bool, StoreError> {
    let n = conn.execute(
        &format!(
            "INSERT OR IGNORE INTO stock_tokens ({COLS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            r.serial,
            r.point_id,
            r.model,
            r.state,
            r.application_id,
            r.case_id,
            r.reason,
            r.received_by,
            r.received_at,
            r.changed_by,
            r.changed_at
        ],
    )?;
    Ok(n == 1)
}

/// A state change of one token, done only if it is still in `from` (so two operators
/// cannot both change it); false otherwise.
pub struct Change<'a> {
    pub serial: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub reason: Option<&'a str>,
    pub case: Option<(&'a str, &'a str)>,
    pub by: &'a str,
    pub at: i64,
}

pub fn change(conn: &Connection, c: &Change<'_>) -> Result<bool, StoreError> {
    let (application_id, case_id) = c.case.unzip();
    let n = conn.execute(
        "UPDATE stock_tokens SET state = ?3, reason = ?4, application_id = ?5, case_id = ?6,
                changed_by = ?7, changed_at = ?8
         WHERE serial = ?1 AND state = ?2",
        params![
            c.serial,
            c.from,
            c.to,
            c.reason,
            application_id,
            case_id,
            c.by,
            c.at
        ],
    )?;
    Ok(n == 1)
}

/// The point's tokens, newest first, optionally of one state and one model.
pub fn list(
    conn: &Connection,
    point_id: &str,
    state: Option<&str>,
    model: Option<&str>,
    limit: u32,
) -> Result<Vec<StockRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM stock_tokens
         WHERE point_id = ?1 AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR model = ?3)
         ORDER BY received_at DESC, serial LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(params![point_id, state, model, limit], row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// (model, state, count) over the whole of the point's stock, by model.
pub fn counts(conn: &Connection, point_id: &str) -> Result<Vec<(String, String, u32)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT model, state, COUNT(*) FROM stock_tokens WHERE point_id = ?1
         GROUP BY model, state ORDER BY model, state",
    )?;
    let rows = stmt
        .query_map([point_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn required(conn: &Connection, point_id: &str) -> Result<Option<bool>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT stock_required FROM points WHERE id = ?1",
            [point_id],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .map(|v| v != 0))
}

/// Sets the switch; false when the point does not exist.
pub fn set_required(conn: &Connection, point_id: &str, on: bool) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE points SET stock_required = ?2 WHERE id = ?1",
        params![point_id, on as i64],
    )?;
    Ok(n == 1)
}
