//! Face checks, online authorisations, payments, password cards and the sandbox registry.

use certdesk_ca_api::application::{FaceCheckStatus, FaceMethod, Person};
use certdesk_ca_api::payment::{PaymentProvider, PaymentStatus};
use certdesk_ca_api::sandbox::RegistryCompany;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StoreError;

fn enc<T: Serialize>(v: T) -> Result<String, StoreError> {
    Ok(serde_json::to_value(v)?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

fn dec<T: DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_value(serde_json::Value::String(
        s.to_string(),
    ))?)
}

#[derive(Debug, Clone)]
pub struct FaceRow {
    pub id: String,
    pub application_id: String,
    pub person: Person,
    pub method: FaceMethod,
    pub status: FaceCheckStatus,
}

pub fn put_face(conn: &Connection, f: &FaceRow, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO face_checks (id, application_id, person, method, status, created_at) VALUES (?1,?2,?3,?4,?5,?6)
         ON CONFLICT(id) DO UPDATE SET status = ?5",
        params![f.id, f.application_id, enc(f.person)?, enc(f.method)?, enc(f.status)?, now],
    )?;
    Ok(())
}

fn face_from(r: (String, String, String, String, String)) -> Result<FaceRow, StoreError> {
    Ok(FaceRow {
        id: r.0,
        application_id: r.1,
        person: dec(&r.2)?,
        method: dec(&r.3)?,
        status: dec(&r.4)?,
    })
}

pub fn get_face(conn: &Connection, id: &str) -> Result<Option<FaceRow>, StoreError> {
    let row = conn
        .query_row(
            "SELECT id, application_id, person, method, status FROM face_checks WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    row.map(face_from).transpose()
}

pub fn pending_faces(conn: &Connection) -> Result<Vec<FaceRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, application_id, person, method, status FROM face_checks WHERE status = 'pending' ORDER BY created_at DESC LIMIT 100",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    rows.map(|r| face_from(r?)).collect()
}

pub fn put_authorisation(
    conn: &Connection,
    id: &str,
    application_id: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO authorisations (id, application_id) VALUES (?1, ?2)",
        params![id, application_id],
    )?;
    Ok(())
}

/// (application id, already signed).
pub fn get_authorisation(
    conn: &Connection,
    id: &str,
) -> Result<Option<(String, bool)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT application_id, signed_at IS NOT NULL FROM authorisations WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn sign_authorisation(conn: &Connection, id: &str, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE authorisations SET signed_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: String,
    pub application_id: String,
    pub provider: PaymentProvider,
    pub amount_fen: u64,
    pub status: PaymentStatus,
    pub code_url: String,
    pub expires_at: i64,
    pub paid_at: Option<i64>,
}

pub fn put_payment(conn: &Connection, p: &PaymentRow) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO payments (id, application_id, provider, amount_fen, status, code_url, expires_at, paid_at)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8)
         ON CONFLICT(id) DO UPDATE SET status = ?5, expires_at = ?7, paid_at = ?8",
        params![
            p.id,
            p.application_id,
            enc(p.provider)?,
            p.amount_fen as i64,
            enc(p.status)?,
            p.code_url,
            p.expires_at,
            p.paid_at
        ],
    )?;
    Ok(())
}

type PayTuple = (
    String,
    String,
    String,
    i64,
    String,
    String,
    i64,
    Option<i64>,
);

/// The columns of [`PAY_COLS`], in order.
fn pay_tuple(r: &rusqlite::Row<'_>) -> rusqlite::Result<PayTuple> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn pay_from(r: PayTuple) -> Result<PaymentRow, StoreError> {
    Ok(PaymentRow {
        id: r.0,
        application_id: r.1,
        provider: dec(&r.2)?,
        amount_fen: r.3.max(0) as u64,
        status: dec(&r.4)?,
        code_url: r.5,
        expires_at: r.6,
        paid_at: r.7,
    })
}

const PAY_COLS: &str =
    "id, application_id, provider, amount_fen, status, code_url, expires_at, paid_at";

pub fn get_payment(conn: &Connection, id: &str) -> Result<Option<PaymentRow>, StoreError> {
    let row = conn
        .query_row(
            &format!("SELECT {PAY_COLS} FROM payments WHERE id = ?1"),
            [id],
            pay_tuple,
        )
        .optional()?;
    row.map(pay_from).transpose()
}

/// Ends the application's other pending provider payments at `now` (the provider's
/// "close order"): once the fee is paid one way, no other code can be paid as well.
/// Returns how many were closed.
pub fn close_other_payments(
    conn: &Connection,
    application_id: &str,
    paid_id: &str,
    now: i64,
) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "UPDATE payments SET status = 'expired', expires_at = MIN(expires_at, ?3)
         WHERE application_id = ?1 AND id <> ?2 AND status = 'pending'",
        params![application_id, paid_id, now],
    )?)
}

pub fn pending_payments(conn: &Connection) -> Result<Vec<PaymentRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAY_COLS} FROM payments WHERE status = 'pending' ORDER BY expires_at DESC LIMIT 100"
    ))?;
    let rows = stmt.query_map([], pay_tuple)?;
    rows.map(|r| pay_from(r?)).collect()
}

pub fn put_password_card(
    conn: &Connection,
    serial: &str,
    application_id: &str,
    hash: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO password_cards (serial, application_id, password_hash) VALUES (?1, ?2, ?3)",
        params![serial, application_id, hash],
    )?;
    Ok(())
}

pub fn registry_get(conn: &Connection, uscc: &str) -> Result<Option<RegistryCompany>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT uscc, name, legal_rep_name, unseal('registry:' || uscc, legal_rep_id_number), status
             FROM registry WHERE uscc = ?1",
            [uscc],
            |r| {
                Ok(RegistryCompany {
                    uscc: r.get(0)?,
                    name: r.get(1)?,
                    legal_rep_name: r.get(2)?,
                    legal_rep_id_number: r.get(3)?,
                    status: r.get(4)?,
                })
            },
        )
        .optional()?)
}

pub fn registry_put(conn: &Connection, c: &RegistryCompany) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO registry (uscc, name, legal_rep_name, legal_rep_id_number, status)
         VALUES (?1, ?2, ?3, seal('registry:' || ?1, ?4), ?5)
         ON CONFLICT(uscc) DO UPDATE SET name = ?2, legal_rep_name = ?3,
             legal_rep_id_number = seal('registry:' || ?1, ?4), status = ?5",
        params![
            c.uscc,
            c.name,
            c.legal_rep_name,
            c.legal_rep_id_number,
            c.status
        ],
    )?;
    Ok(())
}

pub fn registry_list(conn: &Connection) -> Result<Vec<RegistryCompany>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT uscc, name, legal_rep_name, unseal('registry:' || uscc, legal_rep_id_number), status
         FROM registry ORDER BY rowid LIMIT 200",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RegistryCompany {
            uscc: r.get(0)?,
            name: r.get(1)?,
            legal_rep_name: r.get(2)?,
            legal_rep_id_number: r.get(3)?,
            status: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
