//! Stored responses of creates, keyed by (principal, Idempotency-Key, route); the
//! response is sealed at rest ([`super::seal`]): a create's answer is the whole
//! application.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

pub struct Stored {
    pub body_hash: String,
    pub status: u16,
    pub response: String,
}

pub fn get(
    conn: &Connection,
    principal: &str,
    key: &str,
    route: &str,
) -> Result<Option<Stored>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT body_hash, status,
                    unseal('idempotency:' || principal || ':' || key || ':' || route, response)
             FROM idempotency WHERE principal = ?1 AND key = ?2 AND route = ?3",
            params![principal, key, route],
            |r| {
                Ok(Stored {
                    body_hash: r.get(0)?,
                    status: r.get(1)?,
                    response: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub fn put(
    conn: &Connection,
    principal: &str,
    key: &str,
    route: &str,
    stored: &Stored,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO idempotency (principal, key, route, body_hash, status, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5,
                 seal('idempotency:' || ?1 || ':' || ?2 || ':' || ?3, ?6), ?7)",
        params![
            principal,
            key,
            route,
            stored.body_hash,
            stored.status,
            stored.response,
            now
        ],
    )?;
    Ok(())
}
