//! Payments taken at a point's counter.

use rusqlite::{Connection, Row, params};

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterPaymentRow {
    pub id: String,
    pub case_id: String,
    pub application_id: String,
    pub point_id: String,
    /// `pos`, `cash`, `wechat` or `alipay`.
    pub method: String,
    pub reference: Option<String>,
    pub amount_fen: u64,
    pub operator_id: String,
    /// QR methods: the provider payment.
    pub payment_id: Option<String>,
    pub created_at: i64,
}

const COLS: &str = "id, case_id, application_id, point_id, method, reference, amount_fen, \
                    operator_id, payment_id, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<CounterPaymentRow> {
    Ok(CounterPaymentRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        application_id: r.get(2)?,
        point_id: r.get(3)?,
        method: r.get(4)?,
        reference: r.get(5)?,
        amount_fen: r.get::<_, i64>(6)?.max(0) as u64,
        operator_id: r.get(7)?,
        payment_id: r.get(8)?,
        created_at: r.get(9)?,
    })
}

pub fn insert(conn: &Connection, p: &CounterPaymentRow) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO counter_payments ({COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"),
        params![
            p.id,
            p.case_id,
            p.application_id,
            p.point_id,
            p.method,
            p.reference,
            p.amount_fen as i64,
            p.operator_id,
            p.payment_id,
            p.created_at
        ],
    )?;
    Ok(())
}

/// A case's payments, oldest first.
pub fn of_case(conn: &Connection, case_id: &str) -> Result<Vec<CounterPaymentRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM counter_payments WHERE case_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt
        .query_map([case_id], row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
