//! The drafts store: every field the applicant types, saved as typed in the local
//! SQLite file (one transaction per save), encrypted at rest, keyed by a local draft
//! id that is later attached to the CA's application id. Fields typed but not yet
//! accepted by the CA are flagged pending: that flag is the offline queue.

pub mod cipher;
pub mod fields;
pub mod merge;
pub mod prefill;
pub mod thumbnails;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use certdesk_ca_api::agreement::AcceptedAgreement;
use certdesk_ca_api::application::{Application, ApplicationInput};
use certdesk_ca_api::channel::Business;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

pub use cipher::DraftKey;
pub use fields::{Field, Section};
pub use merge::FieldConflict;

use crate::db::{self, StoreError};
use crate::sensitive::Sensitive;

/// A local draft's id; stable from the first keystroke, before the CA knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct DraftId(String);

impl DraftId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id received back from the UI.
    pub fn from_string(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Display for DraftId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldEntry {
    pub value: Sensitive<String>,
    /// Not yet accepted by the CA.
    pub pending: bool,
    /// The draft revision of the last save of this field.
    pub revision: i64,
}

/// A draft as stored. Field values are personal data and print redacted.
#[derive(Debug, Clone)]
pub struct Draft {
    pub id: DraftId,
    pub application_id: Option<String>,
    pub channel_id: Option<String>,
    pub business: Option<Business>,
    pub agreements_accepted: bool,
    /// The agreement versions accepted (empty where the channel has none).
    pub accepted_agreements: Vec<AcceptedAgreement>,
    /// Idempotency-Key for creating the application at the CA.
    pub create_key: String,
    /// The CA's ETag when last in step with it.
    pub base_etag: Option<String>,
    pub revision: i64,
    pub fields: BTreeMap<Field, FieldEntry>,
}

impl Draft {
    pub fn values(&self) -> BTreeMap<Field, String> {
        self.fields
            .iter()
            .map(|(f, e)| (*f, e.value.expose().clone()))
            .collect()
    }

    /// The queued edits (without local-only check values such as the bank card).
    pub fn pending(&self) -> BTreeMap<Field, String> {
        self.fields
            .iter()
            .filter(|(f, e)| e.pending && f.section() != Section::Checks)
            .map(|(f, e)| (*f, e.value.expose().clone()))
            .collect()
    }

    pub fn value(&self, field: Field) -> Option<&str> {
        self.fields.get(&field).map(|e| e.value.expose().as_str())
    }
}

pub struct DraftStore {
    conn: Mutex<Connection>,
    key: DraftKey,
}

impl std::fmt::Debug for DraftStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftStore").finish_non_exhaustive()
    }
}

/// Marker sealed into `meta` so a wrong data key is told apart from a damaged row.
const KEY_CHECK: &[u8] = b"certdesk-drafts-key-check";

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn new_id(prefix: &str) -> String {
    let b: [u8; 12] = rand::random();
    format!("{prefix}_{}", hex::encode(b))
}

fn business_str(b: Business) -> Result<String, StoreError> {
    serde_json::to_value(b)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .ok_or_else(|| StoreError::Corrupt("business".into()))
}

fn aad(id: &str, field: &str) -> Vec<u8> {
    format!("{id}/{field}").into_bytes()
}

impl DraftStore {
    /// Opens the store at `path` with the data key. Refuses a key that did not write
    /// the existing data, rather than failing later on every row.
    pub fn open(path: &Path, key: DraftKey) -> Result<Self, StoreError> {
        Self::on(db::open(path)?, key)
    }

    pub(crate) fn on(conn: Connection, key: DraftKey) -> Result<Self, StoreError> {
        let check: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match check {
            Some(sealed) => {
                key.open(&sealed, b"meta/key_check")
                    .map_err(|_| StoreError::WrongKey)?;
            }
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('key_check', ?1)",
                    params![key.seal(KEY_CHECK, b"meta/key_check")?],
                )?;
            }
        }
        Ok(Self {
            conn: Mutex::new(conn),
            key,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half transaction behind
        // (rusqlite rolls back on drop), so a poisoned lock is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn create(&self) -> Result<DraftId, StoreError> {
        let id = new_id("draft");
        let ts = now();
        self.conn().execute(
            "INSERT INTO drafts (local_id, create_key, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, crate::drafts::new_id("idem"), ts],
        )?;
        Ok(DraftId(id))
    }

    /// The draft of a CA application (e.g. opened from the order list), created from
    /// the CA's version when there is none yet.
    pub fn for_application(&self, app: &Application) -> Result<DraftId, StoreError> {
        let existing: Option<String> = self
            .conn()
            .query_row(
                "SELECT local_id FROM drafts WHERE application_id = ?1",
                params![app.id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            return Ok(DraftId(id));
        }
        let id = self.create()?;
        // A draft for an application the CA already holds: its consent is on record there.
        self.set_start(
            &id,
            Some(&app.channel_id),
            Some(app.business),
            Some(&app.accepted_agreements),
        )?;
        self.attach(&id, app)?;
        let values = fields::flatten(&app.input);
        self.take_values(&id, &values)?;
        Ok(id)
    }

    pub fn set_start(
        &self,
        id: &DraftId,
        channel_id: Option<&str>,
        business: Option<Business>,
        agreements: Option<&[AcceptedAgreement]>,
    ) -> Result<(), StoreError> {
        let business = business.map(business_str).transpose()?;
        let accepted = serde_json::to_string(agreements.unwrap_or_default())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let n = self.conn().execute(
            "UPDATE drafts SET channel_id = ?2, business = ?3, agreements_accepted = ?4,
                    accepted_agreements = ?5, updated_at = ?6 WHERE local_id = ?1",
            params![
                id.0,
                channel_id,
                business,
                agreements.is_some(),
                accepted,
                now()
            ],
        )?;
        if n == 0 {
            return Err(StoreError::NoDraft(id.0.clone()));
        }
        Ok(())
    }

    /// Saves one field as typed, queued for the CA. One transaction: the draft's
    /// revision and the field move together or not at all. Returns the new revision.
    pub fn save_field(&self, id: &DraftId, field: Field, value: &str) -> Result<i64, StoreError> {
        let sealed = self
            .key
            .seal(value.as_bytes(), &aad(&id.0, field.as_str()))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let rev: Option<i64> = tx
            .query_row(
                "UPDATE drafts SET revision = revision + 1, updated_at = ?2
                 WHERE local_id = ?1 RETURNING revision",
                params![id.0, now()],
                |r| r.get(0),
            )
            .optional()?;
        let rev = rev.ok_or_else(|| StoreError::NoDraft(id.0.clone()))?;
        tx.execute(
            "INSERT INTO draft_fields (local_id, field, value, pending, revision)
             VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (local_id, field) DO UPDATE
             SET value = excluded.value, pending = 1, revision = excluded.revision",
            params![id.0, field.as_str(), sealed, rev],
        )?;
        tx.commit()?;
        Ok(rev)
    }

    pub fn load(&self, id: &DraftId) -> Result<Draft, StoreError> {
        let conn = self.conn();
        let mut draft = conn
            .query_row(
                "SELECT application_id, channel_id, business, agreements_accepted, create_key,
                        base_etag, revision, accepted_agreements FROM drafts WHERE local_id = ?1",
                params![id.0],
                |r| {
                    Ok(Draft {
                        id: id.clone(),
                        application_id: r.get(0)?,
                        channel_id: r.get(1)?,
                        business: r.get::<_, Option<String>>(2)?.and_then(|b| {
                            serde_json::from_value(serde_json::Value::String(b)).ok()
                        }),
                        agreements_accepted: r.get(3)?,
                        create_key: r.get(4)?,
                        base_etag: r.get(5)?,
                        revision: r.get(6)?,
                        // Written only by set_start; an unreadable list sends none, and
                        // the CA then asks for the agreements again.
                        accepted_agreements: serde_json::from_str(&r.get::<_, String>(7)?)
                            .unwrap_or_default(),
                        fields: BTreeMap::new(),
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NoDraft(id.0.clone()))?;
        let mut stmt = conn.prepare(
            "SELECT field, value, pending, revision FROM draft_fields WHERE local_id = ?1",
        )?;
        let rows = stmt.query_map(params![id.0], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (name, sealed, pending, revision) = row?;
            // A field this version does not know (written by a newer one) is kept, unread.
            let Some(field) = Field::parse(&name) else {
                continue;
            };
            let plain = self.key.open(&sealed, &aad(&id.0, &name))?;
            let value = String::from_utf8(plain.to_vec())
                .map_err(|_| StoreError::Corrupt(format!("field {name} is not UTF-8")))?;
            draft.fields.insert(
                field,
                FieldEntry {
                    value: Sensitive::new(value),
                    pending,
                    revision,
                },
            );
        }
        Ok(draft)
    }

    /// All drafts, newest first.
    pub fn list(&self) -> Result<Vec<DraftId>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT local_id FROM drafts ORDER BY updated_at DESC")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids.into_iter().map(DraftId).collect())
    }

    pub fn delete(&self, id: &DraftId) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM drafts WHERE local_id = ?1", params![id.0])?;
        Ok(())
    }

    /// Records the CA's version as the merge base (after any answer carrying the
    /// application), and ties the draft to its id.
    pub fn attach(&self, id: &DraftId, app: &Application) -> Result<(), StoreError> {
        let base =
            serde_json::to_vec(&app.input).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sealed = self.key.seal(&base, &aad(&id.0, "base"))?;
        let n = self.conn().execute(
            "UPDATE drafts SET application_id = ?2, base_etag = ?3, base_input = ?4, updated_at = ?5,
                    create_body = NULL
             WHERE local_id = ?1",
            params![id.0, app.id, app.etag, sealed, now()],
        )?;
        if n == 0 {
            return Err(StoreError::NoDraft(id.0.clone()));
        }
        Ok(())
    }

    /// The CA's input when last in step with it.
    pub fn base(&self, id: &DraftId) -> Result<ApplicationInput, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn()
            .query_row(
                "SELECT base_input FROM drafts WHERE local_id = ?1",
                params![id.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NoDraft(id.0.clone()))?;
        match sealed {
            None => Ok(ApplicationInput::default()),
            Some(s) => {
                let plain = self.key.open(&s, &aad(&id.0, "base"))?;
                serde_json::from_slice(&plain).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
        }
    }

    /// The CA accepted `app` with the fields in `sent` (at the revisions sent): those
    /// leave the queue unless typed again meanwhile, and `app` becomes the base.
    pub fn mark_sent(
        &self,
        id: &DraftId,
        app: &Application,
        sent: &BTreeMap<Field, i64>,
    ) -> Result<(), StoreError> {
        let base =
            serde_json::to_vec(&app.input).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sealed = self.key.seal(&base, &aad(&id.0, "base"))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE drafts SET application_id = ?2, base_etag = ?3, base_input = ?4, updated_at = ?5,
                    create_body = NULL
             WHERE local_id = ?1",
            params![id.0, app.id, app.etag, sealed, now()],
        )?;
        for (field, rev) in sent {
            tx.execute(
                "UPDATE draft_fields SET pending = 0
                 WHERE local_id = ?1 AND field = ?2 AND revision <= ?3",
                params![id.0, field.as_str(), rev],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces local values with the CA's (taking its side of a conflict, or filling a
    /// new draft): stored as not pending.
    pub fn take_values(
        &self,
        id: &DraftId,
        values: &BTreeMap<Field, String>,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (field, value) in values {
            let sealed = self
                .key
                .seal(value.as_bytes(), &aad(&id.0, field.as_str()))?;
            tx.execute(
                "INSERT INTO draft_fields (local_id, field, value, pending, revision)
                 VALUES (?1, ?2, ?3, 0, 0)
                 ON CONFLICT (local_id, field) DO UPDATE SET value = excluded.value, pending = 0",
                params![id.0, field.as_str(), sealed],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Keeps the body of a create before it is sent (see the migration's note).
    /// Change / reissue: the certificate the application is about (a serial, public).
    pub fn set_certificate_serial(
        &self,
        id: &DraftId,
        serial: Option<&str>,
    ) -> Result<(), StoreError> {
        let n = self.conn().execute(
            "UPDATE drafts SET certificate_serial = ?2 WHERE local_id = ?1",
            params![id.0, serial],
        )?;
        if n == 0 {
            return Err(StoreError::NoDraft(id.0.clone()));
        }
        Ok(())
    }

    pub fn certificate_serial(&self, id: &DraftId) -> Result<Option<String>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT certificate_serial FROM drafts WHERE local_id = ?1",
            params![id.0],
            |r| r.get(0),
        )?)
    }

    pub fn set_create_body(&self, id: &DraftId, body: &[u8]) -> Result<(), StoreError> {
        let sealed = self.key.seal(body, &aad(&id.0, "create_body"))?;
        self.conn().execute(
            "UPDATE drafts SET create_body = ?2 WHERE local_id = ?1",
            params![id.0, sealed],
        )?;
        Ok(())
    }

    /// The body of a create that was sent but not (known to be) answered.
    pub fn create_body(&self, id: &DraftId) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn()
            .query_row(
                "SELECT create_body FROM drafts WHERE local_id = ?1",
                params![id.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NoDraft(id.0.clone()))?;
        sealed
            .map(|s| {
                self.key
                    .open(&s, &aad(&id.0, "create_body"))
                    .map(|p| p.to_vec())
            })
            .transpose()
    }

    /// After a replayed create: queued fields whose value the CA now holds leave the
    /// queue; anything typed since stays for the next edit.
    pub fn settle(&self, id: &DraftId, app: &Application) -> Result<(), StoreError> {
        let server = fields::flatten(&app.input);
        let draft = self.load(id)?;
        let accepted: BTreeMap<Field, i64> = draft
            .fields
            .iter()
            .filter(|(f, e)| e.pending && server.get(f) == Some(e.value.expose()))
            .map(|(f, e)| (*f, e.revision))
            .collect();
        self.mark_sent(id, app, &accepted)
    }

    /// Drafts with queued edits (to send when the CA is reachable again).
    pub fn with_pending(&self) -> Result<Vec<DraftId>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT local_id FROM draft_fields
             WHERE pending = 1 AND field NOT LIKE 'handler_check.%'",
        )?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids.into_iter().map(DraftId).collect())
    }
}
