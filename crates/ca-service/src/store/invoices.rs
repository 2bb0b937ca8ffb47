//! E-invoices (the PDF is rendered on demand from these facts).

use certdesk_ca_api::payment::Invoice;
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use crate::clock::rfc3339;

const COLS: &str = "id, number, application_id, title, tax_number, amount_fen, email, issued_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Invoice> {
    Ok(Invoice {
        id: r.get(0)?,
        number: r.get(1)?,
        application_id: r.get(2)?,
        title: r.get(3)?,
        tax_number: r.get(4)?,
        amount_fen: r.get::<_, i64>(5)?.max(0) as u64,
        email: r.get(6)?,
        issued_at: rfc3339(r.get(7)?),
    })
}

pub fn insert(
    conn: &Connection,
    inv: &Invoice,
    payment_id: &str,
    issued_at: i64,
) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO invoices ({COLS}, payment_id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        params![
            inv.id,
            inv.number,
            inv.application_id,
            inv.title,
            inv.tax_number,
            inv.amount_fen as i64,
            inv.email,
            issued_at,
            payment_id
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Invoice>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM invoices WHERE id = ?1"),
            [id],
            row,
        )
        .optional()?)
}

pub fn for_application(conn: &Connection, app_id: &str) -> Result<Vec<Invoice>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM invoices WHERE application_id = ?1 ORDER BY issued_at"
    ))?;
    let rows = stmt.query_map([app_id], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
