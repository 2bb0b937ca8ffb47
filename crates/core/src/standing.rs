//! The CA's word on each certificate in My certificates: still valid, or revoked (a
//! reissue (补办) revokes the lost token's certificate, a change the old one). Asked when
//! the page opens and remembered beside the last-seen cache, so a revoked certificate is
//! shown as revoked also offline, and no expiry reminder is given for it.
//!
//! Public data only: the serial, the status, the date and reason of a revocation.

use certdesk_ca_api::download::{CertificateStatus, RevocationReason};
use certdesk_ca_api::problem::ProblemCode;
use certdesk_ca_client::{CaClient, ClientError};
use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

use crate::certificates::{CertificateCache, MyCertificate};
use crate::db::StoreError;

/// The schema step appended to `db::migrations`.
pub const MIGRATION: &str = r#"
-- The CA's last answer about each listed certificate (public data only).
CREATE TABLE certificate_standing (
    serial     TEXT PRIMARY KEY,
    status     TEXT NOT NULL,   -- valid | revoked
    revoked_at TEXT,
    reason     TEXT,            -- RevocationReason, snake_case
    checked_at TEXT NOT NULL
);
"#;

/// What the CA last said about a certificate, and when it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    Valid {
        checked_at: String,
    },
    Revoked {
        revoked_at: String,
        reason: Option<RevocationReason>,
        checked_at: String,
    },
}

impl Standing {
    pub fn is_revoked(&self) -> bool {
        matches!(self, Standing::Revoked { .. })
    }
}

/// Why the CA could not be asked; what was remembered stays shown.
#[derive(Debug, thiserror::Error)]
pub enum StandingError {
    #[error("CA: {0}")]
    Ca(#[from] ClientError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn reason_name(r: RevocationReason) -> Option<String> {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn reason_from(name: &str) -> Option<RevocationReason> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

impl CertificateCache {
    /// The remembered standing of `serial`, if the CA was ever asked.
    pub fn standing(&self, serial: &str) -> Result<Option<Standing>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT status, revoked_at, reason, checked_at FROM certificate_standing
                 WHERE serial = ?1",
                params![serial],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?;
        Ok(row.map(|(status, revoked_at, reason, checked_at)| {
            if status == "revoked" {
                Standing::Revoked {
                    revoked_at: revoked_at.unwrap_or_default(),
                    reason: reason.as_deref().and_then(reason_from),
                    checked_at,
                }
            } else {
                Standing::Valid { checked_at }
            }
        }))
    }

    pub fn record_standing(&self, serial: &str, s: &Standing) -> Result<(), StoreError> {
        let (status, revoked_at, reason, checked_at) = match s {
            Standing::Valid { checked_at } => ("valid", None, None, checked_at),
            Standing::Revoked {
                revoked_at,
                reason,
                checked_at,
            } => (
                "revoked",
                Some(revoked_at.as_str()),
                reason.and_then(reason_name),
                checked_at,
            ),
        };
        self.conn().execute(
            "INSERT OR REPLACE INTO certificate_standing (serial, status, revoked_at, reason, checked_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![serial, status, revoked_at, reason, checked_at],
        )?;
        Ok(())
    }

    /// Attaches the remembered standing to each certificate.
    pub fn attach_standing(&self, certs: &mut [MyCertificate]) -> Result<(), StoreError> {
        for c in certs {
            c.standing = self.standing(&c.serial)?;
        }
        Ok(())
    }
}

/// Asks the CA about each certificate in `certs` (each serial once), records the answers
/// and attaches them. A certificate this CA does not know (another CA's, on a shared
/// token) keeps what it carries (as listed from the cache: nothing new). The first
/// network failure ends the round: the CA is not reachable, and what was remembered
/// stays.
pub async fn refresh(
    client: &CaClient,
    cache: &CertificateCache,
    certs: &mut [MyCertificate],
    now: &str,
) -> Result<(), StandingError> {
    let mut serials: Vec<String> = certs.iter().map(|c| c.serial.clone()).collect();
    serials.sort();
    serials.dedup();
    for serial in serials {
        let record = match client.certificate(&serial).await {
            Ok(r) => r,
            Err(e) if e.code() == Some(ProblemCode::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let standing = match record.status {
            CertificateStatus::Valid => Standing::Valid {
                checked_at: now.to_owned(),
            },
            CertificateStatus::Revoked => Standing::Revoked {
                revoked_at: record.revoked_at.unwrap_or_default(),
                reason: record.reason,
                checked_at: now.to_owned(),
            },
        };
        cache.record_standing(&serial, &standing)?;
        for c in certs.iter_mut().filter(|c| c.serial == serial) {
            c.standing = Some(standing.clone());
        }
    }
    Ok(())
}

/// Removes a certificate of a token that is not inserted from the last-seen list (the
/// token was lost, or handed back); an inserted token's certificates are what it holds.
pub fn forget(
    cache: &CertificateCache,
    token: &certdesk_token::TokenRef,
    serial: &str,
) -> Result<bool, StoreError> {
    let n = cache.conn().execute(
        "DELETE FROM seen_certificates
         WHERE token_module = ?1 AND token_serial = ?2 AND serial = ?3",
        params![token.module.to_string_lossy(), token.serial, serial],
    )?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn standing_round_trips_through_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CertificateCache::open(&dir.path().join("c.sqlite")).unwrap();
        assert_eq!(cache.standing("aa").unwrap(), None);
        let revoked = Standing::Revoked {
            revoked_at: "2026-11-21T10:00:00Z".into(),
            reason: Some(RevocationReason::KeyCompromise),
            checked_at: "2026-11-21T11:00:00Z".into(),
        };
        cache.record_standing("aa", &revoked).unwrap();
        assert_eq!(cache.standing("aa").unwrap(), Some(revoked));
        let valid = Standing::Valid {
            checked_at: "t".into(),
        };
        cache.record_standing("aa", &valid).unwrap();
        assert_eq!(cache.standing("aa").unwrap(), Some(valid));
    }
}
