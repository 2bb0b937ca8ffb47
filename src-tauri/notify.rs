//! Desktop notifications, delivered only: what to say and when is decided in the core
//! (`certdesk_core::reminders`). Two loops: certificate expiry reminders (90/30/7 days,
//! inserted or last seen, each once) and finished reviews while signed in (each once).

use std::time::Duration;

use certdesk_core::certificates;
use certdesk_core::reminders::{self, Notice};
use certdesk_core::session::SessionState;
use certdesk_ipc::Language;
use tauri::{AppHandle, Emitter, Manager};

use crate::commands::certificates::{cache, refresh_standing, scan};
use crate::state::AppState;

/// Expiry is a matter of days: a look at start and every few hours is enough.
const EXPIRY_EVERY: Duration = Duration::from_secs(6 * 3600);
/// A review ends about a working day after submission; a minute's delay is unnoticed.
const REVIEW_EVERY: Duration = Duration::from_secs(60);
/// Let the token poller see the inserted tokens before the first look.
const FIRST_LOOK_AFTER: Duration = Duration::from_secs(5);

pub fn spawn(app: AppHandle) {
    let a = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_LOOK_AFTER).await;
        loop {
            if let Err(e) = expiry_reminders(&a).await {
                tracing::warn!(error = %e, "expiry reminders failed");
            }
            tokio::time::sleep(EXPIRY_EVERY).await;
        }
    });
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(REVIEW_EVERY).await;
            if let Err(e) = review_outcomes(&app).await {
                tracing::debug!(error = %e, "review outcomes not checked");
            }
        }
    });
}

fn language(app: &AppHandle) -> Language {
    app.state::<AppState>()
        .settings
        .lock()
        .map(|s| s.language)
        .unwrap_or_default()
}

/// Shows a notification; false when the desktop refused it (then it is tried again on
/// the next look, not recorded as given). Off the async runtime: on Linux it is a
/// blocking D-Bus call, which a stuck notification daemon can hold for the bus timeout.
async fn deliver(app: &AppHandle, n: &Notice) -> bool {
    let (a, title, body) = (app.clone(), n.title.clone(), n.body.clone());
    let shown =
        tauri::async_runtime::spawn_blocking(move || crate::platform::notify(&a, &title, &body))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
    match shown {
        Ok(()) => {
            tracing::info!(title = %n.title, "notification shown");
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, title = %n.title, "notification not shown");
            false
        }
    }
}

async fn expiry_reminders(app: &AppHandle) -> Result<(), certdesk_ipc::IpcError> {
    let mut scan = scan(app).await?;
    let state = app.state::<AppState>();
    // Best effort: a certificate the CA revoked since it was last asked (a reissue, a
    // change) gets no reminder; offline, what was last known decides.
    if let Err(e) = refresh_standing(app, &state, &mut scan.certificates).await {
        tracing::debug!(code = ?e.code, "certificate standing not refreshed");
    }
    let cache = cache(app, &state)?;
    let due = reminders::due(
        &scan.certificates,
        certificates::now_unix(),
        |serial, kind| cache.sent(serial, kind).unwrap_or(false),
    );
    let lang = language(app);
    for r in due {
        if deliver(app, &reminders::expiry_notice(&r, lang)).await {
            let at = certificates::now_rfc3339();
            for t in &r.covers {
                if let Err(e) = cache.mark_sent(&r.serial, &reminders::kind(*t), &at) {
                    tracing::warn!(error = %e, "reminder not recorded");
                }
            }
        }
    }
    Ok(())
}

async fn review_outcomes(app: &AppHandle) -> Result<(), certdesk_ipc::IpcError> {
    let state = app.state::<AppState>();
    let w = state.workflow()?;
    if !matches!(
        w.session_state().map_err(crate::error::from_workflow)?,
        SessionState::SignedIn { .. }
    ) {
        return Ok(());
    }
    let lang = language(app);
    // Each outcome is reported once by the core (it stops watching the order).
    let finished = w
        .review_outcomes()
        .await
        .map_err(crate::error::from_workflow)?;
    for r in &finished {
        deliver(app, &reminders::review_notice(r, lang)).await;
    }
    if !finished.is_empty()
        && let Err(e) = app.emit(certdesk_ipc::ORDERS_CHANGED, ())
    {
        tracing::warn!(error = %e, "orders-changed not sent");
    }
    Ok(())
}
