//! `certdesk-ca close verify`: every stored close holds — its signature over its stored
//! document by its signer's operator certificate, its place in the point's chain of
//! closes, and its audit entry (so a close removed from the table is missed too).

use std::collections::BTreeMap;

use certdesk_ca_api::close::CloseDocument;
use rusqlite::Connection;

use super::sign::verify as verify_one;
use crate::store::StoreError;
use crate::store::closes as store;

#[derive(Debug, thiserror::Error)]
pub enum CloseVerifyError {
    /// Names the close (`point day`) and what is wrong with it.
    #[error("close {point} {day}: {why}")]
    Broken {
        point: String,
        day: String,
        why: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn broken(point: &str, day: &str, why: impl Into<String>) -> CloseVerifyError {
    CloseVerifyError::Broken {
        point: point.to_string(),
        day: day.to_string(),
        why: why.into(),
    }
}

/// The number of closes checked; the first close that does not hold otherwise.
pub fn verify_all(conn: &Connection) -> Result<usize, CloseVerifyError> {
    let rows = store::all(conn)?;
    // (point, day) → document hash, as the audit log recorded each signing.
    let mut audited: BTreeMap<(String, String), String> = store::signed_in_audit(conn)?
        .into_iter()
        .map(|(point, day, hash)| ((point, day), hash))
        .collect();
    let mut previous: BTreeMap<String, String> = BTreeMap::new();
    for row in &rows {
        let (point, day) = (row.point_id.as_str(), row.day.as_str());
        verify_one(conn, row).map_err(|why| broken(point, day, why))?;
        let doc: CloseDocument =
            serde_json::from_str(&row.document).map_err(|e| broken(point, day, e.to_string()))?;
        if doc.previous_close_sha256.as_ref() != previous.get(point) {
            return Err(broken(
                point,
                day,
                "the chain of closes is broken before it",
            ));
        }
        match audited.remove(&(point.to_string(), day.to_string())) {
            Some(h) if h == row.document_sha256 => {}
            _ => {
                return Err(broken(
                    point,
                    day,
                    "the audit log does not record this document",
                ));
            }
        }
        previous.insert(point.to_string(), row.document_sha256.clone());
    }
    if let Some(((point, day), _)) = audited.into_iter().next() {
        return Err(broken(&point, &day, "signed in the audit log but missing"));
    }
    Ok(rows.len())
}
