//! Issued certificates, password-card attempts, and download enrollments.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

#[derive(Debug, Clone)]
pub struct CertRow {
    pub serial: String,
    pub application_id: String,
    pub family: String,
    pub key_id: String,
    pub pem: String,
    pub status: String,
    pub revoked_at: Option<i64>,
    pub reason: Option<String>,
    pub not_after: i64,
}

const COLS: &str =
    "serial, application_id, family, key_id, pem, status, revoked_at, reason, not_after";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CertRow> {
    Ok(CertRow {
        serial: r.get(0)?,
        application_id: r.get(1)?,
        family: r.get(2)?,
        key_id: r.get(3)?,
        pem: r.get(4)?,
        status: r.get(5)?,
        revoked_at: r.get(6)?,
        reason: r.get(7)?,
        not_after: r.get(8)?,
    })
}

pub fn insert(conn: &Connection, c: &CertRow, now: i64) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO certificates ({COLS}, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
        ),
        params![
            c.serial,
            c.application_id,
            c.family,
            c.key_id,
            c.pem,
            c.status,
            c.revoked_at,
            c.reason,
            c.not_after,
            now
        ],
    )?;
    Ok(())
}

/// The application's current (unrevoked) certificate.
pub fn valid_for_application(
    conn: &Connection,
    app_id: &str,
) -> Result<Option<CertRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM certificates WHERE application_id = ?1 AND status = 'valid' AND kind = 'signing' ORDER BY created_at DESC LIMIT 1"),
            [app_id],
            row,
        )
        .optional()?)
}

pub fn get(conn: &Connection, serial: &str) -> Result<Option<CertRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM certificates WHERE serial = ?1"),
            [serial],
            row,
        )
        .optional()?)
}

pub fn revoke(conn: &Connection, serial: &str, reason: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE certificates SET status = 'revoked', revoked_at = ?2, reason = ?3 WHERE serial = ?1",
        params![serial, now, reason],
    )?;
    Ok(())
}

pub fn revoked(conn: &Connection, family: &str) -> Result<Vec<CertRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM certificates WHERE family = ?1 AND status = 'revoked' ORDER BY revoked_at"
    ))?;
    let rows = stmt.query_map([family], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct CardRow {
    pub application_id: String,
    pub password_hash: String,
    pub failures: i64,
    pub locked: bool,
    /// Set when a download authorised by this card was confirmed: the card is spent.
    pub used: bool,
}

pub fn card(conn: &Connection, serial: &str) -> Result<Option<CardRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT application_id, password_hash, failures, locked, used_at IS NOT NULL FROM password_cards WHERE serial = ?1",
            [serial],
            |r| {
                Ok(CardRow {
                    application_id: r.get(0)?,
                    password_hash: r.get(1)?,
                    failures: r.get(2)?,
                    locked: r.get::<_, i64>(3)? != 0,
                    used: r.get::<_, bool>(4)?,
                })
            },
        )
        .optional()?)
}

pub fn card_attempt(
    conn: &Connection,
    serial: &str,
    failures: i64,
    locked: bool,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE password_cards SET failures = ?2, locked = ?3 WHERE serial = ?1",
        params![serial, failures, i64::from(locked)],
    )?;
    Ok(())
}

pub fn card_used(conn: &Connection, serial: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE password_cards SET used_at = ?2 WHERE serial = ?1",
        params![serial, now],
    )?;
    Ok(())
}

pub fn put_enrollment(
    conn: &Connection,
    token_hash: &str,
    app_id: &str,
    card: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO enrollments (token_hash, application_id, card_serial, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, app_id, card, expires_at],
    )?;
    Ok(())
}

/// (application id, card serial) of a live enrollment.
pub fn enrollment(
    conn: &Connection,
    token_hash: &str,
    now: i64,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT application_id, card_serial FROM enrollments WHERE token_hash = ?1 AND expires_at > ?2",
            params![token_hash, now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Ends every enrollment of the application (after confirmation).
pub fn end_enrollments(conn: &Connection, app_id: &str) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM enrollments WHERE application_id = ?1",
        [app_id],
    )?;
    Ok(())
}

/// The encryption certificate issued with a signing certificate, and its envelope.
pub struct EscrowRow {
    pub cert: CertRow,
    pub escrowed_key: Vec<u8>,
    pub wrapped_aes_key: Vec<u8>,
    pub wrapped_private_key: Vec<u8>,
}

pub fn insert_encryption(
    conn: &Connection,
    signing_serial: &str,
    e: &EscrowRow,
    now: i64,
) -> Result<(), StoreError> {
    insert(conn, &e.cert, now)?;
    conn.execute(
        "UPDATE certificates SET kind = 'encryption' WHERE serial = ?1",
        [&e.cert.serial],
    )?;
    conn.execute(
        "INSERT INTO key_escrow (serial, signing_serial, escrowed_key, wrapped_aes_key, wrapped_private_key) VALUES (?1,?2,?3,?4,?5)",
        params![e.cert.serial, signing_serial, e.escrowed_key, e.wrapped_aes_key, e.wrapped_private_key],
    )?;
    Ok(())
}

pub fn encryption_for(
    conn: &Connection,
    signing_serial: &str,
) -> Result<Option<EscrowRow>, StoreError> {
    let row = conn
        .query_row(
            "SELECT serial, escrowed_key, wrapped_aes_key, wrapped_private_key FROM key_escrow WHERE signing_serial = ?1",
            [signing_serial],
            |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((serial, escrowed_key, wrapped_aes_key, wrapped_private_key)) = row else {
        return Ok(None);
    };
    let Some(cert) = get(conn, &serial)? else {
        return Ok(None);
    };
    Ok(Some(EscrowRow {
        cert,
        escrowed_key,
        wrapped_aes_key,
        wrapped_private_key,
    }))
}

pub fn put_challenge(
    conn: &Connection,
    id: &str,
    serial: &str,
    challenge: &[u8],
    expires_at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO renewal_challenges (id, serial, challenge, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![id, serial, challenge, expires_at],
    )?;
    Ok(())
}

/// Deletes the expired challenges of `serial` (a certificate serial or a marker such as
/// the operator sign-in's) and counts the live ones left.
pub fn purge_and_count_challenges(
    conn: &Connection,
    serial: &str,
    now: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "DELETE FROM renewal_challenges WHERE serial = ?1 AND expires_at <= ?2",
        params![serial, now],
    )?;
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM renewal_challenges WHERE serial = ?1",
        [serial],
        |r| r.get(0),
    )?)
}

/// Single use: (serial, challenge) of a live challenge, deleted on read.
pub fn take_challenge(
    conn: &Connection,
    id: &str,
    now: i64,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    let row: Option<(String, Vec<u8>, i64)> = conn
        .query_row(
            "SELECT serial, challenge, expires_at FROM renewal_challenges WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    conn.execute(
        "DELETE FROM renewal_challenges WHERE id = ?1 OR expires_at < ?2",
        params![id, now],
    )?;
    Ok(row.and_then(|(s, c, exp)| (exp >= now).then_some((s, c))))
}
