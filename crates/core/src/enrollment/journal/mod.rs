//! The download journal: one row per download attempt of an application onto a token,
//! and one row per step boundary (`begin` before a step runs, `end` after it ran,
//! `failed` when it returned an error). Every write is its own committed SQLite
//! transaction (WAL, `synchronous=FULL`), so a killed process leaves exactly what had
//! happened up to the kill.
//!
//! **No secrets are stored.** Never the card password, never the PIN, and not the
//! one-time enrollment token either: the CA spends the password card only at
//! `enrollments/confirm` (the reference CA marks it used there, not at authorise), so a
//! resume re-authorises with the same card and the user types the card password and the
//! PIN again. Keeping the enrollment token would only save that prompt, at the price of
//! a bearer credential on disk (and it expires after minutes anyway). After `confirm`
//! the card is spent; a crash between the CA's answer and the journal's `end` is
//! recognised on resume by the CA refusing a new authorisation while its certificate
//! record for the journaled serial is valid and the token holds that certificate.
//!
//! What is stored: application id, token (module path + serial, never a slot id), CA
//! URL, password-card serial (printed on the card, not a secret), the channel's key
//! algorithm and certificate set, the key's `CKA_ID`, the SHA-256 of the last CSR, and
//! the issued certificate's serial.

use std::path::{Path, PathBuf};

use certdesk_token::TokenRef;
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::{self, StoreError};

/// The schema step appended to `db::migrations`.
pub const MIGRATION: &str = r#"
CREATE TABLE download_journal (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  TEXT NOT NULL,
    module          TEXT NOT NULL,
    token_serial    TEXT NOT NULL,
    ca_url          TEXT NOT NULL,
    card_serial     TEXT NOT NULL,
    key_algorithm   TEXT,
    certificate_set TEXT,
    -- CKA_ID (hex) of the key pair generated for this download.
    key_id          TEXT,
    -- SHA-256 (hex) of the last CSR sent: the same key always gets the same certificate.
    csr_sha256      TEXT,
    cert_serial     TEXT,
    enc_cert_serial TEXT,
    -- active | confirmed | abandoned
    state           TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- At most one unfinished download per application.
CREATE UNIQUE INDEX download_journal_one_active
    ON download_journal(application_id) WHERE state = 'active';
CREATE TABLE download_steps (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    journal_id INTEGER NOT NULL REFERENCES download_journal(id) ON DELETE CASCADE,
    step       TEXT NOT NULL,
    -- begin | end | failed
    phase      TEXT NOT NULL,
    detail     TEXT,
    at         TEXT NOT NULL
);
"#;

/// The schema step that gives each entry its kind: a renewal's entry used to be marked
/// by `renewal:<old serial>` in `card_serial`; it now says so in `kind`, with the old
/// serial in its own column.
pub const KIND_MIGRATION: &str = r#"
ALTER TABLE download_journal ADD COLUMN kind TEXT NOT NULL DEFAULT 'download';
ALTER TABLE download_journal ADD COLUMN old_serial TEXT;
UPDATE download_journal
   SET kind = 'renewal', old_serial = substr(card_serial, 9), card_serial = ''
 WHERE card_serial LIKE 'renewal:%';
"#;

/// The schema step for making a USBKey at the counter (issue 13 item 6): the entry is
/// authorised by a counter case, whose id it keeps (not a secret: the case number is on
/// the receipt).
pub const CASE_MIGRATION: &str = "ALTER TABLE download_journal ADD COLUMN case_id TEXT;";

/// What a journal entry is for, with only the data that kind has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryKind {
    /// A first download, authorised by the password card with this serial.
    Download { card_serial: String },
    /// A renewal of the certificate with this serial (no password card).
    Renewal { old_serial: String },
    /// Making a USBKey at the counter for this walk-in case: the case's enrollment
    /// stands in for the password card.
    CounterMaking { case_id: String },
}

/// The schema step for the objects on the token before each write (issue 12).
pub const SNAPSHOT_MIGRATION: &str = r#"
CREATE TABLE download_snapshots (
    journal_id   INTEGER NOT NULL REFERENCES download_journal(id) ON DELETE CASCADE,
    step         TEXT NOT NULL,
    -- The temporary CKA_ID (hex) put in the step's generation template, if any.
    marker       TEXT,
    -- JSON array of the fingerprints of every object on the token before the write.
    fingerprints TEXT NOT NULL,
    at           TEXT NOT NULL,
    PRIMARY KEY (journal_id, step)
);
"#;

/// What was on the token right before a write step, recorded before it began: any
/// object not among these afterwards was added while the step ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The temporary `CKA_ID` (hex) of the step's generation template.
    pub marker: Option<String>,
    /// Fingerprints of the objects (see `certdesk_token::TokenObject::fingerprint`).
    pub fingerprints: Vec<String>,
}

/// The steps of a download, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum DownloadStep {
    Preflight,
    Authorise,
    Login,
    Keygen,
    Csr,
    Finalize,
    WriteCertificate,
    ImportEnvelope,
    SelfTest,
    Confirm,
}

impl DownloadStep {
    pub const ALL: [DownloadStep; 10] = [
        DownloadStep::Preflight,
        DownloadStep::Authorise,
        DownloadStep::Login,
        DownloadStep::Keygen,
        DownloadStep::Csr,
        DownloadStep::Finalize,
        DownloadStep::WriteCertificate,
        DownloadStep::ImportEnvelope,
        DownloadStep::SelfTest,
        DownloadStep::Confirm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DownloadStep::Preflight => "preflight",
            DownloadStep::Authorise => "authorise",
            DownloadStep::Login => "login",
            DownloadStep::Keygen => "keygen",
            DownloadStep::Csr => "csr",
            DownloadStep::Finalize => "finalize",
            DownloadStep::WriteCertificate => "write-certificate",
            DownloadStep::ImportEnvelope => "import-envelope",
            DownloadStep::SelfTest => "self-test",
            DownloadStep::Confirm => "confirm",
        }
    }

    pub fn parse(s: &str) -> Option<DownloadStep> {
        DownloadStep::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for DownloadStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a step boundary record sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Begin,
    End,
    Failed,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Begin => "begin",
            Phase::End => "end",
            Phase::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Option<Phase> {
        match s {
            "begin" => Some(Phase::Begin),
            "end" => Some(Phase::End),
            "failed" => Some(Phase::Failed),
            _ => None,
        }
    }
}

/// State of a journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryState {
    /// Not confirmed to the CA yet: the next start resumes it.
    Active,
    Confirmed,
    /// Given up by the user (the objects it made on the token were removed).
    Abandoned,
}

impl EntryState {
    fn as_str(self) -> &'static str {
        match self {
            EntryState::Active => "active",
            EntryState::Confirmed => "confirmed",
            EntryState::Abandoned => "abandoned",
        }
    }
    fn parse(s: &str) -> EntryState {
        match s {
            "confirmed" => EntryState::Confirmed,
            "abandoned" => EntryState::Abandoned,
            _ => EntryState::Active,
        }
    }
}

/// One download attempt.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub application_id: String,
    pub token: TokenRef,
    pub ca_url: String,
    pub kind: EntryKind,
    pub key_algorithm: Option<String>,
    pub certificate_set: Option<String>,
    pub key_id: Option<String>,
    pub csr_sha256: Option<String>,
    pub cert_serial: Option<String>,
    pub enc_cert_serial: Option<String>,
    pub state: EntryState,
    /// The last boundary recorded.
    pub last: Option<(DownloadStep, Phase)>,
}

/// One step boundary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepRecord {
    pub step: DownloadStep,
    pub phase: Phase,
    pub detail: Option<String>,
    pub at: String,
}

/// Facts learnt by a step, stored with its `end` record in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub key_algorithm: Option<String>,
    pub certificate_set: Option<String>,
    pub key_id: Option<String>,
    pub csr_sha256: Option<String>,
    pub cert_serial: Option<String>,
    pub enc_cert_serial: Option<String>,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The journal on the core's SQLite file.
pub struct Journal {
    conn: Connection,
}

const COLUMNS: &str = "id, application_id, module, token_serial, ca_url, card_serial, key_algorithm, \
     certificate_set, key_id, csr_sha256, cert_serial, enc_cert_serial, state, kind, old_serial, case_id";

impl Journal {
    /// Opens (and migrates) the core database at `path`; the app goes through
    /// [`crate::store::Store::journal`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self::on(db::open(path)?))
    }

    pub(crate) fn on(conn: Connection) -> Self {
        Self { conn }
    }

    fn row(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
        Ok(Entry {
            id: r.get(0)?,
            application_id: r.get(1)?,
            token: TokenRef {
                module: PathBuf::from(r.get::<_, String>(2)?),
                serial: r.get(3)?,
            },
            ca_url: r.get(4)?,
            kind: match r.get::<_, String>(13)?.as_str() {
                "renewal" => EntryKind::Renewal {
                    old_serial: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
                },
                "counter_making" => EntryKind::CounterMaking {
                    case_id: r.get::<_, Option<String>>(15)?.unwrap_or_default(),
                },
                _ => EntryKind::Download {
                    card_serial: r.get(5)?,
                },
            },
            key_algorithm: r.get(6)?,
            certificate_set: r.get(7)?,
            key_id: r.get(8)?,
            csr_sha256: r.get(9)?,
            cert_serial: r.get(10)?,
            enc_cert_serial: r.get(11)?,
            state: EntryState::parse(&r.get::<_, String>(12)?),
            last: None,
        })
    }

    fn with_last(&self, mut e: Entry) -> Result<Entry, StoreError> {
        e.last = self
            .conn
            .query_row(
                "SELECT step, phase FROM download_steps WHERE journal_id = ?1 ORDER BY seq DESC LIMIT 1",
                [e.id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .and_then(|(s, p)| Some((DownloadStep::parse(&s)?, Phase::parse(&p)?)));
        Ok(e)
    }

    /// Starts a new entry for a download.
    pub fn create(
        &self,
        application_id: &str,
        token: &TokenRef,
        ca_url: &str,
        kind: &EntryKind,
    ) -> Result<Entry, StoreError> {
        let t = now();
        let (name, card_serial, old_serial, case_id) = match kind {
            EntryKind::Download { card_serial } => ("download", card_serial.as_str(), None, None),
            EntryKind::Renewal { old_serial } => ("renewal", "", Some(old_serial.as_str()), None),
            EntryKind::CounterMaking { case_id } => {
                ("counter_making", "", None, Some(case_id.as_str()))
            }
        };
        self.conn.execute(
            "INSERT INTO download_journal (application_id, module, token_serial, ca_url, card_serial, kind, old_serial, case_id, state, started_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9, ?9)",
            params![
                application_id,
                token.module.to_string_lossy(),
                token.serial,
                ca_url,
                card_serial,
                name,
                old_serial,
                case_id,
                t
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        self.get(id)?
            .ok_or_else(|| StoreError::Corrupt("journal entry vanished".into()))
    }

    pub fn get(&self, id: i64) -> Result<Option<Entry>, StoreError> {
        let e = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM download_journal WHERE id = ?1"),
                [id],
                |r| self.row(r),
            )
            .optional()?;
        e.map(|e| self.with_last(e)).transpose()
    }

    /// The unfinished download of an application, if any.
    pub fn active_for(&self, application_id: &str) -> Result<Option<Entry>, StoreError> {
        let e = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM download_journal WHERE application_id = ?1 AND state = 'active'"
                ),
                [application_id],
                |r| self.row(r),
            )
            .optional()?;
        e.map(|e| self.with_last(e)).transpose()
    }

    /// The newest entry of an application in any state.
    pub fn latest_for(&self, application_id: &str) -> Result<Option<Entry>, StoreError> {
        let e = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM download_journal WHERE application_id = ?1 ORDER BY id DESC LIMIT 1"
                ),
                [application_id],
                |r| self.row(r),
            )
            .optional()?;
        e.map(|e| self.with_last(e)).transpose()
    }

    /// Every unfinished download (to resume at start), or those of one token (to resume
    /// when it is inserted again).
    pub fn active(&self, token: Option<&TokenRef>) -> Result<Vec<Entry>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM download_journal WHERE state = 'active' ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([], |r| self.row(r))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .filter(|e| token.is_none_or(|t| *t == e.token))
            .map(|e| self.with_last(e))
            .collect()
    }

    fn record(
        &self,
        id: i64,
        step: DownloadStep,
        phase: Phase,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO download_steps (journal_id, step, phase, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, step.as_str(), phase.as_str(), detail, now()],
        )?;
        Ok(())
    }

    /// Recorded before a step runs.
    pub fn begin(&self, id: i64, step: DownloadStep) -> Result<(), StoreError> {
        self.record(id, step, Phase::Begin, None)
    }

    /// Recorded after a step ran, with what it learnt, in one transaction.
    pub fn end(&mut self, id: i64, step: DownloadStep, facts: &Facts) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE download_journal SET
                key_algorithm   = COALESCE(?2, key_algorithm),
                certificate_set = COALESCE(?3, certificate_set),
                key_id          = COALESCE(?4, key_id),
                csr_sha256      = COALESCE(?5, csr_sha256),
                cert_serial     = COALESCE(?6, cert_serial),
                enc_cert_serial = COALESCE(?7, enc_cert_serial),
                updated_at      = ?8
             WHERE id = ?1",
            params![
                id,
                facts.key_algorithm,
                facts.certificate_set,
                facts.key_id,
                facts.csr_sha256,
                facts.cert_serial,
                facts.enc_cert_serial,
                now()
            ],
        )?;
        tx.execute(
            "INSERT INTO download_steps (journal_id, step, phase, detail, at) VALUES (?1, ?2, 'end', NULL, ?3)",
            params![id, step.as_str(), now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Recorded when a step returned an error (`detail` is the error's code, no secrets).
    pub fn failed(&self, id: i64, step: DownloadStep, detail: &str) -> Result<(), StoreError> {
        self.record(id, step, Phase::Failed, Some(detail))
    }

    /// Forgets the key id (the key is gone from the token and a new one will be made).
    pub fn clear_key(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE download_journal SET key_id = NULL, csr_sha256 = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, now()],
        )?;
        Ok(())
    }

    /// Closes an entry.
    pub fn finish(&self, id: i64, state: EntryState) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE download_journal SET state = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, state.as_str(), now()],
        )?;
        Ok(())
    }

    /// Records what was on the token before `step` writes (replacing an earlier run's
    /// record of the same step, whose debris has been removed by then).
    pub fn record_snapshot(
        &self,
        id: i64,
        step: DownloadStep,
        snapshot: &Snapshot,
    ) -> Result<(), StoreError> {
        let fingerprints = serde_json::to_string(&snapshot.fingerprints)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.conn.execute(
            "INSERT OR REPLACE INTO download_snapshots (journal_id, step, marker, fingerprints, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, step.as_str(), snapshot.marker, fingerprints, now()],
        )?;
        Ok(())
    }

    /// Whether `step` of this entry recorded its `end`.
    pub fn ended(&self, id: i64, step: DownloadStep) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM download_steps WHERE journal_id = ?1 AND step = ?2 AND phase = 'end')",
            params![id, step.as_str()],
            |r| r.get(0),
        )?)
    }

    /// What was on the token before `step` of this entry last began to write.
    pub fn snapshot(&self, id: i64, step: DownloadStep) -> Result<Option<Snapshot>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT marker, fingerprints FROM download_snapshots WHERE journal_id = ?1 AND step = ?2",
                params![id, step.as_str()],
                |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        row.map(|(marker, f)| {
            Ok(Snapshot {
                marker,
                fingerprints: serde_json::from_str(&f)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            })
        })
        .transpose()
    }

    /// Every boundary recorded for an entry, oldest first.
    pub fn steps(&self, id: i64) -> Result<Vec<StepRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT step, phase, detail, at FROM download_steps WHERE journal_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, p, detail, at)| {
                Some(StepRecord {
                    step: DownloadStep::parse(&s)?,
                    phase: Phase::parse(&p)?,
                    detail,
                    at,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
