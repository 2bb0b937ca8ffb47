//! The local database, opened once: the schema is brought up to date at the first use
//! of the [`Store`], then every part of the core that keeps data there (drafts,
//! session, review watch, download journal, certificate cache) gets its own connection
//! to the same file without migrating again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::certificates::CertificateCache;
use crate::db::{self, StoreError};
use crate::drafts::{DraftKey, DraftStore};
use crate::enrollment::Journal;
use crate::keychain::Keychain;
use crate::session::{SessionError, SessionStore};
use crate::workflow::watch::ReviewWatch;

/// A handle on the database file; cheap to clone. Nothing touches the disk until a
/// part is asked for, so a workflow refused for want of a keychain leaves no file, and
/// the app's first screen waits for no SQLite.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    /// Whether this process has brought the schema up to date.
    migrated: Mutex<bool>,
}

impl Store {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                path: path.into(),
                migrated: Mutex::new(false),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn connect(&self) -> Result<rusqlite::Connection, StoreError> {
        let mut migrated = self
            .inner
            .migrated
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if *migrated {
            return db::connect(&self.inner.path);
        }
        let conn = db::open(&self.inner.path)?;
        *migrated = true;
        Ok(conn)
    }

    pub fn journal(&self) -> Result<Journal, StoreError> {
        Ok(Journal::on(self.connect()?))
    }

    pub fn certificates(&self) -> Result<CertificateCache, StoreError> {
        Ok(CertificateCache::on(self.connect()?))
    }

    /// The drafts, sealed with `key`; refuses a key that did not write the existing data.
    pub fn drafts(&self, key: DraftKey) -> Result<DraftStore, StoreError> {
        DraftStore::on(self.connect()?, key)
    }

    pub fn session(&self, keychain: Keychain) -> Result<SessionStore, SessionError> {
        Ok(SessionStore::on(self.connect()?, keychain))
    }

    pub fn review_watch(&self) -> Result<ReviewWatch, StoreError> {
        Ok(ReviewWatch::on(self.connect()?))
    }
}
