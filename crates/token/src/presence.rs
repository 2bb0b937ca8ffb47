//! Token presence. Two sources feed one broadcast channel of typed, settled events:
//!
//! * a PC/SC watcher: `SCardGetStatusChange` on `\\?PnP?\Notification` plus every
//!   reader, which re-establishes its context when the smart-card service stops or
//!   restarts (readers are reported gone meanwhile);
//! * a PKCS#11 polling path for tokens PC/SC never sees (HID tokens) and modules that
//!   fix their slot list at `C_Initialize` (SoftHSM2, Kryoptic): the worker
//!   re-initialises the module when it has no open sessions, and lists tokens.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::CString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pcsc::{Context, Error as PcscError, PNP_NOTIFICATION, ReaderState, Scope, State};
use tokio::sync::broadcast;

use crate::worker::{TokenRef, TokenService};

/// Where a presence change was seen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum PresenceSource {
    /// A card in a PC/SC reader.
    Pcsc { reader: String, atr: String },
    /// A token in a PKCS#11 module's slot list.
    Pkcs11 { token: TokenRef, label: String },
}

/// Typed events for the app.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type")]
pub enum PresenceEvent {
    TokenInserted(PresenceSource),
    TokenRemoved(PresenceSource),
    /// The smart-card service went away (readers are reported removed) or came back.
    PcscService {
        available: bool,
    },
}

/// Stops its watcher thread when dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    ctx: Arc<Mutex<Option<Context>>>,
    /// A poller waits on these: told at shutdown so it stops at once.
    changes: Option<Arc<CardChanges>>,
    thread: Option<JoinHandle<()>>,
}

/// A count of card changes seen in PC/SC readers, and a condition variable to wait on
/// it: the PKCS#11 pollers sleep until their next poll or until a card comes or goes,
/// whichever is first, without waking up to look in between.
#[derive(Default)]
pub(crate) struct CardChanges {
    count: Mutex<u64>,
    changed: Condvar,
}

impl CardChanges {
    fn notify(&self) {
        let mut n = self.count.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.wrapping_add(1);
        self.changed.notify_all();
    }

    /// Ends every wait early (to look at a stop flag), without counting a change.
    fn interrupt(&self) {
        let _held = self.count.lock().unwrap_or_else(|e| e.into_inner());
        self.changed.notify_all();
    }

    fn seen(&self) -> u64 {
        *self.count.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits up to `timeout` for a change after `seen`, or until `stop` is set and the
    /// wait interrupted; true when a change came (and `seen` moves to it).
    fn wait(&self, seen: &mut u64, timeout: Duration, stop: &AtomicBool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut n = self.count.lock().unwrap_or_else(|e| e.into_inner());
        while *n == *seen {
            if stop.load(Ordering::SeqCst) {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            n = match self.changed.wait_timeout(n, left) {
                Ok((n, _)) => n,
                Err(e) => e.into_inner().0,
            };
        }
        *seen = *n;
        true
    }
}

impl Watcher {
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(changes) = &self.changes {
            changes.interrupt();
        }
        if let Ok(ctx) = self.ctx.lock()
            && let Some(c) = ctx.as_ref()
        {
            let _ = c.cancel();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Timing of the watchers.
#[derive(Debug, Clone, Copy)]
pub struct PresenceConfig {
    /// A PC/SC change is read again after this long, and what holds then is published.
    /// Zero by default: pcscd reports a card present only after it has powered it and
    /// read its ATR (a card that bounces in its contacts without one is MUTE, which is
    /// not published), and a reader it polls (every 400 ms) is reported only at a poll,
    /// so any wait here only adds to every insertion. A reader whose driver signals
    /// contact changes at once may want a few milliseconds.
    pub settle: Duration,
    /// A change the PKCS#11 poller sees on its own is confirmed by a second look this
    /// much later (a slot list read while a USB device enumerates can be partial).
    pub confirm: Duration,
    /// PKCS#11 polling period.
    pub poll_interval: Duration,
    /// How often to retry while the smart-card service is down.
    pub reconnect_interval: Duration,
}

impl Default for PresenceConfig {
    fn default() -> Self {
        Self {
            settle: Duration::ZERO,
            confirm: Duration::from_millis(150),
            poll_interval: Duration::from_secs(2),
            reconnect_interval: Duration::from_millis(500),
        }
    }
}

/// Publishes the difference between what was announced and what is present now; true
/// when there was one.
fn publish_diff<K: Ord + Clone>(
    tx: &broadcast::Sender<PresenceEvent>,
    announced: &mut BTreeMap<K, PresenceSource>,
    now: BTreeMap<K, PresenceSource>,
) -> bool {
    let mut changed = false;
    let gone: Vec<K> = announced
        .keys()
        .filter(|k| !now.contains_key(*k))
        .cloned()
        .collect();
    for k in gone {
        if let Some(src) = announced.remove(&k) {
            let _ = tx.send(PresenceEvent::TokenRemoved(src));
            changed = true;
        }
    }
    for (k, src) in now {
        if announced.get(&k) != Some(&src) {
            if let Some(old) = announced.insert(k, src.clone()) {
                let _ = tx.send(PresenceEvent::TokenRemoved(old));
            }
            let _ = tx.send(PresenceEvent::TokenInserted(src));
            changed = true;
        }
    }
    changed
}

fn card_present(s: State) -> bool {
    s.contains(State::PRESENT) && !s.contains(State::MUTE) && !s.contains(State::UNAVAILABLE)
}

fn pcsc_snapshot(states: &[ReaderState]) -> BTreeMap<String, PresenceSource> {
    states
        .iter()
        .filter(|rs| rs.name() != PNP_NOTIFICATION() && card_present(rs.event_state()))
        .map(|rs| {
            let reader = rs.name().to_string_lossy().into_owned();
            (
                reader.clone(),
                PresenceSource::Pcsc {
                    reader,
                    atr: hex::encode(rs.atr()),
                },
            )
        })
        .collect()
}

fn is_service_gone(e: PcscError) -> bool {
    matches!(
        e,
        PcscError::NoService
            | PcscError::ServiceStopped
            | PcscError::CommError
            | PcscError::InvalidHandle
            | PcscError::UnknownError
            | PcscError::InternalError
    )
}

/// The PC/SC watcher loop: returns only when stopped.
fn pcsc_loop(
    tx: broadcast::Sender<PresenceEvent>,
    changes: Arc<CardChanges>,
    cfg: PresenceConfig,
    stop: Arc<AtomicBool>,
    shared: Arc<Mutex<Option<Context>>>,
) {
    let publish = |announced: &mut BTreeMap<String, PresenceSource>, now| {
        if publish_diff(&tx, announced, now) {
            changes.notify();
        }
    };
    let mut announced: BTreeMap<String, PresenceSource> = BTreeMap::new();
    let mut service_up: Option<bool> = None;
    while !stop.load(Ordering::SeqCst) {
        let ctx = match Context::establish(Scope::User) {
            Ok(c) => c,
            Err(_) => {
                if service_up != Some(false) {
                    service_up = Some(false);
                    publish(&mut announced, BTreeMap::new());
                    let _ = tx.send(PresenceEvent::PcscService { available: false });
                }
                std::thread::sleep(cfg.reconnect_interval);
                continue;
            }
        };
        if service_up != Some(true) {
            service_up = Some(true);
            let _ = tx.send(PresenceEvent::PcscService { available: true });
        }
        if let Ok(mut s) = shared.lock() {
            *s = Some(ctx.clone());
        }
        // Re-check after publishing the context, so a stop() racing with establish()
        // cannot miss the cancel.
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if watch_context(&ctx, &publish, cfg, &stop, &mut announced).is_err() {
            tracing::info!("smart-card service lost; reporting readers gone and reconnecting");
            service_up = Some(false);
            publish(&mut announced, BTreeMap::new());
            let _ = tx.send(PresenceEvent::PcscService { available: false });
            std::thread::sleep(cfg.reconnect_interval);
        }
    }
}

/// Watches one established context until the service goes away (Err) or stop (Ok).
fn watch_context(
    ctx: &Context,
    publish: &impl Fn(&mut BTreeMap<String, PresenceSource>, BTreeMap<String, PresenceSource>),
    cfg: PresenceConfig,
    stop: &AtomicBool,
    announced: &mut BTreeMap<String, PresenceSource>,
) -> Result<(), PcscError> {
    let mut states = vec![ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE)];
    let mut first = true;
    while !stop.load(Ordering::SeqCst) {
        let readers: BTreeSet<CString> = match ctx.list_readers_owned() {
            Ok(r) => r.into_iter().collect(),
            Err(PcscError::NoReadersAvailable) => BTreeSet::new(),
            Err(e) if is_service_gone(e) => return Err(e),
            Err(_) => BTreeSet::new(),
        };
        states.retain(|rs| rs.name() == PNP_NOTIFICATION() || readers.contains(rs.name()));
        for r in &readers {
            if !states.iter().any(|rs| rs.name() == r.as_c_str()) {
                states.push(ReaderState::new(r.clone(), State::UNAWARE));
            }
        }
        let changed = if first {
            // UNAWARE states return at once with the current state.
            first = false;
            ctx.get_status_change(Duration::from_millis(0), &mut states)
                .or_else(ok_on_timeout)?;
            true
        } else {
            match ctx.get_status_change(Duration::from_secs(1), &mut states) {
                Ok(()) => true,
                Err(PcscError::Timeout) => false,
                Err(PcscError::Cancelled) => return Ok(()),
                // A reader vanished between list and wait: rebuild the list.
                Err(PcscError::UnknownReader) => true,
                Err(e) if is_service_gone(e) => return Err(e),
                Err(e) => return Err(e),
            }
        };
        for rs in states.iter_mut() {
            rs.sync_current_state();
        }
        if changed && !cfg.settle.is_zero() {
            // Let the change settle, then publish what holds now.
            std::thread::sleep(cfg.settle);
            match ctx.get_status_change(Duration::from_millis(0), &mut states) {
                Ok(()) | Err(PcscError::Timeout) => {}
                Err(PcscError::UnknownReader) => {}
                Err(e) => return Err(e),
            }
            for rs in states.iter_mut() {
                rs.sync_current_state();
            }
        }
        let mut now = pcsc_snapshot(&states);
        // Readers that disappeared take their cards with them.
        now.retain(|k, _| readers.iter().any(|r| r.to_string_lossy() == *k));
        publish(announced, now);
    }
    Ok(())
}

fn ok_on_timeout(e: PcscError) -> Result<(), PcscError> {
    if e == PcscError::Timeout {
        Ok(())
    } else {
        Err(e)
    }
}

/// Polling loop for one PKCS#11 module. A change it finds on its own must be seen on two
/// consecutive looks, `confirm` apart, before it is published; one found right after a
/// card came or went in a PC/SC reader is published at once (pcscd has powered the card
/// and read its ATR before it reported it).
fn poll_loop(service: TokenService, module: PathBuf, cfg: PresenceConfig, stop: Arc<AtomicBool>) {
    let mut announced: BTreeMap<String, PresenceSource> = BTreeMap::new();
    let mut previous: Option<BTreeMap<String, PresenceSource>> = None;
    let changes = service.card_changes.clone();
    let mut changes_seen = changes.seen();
    let mut card_changed = false;
    while !stop.load(Ordering::SeqCst) {
        let m = module.clone();
        let seen = service.call_blocking(move |w| {
            // Sessions of a pulled token are dropped first, so the rescan below is
            // not held back by them.
            w.prune_sessions(&m);
            if !w.has_sessions(&m) {
                w.reinitialize(&m)?;
            }
            crate::tokens::list(w, &m)
        });
        let now: BTreeMap<String, PresenceSource> = match seen {
            Ok(tokens) => tokens
                .into_iter()
                .filter(|t| t.token_initialized)
                .map(|t| {
                    (
                        t.serial.clone(),
                        PresenceSource::Pkcs11 {
                            token: t.token,
                            label: t.label,
                        },
                    )
                })
                .collect(),
            Err(e) => {
                tracing::debug!(error = %e, "token poll failed");
                BTreeMap::new()
            }
        };
        let confirmed = card_changed || previous.as_ref() == Some(&now);
        let published = confirmed && publish_diff(&service.events, &mut announced, now.clone());
        // A change seen once is confirmed by a second look after `confirm`, not a whole
        // poll period later. A card change the module did not show yet (its slot may
        // lag the reader) is looked for again then too.
        let pending = !confirmed || now != announced || (card_changed && !published);
        previous = Some(now);
        let wait = if pending {
            cfg.confirm
        } else {
            cfg.poll_interval
        };
        // A card that came or went in a PC/SC reader (a USB token that is also a CCID
        // reader changes its PKCS#11 slot too) ends the wait at once.
        card_changed = changes.wait(&mut changes_seen, wait, &stop);
    }
}

impl TokenService {
    /// Starts the PC/SC watcher; events arrive on [`TokenService::subscribe`].
    pub fn watch_pcsc(&self, cfg: PresenceConfig) -> std::io::Result<Watcher> {
        let stop = Arc::new(AtomicBool::new(false));
        let ctx = Arc::new(Mutex::new(None));
        let (tx, changes) = (self.events.clone(), self.card_changes.clone());
        let (s, c) = (stop.clone(), ctx.clone());
        let thread = std::thread::Builder::new()
            .name("certdesk-pcsc".into())
            .spawn(move || pcsc_loop(tx, changes, cfg, s, c))?;
        Ok(Watcher {
            stop,
            ctx,
            changes: None,
            thread: Some(thread),
        })
    }

    /// Starts polling a PKCS#11 module for tokens appearing and disappearing.
    pub fn watch_module(&self, module: PathBuf, cfg: PresenceConfig) -> std::io::Result<Watcher> {
        let stop = Arc::new(AtomicBool::new(false));
        let (svc, s) = (self.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("certdesk-p11-poll".into())
            .spawn(move || poll_loop(svc, module, cfg, s))?;
        Ok(Watcher {
            stop,
            ctx: Arc::new(Mutex::new(None)),
            changes: Some(self.card_changes.clone()),
            thread: Some(thread),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(r: &str) -> PresenceSource {
        PresenceSource::Pcsc {
            reader: r.into(),
            atr: "3b".into(),
        }
    }

    #[test]
    fn diff_publishes_each_change_once() {
        let (tx, mut rx) = broadcast::channel(16);
        let mut announced = BTreeMap::new();
        publish_diff(
            &tx,
            &mut announced,
            BTreeMap::from([("a".to_string(), src("a"))]),
        );
        publish_diff(
            &tx,
            &mut announced,
            BTreeMap::from([("a".to_string(), src("a"))]),
        );
        publish_diff(&tx, &mut announced, BTreeMap::new());
        assert_eq!(
            rx.try_recv().unwrap(),
            PresenceEvent::TokenInserted(src("a"))
        );
        assert_eq!(
            rx.try_recv().unwrap(),
            PresenceEvent::TokenRemoved(src("a"))
        );
        assert!(rx.try_recv().is_err());
    }
}

/// One PC/SC reader as seen right now.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReaderStatus {
    pub name: String,
    pub card_present: bool,
    pub atr: String,
}

/// Snapshot of the smart-card service for diagnostics: the readers and their cards, or
/// why the service cannot be reached.
pub fn pcsc_status() -> crate::error::Result<Vec<ReaderStatus>> {
    let err = |e: PcscError| crate::error::TokenError::Pcsc {
        detail: match e {
            PcscError::NoService | PcscError::ServiceStopped => format!(
                "the smart-card service ({}) is not running",
                crate::platform::CURRENT.smart_card_service
            ),
            other => other.to_string(),
        },
    };
    let ctx = Context::establish(Scope::User).map_err(err)?;
    let readers = match ctx.list_readers_owned() {
        Ok(r) => r,
        Err(PcscError::NoReadersAvailable) => Vec::new(),
        Err(e) => return Err(err(e)),
    };
    let mut states: Vec<ReaderState> = readers
        .into_iter()
        .map(|r| ReaderState::new(r, State::UNAWARE))
        .collect();
    if !states.is_empty() {
        ctx.get_status_change(Duration::from_millis(0), &mut states)
            .or_else(ok_on_timeout)
            .map_err(err)?;
    }
    Ok(states
        .iter()
        .map(|rs| ReaderStatus {
            name: rs.name().to_string_lossy().into_owned(),
            card_present: card_present(rs.event_state()),
            atr: hex::encode(rs.atr()),
        })
        .collect())
}
