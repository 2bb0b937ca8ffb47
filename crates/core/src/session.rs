//! Sign-in state. The CA's bearer token lives only in the OS keychain; the local
//! database keeps just where the applicant was, so an expired session can return
//! there after signing in again.

use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::db::StoreError;
use crate::drafts::DraftId;
use crate::keychain::{Keychain, KeychainError};
use crate::workflow::Step;

/// Keychain entry holding the session (token and expiry, JSON).
pub const SESSION_ENTRY: &str = "ca-session";

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl From<rusqlite::Error> for SessionError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.into())
    }
}

/// Where the applicant was: the page to reopen after signing in again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_id: Option<DraftId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionState {
    SignedOut,
    SignedIn {
        expires_at: String,
    },
    /// The CA no longer accepts the token; sign in again to return to `resume`.
    Expired {
        resume: Option<ResumePoint>,
    },
}

#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    expires_at: String,
}

pub struct SessionStore {
    keychain: Keychain,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore")
            .field("keychain", &self.keychain)
            .finish_non_exhaustive()
    }
}

fn expired(expires_at: &str) -> bool {
    // An expiry we cannot read is treated as passed: ask the CA again, never guess.
    OffsetDateTime::parse(expires_at, &Rfc3339).map_or(true, |t| t <= OffsetDateTime::now_utc())
}

impl SessionStore {
    pub(crate) fn on(conn: Connection, keychain: Keychain) -> Self {
        Self {
            keychain,
            conn: Mutex::new(conn),
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: Option<&[u8]>) -> Result<(), SessionError> {
        let conn = self.conn();
        match value {
            Some(v) => conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, v],
            )?,
            None => conn.execute("DELETE FROM meta WHERE key = ?1", params![key])?,
        };
        Ok(())
    }

    fn stored(&self) -> Result<Option<Stored>, SessionError> {
        let Some(json) = self.keychain.get(SESSION_ENTRY)? else {
            return Ok(None);
        };
        let json = Zeroizing::new(json.expose_secret().to_string());
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| KeychainError::Damaged(SESSION_ENTRY).into())
    }

    pub fn state(&self) -> Result<SessionState, SessionError> {
        if let Some(s) = self.stored()? {
            if !expired(&s.expires_at) {
                return Ok(SessionState::SignedIn {
                    expires_at: s.expires_at,
                });
            }
            self.expire()?;
        }
        if self.meta("session_expired")?.is_some() {
            return Ok(SessionState::Expired {
                resume: self.resume_point()?,
            });
        }
        Ok(SessionState::SignedOut)
    }

    /// The bearer token while the session is valid.
    pub fn token(&self) -> Result<Option<SecretString>, SessionError> {
        Ok(self
            .stored()?
            .filter(|s| !expired(&s.expires_at))
            .map(|s| SecretString::from(s.token)))
    }

    /// Keeps a new session; returns (and forgets) where the applicant was when the
    /// previous one expired.
    pub fn signed_in(
        &self,
        session: &certdesk_ca_api::auth::Session,
    ) -> Result<Option<ResumePoint>, SessionError> {
        let json = Zeroizing::new(
            serde_json::to_string(&Stored {
                token: session.token.clone(),
                expires_at: session.expires_at.clone(),
            })
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        );
        self.keychain
            .set(SESSION_ENTRY, &SecretString::from(json.as_str()))?;
        let resume = if self.meta("session_expired")?.is_some() {
            self.resume_point()?
        } else {
            None
        };
        self.set_meta("session_expired", None)?;
        Ok(resume)
    }

    /// Where the applicant is now (kept across restarts, for [`SessionState::Expired`]).
    pub fn remember(&self, at: &ResumePoint) -> Result<(), SessionError> {
        let json = serde_json::to_vec(at).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.set_meta("resume_point", Some(&json))
    }

    pub fn resume_point(&self) -> Result<Option<ResumePoint>, SessionError> {
        Ok(self
            .meta("resume_point")?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }

    /// The CA refused the token: drop it, and remember that the session expired (not
    /// that the applicant signed out), so the resume point is offered after sign-in.
    pub fn expire(&self) -> Result<Option<ResumePoint>, SessionError> {
        self.keychain.delete(SESSION_ENTRY)?;
        self.set_meta("session_expired", Some(b"1"))?;
        self.resume_point()
    }

    pub fn sign_out(&self) -> Result<(), SessionError> {
        self.keychain.delete(SESSION_ENTRY)?;
        self.set_meta("session_expired", None)?;
        self.set_meta("resume_point", None)
    }
}
