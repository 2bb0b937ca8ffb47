//! One thread owns every PKCS#11 session (a cryptoki `Session` is `Send` but not
//! `Sync`, and modules behave best with one caller). Callers send closures and await a
//! tokio oneshot reply, so the API is usable from async Tauri commands.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cryptoki::session::Session;
use cryptoki::slot::Slot;
use tokio::sync::{broadcast, oneshot};

use crate::error::{Result, TokenError};
use crate::known::KnownKey;
use crate::modules::{self, Module};
use crate::presence::PresenceEvent;

/// A token, identified by module and serial number (slot ids are renumbered by modules
/// between initialisations, serials are not).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TokenRef {
    pub module: PathBuf,
    pub serial: String,
}

pub(crate) type Job = Box<dyn FnOnce(&mut Worker) + Send>;

pub(crate) struct OpenSession {
    pub session: Session,
    pub slot: Slot,
    pub logged_in: bool,
    /// The slot's mechanism list, read once per session (it does not change while the
    /// token stays in).
    pub mechanisms: Option<Vec<u64>>,
    /// Key pairs generated in this session, by `CKA_ID`.
    pub keys: HashMap<Vec<u8>, KnownKey>,
}

/// State owned by the worker thread.
pub struct Worker {
    modules: HashMap<PathBuf, Arc<Module>>,
    pub(crate) sessions: HashMap<TokenRef, OpenSession>,
    /// Nanoseconds spent inside the module's `C_GenerateKeyPair` (see
    /// [`TokenService::keygen_call_time`]).
    pub(crate) keygen_nanos: Arc<AtomicU64>,
}

impl Worker {
    pub(crate) fn module(&mut self, path: &Path) -> Result<Arc<Module>> {
        if let Some(m) = self.modules.get(path) {
            return Ok(m.clone());
        }
        let m = modules::load(path)?;
        self.modules.insert(path.to_path_buf(), m.clone());
        Ok(m)
    }

    /// Finds the slot currently holding the token (slot ids are looked up every time).
    pub(crate) fn find_slot(&mut self, token: &TokenRef) -> Result<(Arc<Module>, Slot)> {
        let m = self.module(&token.module)?;
        for slot in m.ctx.get_slots_with_token()? {
            if let Ok(info) = m.ctx.get_token_info(slot)
                && info.serial_number().trim() == token.serial
            {
                return Ok((m, slot));
            }
        }
        Err(TokenError::TokenNotFound {
            module: token.module.clone(),
            serial: token.serial.clone(),
        })
    }

    /// Whether an open session still talks to the token it was opened for. A live
    /// session handle is not enough: SoftHSM2 keeps sessions of a removed token alive
    /// and answers every search with "no objects", which would read as an empty token.
    fn still_present(&self, token: &TokenRef, s: &OpenSession) -> bool {
        let Some(m) = self.modules.get(&token.module) else {
            return false;
        };
        s.session.get_session_info().is_ok()
            && m.ctx
                .get_token_info(s.slot)
                .is_ok_and(|t| t.serial_number().trim() == token.serial)
    }

    /// Drops the sessions of a module whose token has gone (the login goes with them,
    /// as it does on a real token). Returns how many were dropped.
    pub(crate) fn prune_sessions(&mut self, module: &Path) -> usize {
        let dead: Vec<TokenRef> = self
            .sessions
            .iter()
            .filter(|(t, s)| t.module == module && !self.still_present(t, s))
            .map(|(t, _)| t.clone())
            .collect();
        for t in &dead {
            self.sessions.remove(t);
        }
        dead.len()
    }

    /// A read-write session on the token, reopened if the old one died (token pulled
    /// and re-inserted, module re-initialised). A token that was open and is gone is
    /// reported as removed, never as empty.
    pub(crate) fn session(&mut self, token: &TokenRef) -> Result<&mut OpenSession> {
        let had_session = self.sessions.contains_key(token);
        let alive = self
            .sessions
            .get(token)
            .is_some_and(|s| self.still_present(token, s));
        if !alive {
            self.sessions.remove(token);
            let found = match self.find_slot(token) {
                Err(TokenError::TokenNotFound { .. }) if !self.has_sessions(&token.module) => {
                    // Modules that fix their slot list at C_Initialize (SoftHSM2) only
                    // see a re-inserted token after a rescan; nothing else is open.
                    self.reinitialize(&token.module)?;
                    self.find_slot(token)
                }
                other => other,
            };
            let (m, slot) = match found {
                Err(TokenError::TokenNotFound { .. }) if had_session => {
                    return Err(TokenError::TokenRemoved);
                }
                other => other?,
            };
            // Write-protected tokens still allow reading certificates.
            let session = match m.ctx.open_rw_session(slot) {
                Err(cryptoki::error::Error::Pkcs11(
                    cryptoki::error::RvError::TokenWriteProtected,
                    _,
                )) => m.ctx.open_ro_session(slot)?,
                other => other?,
            };
            self.sessions.insert(
                token.clone(),
                OpenSession {
                    session,
                    slot,
                    logged_in: false,
                    mechanisms: None,
                    keys: HashMap::new(),
                },
            );
        }
        self.sessions.get_mut(token).ok_or(TokenError::TokenRemoved)
    }

    /// A session that has been logged in as the user.
    pub(crate) fn user_session(&mut self, token: &TokenRef) -> Result<&Session> {
        Ok(&self.logged_in(token)?.session)
    }

    /// As [`Self::user_session`], with what the worker keeps on the session.
    pub(crate) fn logged_in(&mut self, token: &TokenRef) -> Result<&mut OpenSession> {
        let s = self.session(token)?;
        if !s.logged_in {
            return Err(TokenError::NotLoggedIn);
        }
        Ok(s)
    }

    /// A logged-in session with the token's mechanism list (read once per session): one
    /// presence check for the whole operation.
    pub(crate) fn logged_in_with_mechanisms(
        &mut self,
        token: &TokenRef,
    ) -> Result<(&mut OpenSession, Vec<u64>)> {
        let m = self.module(&token.module)?;
        let s = self.logged_in(token)?;
        let v = match &s.mechanisms {
            Some(v) => v.clone(),
            None => {
                let v = m.raw_mechanisms(s.slot.id())?;
                s.mechanisms = Some(v.clone());
                v
            }
        };
        Ok((s, v))
    }

    /// Forgets the key pairs remembered for `token` (objects were destroyed).
    pub(crate) fn forget_keys(&mut self, token: &TokenRef) {
        if let Some(s) = self.sessions.get_mut(token) {
            s.keys.clear();
        }
    }

    /// Drops every session of a module, then `C_Finalize` + `C_Initialize`, so that a
    /// module which fixes its slot list at initialisation (SoftHSM2, Kryoptic) rescans.
    pub(crate) fn reinitialize(&mut self, path: &Path) -> Result<()> {
        let m = self.module(path)?;
        self.sessions.retain(|t, _| t.module != path);
        // Finalize consumes a handle; the context is reference counted, so a clone is
        // finalised and the same loaded library is initialised again.
        let _ = m.ctx.clone().finalize();
        modules::initialize(&m.ctx).map_err(|rv| TokenError::ModuleLoad {
            path: path.to_path_buf(),
            reason: crate::error::LoadFailure::InitFailed { rv },
        })
    }

    /// A rescan asked for by a caller (a re-inserted token to be seen). It never ends a
    /// login: while a session of the module is logged in — a download, renewal or PIN
    /// change is between its steps — the slot list is left as it is (a token in use has
    /// not been re-inserted). Without this, a page asking which tokens are in logged out
    /// a running download, which then failed at its next write.
    pub(crate) fn rescan(&mut self, path: &Path) -> Result<()> {
        // A pulled token's login is gone anyway; only a live one holds the rescan back.
        self.prune_sessions(path);
        if self
            .sessions
            .iter()
            .any(|(t, s)| t.module == path && s.logged_in)
        {
            return Ok(());
        }
        self.reinitialize(path)
    }

    pub(crate) fn has_sessions(&self, path: &Path) -> bool {
        self.sessions.keys().any(|t| t.module == path)
    }
}

/// Adds the time since `started` to `total` (nanoseconds).
pub(crate) fn add_elapsed(total: &AtomicU64, started: Instant) {
    let spent = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    total.fetch_add(spent, Ordering::Relaxed);
}

/// Handle to the token worker. Cheap to clone; the worker stops when the last handle
/// is dropped.
#[derive(Clone)]
pub struct TokenService {
    tx: mpsc::Sender<Job>,
    pub(crate) events: broadcast::Sender<PresenceEvent>,
    /// Wakes the PKCS#11 pollers when a card comes or goes in a PC/SC reader.
    pub(crate) card_changes: std::sync::Arc<crate::presence::CardChanges>,
    /// Nanoseconds the worker spent running jobs (PKCS#11 calls and their bookkeeping):
    /// what a bench sets against wall time to find the time spent outside the token.
    busy: Arc<AtomicU64>,
    keygen_nanos: Arc<AtomicU64>,
}

impl TokenService {
    /// Starts the worker thread.
    pub fn start() -> Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let keygen_nanos = Arc::new(AtomicU64::new(0));
        let in_worker = keygen_nanos.clone();
        std::thread::Builder::new()
            .name("certdesk-token".into())
            .spawn(move || {
                let mut worker = Worker {
                    modules: HashMap::new(),
                    sessions: HashMap::new(),
                    keygen_nanos: in_worker,
                };
                while let Ok(job) = rx.recv() {
                    job(&mut worker);
                }
                // Close sessions before the thread ends; modules stay loaded.
                worker.sessions.clear();
            })
            .map_err(|e| TokenError::Pkcs11 {
                function: "spawn worker".into(),
                rv: e.to_string(),
            })?;
        let (events, _) = broadcast::channel(64);
        Ok(Self {
            tx,
            events,
            card_changes: Default::default(),
            busy: Default::default(),
            keygen_nanos,
        })
    }

    /// Queues `f` on the worker thread; the receiver gets its result.
    fn submit<R, F>(&self, f: F) -> Result<oneshot::Receiver<Result<R>>>
    where
        R: Send + 'static,
        F: FnOnce(&mut Worker) -> Result<R> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let busy = self.busy.clone();
        self.tx
            .send(Box::new(move |w| {
                let started = Instant::now();
                let out = f(w);
                add_elapsed(&busy, started);
                let _ = tx.send(out);
            }))
            .map_err(|_| TokenError::WorkerGone)?;
        Ok(rx)
    }

    /// Runs `f` on the worker thread and awaits its result.
    pub(crate) async fn call<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Worker) -> Result<R> + Send + 'static,
    {
        self.submit(f)?.await.map_err(|_| TokenError::WorkerGone)?
    }

    /// Blocking variant of `call` for the watcher threads (not for async contexts).
    pub(crate) fn call_blocking<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Worker) -> Result<R> + Send + 'static,
    {
        self.submit(f)?
            .blocking_recv()
            .map_err(|_| TokenError::WorkerGone)?
    }

    /// Closes every open session now, on the worker, and waits for it. Call before a
    /// process exits: otherwise the worker closes them when the last handle is dropped,
    /// which can race with the module's own teardown at exit (SoftHSM2 then crashes).
    pub async fn close_sessions(&self) -> Result<()> {
        self.call(|w| {
            w.sessions.clear();
            Ok(())
        })
        .await
    }

    /// How long the worker has spent running token jobs since it started (all tokens:
    /// the worker runs one job at a time).
    pub fn busy_time(&self) -> Duration {
        Duration::from_nanos(self.busy.load(Ordering::Relaxed))
    }

    /// How long the module has spent in `C_GenerateKeyPair` since the worker started: a
    /// bench sets the rest of an enrolment against the same calls made bare (RSA's prime
    /// search makes the call itself vary far more than anything around it).
    pub fn keygen_call_time(&self) -> Duration {
        Duration::from_nanos(self.keygen_nanos.load(Ordering::Relaxed))
    }

    /// Presence events (`TokenInserted` / `TokenRemoved`) from every watcher started on
    /// this service.
    pub fn subscribe(&self) -> broadcast::Receiver<PresenceEvent> {
        self.events.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_send_sync<T: Send + Sync + 'static>(_: &T) {}
    fn is_send<T: Send>(_: &T) {}

    // Tauri commands need a Send + Sync handle and Send futures.
    #[test]
    fn handle_and_futures_can_cross_threads() {
        let svc = TokenService::start().unwrap();
        is_send_sync(&svc);
        is_send(&svc.list_tokens(PathBuf::from("/nonexistent.so")));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = rt
            .block_on(svc.list_tokens(PathBuf::from("/nonexistent.so")))
            .unwrap_err();
        assert_eq!(err.code(), "module_load");
    }
}
