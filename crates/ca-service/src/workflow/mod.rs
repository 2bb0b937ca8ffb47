//! Operations shared by several entry points (applicant API, staff API, sandbox page,
//! command line). Each runs inside the caller's transaction.

pub mod cases;
pub mod close;
pub mod correction;
pub mod counter_payment;
pub mod identity;
pub mod issuance;
pub mod making;
pub mod numbers;
pub mod operators;
pub mod otp;
pub mod payment;
pub mod receipt;
pub mod review;
pub mod stock;
pub mod supersede;

use certdesk_ca_api::sandbox::OutboxChannel;
use rusqlite::Connection;

use crate::domain::requirements;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::applications::{self, AppDoc};

/// An application of this applicant; someone else's is reported as absent (404), not 403.
pub fn load_owned(conn: &Connection, id: &str, owner: &str) -> ApiResult<AppDoc> {
    match applications::get(conn, id)? {
        Some(doc) if doc.owner == owner => Ok(doc),
        _ => Err(ApiError::not_found()),
    }
}

pub fn load_any(conn: &Connection, id: &str) -> ApiResult<AppDoc> {
    applications::get(conn, id)?.ok_or_else(ApiError::not_found)
}

/// Recomputes derived requirements and actions, then writes with a new version.
pub fn save(conn: &Connection, state: &AppState, doc: &mut AppDoc) -> ApiResult<()> {
    let channel = state.channel(&doc.app.channel_id)?;
    requirements::refresh(doc, channel);
    let now = state.now();
    doc.app.updated_at = crate::clock::rfc3339(now);
    applications::save(conn, doc, now)?;
    Ok(())
}

/// Saves the application, then tells the applicant `text` (both in this transaction).
pub fn save_and_tell(
    conn: &Connection,
    state: &AppState,
    doc: &mut AppDoc,
    text: &str,
) -> ApiResult<()> {
    save(conn, state, doc)?;
    tell_applicant(conn, state, doc, text)
}

/// The phone that receives the applicant's SMS: the handler's, or the legal rep's when
/// the legal rep handles the case.
pub fn contact_phone(doc: &AppDoc) -> String {
    doc.app
        .input
        .contact_phone()
        .map_or_else(|| doc.owner.clone(), str::to_owned)
}

/// Status changes go out by SMS and e-mail.
pub fn tell_applicant(
    conn: &Connection,
    state: &AppState,
    doc: &AppDoc,
    text: &str,
) -> ApiResult<()> {
    let subject = format!("【证书助手】订单 {} 状态更新", doc.app.number_or_id());
    state.notifier.send(
        conn,
        OutboxChannel::Sms,
        &contact_phone(doc),
        &subject,
        text,
    )?;
    let email = doc
        .app
        .input
        .handler
        .as_ref()
        .map(|h| h.email.clone())
        .or_else(|| doc.app.input.invoice.as_ref().map(|i| i.email.clone()));
    if let Some(email) = email {
        // The e-mail links into the desktop app (its `certdesk://` handler opens the order).
        let body = format!(
            "{text}\n\n在证书助手中打开此订单：certdesk://orders/{}",
            doc.app.id
        );
        state
            .notifier
            .send(conn, OutboxChannel::Email, &email, &subject, &body)?;
    }
    Ok(())
}
