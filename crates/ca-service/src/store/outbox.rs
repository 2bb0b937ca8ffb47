//! Outbox of SMS, e-mail and physical mail. Written in the same transaction as the
//! state change it reports, so a message exists exactly when its change committed.

use certdesk_ca_api::sandbox::{OutboxChannel, OutboxMessage};
use rusqlite::{Connection, params};

use super::StoreError;
use crate::clock::rfc3339;

fn channel_str(c: OutboxChannel) -> &'static str {
    match c {
        OutboxChannel::Sms => "sms",
        OutboxChannel::Email => "email",
        OutboxChannel::Mail => "mail",
    }
}

fn channel_from(s: &str) -> OutboxChannel {
    match s {
        "sms" => OutboxChannel::Sms,
        "email" => OutboxChannel::Email,
        _ => OutboxChannel::Mail,
    }
}

pub fn push(
    conn: &Connection,
    channel: OutboxChannel,
    to: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO outbox (channel, recipient, subject, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![channel_str(channel), to, subject, body, now],
    )?;
    Ok(())
}

/// Newest first, optionally for one recipient.
pub fn list(
    conn: &Connection,
    to: Option<&str>,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, channel, recipient, subject, body, created_at FROM outbox
         WHERE (?1 IS NULL OR recipient = ?1) ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![to, limit], |r| {
        Ok(OutboxMessage {
            id: r.get(0)?,
            channel: channel_from(&r.get::<_, String>(1)?),
            to: r.get(2)?,
            subject: r.get(3)?,
            body: r.get(4)?,
            created_at: rfc3339(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
