//! Applications are stored as one JSON document per row, sealed at rest
//! ([`super::seal`]: `doc` is only ever written through `seal` and read through
//! `unseal`), plus the indexed columns the queries need in clear.

use certdesk_ca_api::application::{Application, ApplicationStatus, RequirementKind};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The stored application: the wire view plus facts the applicant never sees.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppDoc {
    pub app: Application,
    pub owner: String,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub authorisation_signed: bool,
    #[serde(default)]
    pub password_card_serial: Option<String>,
    /// Fields corrected at a counter, with the applicant's own value before: sealed with
    /// the document (they may be identity numbers), shown to the case's operators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_originals: Vec<CounterOriginal>,
}

/// The value a field had before a counter case first corrected it.
#[derive(Clone, Serialize, Deserialize)]
pub struct CounterOriginal {
    pub case_id: String,
    pub field: String,
    pub value: String,
}

impl std::fmt::Debug for CounterOriginal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterOriginal")
            .field("case_id", &self.case_id)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

impl AppDoc {
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

fn status_str(s: ApplicationStatus) -> Result<String, StoreError> {
    Ok(serde_json::to_value(s)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// `unseal(...)` of the `doc` column, for SELECTs.
const DOC: &str = "unseal('application:' || id, doc)";

fn business_str(doc: &AppDoc) -> Result<String, StoreError> {
    Ok(serde_json::to_value(doc.app.business)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

fn identity_key(doc: &AppDoc) -> Option<String> {
    doc.app.input.enterprise.as_ref().map(|e| e.uscc.clone())
}

/// The application holds its organisation: enterprise verification passed (or the
/// channel needs none).
pub fn identity_bound(doc: &AppDoc) -> bool {
    doc.app
        .requirements
        .iter()
        .any(|r| r.kind == RequirementKind::EnterpriseVerification && r.status.is_satisfied())
}

/// The next order number of the day (China time, UTC+8): `YYYYMMDD` and a sequence of at
/// least four digits. Called inside the create's IMMEDIATE transaction, so two creates
/// never count the same rows.
pub fn next_number(conn: &Connection, now: i64) -> Result<String, StoreError> {
    const CHINA: i64 = 8 * 3600;
    let day_start = (now + CHINA).div_euclid(86_400) * 86_400 - CHINA;
    let today: i64 = conn.query_row(
        "SELECT COUNT(*) FROM applications WHERE created_at >= ?1",
        params![day_start],
        |r| r.get(0),
    )?;
    // The service clock is always within time's range; the epoch is only a fallback.
    let date = time::OffsetDateTime::from_unix_timestamp(now + CHINA)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    Ok(format!(
        "{:04}{:02}{:02}{:04}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        today + 1
    ))
}

pub fn insert(conn: &Connection, doc: &mut AppDoc, now: i64) -> Result<(), StoreError> {
    doc.version = 1;
    doc.app.etag = doc.etag();
    conn.execute(
        "INSERT INTO applications (id, owner, identity_key, identity_bound, status, version, doc,
         created_at, updated_at, business, renews_serial, number)
         VALUES (?1, ?2, ?3, ?8, ?4, ?5, seal('application:' || ?1, ?6), ?7, ?7, ?9, ?10,
         NULLIF(?11, ''))",
        params![
            doc.app.id,
            doc.owner,
            identity_key(doc),
            status_str(doc.app.status)?,
            doc.version,
            serde_json::to_string(doc)?,
            now,
            identity_bound(doc),
            business_str(doc)?,
            doc.app.certificate_serial,
            doc.app.number,
        ],
    )?;
    Ok(())
}

/// Writes a changed document, bumping its version (the ETag).
pub fn save(conn: &Connection, doc: &mut AppDoc, now: i64) -> Result<(), StoreError> {
    doc.version += 1;
    doc.app.etag = doc.etag();
    conn.execute(
        "UPDATE applications SET identity_key = ?2, status = ?3, version = ?4,
         doc = seal('application:' || ?1, ?5), updated_at = ?6, identity_bound = ?7 WHERE id = ?1",
        params![
            doc.app.id,
            identity_key(doc),
            status_str(doc.app.status)?,
            doc.version,
            serde_json::to_string(doc)?,
            now,
            identity_bound(doc)
        ],
    )?;
    Ok(())
}

/// The application with the order number `number` (what the applicant quotes).
pub fn by_number(conn: &Connection, number: &str) -> Result<Option<AppDoc>, StoreError> {
    one(conn, "number", number)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<AppDoc>, StoreError> {
    one(conn, "id", id)
}

/// The application whose unique `column` is `value`.
fn one(conn: &Connection, column: &str, value: &str) -> Result<Option<AppDoc>, StoreError> {
    let doc: Option<String> = conn
        .query_row(
            &format!("SELECT {DOC} FROM applications WHERE {column} = ?1"),
            [value],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match doc {
        Some(d) => Some(serde_json::from_str(&d)?),
        None => None,
    })
}

/// An unfinished application for the same organisation that blocks one of `owner`'s:
/// any of the owner's own, or another account's that holds the organisation
/// ([`identity_bound`]). Returns (id, owner).
pub fn blocking_identity(
    conn: &Connection,
    key: &str,
    except_id: &str,
    owner: &str,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, owner FROM applications WHERE identity_key = ?1 AND id <> ?2
             AND status IN ('draft','awaiting_payment','in_review','rejected')
             AND (owner = ?3 OR identity_bound = 1)
             ORDER BY owner = ?3 DESC LIMIT 1",
            params![key, except_id, owner],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Unfinished applications for the organisation that do not hold it, except `except_id`:
/// superseded when another application's enterprise verification passes.
pub fn unbound_with_identity(
    conn: &Connection,
    key: &str,
    except_id: &str,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM applications WHERE identity_key = ?1 AND id <> ?2
         AND status IN ('draft','awaiting_payment','in_review','rejected')
         AND identity_bound = 0",
    )?;
    let rows = stmt.query_map(params![key, except_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The newest renewal application of the certificate `serial` (lowercase hex) whose
/// status is one of `statuses`: a renewal is resumed, never started twice.
pub fn renewal_of(
    conn: &Connection,
    serial: &str,
    statuses: &[ApplicationStatus],
) -> Result<Option<AppDoc>, StoreError> {
    let mut found = None;
    for status in statuses {
        let doc: Option<String> = conn
            .query_row(
                &format!(
                    "SELECT {DOC} FROM applications WHERE status = ?1
                     AND business = 'renewal' AND renews_serial = ?2
                     ORDER BY seq DESC LIMIT 1"
                ),
                params![status_str(*status)?, serial],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(d) = doc {
            found = Some(serde_json::from_str(&d)?);
            break;
        }
    }
    Ok(found)
}

/// One page, newest first. `statuses` filters; the cursor is the last row's `seq`.
pub fn list(
    conn: &Connection,
    owner: Option<&str>,
    statuses: &[&str],
    cursor: Option<i64>,
    limit: u32,
) -> Result<(Vec<AppDoc>, Option<i64>), StoreError> {
    let placeholders = statuses
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT seq, {DOC} FROM applications WHERE (?1 IS NULL OR owner = ?1) AND status IN ({placeholders})
         AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![owner, cursor.unwrap_or(i64::MAX), i64::from(limit) + 1],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )?;
    let mut out = Vec::new();
    let mut last_seq = None;
    let mut more = false;
    for row in rows {
        let (seq, doc) = row?;
        if out.len() == limit as usize {
            more = true;
            break;
        }
        out.push(serde_json::from_str(&doc)?);
        last_seq = Some(seq);
    }
    Ok((out, if more { last_seq } else { None }))
}
