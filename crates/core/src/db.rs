//! The local SQLite file (drafts, session bookkeeping): WAL, foreign keys, migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// Local storage failed: the SQLite file, its schema, or the data in it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("local database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// A stored value does not decrypt: wrong key, or the row was tampered with.
    #[error("a stored draft value cannot be decrypted (wrong key or damaged row)")]
    Decrypt,
    /// The keychain's data key did not write these drafts (the keychain was reset, or
    /// the file came from another account): they cannot be read. See [`set_aside`].
    #[error("the drafts were written under another key and cannot be read")]
    WrongKey,
    #[error("stored data is not in the expected form: {0}")]
    Corrupt(String),
    #[error("no draft {0}")]
    NoDraft(String),
}

/// The schema, one step per release. Never edit a shipped step: append.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(
            r#"
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        -- One application being filled in; `application_id` is set once the CA knows it.
        CREATE TABLE drafts (
            local_id            TEXT PRIMARY KEY,
            application_id      TEXT UNIQUE,
            channel_id          TEXT,
            business            TEXT,
            agreements_accepted INTEGER NOT NULL DEFAULT 0,
            -- Idempotency-Key of the create, so a retry after a crash never creates twice.
            create_key          TEXT NOT NULL,
            -- The CA's ETag and (sealed) input when last in step with it: the merge base.
            base_etag           TEXT,
            base_input          BLOB,
            revision            INTEGER NOT NULL DEFAULT 0,
            created_at          TEXT NOT NULL,
            updated_at          TEXT NOT NULL
        );
        -- Every field as typed. `value` is nonce ‖ AES-256-GCM ciphertext, never clear.
        CREATE TABLE draft_fields (
            local_id TEXT NOT NULL REFERENCES drafts(local_id) ON DELETE CASCADE,
            field    TEXT NOT NULL,
            value    BLOB NOT NULL,
            -- Typed but not yet accepted by the CA (the offline queue).
            pending  INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            PRIMARY KEY (local_id, field)
        );
        "#,
        ),
        // Applications seen in review, to tell the applicant when their review ends.
        M::up(
            r#"
        CREATE TABLE review_watch (
            application_id TEXT PRIMARY KEY,
            since          TEXT NOT NULL
        );
        "#,
        ),
        // The exact (sealed) body of a create sent under `create_key`: a retry after a
        // lost answer must replay it byte for byte, or the CA refuses the reused key.
        M::up("ALTER TABLE drafts ADD COLUMN create_body BLOB;"),
        // The certificate-download journal (issue 7): see `enrollment::journal`.
        M::up(crate::enrollment::journal::MIGRATION),
        // My certificates' last-seen cache and the reminders given (issue 7).
        M::up(crate::certificates::MIGRATION),
        // Change / reissue started from a certificate: the serial the CA is told about.
        M::up("ALTER TABLE drafts ADD COLUMN certificate_serial TEXT;"),
        // The CA's last word on each listed certificate (valid / revoked).
        M::up(crate::standing::MIGRATION),
        // What was on the token before each download write, to tell its debris (issue 12).
        M::up(crate::enrollment::journal::SNAPSHOT_MIGRATION),
        // The entry's kind in its own column, no longer inside card_serial (issue 11).
        M::up(crate::enrollment::journal::KIND_MIGRATION),
        // The agreement versions accepted on the start page, sent with the create (issue 15).
        M::up("ALTER TABLE drafts ADD COLUMN accepted_agreements TEXT NOT NULL DEFAULT '[]';"),
        // Thumbnails of uploaded documents (sealed like the fields), gone with their draft.
        M::up(
            r#"
        CREATE TABLE document_thumbnails (
            document_id TEXT PRIMARY KEY,
            local_id    TEXT NOT NULL REFERENCES drafts(local_id) ON DELETE CASCADE,
            sealed      BLOB NOT NULL
        );
        "#,
        ),
        // Making a USBKey at the counter is a journal entry of its own kind (issue 13).
        M::up(crate::enrollment::journal::CASE_MIGRATION),
        // Batch making at the counter (issue 14).
        M::up(crate::counter::batch::MIGRATION),
    ])
}

/// Opens (creating if needed) and migrates the database at `path`. The app opens it
/// once, through [`crate::store::Store`].
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    // Openers of a new or older file meet (threads of the app, the app and the CLI):
    // switching a new file to WAL takes a lock the busy handler does not always wait
    // for, and the migrator reads the version before its transaction, so the slower
    // opener may replay steps the faster one has just committed ("table already exists").
    // Once the faster one is done the file is in WAL and current, and a retry has
    // nothing to do; a step that is wrong in itself fails every time.
    const RETRIES: u32 = 10;
    let mut attempt = 0;
    loop {
        let opened = connect(path).and_then(|mut conn| {
            migrate(&mut conn)?;
            Ok(conn)
        });
        match opened {
            Err(e) if attempt < RETRIES && contention(&e) => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
            }
            other => return other,
        }
    }
}

/// A failure another opener of the same file can cause, which a retry outlives.
fn contention(e: &StoreError) -> bool {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        ),
        StoreError::Migration(rusqlite_migration::Error::RusqliteError { .. }) => true,
        _ => false,
    }
}

/// A connection with the settings every user of the file needs; no schema check.
pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    // First, so that switching to WAL waits for another opener where SQLite lets it.
    conn.busy_timeout(Duration::from_secs(5))?;
    // WAL: a reader never blocks the autosave and a killed writer leaves the last
    // committed transaction intact. FULL: a committed keystroke survives power loss too.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    Ok(migrations().to_latest(conn)?)
}

/// Moves an unreadable database (and its WAL files) aside, so the app can start over
/// without destroying it; returns where it went.
pub fn set_aside(path: &Path) -> Result<std::path::PathBuf, StoreError> {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".unreadable-{stamp}"));
    let target = std::path::PathBuf::from(name);
    for suffix in ["", "-wal", "-shm"] {
        let mut from = path.as_os_str().to_owned();
        from.push(suffix);
        let mut to = target.as_os_str().to_owned();
        to.push(suffix);
        match std::fs::rename(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::Corrupt(format!(
                    "cannot move the old file aside: {e}"
                )));
            }
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    #[test]
    fn opens_in_wal_mode_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("core.sqlite");
        let c = super::open(&path).unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        drop(c);
        let c = super::open(&path).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 13, "every migration ran once");
    }

    /// The app's windows of work, its token watcher and the CLI may open a new file at
    /// the same moment: every opener must come back with the whole schema.
    #[test]
    fn first_opens_racing_on_a_new_file_all_succeed() {
        for round in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("race-{round}.sqlite"));
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let openers: Vec<_> = (0..8)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        super::open(&path).map(|c| {
                            c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                                .unwrap()
                        })
                    })
                })
                .collect();
            for o in openers {
                let version = o.join().unwrap();
                assert!(
                    matches!(version, Ok(13)),
                    "round {round}: {:?}",
                    version.map_err(|e| e.to_string())
                );
            }
        }
    }
}
