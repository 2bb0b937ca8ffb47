//! The signed daily close (日结, issue 14 item 3). A day's figures and differences are
//! computed from the counter's tables until the point's supervisor signs them with
//! their operator token; the CA then keeps the signed document byte for byte and never
//! changes it (later corrections are new rows, audited).

pub mod figures;
pub mod report;
pub mod sign;
pub mod verify;

use certdesk_ca_api::FieldError;
use certdesk_ca_api::close::{CLOSE_PREFIX, CloseDocument};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::store::closes as store;

/// China time (UTC+8, no daylight saving): the counter's day.
const CHINA: i64 = 8 * 3600;

fn bad_day() -> ApiError {
    ApiError::fields(vec![FieldError::new(
        "day",
        "invalid",
        "日期应为 YYYY-MM-DD，且不晚于今天",
        "a day as YYYY-MM-DD, today or earlier",
    )])
}

/// The day `day` (YYYY-MM-DD, China time) as Unix seconds [from, to); refused when it
/// is after today (`now`'s day).
pub fn window(day: &str, now: i64) -> ApiResult<(i64, i64)> {
    let parts: Vec<&str> = day.split('-').collect();
    let date = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let month = m
                .parse::<u8>()
                .ok()
                .and_then(|m| time::Month::try_from(m).ok());
            match (y.parse::<i32>(), month, d.parse::<u8>()) {
                (Ok(y), Some(m), Ok(d)) => time::Date::from_calendar_date(y, m, d).ok(),
                _ => None,
            }
        }
        _ => None,
    }
    .ok_or_else(bad_day)?;
    let from = date.midnight().assume_utc().unix_timestamp() - CHINA;
    if from > now {
        return Err(bad_day());
    }
    Ok((from, from + 86_400))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The bytes a supervisor signs for `document` (its JSON after the prefix).
pub fn signed_bytes(document: &str) -> Vec<u8> {
    [CLOSE_PREFIX.as_bytes(), document.as_bytes()].concat()
}

/// The day's document as it stands, without explanations.
pub fn live(
    conn: &Connection,
    ca: &str,
    point: &str,
    day: &str,
    now: i64,
) -> ApiResult<CloseDocument> {
    let (figures, operators, differences) = figures::of_day(conn, point, window(day, now)?)?;
    let previous = store::previous(conn, point, day)?.map(|c| c.document_sha256);
    Ok(CloseDocument {
        ca: ca.to_string(),
        point_id: point.to_string(),
        day: day.to_string(),
        point: figures,
        operators,
        differences,
        previous_close_sha256: previous,
    })
}
