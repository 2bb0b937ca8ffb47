//! Captchas, one-time codes (with resend limits and lock-out) and sessions.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

pub fn put_captcha(
    conn: &Connection,
    id: &str,
    answer: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO captchas (id, answer, expires_at) VALUES (?1, ?2, ?3)",
        params![id, answer, expires_at],
    )?;
    Ok(())
}

/// Single use: the captcha is deleted whatever the answer.
pub fn take_captcha(conn: &Connection, id: &str, now: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT answer, expires_at FROM captchas WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    conn.execute(
        "DELETE FROM captchas WHERE id = ?1 OR expires_at < ?2",
        params![id, now],
    )?;
    Ok(row.and_then(|(a, exp)| (exp >= now).then_some(a)))
}

pub fn peek_captcha(conn: &Connection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT answer FROM captchas WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

#[derive(Debug, Default, Clone)]
pub struct OtpRow {
    pub code_hash: Option<String>,
    pub expires_at: i64,
    pub sent_at: i64,
    pub sends_in_window: i64,
    pub window_start: i64,
    pub failures: i64,
    pub locked_until: i64,
}

pub fn get_otp(conn: &Connection, subject: &str) -> Result<OtpRow, StoreError> {
    Ok(conn
        .query_row(
            "SELECT code_hash, expires_at, sent_at, sends_in_window, window_start, failures, locked_until
             FROM otps WHERE subject = ?1",
            [subject],
            |r| {
                Ok(OtpRow {
                    code_hash: r.get(0)?,
                    expires_at: r.get(1)?,
                    sent_at: r.get(2)?,
                    sends_in_window: r.get(3)?,
                    window_start: r.get(4)?,
                    failures: r.get(5)?,
                    locked_until: r.get(6)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn put_otp(conn: &Connection, subject: &str, row: &OtpRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO otps (subject, code_hash, expires_at, sent_at, sends_in_window, window_start, failures, locked_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(subject) DO UPDATE SET code_hash = ?2, expires_at = ?3, sent_at = ?4,
           sends_in_window = ?5, window_start = ?6, failures = ?7, locked_until = ?8",
        params![
            subject,
            row.code_hash,
            row.expires_at,
            row.sent_at,
            row.sends_in_window,
            row.window_start,
            row.failures,
            row.locked_until
        ],
    )?;
    Ok(())
}

pub fn put_session(
    conn: &Connection,
    token_hash: &str,
    phone: &str,
    expires_at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sessions (token_hash, phone, expires_at) VALUES (?1, ?2, ?3)",
        params![token_hash, phone, expires_at],
    )?;
    Ok(())
}

pub fn session_phone(
    conn: &Connection,
    token_hash: &str,
    now: i64,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT phone FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
            params![token_hash, now],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn delete_session(conn: &Connection, token_hash: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}
