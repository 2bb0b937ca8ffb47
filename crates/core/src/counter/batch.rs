//! Batch making (issue 14 item 1): USBKeys for several approved cases made one after
//! another or on tokens in several readers at once, without the applicants present.
//!
//! ```text
//! create: approved cases of the point ─▶ a batch of items (waiting), in SQLite
//! run, per lane (one lane per token being made):
//!   waiting ─(a blank token is claimed; exclusive: initialise it with a random PIN)─▶ making(serial)
//!   making  ─(the counter's own making: the download transaction, test signature,
//!             serial recorded at the CA; then "change the PIN at first use")─▶ made
//!   made    ─(the operator printed or saved the PIN mailers)─▶ mailed
//!   any step ─(error: its stable code)─▶ failed ─(retry)─▶ waiting … | (skip)─▶ skipped
//! ```
//!
//! **The PIN is never stored.** Each token gets a random initial user PIN that exists
//! only in memory until its PIN mailer is printed (the holder must change it at first
//! use). When it is lost — the app was killed, or the mailer never printed — the item is
//! resumed with a new PIN set with the CA's SO PIN for that token (`C_InitPIN`): the
//! token stays matched to its case by serial, and the download journal resumes to the
//! one key and one certificate it already has. Nothing is made twice: a case's key and
//! certificate live on the token its item names, and the CA refuses another.
//!
//! **Lanes.** The token worker runs one PKCS#11 call at a time, so lanes overlap the
//! CA's round trips with another token's key generation. Initialising a token or
//! resetting its PIN makes the module rescan its slots, which would end the other
//! lanes' logins: those steps take the lanes' lock exclusively. So that they do not
//! stall the lanes, a run first initialises the blank tokens already inserted for its
//! waiting items, one after another, and only then starts the lanes; a token inserted
//! later is claimed and initialised by a lane as it comes. Blank tokens are taken from
//! every module in turn, the least used first, so two vendors' readers both serve.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use certdesk_ca_api::counter::CaseStatus;
use certdesk_ca_client::CaClient;
use certdesk_token::{SecretString, TokenError, TokenRef, TokenService};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use tokio::sync::RwLock;

use super::making::case_refusal;
use super::{CaseNumber, Counter, Made, MakingError, MakingProgress, MakingStep};
use crate::db::{self, StoreError};
use crate::enrollment::journal::Journal;
use crate::enrollment::{DownloadError, StepPhase, TokenChoice};
use crate::pin_rules;

/// The schema step appended to `db::migrations`.
pub const MIGRATION: &str = r#"
CREATE TABLE counter_batches (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL
);
CREATE TABLE counter_batch_items (
    batch_id INTEGER NOT NULL REFERENCES counter_batches(id),
    position INTEGER NOT NULL,
    case_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    order_number TEXT NOT NULL,
    organisation TEXT NOT NULL,
    state TEXT NOT NULL,
    token_serial TEXT,
    certificate_serial TEXT,
    failure TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (batch_id, position)
);
"#;

/// The most cases one batch takes (a year-start batch for a trading centre's members
/// is made in several).
pub const MAX_BATCH: usize = 200;
/// Lanes beyond this gain nothing on one token worker.
pub const MAX_LANES: usize = 4;
/// Length of the random initial PIN (within the token's limits).
const INITIAL_PIN_LEN: usize = 8;

/// Where an item of a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BatchItemState {
    /// Not started, or waiting for a blank token.
    Waiting,
    /// A token is assigned (its serial once known) and being made.
    Making,
    /// Made, tested and recorded at the CA; its PIN mailer is not printed yet.
    Made,
    /// Made and its PIN mailer printed or saved: done.
    Mailed,
    /// The last try failed (`failure` says why); retry or skip.
    Failed,
    /// Left out of this batch by the operator.
    Skipped,
}

impl BatchItemState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Making => "making",
            Self::Made => "made",
            Self::Mailed => "mailed",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "waiting" => Self::Waiting,
            "making" => Self::Making,
            "made" => Self::Made,
            "mailed" => Self::Mailed,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            other => return Err(StoreError::Corrupt(format!("batch item state {other}"))),
        })
    }
}

/// One case of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchItem {
    pub position: u32,
    pub case_id: String,
    pub application_id: String,
    pub order_number: String,
    pub organisation: String,
    pub state: BatchItemState,
    /// The token the case is made on, once known: the item's match to its token.
    pub token_serial: Option<String>,
    pub certificate_serial: Option<String>,
    /// The stable code of the last failure ([`MakingError::code`]).
    pub failure: Option<String>,
}

/// A change of one item, for the batch view (with the making step while it runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchEvent {
    pub batch_id: i64,
    pub position: u32,
    pub state: BatchItemState,
    pub step: Option<MakingStep>,
    pub token_serial: Option<String>,
    pub failure: Option<String>,
}

/// What a PIN mailer prints for one token. The PIN lives only here, in memory.
pub struct PinMailer {
    pub batch_id: i64,
    pub position: u32,
    pub case_id: String,
    pub order_number: String,
    pub organisation: String,
    pub token_serial: String,
    pub pin: SecretString,
}

// No Debug for the PIN.
impl std::fmt::Debug for PinMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinMailer")
            .field("case_id", &self.case_id)
            .field("token_serial", &self.token_serial)
            .finish_non_exhaustive()
    }
}

/// The batch table, on its own connection to the app's database file.
pub struct BatchStore {
    conn: Connection,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl BatchStore {
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: db::open(path)?,
        })
    }

    fn create(&mut self, items: &[BatchItem]) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO counter_batches (created_at) VALUES (?1)",
            [now()],
        )?;
        let id = tx.last_insert_rowid();
        for i in items {
            tx.execute(
                "INSERT INTO counter_batch_items (batch_id, position, case_id, application_id,
                   order_number, organisation, state, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'waiting', ?7)",
                params![
                    id,
                    i.position,
                    i.case_id,
                    i.application_id,
                    i.order_number,
                    i.organisation,
                    now()
                ],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The batch's items in order.
    pub fn items(&self, batch_id: i64) -> Result<Vec<BatchItem>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT position, case_id, application_id, order_number, organisation, state,
                    token_serial, certificate_serial, failure
             FROM counter_batch_items WHERE batch_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([batch_id], |r| {
            Ok((
                BatchItem {
                    position: r.get(0)?,
                    case_id: r.get(1)?,
                    application_id: r.get(2)?,
                    order_number: r.get(3)?,
                    organisation: r.get(4)?,
                    state: BatchItemState::Waiting,
                    token_serial: r.get(6)?,
                    certificate_serial: r.get(7)?,
                    failure: r.get(8)?,
                },
                r.get::<_, String>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (mut item, state) = row?;
            item.state = BatchItemState::parse(&state)?;
            Ok(item)
        })
        .collect()
    }

    /// The newest batch with an item not yet mailed or skipped (what the app resumes).
    pub fn unfinished(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT MAX(batch_id) FROM counter_batch_items
                 WHERE state NOT IN ('mailed', 'skipped')",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    fn set(&self, batch_id: i64, item: &BatchItem) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE counter_batch_items SET state = ?3, token_serial = ?4,
               certificate_serial = ?5, failure = ?6, updated_at = ?7
             WHERE batch_id = ?1 AND position = ?2",
            params![
                batch_id,
                item.position,
                item.state.as_str(),
                item.token_serial,
                item.certificate_serial,
                item.failure,
                now()
            ],
        )?;
        Ok(())
    }

    /// Moves items from one state to another (retry: failed → waiting; skip; mailed);
    /// items in another state are left. Returns how many moved.
    pub fn mark(
        &self,
        batch_id: i64,
        positions: &[u32],
        from: &[BatchItemState],
        to: BatchItemState,
    ) -> Result<usize, StoreError> {
        let mut n = 0;
        for item in self.items(batch_id)? {
            if positions.contains(&item.position) && from.contains(&item.state) {
                let failure = if to == BatchItemState::Waiting {
                    item.failure.clone()
                } else {
                    None
                };
                self.set(
                    batch_id,
                    &BatchItem {
                        state: to,
                        failure,
                        ..item
                    },
                )?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Where a batch runs: the app's database (the journal and the batch table), the
/// PKCS#11 modules whose tokens it makes, and how many tokens at once.
#[derive(Debug, Clone, Copy)]
pub struct BatchSetup<'a> {
    pub db: &'a Path,
    pub modules: &'a [PathBuf],
    pub lanes: usize,
    /// The stable code an item's failure is kept and shown under: the caller's (the
    /// IPC boundary maps errors once); [`MakingError::code`] otherwise.
    pub failure_code: fn(&MakingError) -> String,
}

/// [`BatchSetup::failure_code`] for callers without codes of their own.
pub fn core_code(e: &MakingError) -> String {
    e.code().to_string()
}

/// The outcome of one run: the mailers of the tokens made (or given a new PIN) in it,
/// and every item as it is now.
#[derive(Debug)]
pub struct BatchRun {
    pub mailers: Vec<PinMailer>,
    pub items: Vec<BatchItem>,
}

/// A random PIN of digits that passes the PIN rules within the token's limits. A blank
/// token may report no maximum yet (Kryoptic says 0 before initialisation), and a
/// token's figures are not trusted to be sane: the length stays within 4-32.
fn initial_pin(min: usize, max: usize) -> SecretString {
    let min = min.clamp(4, 32);
    let max = if max >= min { max.min(32) } else { 32 };
    let len = INITIAL_PIN_LEN.clamp(min, max);
    loop {
        let pin: String = (0..len)
            .map(|_| char::from(b'0' + rand::random_range(0..10u8)))
            .collect();
        if pin_rules::check("", &pin, min, max).is_ok() {
            return SecretString::from(pin);
        }
    }
}

/// What the lanes share.
struct Lanes<'a> {
    batch_id: i64,
    store: &'a BatchStore,
    queue: Mutex<VecDeque<BatchItem>>,
    /// Tokens a lane is working on (a blank token without a serial until initialised).
    claimed: Mutex<HashSet<TokenRef>>,
    /// Blank tokens claimed in this run, per module: the next comes from the module
    /// with the fewest, so a batch uses every vendor's readers in turn (and a module
    /// that always offers another free slot, like SoftHSM2, cannot take every item).
    per_module: Mutex<HashMap<PathBuf, usize>>,
    /// Shared by making; exclusive for the steps that make the module rescan.
    rescan: RwLock<()>,
    /// A claim ended (the token's initialisation is over: a module with one free slot,
    /// like SoftHSM2, shows the next blank token only then).
    released: tokio::sync::Notify,
    /// Tokens initialised before the lanes started, with their PINs, by item position.
    prepared: Mutex<HashMap<u32, (TokenRef, SecretString)>>,
    mailers: Mutex<Vec<PinMailer>>,
    on_event: &'a (dyn Fn(BatchEvent) + Sync),
    modules: &'a [PathBuf],
    failure_code: fn(&MakingError) -> String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Lanes<'_> {
    fn publish(&self, item: &BatchItem, step: Option<MakingStep>) -> Result<(), StoreError> {
        self.store.set(self.batch_id, item)?;
        (self.on_event)(BatchEvent {
            batch_id: self.batch_id,
            position: item.position,
            state: item.state,
            step,
            token_serial: item.token_serial.clone(),
            failure: item.failure.clone(),
        });
        Ok(())
    }
}

/// The batch operations of a counter; see [`Counter::batch`].
pub struct Batching<'a> {
    counter: &'a Counter,
}

impl Counter {
    /// Making USBKeys in batches, over this counter's signed-in session.
    pub fn batch(&self) -> Batching<'_> {
        Batching { counter: self }
    }
}

impl Batching<'_> {
    /// A new batch of `case_ids` (each an approved case of the operator's point not yet
    /// made; a case twice is taken once).
    pub async fn create(
        &self,
        store: &mut BatchStore,
        case_ids: &[String],
    ) -> Result<i64, MakingError> {
        if case_ids.is_empty() || case_ids.len() > MAX_BATCH {
            return Err(MakingError::BatchSize);
        }
        let client = self.counter.making().client()?;
        let mut items: Vec<BatchItem> = Vec::new();
        for raw in case_ids {
            let id = CaseNumber::parse(raw)?;
            if items.iter().any(|i| i.case_id == id.as_str()) {
                continue;
            }
            let case = client.case(id.as_str()).await.map_err(case_refusal)?;
            if case.status != CaseStatus::Approved {
                return Err(MakingError::NotApproved);
            }
            if let Some(m) = case.making {
                return Err(MakingError::MadeOnAnotherToken {
                    token_serial: m.token_serial,
                });
            }
            let organisation = case
                .application
                .input
                .enterprise
                .as_ref()
                .map(|e| e.name.clone())
                .unwrap_or_default();
            items.push(BatchItem {
                position: u32::try_from(items.len()).unwrap_or(u32::MAX),
                case_id: case.id,
                application_id: case.application.id,
                order_number: case.application.number,
                organisation,
                state: BatchItemState::Waiting,
                token_serial: None,
                certificate_serial: None,
                failure: None,
            });
        }
        Ok(store.create(&items).map_err(DownloadError::from)?)
    }

    /// Makes the batch's open items on the inserted tokens, `lanes` at a time: waiting
    /// items on blank tokens, interrupted ones on their own token, made ones whose PIN
    /// mailer is not in `held` (this process lost their PIN) get a new PIN. An item
    /// that fails is marked failed and the rest go on; items left waiting need more
    /// blank tokens.
    pub async fn run(
        &self,
        setup: &BatchSetup<'_>,
        store: &BatchStore,
        batch_id: i64,
        held: &HashSet<u32>,
        on_event: &(dyn Fn(BatchEvent) + Sync),
    ) -> Result<BatchRun, MakingError> {
        let open: VecDeque<BatchItem> = store
            .items(batch_id)
            .map_err(DownloadError::from)?
            .into_iter()
            .filter(|i| match i.state {
                BatchItemState::Waiting | BatchItemState::Making => true,
                BatchItemState::Made => !held.contains(&i.position),
                _ => false,
            })
            .collect();
        let shared = Lanes {
            batch_id,
            store,
            queue: Mutex::new(open),
            claimed: Mutex::default(),
            per_module: Mutex::default(),
            rescan: RwLock::new(()),
            released: tokio::sync::Notify::new(),
            prepared: Mutex::default(),
            mailers: Mutex::default(),
            on_event,
            modules: setup.modules,
            failure_code: setup.failure_code,
        };
        self.initialise_ahead(&shared).await?;
        let mut journals = Vec::new();
        for _ in 0..setup.lanes.clamp(1, MAX_LANES) {
            journals.push(Journal::open(setup.db).map_err(DownloadError::from)?);
        }
        let results =
            futures_util::future::join_all(journals.iter_mut().map(|j| self.lane(&shared, j)))
                .await;
        for r in results {
            r?;
        }
        Ok(BatchRun {
            mailers: std::mem::take(&mut *lock(&shared.mailers)),
            items: store.items(batch_id).map_err(DownloadError::from)?,
        })
    }

    /// One lane: takes items until none is left or no blank token is free. Only a
    /// failure of the batch itself (its database) ends it with an error; an item's
    /// failure is recorded on the item.
    async fn lane(&self, shared: &Lanes<'_>, journal: &mut Journal) -> Result<(), MakingError> {
        loop {
            let Some(mut item) = lock(&shared.queue).pop_front() else {
                return Ok(());
            };
            match self.item(shared, journal, &mut item).await {
                Ok(()) => {}
                Err(MakingError::NoToken) if item.token_serial.is_none() => {
                    // No blank token for it (nor for anyone after it): it waits for the
                    // next run, when more tokens are inserted.
                    item.state = BatchItemState::Waiting;
                    shared.publish(&item, None).map_err(DownloadError::from)?;
                    lock(&shared.queue).push_front(item);
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!(case = %item.case_id, code = e.code(), error = %e, "batch item failed");
                    item.state = BatchItemState::Failed;
                    item.failure = Some((shared.failure_code)(&e));
                    shared.publish(&item, None).map_err(DownloadError::from)?;
                }
            }
        }
    }

    /// Makes one item (or gives a made one a new PIN) and leaves its mailer.
    async fn item(
        &self,
        shared: &Lanes<'_>,
        journal: &mut Journal,
        item: &mut BatchItem,
    ) -> Result<(), MakingError> {
        let making = self.counter.making();
        let svc = self.counter.token_service();
        item.failure = None;

        let prepared = lock(&shared.prepared).remove(&item.position);
        let (token, pin) = match (prepared, item.token_serial.clone()) {
            (Some(ready), _) => ready,
            (None, None) => self.init_blank(shared, item).await?,
            (None, Some(serial)) => {
                // Its own token, by serial: the key (or the half-made token) is there.
                let client = making.client()?;
                let case = client.case(&item.case_id).await.map_err(case_refusal)?;
                let token = self.present(shared, &serial).await?;
                let info = svc.token_info(token.clone()).await?;
                let pin = initial_pin(info.min_pin_len, info.max_pin_len);
                {
                    let _exclusive = shared.rescan.write().await;
                    reissue_pin(svc, &client, &case.id, &token, &pin).await?;
                }
                if item.state == BatchItemState::Made {
                    // Already made: only the mailer was lost.
                    self.mailer(shared, item, &pin);
                    return shared
                        .publish(item, None)
                        .map_err(|e| DownloadError::from(e).into());
                }
                item.state = BatchItemState::Making;
                shared.publish(item, None).map_err(DownloadError::from)?;
                (token, pin)
            }
        };

        let made: Made = {
            let _shared = shared.rescan.read().await;
            let choice = TokenChoice {
                modules: vec![token.module.clone()],
                serial: Some(token.serial.clone()),
            };
            let (position, batch_id, on_event) = (item.position, shared.batch_id, shared.on_event);
            let mut progress = |p: MakingProgress| {
                if p.phase == StepPhase::Started {
                    on_event(BatchEvent {
                        batch_id,
                        position,
                        state: BatchItemState::Making,
                        step: Some(p.step),
                        token_serial: Some(token.serial.clone()),
                        failure: None,
                    });
                }
            };
            let made = making
                .make(journal, &item.case_id, &choice, pin.clone(), &mut progress)
                .await?;
            // The holder replaces the mailed PIN before anything else.
            svc.login(token.clone(), pin.clone(), false).await?;
            let marked = svc.require_pin_change(token.clone()).await;
            let _ = svc.logout(token.clone()).await;
            marked?;
            made
        };
        item.state = BatchItemState::Made;
        item.certificate_serial = Some(made.certificate.certificate_serial.clone());
        self.mailer(shared, item, &pin);
        shared.publish(item, None).map_err(DownloadError::from)?;
        Ok(())
    }

    /// The blank tokens inserted now, initialised for the waiting items in order, one
    /// after another (each makes the module rescan; no lane runs yet). An item whose
    /// initialisation fails is failed and leaves the queue; the rest wait for a lane, or
    /// for a token inserted later.
    async fn initialise_ahead(&self, shared: &Lanes<'_>) -> Result<(), MakingError> {
        let waiting: Vec<BatchItem> = lock(&shared.queue)
            .iter()
            .filter(|i| i.token_serial.is_none())
            .cloned()
            .collect();
        for mut item in waiting {
            let position = item.position;
            match self.init_blank(shared, &mut item).await {
                Ok(ready) => {
                    lock(&shared.prepared).insert(position, ready);
                }
                Err(MakingError::NoToken) => {
                    item.state = BatchItemState::Waiting;
                    shared.publish(&item, None).map_err(DownloadError::from)?;
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!(case = %item.case_id, code = e.code(), error = %e, "batch item failed");
                    item.state = BatchItemState::Failed;
                    item.failure = Some((shared.failure_code)(&e));
                    shared.publish(&item, None).map_err(DownloadError::from)?;
                }
            }
            // The queue's copy follows: made on its token by a lane, or out if failed.
            let mut queue = lock(&shared.queue);
            queue.retain(|i| i.position != position || item.state != BatchItemState::Failed);
            if let Some(q) = queue.iter_mut().find(|i| i.position == position) {
                *q = item;
            }
        }
        Ok(())
    }

    /// A blank token claimed and initialised for `item` with a random PIN (exclusive:
    /// the module rescans); the item is then `making` on that token's serial.
    async fn init_blank(
        &self,
        shared: &Lanes<'_>,
        item: &mut BatchItem,
    ) -> Result<(TokenRef, SecretString), MakingError> {
        let making = self.counter.making();
        let client = making.client()?;
        let svc = self.counter.token_service();
        let case = client.case(&item.case_id).await.map_err(case_refusal)?;
        let info = self.claim_blank(shared).await?;
        let pin = initial_pin(info.min_pin_len, info.max_pin_len);
        item.state = BatchItemState::Making;
        shared
            .publish(item, Some(MakingStep::InitToken))
            .map_err(DownloadError::from)?;
        let made = {
            let _exclusive = shared.rescan.write().await;
            making.initialise(svc, &client, &case, &info, &pin).await
        };
        lock(&shared.claimed).remove(&info.token);
        shared.released.notify_waiters();
        let token = made?;
        item.token_serial = Some(token.serial.clone());
        shared.publish(item, None).map_err(DownloadError::from)?;
        Ok((token, pin))
    }

    fn mailer(&self, shared: &Lanes<'_>, item: &BatchItem, pin: &SecretString) {
        lock(&shared.mailers).push(PinMailer {
            batch_id: shared.batch_id,
            position: item.position,
            case_id: item.case_id.clone(),
            order_number: item.order_number.clone(),
            organisation: item.organisation.clone(),
            token_serial: item.token_serial.clone().unwrap_or_default(),
            pin: pin.clone(),
        });
    }

    /// A blank (uninitialised) token no other lane works on, claimed for this one; while
    /// another lane initialises one, the next may appear only after it: wait for it.
    async fn claim_blank(
        &self,
        shared: &Lanes<'_>,
    ) -> Result<certdesk_token::TokenInfo, MakingError> {
        let svc = self.counter.token_service();
        loop {
            let released = shared.released.notified();
            // The slot list as the module has it (initialising a token rescans, so the
            // next free slot is there); rescanned only when it offers nothing, as the
            // rescan waits until no lane is logged in mid-making.
            let mut found = Vec::new();
            for m in shared.modules {
                found.extend(svc.list_tokens(m.clone()).await?);
            }
            let free = |claimed: &HashSet<TokenRef>, t: &certdesk_token::TokenInfo| {
                !t.token_initialized && !claimed.contains(&t.token)
            };
            if !found.iter().any(|t| free(&lock(&shared.claimed), t)) {
                let _exclusive = shared.rescan.write().await;
                found = self.counter.making().candidates(shared.modules).await?;
            }
            {
                let mut claimed = lock(&shared.claimed);
                let mut per_module = lock(&shared.per_module);
                // The first free token of the least used module (min_by_key keeps the
                // first of equals: the modules' order decides ties).
                let pick = found
                    .into_iter()
                    .filter(|t| free(&claimed, t))
                    .min_by_key(|t| per_module.get(&t.token.module).copied().unwrap_or(0));
                if let Some(info) = pick {
                    claimed.insert(info.token.clone());
                    *per_module.entry(info.token.module.clone()).or_default() += 1;
                    return Ok(info);
                }
                if claimed.is_empty() {
                    return Err(MakingError::NoToken);
                }
            }
            released.await;
        }
    }

    /// The item's own token, when inserted.
    async fn present(&self, shared: &Lanes<'_>, serial: &str) -> Result<TokenRef, MakingError> {
        let found = {
            let _exclusive = shared.rescan.write().await;
            self.counter.making().candidates(shared.modules).await?
        };
        found
            .into_iter()
            .find(|t| t.serial == serial)
            .map(|t| t.token)
            .ok_or_else(|| {
                DownloadError::WrongToken {
                    serial: serial.to_string(),
                }
                .into()
            })
    }
}

/// A new user PIN set with the CA's SO PIN for the token (its serial's own, or the
/// case's transitional one when the run stopped between initialising and settling it).
async fn reissue_pin(
    svc: &TokenService,
    client: &CaClient,
    case_id: &str,
    token: &TokenRef,
    pin: &SecretString,
) -> Result<(), MakingError> {
    let own = client
        .case_so_pin(case_id, Some(&token.serial))
        .await
        .map_err(case_refusal)?;
    match svc.reset_user_pin(token.clone(), own, pin.clone()).await {
        Err(TokenError::PinIncorrect { .. }) => {}
        other => return Ok(other?),
    }
    let transitional = client
        .case_so_pin(case_id, None)
        .await
        .map_err(case_refusal)?;
    svc.reset_user_pin(token.clone(), transitional, pin.clone())
        .await
        .map_err(|e| match e {
            TokenError::PinIncorrect { .. } => MakingError::InitRefused,
            other => other.into(),
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn initial_pins_fit_tokens_that_report_odd_limits() {
        for (min, max, len) in [(8, 0, 8), (8, 4, 8), (0, 0, 8), (4, 6, 6), (40, 255, 32)] {
            let pin = initial_pin(min, max);
            assert_eq!(pin.expose_secret().len(), len, "min {min} max {max}");
        }
    }

    #[test]
    fn initial_pins_pass_the_rules_and_differ() {
        let pins: HashSet<String> = (0..50)
            .map(|_| initial_pin(6, 16).expose_secret().to_owned())
            .collect();
        assert!(pins.len() > 45, "random: {}", pins.len());
        for p in &pins {
            assert_eq!(p.len(), INITIAL_PIN_LEN);
            assert!(pin_rules::check("", p, 6, 16).is_ok(), "{p}");
        }
        // A token that allows at most 6.
        assert_eq!(initial_pin(4, 6).expose_secret().len(), 6);
    }

    #[test]
    fn items_keep_their_state_and_token_through_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("core.sqlite");
        let mut store = BatchStore::open(&path).unwrap();
        let item = |n: u32| BatchItem {
            position: n,
            case_id: format!("case_{n}"),
            application_id: format!("app_{n}"),
            order_number: format!("20261207000{n}"),
            organisation: "测试单位".into(),
            state: BatchItemState::Waiting,
            token_serial: None,
            certificate_serial: None,
            failure: None,
        };
        let id = store.create(&[item(0), item(1), item(2)]).unwrap();
        let mut made = item(1);
        made.state = BatchItemState::Made;
        made.token_serial = Some("T1".into());
        store.set(id, &made).unwrap();
        let mut failed = item(2);
        failed.state = BatchItemState::Failed;
        failed.failure = Some("token_removed".into());
        store.set(id, &failed).unwrap();
        drop(store);

        let store = BatchStore::open(&path).unwrap();
        assert_eq!(store.unfinished().unwrap(), Some(id));
        let items = store.items(id).unwrap();
        assert_eq!(items[1], made);
        // Retry keeps the failure to show until the next try; skip clears it.
        let retried = store
            .mark(id, &[2], &[BatchItemState::Failed], BatchItemState::Waiting)
            .unwrap();
        assert_eq!(retried, 1);
        assert_eq!(store.items(id).unwrap()[2].state, BatchItemState::Waiting);
        // Only made items become mailed.
        let mailed = store
            .mark(id, &[0, 1], &[BatchItemState::Made], BatchItemState::Mailed)
            .unwrap();
        assert_eq!(mailed, 1);
        store
            .mark(
                id,
                &[0, 2],
                &[BatchItemState::Waiting],
                BatchItemState::Skipped,
            )
            .unwrap();
        assert_eq!(store.unfinished().unwrap(), None);
    }
}
