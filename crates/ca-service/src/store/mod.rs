//! SQLite persistence: one file in the data dir, WAL, versioned migrations, and a
//! transaction around every state change.

mod migrations;
pub mod seal;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored document is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("database lock poisoned")]
    Poisoned,
    #[error(
        "DIR/data-key does not open the sealed rows of this database (a key from another install?)"
    )]
    WrongDataKey,
}

/// Shared handle; SQLite calls are short, so one connection behind a mutex is enough.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (and migrates) the database; `key` opens its sealed columns ([`seal`]).
    pub fn open(path: &Path, key: &seal::DataKey) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        key.register(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a committed transaction survives kill -9 and power loss.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::run(&mut conn)?;
        // Refuse to serve with a key that opens nothing, rather than fail every request.
        let probe = conn
            .query_row(
                "SELECT unseal('application:' || id, doc) FROM applications LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional();
        if probe.is_err() {
            return Err(StoreError::WrongDataKey);
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    /// Runs `f` inside one IMMEDIATE transaction; commits only if it returns `Ok`.
    pub fn tx<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.immediate(false, f)
    }

    /// Like [`Db::tx`], but commits even when `f` fails: for counters of failed
    /// attempts that must persist while the request itself is refused.
    pub fn tx_commit_always<T, E>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        self.immediate(true, f)
    }

    fn immediate<T, E>(
        &self,
        commit_on_error: bool,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let out = f(&tx);
        // Dropping the transaction uncommitted rolls it back.
        if out.is_ok() || commit_on_error {
            tx.commit().map_err(StoreError::from)?;
        }
        out
    }

    /// Read-only access without a write lock on the file.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let conn = self.lock()?;
        f(&conn)
    }
}

pub mod applications;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod certs;
pub mod closes;
pub mod counter_payments;
pub mod idempotency;
pub mod invoices;
pub mod making;
pub mod numbers;
pub mod operators;
pub mod outbox;
pub mod records;
pub mod stock;
