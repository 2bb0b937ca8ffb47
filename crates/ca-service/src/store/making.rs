//! The token made at the counter for a case (issue 13 item 6) and its hand-over.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub token_serial: String,
    pub certificate_serial: String,
    pub made_by: String,
    pub made_at: i64,
    pub handed_over_at: Option<i64>,
    /// The model the token reported when it was recorded.
    pub token_model: Option<String>,
}

pub fn get(conn: &Connection, case_id: &str) -> Result<Option<TokenRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT token_serial, certificate_serial, made_by, made_at, handed_over_at,
                    token_model
             FROM case_tokens WHERE case_id = ?1",
            [case_id],
            |r| {
                Ok(TokenRow {
                    token_serial: r.get(0)?,
                    certificate_serial: r.get(1)?,
                    made_by: r.get(2)?,
                    made_at: r.get(3)?,
                    handed_over_at: r.get(4)?,
                    token_model: r.get(5)?,
                })
            },
        )
        .optional()?)
}

pub fn insert(conn: &Connection, case_id: &str, t: &TokenRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO case_tokens (case_id, token_serial, certificate_serial, made_by, made_at,
                                  token_model)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            case_id,
            t.token_serial,
            t.certificate_serial,
            t.made_by,
            t.made_at,
            t.token_model
        ],
    )?;
    Ok(())
}

pub fn handed_over(conn: &Connection, case_id: &str, at: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE case_tokens SET handed_over_at = ?2 WHERE case_id = ?1",
        params![case_id, at],
    )?;
    Ok(())
}
