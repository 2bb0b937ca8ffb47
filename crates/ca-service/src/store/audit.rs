//! The audit log's rows (see `crate::audit`): append inside the caller's transaction,
//! list with filters, and read everything back for verification.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::audit::{Entry, NewEntry, next_entry};

/// AEAD context of an entry's sealed hash, and of the head.
pub fn tag_context(seq: i64) -> String {
    format!("audit:{seq}")
}
pub const HEAD_CONTEXT: &str = "audit-head";

const COLS: &str = "seq, at, actor, actor_serial, point, action, application_id, \
    certificate_serial, token_serial, details, prev_hash, hash";

fn entry(r: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        actor_serial: r.get(3)?,
        point: r.get(4)?,
        action: r.get(5)?,
        application_id: r.get(6)?,
        certificate_serial: r.get(7)?,
        token_serial: r.get(8)?,
        details: r.get(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

/// Appends `new` after the newest entry and moves the sealed head to it; in the
/// caller's transaction, so the action and its entry commit together or not at all.
pub fn append(conn: &Connection, now: i64, new: &NewEntry) -> Result<Entry, StoreError> {
    let prev: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let e = next_entry(new, prev.as_ref().map(|(s, h)| (*s, h.as_str())), now);
    conn.execute(
        &format!(
            "INSERT INTO audit_log ({COLS}, tag)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, seal(?13, ?12))"
        ),
        params![
            e.seq,
            e.at,
            e.actor,
            e.actor_serial,
            e.point,
            e.action,
            e.application_id,
            e.certificate_serial,
            e.token_serial,
            e.details,
            e.prev_hash,
            e.hash,
            tag_context(e.seq),
        ],
    )?;
    conn.execute(
        "INSERT INTO audit_head (id, sealed) VALUES (1, seal(?1, ?2))
         ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed",
        params![HEAD_CONTEXT, format!("{}:{}", e.seq, e.hash)],
    )?;
    Ok(e)
}

/// What a supervisor filters by; every field narrows.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub application_id: Option<String>,
    pub point: Option<String>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive.
    pub to: Option<i64>,
    /// Only entries with a smaller sequence (paging, newest first).
    pub before: Option<i64>,
}

/// Newest first; the next page's cursor when there is one.
pub fn list(
    conn: &Connection,
    f: &Filter,
    limit: u32,
) -> Result<(Vec<Entry>, Option<i64>), StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM audit_log
         WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2)
           AND (?3 IS NULL OR application_id = ?3) AND (?4 IS NULL OR point = ?4)
           AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6)
           AND (?7 IS NULL OR seq < ?7)
         ORDER BY seq DESC LIMIT ?8"
    ))?;
    let mut rows = stmt
        .query_map(
            params![
                f.actor,
                f.action,
                f.application_id,
                f.point,
                f.from,
                f.to,
                f.before,
                i64::from(limit) + 1
            ],
            entry,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|e| e.seq)
    } else {
        None
    };
    Ok((rows, next))
}

/// Every entry in sequence order with its sealed hash, for verification.
pub fn all_with_tags(conn: &Connection) -> Result<Vec<(Entry, Vec<u8>)>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLS}, tag FROM audit_log ORDER BY seq"))?;
    let rows = stmt
        .query_map([], |r| Ok((entry(r)?, r.get::<_, Vec<u8>>(12)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The sealed head, if any entry was ever written.
pub fn head(conn: &Connection) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row("SELECT sealed FROM audit_head WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}
