//! The daily close (issue 14 item 3): the day's facts at a point, read from the
//! counter's own tables, and the signed closes with their later corrections.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// A counter payment taken in the day.
#[derive(Debug, Clone)]
pub struct DayPayment {
    pub id: String,
    pub case_id: String,
    pub application_id: String,
    pub method: String,
    pub amount_fen: u64,
    pub operator_id: String,
    /// POS and cash are paid when recorded; a QR code when its provider said so.
    pub paid: bool,
    /// A certificate was made for the case (on any day).
    pub made: bool,
}

/// A certificate made on a token in the day.
#[derive(Debug, Clone)]
pub struct DayMaking {
    pub case_id: String,
    pub application_id: String,
    pub token_serial: String,
    pub made_by: String,
    /// A paid counter payment for the application (any case, any day).
    pub paid_at_counter: bool,
    /// The amount of a paid online payment (not a counter QR code), if any.
    pub paid_online_fen: Option<u64>,
    /// The token's state in the point's stock, if it is there.
    pub stock_state: Option<String>,
}

/// A stock token that left the stock in the day.
#[derive(Debug, Clone)]
pub struct DayStockChange {
    pub serial: String,
    /// `made`, `spoiled` or `returned`.
    pub state: String,
    pub reason: Option<String>,
    pub changed_by: Option<String>,
    /// A certificate was made on this token at the counter.
    pub has_case_token: bool,
}

pub fn day_payments(
    conn: &Connection,
    point: &str,
    (from, to): (i64, i64),
) -> Result<Vec<DayPayment>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT cp.id, cp.case_id, cp.application_id, cp.method, cp.amount_fen, cp.operator_id,
                cp.payment_id IS NULL OR p.status = 'paid',
                EXISTS (SELECT 1 FROM case_tokens t WHERE t.case_id = cp.case_id)
         FROM counter_payments cp LEFT JOIN payments p ON p.id = cp.payment_id
         WHERE cp.point_id = ?1 AND cp.created_at >= ?2 AND cp.created_at < ?3
         ORDER BY cp.id",
    )?;
    let rows = stmt
        .query_map(params![point, from, to], |r| {
            Ok(DayPayment {
                id: r.get(0)?,
                case_id: r.get(1)?,
                application_id: r.get(2)?,
                method: r.get(3)?,
                amount_fen: r.get::<_, i64>(4)?.max(0) as u64,
                operator_id: r.get(5)?,
                paid: r.get(6)?,
                made: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn day_makings(
    conn: &Connection,
    point: &str,
    (from, to): (i64, i64),
) -> Result<Vec<DayMaking>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT t.case_id, c.application_id, t.token_serial, t.made_by,
                EXISTS (SELECT 1 FROM counter_payments cp LEFT JOIN payments p ON p.id = cp.payment_id
                         WHERE cp.application_id = c.application_id
                           AND (cp.payment_id IS NULL OR p.status = 'paid')),
                (SELECT p.amount_fen FROM payments p
                  WHERE p.application_id = c.application_id AND p.status = 'paid'
                    AND p.id NOT IN (SELECT payment_id FROM counter_payments
                                      WHERE payment_id IS NOT NULL)
                  ORDER BY p.paid_at LIMIT 1),
                (SELECT s.state FROM stock_tokens s
                  WHERE s.serial = t.token_serial AND s.point_id = c.point_id)
         FROM case_tokens t JOIN cases c ON c.id = t.case_id
         WHERE c.point_id = ?1 AND t.made_at >= ?2 AND t.made_at < ?3
         ORDER BY t.case_id",
    )?;
    let rows = stmt
        .query_map(params![point, from, to], |r| {
            Ok(DayMaking {
                case_id: r.get(0)?,
                application_id: r.get(1)?,
                token_serial: r.get(2)?,
                made_by: r.get(3)?,
                paid_at_counter: r.get(4)?,
                paid_online_fen: r.get::<_, Option<i64>>(5)?.map(|a| a.max(0) as u64),
                stock_state: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn day_stock_changes(
    conn: &Connection,
    point: &str,
    (from, to): (i64, i64),
) -> Result<Vec<DayStockChange>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.serial, s.state, s.reason, s.changed_by,
                EXISTS (SELECT 1 FROM case_tokens t WHERE t.token_serial = s.serial)
         FROM stock_tokens s
         WHERE s.point_id = ?1 AND s.changed_at >= ?2 AND s.changed_at < ?3
           AND s.state IN ('made', 'spoiled', 'returned')
         ORDER BY s.serial",
    )?;
    let rows = stmt
        .query_map(params![point, from, to], |r| {
            Ok(DayStockChange {
                serial: r.get(0)?,
                state: r.get(1)?,
                reason: r.get(2)?,
                changed_by: r.get(3)?,
                has_case_token: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Whether the point keeps a token stock at all (without one, making off stock is the
/// point's normal way of working, not a difference).
pub fn keeps_stock(conn: &Connection, point: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM stock_tokens WHERE point_id = ?1)",
        [point],
        |r| r.get(0),
    )?)
}

/// A signed close as stored.
#[derive(Debug, Clone)]
pub struct CloseRow {
    pub point_id: String,
    pub day: String,
    /// The signed JSON (after the prefix), byte for byte.
    pub document: String,
    pub document_sha256: String,
    pub signature: Vec<u8>,
    pub signed_by: String,
    pub certificate_serial: String,
    pub signed_at: i64,
}

const COLS: &str =
    "point_id, day, document, document_sha256, signature, signed_by, certificate_serial, signed_at";

fn close_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CloseRow> {
    Ok(CloseRow {
        point_id: r.get(0)?,
        day: r.get(1)?,
        document: r.get(2)?,
        document_sha256: r.get(3)?,
        signature: r.get(4)?,
        signed_by: r.get(5)?,
        certificate_serial: r.get(6)?,
        signed_at: r.get(7)?,
    })
}

pub fn insert(conn: &Connection, c: &CloseRow) -> Result<bool, StoreError> {
    let n = conn.execute(
        &format!("INSERT OR IGNORE INTO daily_closes ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"),
        params![
            c.point_id,
            c.day,
            c.document,
            c.document_sha256,
            c.signature,
            c.signed_by,
            c.certificate_serial,
            c.signed_at
        ],
    )?;
    Ok(n == 1)
}

pub fn get(conn: &Connection, point: &str, day: &str) -> Result<Option<CloseRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM daily_closes WHERE point_id = ?1 AND day = ?2"),
            [point, day],
            close_row,
        )
        .optional()?)
}

/// The point's latest signed close before `day`.
pub fn previous(conn: &Connection, point: &str, day: &str) -> Result<Option<CloseRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLS} FROM daily_closes WHERE point_id = ?1 AND day < ?2
                 ORDER BY day DESC LIMIT 1"
            ),
            [point, day],
            close_row,
        )
        .optional()?)
}

/// Every stored close, by point and day (for `certdesk-ca close verify`).
pub fn all(conn: &Connection) -> Result<Vec<CloseRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM daily_closes ORDER BY point_id, day"
    ))?;
    let rows = stmt.query_map([], close_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

#[derive(Debug, Clone)]
pub struct CorrectionRow {
    pub seq: i64,
    pub operator_id: String,
    pub text: String,
    pub at: i64,
}

pub fn add_correction(
    conn: &Connection,
    (point, day): (&str, &str),
    text: &str,
    operator_id: &str,
    at: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO close_corrections (point_id, day, text, operator_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![point, day, text, operator_id, at],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn corrections(
    conn: &Connection,
    point: &str,
    day: &str,
) -> Result<Vec<CorrectionRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT seq, operator_id, text, at FROM close_corrections
         WHERE point_id = ?1 AND day = ?2 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([point, day], |r| {
            Ok(CorrectionRow {
                seq: r.get(0)?,
                operator_id: r.get(1)?,
                text: r.get(2)?,
                at: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// (point, day, document hash) of every `close.sign` in the audit log.
pub fn signed_in_audit(conn: &Connection) -> Result<Vec<(String, String, String)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT point, json_extract(details, '$.day'), json_extract(details, '$.document_sha256')
         FROM audit_log WHERE action = 'close.sign' ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}
