//! Counter mode in the shell: the core's `Counter` for the CA address in force, told of
//! every token relisting (`tokens.rs`) and ticked for the idle lock, its changes
//! broadcast as `counter-changed`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use certdesk_core::counter::{Counter, CounterConfig};
use certdesk_core::keychain::{DEFAULT_SERVICE, Keychain};
use certdesk_ipc::{COUNTER_CHANGED, CounterView, ErrorCode, IpcError};
use certdesk_token::TokenRef;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;
use crate::tokens::TokenWatch;

/// How often the idle lock and the session's expiry are looked at: the lock comes at
/// most this late after the idle time.
const TICK: Duration = Duration::from_secs(5);

/// The counter for the CA address it was opened with.
#[derive(Default)]
pub struct CounterSlot(tokio::sync::Mutex<Option<(String, Arc<Counter>)>>);

/// The counter, opened on first use (counter mode must be on).
pub async fn get(app: &AppHandle) -> Result<Arc<Counter>, IpcError> {
    let state = app.state::<AppState>();
    let settings = state
        .settings
        .lock()
        .map_err(|_| crate::error::poisoned())?
        .counter;
    if !settings.enabled {
        return Err(IpcError::new(
            ErrorCode::NotConfigured,
            "counter mode is off",
        ));
    }
    let url = state
        .ca_url()
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no CA service address"))?;
    let slot = app.state::<CounterSlot>();
    let mut slot = slot.0.lock().await;
    if let Some((u, c)) = &*slot {
        if *u == url {
            return Ok(c.clone());
        }
        // Another CA: its operator session means nothing here.
        let _ = c.sign_out().await;
    }
    let watch = app
        .try_state::<TokenWatch>()
        .ok_or_else(|| IpcError::new(ErrorCode::TokenAbsent, "no PKCS#11 module is configured"))?;
    let counter = Arc::new(
        Counter::open(
            CounterConfig {
                ca_url: url.clone(),
                client: certdesk_ca_client::ClientConfig::default(),
                keychain: Keychain::new(DEFAULT_SERVICE),
                idle_minutes: settings.idle_minutes,
            },
            watch.service.clone(),
        )
        .await?,
    );
    let mut changes = counter.subscribe();
    let handle = app.clone();
    // Ends when the counter is dropped (its sender goes with it).
    tauri::async_runtime::spawn(async move {
        while changes.changed().await.is_ok() {
            let view = CounterView::from(changes.borrow_and_update().clone());
            if let Err(e) = handle.emit(COUNTER_CHANGED, view) {
                tracing::warn!(error = %e, "counter-changed not sent");
            }
        }
    });
    *slot = Some((url, counter.clone()));
    Ok(counter)
}

/// The counter if one is open (nothing is opened for a presence event).
pub async fn current(app: &AppHandle) -> Option<Arc<Counter>> {
    let slot = app.try_state::<CounterSlot>()?;
    slot.0.lock().await.as_ref().map(|(_, c)| c.clone())
}

/// Counter mode switched off: whoever is signed in is signed out.
pub async fn close(app: &AppHandle) {
    let Some(slot) = app.try_state::<CounterSlot>() else {
        return;
    };
    if let Some((_, c)) = slot.0.lock().await.take()
        && let Err(e) = c.sign_out().await
    {
        tracing::warn!(error = %e, "counter sign-out failed");
    }
}

/// The tokens a relisting found: the counter locks when its operator's is gone.
pub async fn on_tokens(app: &AppHandle, present: Vec<TokenRef>) {
    if let Some(c) = current(app).await
        && let Err(e) = c.tokens_present(&present).await
    {
        tracing::warn!(error = %e, "counter lock on token removal failed");
    }
}

pub fn spawn_ticker(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            if let Some(c) = current(&app).await
                && let Err(e) = c.tick(Instant::now()).await
            {
                tracing::warn!(error = %e, "counter idle check failed");
            }
        }
    });
}
