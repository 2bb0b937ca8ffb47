//! Acceptance points, operators and operator sessions.

use certdesk_ca_api::operator::Role;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;

/// The `serial` of a sign-in challenge in `renewal_challenges` (the table of
/// proof-of-possession challenges): no certificate serial looks like it, so neither kind
/// of challenge passes for the other.
pub const SIGN_IN_CHALLENGE: &str = "operator-sign-in";

/// Prefix of an operator session token's stored hash.
pub const SESSION_KIND: &str = "operator-session";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRow {
    pub id: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRow {
    pub id: String,
    pub name: String,
    pub point_id: String,
    pub roles: Vec<Role>,
    /// `active` or `revoked` (whether the certificate is downloaded is the certificates'
    /// business).
    pub status: String,
    pub application_id: String,
    pub created_at: i64,
}

impl OperatorRow {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Roles as stored: `clerk,reviewer`.
pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn point(r: &Row<'_>) -> rusqlite::Result<PointRow> {
    Ok(PointRow {
        id: r.get(0)?,
        name: r.get(1)?,
        province: r.get(2)?,
        city: r.get(3)?,
        created_at: r.get(4)?,
    })
}

const OP_COLS: &str = "id, name, point_id, roles, status, application_id, created_at";

fn operator(r: &Row<'_>) -> rusqlite::Result<OperatorRow> {
    let roles: String = r.get(3)?;
    Ok(OperatorRow {
        id: r.get(0)?,
        name: r.get(1)?,
        point_id: r.get(2)?,
        roles: roles.split(',').filter_map(Role::parse).collect(),
        status: r.get(4)?,
        application_id: r.get(5)?,
        created_at: r.get(6)?,
    })
}

/// False when a point with this id exists.
pub fn insert_point(conn: &Connection, p: &PointRow) -> Result<bool, StoreError> {
    let n = conn.execute(
        "INSERT INTO points (id, name, province, city, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO NOTHING",
        params![p.id, p.name, p.province, p.city, p.created_at],
    )?;
    Ok(n == 1)
}

pub fn get_point(conn: &Connection, id: &str) -> Result<Option<PointRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, name, province, city, created_at FROM points WHERE id = ?1",
            [id],
            point,
        )
        .optional()?)
}

pub fn points(conn: &Connection) -> Result<Vec<PointRow>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, name, province, city, created_at FROM points ORDER BY id")?;
    let rows = stmt.query_map([], point)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn insert_operator(conn: &Connection, o: &OperatorRow) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO operators ({OP_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            o.id,
            o.name,
            o.point_id,
            roles_text(&o.roles),
            o.status,
            o.application_id,
            o.created_at
        ],
    )?;
    Ok(())
}

pub fn get_operator(conn: &Connection, id: &str) -> Result<Option<OperatorRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {OP_COLS} FROM operators WHERE id = ?1"),
            [id],
            operator,
        )
        .optional()?)
}

/// The operator whose certificate application is `application_id`.
pub fn operator_of_application(
    conn: &Connection,
    application_id: &str,
) -> Result<Option<OperatorRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {OP_COLS} FROM operators WHERE application_id = ?1"),
            [application_id],
            operator,
        )
        .optional()?)
}

/// All operators, or one point's.
pub fn operators(conn: &Connection, point: Option<&str>) -> Result<Vec<OperatorRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {OP_COLS} FROM operators WHERE ?1 IS NULL OR point_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt
        .query_map([point], operator)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Marks the operator revoked and ends its sessions; false if it was not active.
pub fn revoke_operator(conn: &Connection, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE operators SET status = 'revoked', revoked_at = ?2 WHERE id = ?1 AND status = 'active'",
        params![id, now],
    )?;
    conn.execute("DELETE FROM operator_sessions WHERE operator_id = ?1", [id])?;
    Ok(n == 1)
}

pub fn put_session(
    conn: &Connection,
    token_hash: &str,
    operator_id: &str,
    certificate_serial: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO operator_sessions (token_hash, operator_id, certificate_serial, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, operator_id, certificate_serial, expires_at],
    )?;
    Ok(())
}

/// The live session's operator (active only) and the certificate it signed in with.
pub fn session(
    conn: &Connection,
    token_hash: &str,
    now: i64,
) -> Result<Option<(OperatorRow, String)>, StoreError> {
    let cols = OP_COLS
        .split(", ")
        .map(|c| format!("o.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(conn
        .query_row(
            &format!(
                "SELECT {cols}, s.certificate_serial FROM operator_sessions s
                 JOIN operators o ON o.id = s.operator_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND o.status = 'active'"
            ),
            params![token_hash, now],
            |r| Ok((operator(r)?, r.get(7)?)),
        )
        .optional()?)
}

pub fn delete_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM operator_sessions WHERE token_hash = ?1",
        [token_hash],
    )?;
    Ok(())
}
