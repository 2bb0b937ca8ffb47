//! Keeps the status bar's facts fresh and broadcasts changes as `status-changed`.

use std::time::Duration;

use certdesk_ipc::{CaConnection, IpcError, StatusChanged, StatusSnapshot};
use tauri::{AppHandle, Emitter, Manager};

use crate::error::poisoned;
use crate::state::AppState;

const CA_PROBE_EVERY: Duration = Duration::from_secs(15);
/// While the CA is unreachable it is asked more often, so the status bar says it is
/// back within seconds, not a quarter of a minute after the work already goes through.
const CA_PROBE_OFFLINE: Duration = Duration::from_secs(3);

pub fn spawn_monitor(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let next = match refresh_ca(&app).await {
                Ok(CaConnection::Offline { .. }) => CA_PROBE_OFFLINE,
                Ok(_) => CA_PROBE_EVERY,
                Err(e) => {
                    tracing::warn!(error = %e, "status refresh failed");
                    CA_PROBE_EVERY
                }
            };
            tokio::time::sleep(next).await;
        }
    });
}

pub async fn refresh_ca(app: &AppHandle) -> Result<CaConnection, IpcError> {
    let state = app.state::<AppState>();
    let ca = state.ca_probe.probe(state.ca_url().as_deref()).await;
    let ca = CaConnection::from(ca);
    update(app, |s| s.ca = ca.clone())?;
    Ok(ca)
}

/// Applies `change` and emits `status-changed` only when something actually changed.
pub fn update(app: &AppHandle, change: impl FnOnce(&mut StatusSnapshot)) -> Result<(), IpcError> {
    let state = app.state::<AppState>();
    let snapshot = {
        let mut status = state.status.lock().map_err(|_| poisoned())?;
        let before = status.clone();
        change(&mut status);
        if *status == before {
            return Ok(());
        }
        status.clone()
    };
    app.emit(
        certdesk_ipc::STATUS_CHANGED,
        StatusChanged { status: snapshot },
    )
    .map_err(|e| IpcError::new(certdesk_ipc::ErrorCode::Internal, e.to_string()))
}
