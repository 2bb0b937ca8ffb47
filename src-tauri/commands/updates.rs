//! Signed updates (tauri-plugin-updater): the administrator's policy, the channel, a check
//! at start and on demand, the download with progress and its minisign signature verified
//! against the release key in `tauri.conf.json`, then the install on the user's consent.

use std::sync::Mutex;

use certdesk_core::updates::UpdatePolicy;
use certdesk_ipc::{
    ErrorCode, IpcError, ReleaseNotes, UPDATE_AVAILABLE, UPDATE_PROGRESS, UpdateChannel,
    UpdateCheck, UpdatePolicyView, UpdateProgress, UpdateReady,
};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::error::{from_core, poisoned};
use crate::state::AppState;

/// The update found by the last check, and its verified bytes once downloaded.
#[derive(Default)]
pub struct Pending {
    update: Mutex<Option<Update>>,
    verified: Mutex<Option<Vec<u8>>>,
}

fn policy_view(state: &AppState, policy: &UpdatePolicy) -> Result<UpdatePolicyView, IpcError> {
    let chosen = state
        .settings
        .lock()
        .map_err(|_| poisoned())?
        .update_channel;
    Ok(UpdatePolicyView {
        checks_allowed: policy.checks_allowed,
        fixed_channel: policy.fixed_channel,
        channel: policy.channel(chosen),
        current_version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

#[tauri::command]
pub fn update_policy(state: State<'_, AppState>) -> Result<UpdatePolicyView, IpcError> {
    policy_view(&state, &UpdatePolicy::load())
}

#[tauri::command]
pub fn set_update_channel(
    state: State<'_, AppState>,
    pending: State<'_, Pending>,
    channel: UpdateChannel,
) -> Result<UpdatePolicyView, IpcError> {
    let policy = UpdatePolicy::load();
    if policy.fixed_channel.is_some_and(|c| c != channel) {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "the administrator fixed the update channel",
        ));
    }
    {
        let mut settings = state.settings.lock().map_err(|_| poisoned())?;
        let mut next = settings.clone();
        next.update_channel = channel;
        state.settings_store.save(&next).map_err(from_core)?;
        *settings = next;
    }
    // What was found on the other channel no longer applies.
    *pending.update.lock().map_err(|_| poisoned())? = None;
    *pending.verified.lock().map_err(|_| poisoned())? = None;
    tracing::info!(?channel, "update channel changed");
    policy_view(&state, &policy)
}

fn unavailable(e: impl std::fmt::Display) -> IpcError {
    IpcError::new(ErrorCode::UpdateUnavailable, e.to_string())
}

/// A feed's notes: `{"zh-CN": "…", "en": "…"}` as text, or one text for both.
fn notes(body: Option<&str>) -> Option<ReleaseNotes> {
    let body = body?.trim();
    if body.is_empty() {
        return None;
    }
    if let Ok(n) = serde_json::from_str::<ReleaseNotes>(body) {
        return Some(n);
    }
    Some(ReleaseNotes {
        zh_cn: body.to_owned(),
        en: body.to_owned(),
    })
}

async fn check(app: &AppHandle) -> Result<UpdateCheck, IpcError> {
    let policy = UpdatePolicy::load();
    if !policy.checks_allowed {
        return Ok(UpdateCheck::Disabled);
    }
    let channel = {
        let state = app.state::<AppState>();
        let chosen = state
            .settings
            .lock()
            .map_err(|_| poisoned())?
            .update_channel;
        policy.channel(chosen)
    };
    let feed = policy.feed_url(channel);
    let url = feed.parse().map_err(unavailable)?;
    let builder = app
        .updater_builder()
        .endpoints(vec![url])
        .map_err(unavailable)?;
    // Development and the tests sign with a throwaway key; a release build trusts only
    // the key in tauri.conf.json.
    #[cfg(debug_assertions)]
    let builder = match std::env::var("CERTDESK_UPDATE_PUBKEY") {
        Ok(key) => builder.pubkey(key),
        Err(_) => builder,
    };
    let updater = builder
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(unavailable)?;
    let found = updater.check().await.map_err(|e| {
        tracing::info!(error = %e, %feed, "update check failed");
        unavailable(e)
    })?;
    let pending = app.state::<Pending>();
    *pending.verified.lock().map_err(|_| poisoned())? = None;
    let answer = match &found {
        None => UpdateCheck::UpToDate {
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        Some(u) => UpdateCheck::Available {
            version: u.version.clone(),
            current_version: u.current_version.clone(),
            date: u.date.and_then(|d| {
                d.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            }),
            notes: notes(u.body.as_deref()),
        },
    };
    tracing::info!(?channel, found = ?found.as_ref().map(|u| &u.version), "update check");
    *pending.update.lock().map_err(|_| poisoned())? = found;
    Ok(answer)
}

#[tauri::command]
pub async fn check_for_update(app: AppHandle) -> Result<UpdateCheck, IpcError> {
    check(&app).await
}

/// Downloads the update found by the last check and verifies its signature; the bytes
/// are kept for `install_update`. A signature that does not match is `update_rejected`.
#[tauri::command]
pub async fn download_update(app: AppHandle) -> Result<UpdateReady, IpcError> {
    let update = app
        .state::<Pending>()
        .update
        .lock()
        .map_err(|_| poisoned())?
        .clone()
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no update was found to download"))?;
    let emitter = app.clone();
    let mut downloaded: u64 = 0;
    let bytes = update
        .download(
            move |chunk, total| {
                downloaded += chunk as u64;
                let _ = emitter.emit(UPDATE_PROGRESS, UpdateProgress { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(|e| match e {
            tauri_plugin_updater::Error::Minisign(_)
            | tauri_plugin_updater::Error::SignatureUtf8(_)
            | tauri_plugin_updater::Error::Base64(_) => {
                tracing::warn!(error = %e, version = %update.version, "update refused: bad signature");
                IpcError::new(ErrorCode::UpdateRejected, e.to_string())
            }
            other => unavailable(other),
        })?;
    tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded and verified");
    let ready = UpdateReady {
        version: update.version.clone(),
        bytes: bytes.len() as u64,
    };
    *app.state::<Pending>()
        .verified
        .lock()
        .map_err(|_| poisoned())? = Some(bytes);
    Ok(ready)
}

/// Installs the verified update (the user clicked install) and restarts into it.
#[tauri::command]
pub async fn install_update(app: AppHandle) -> Result<(), IpcError> {
    let pending = app.state::<Pending>();
    let update = pending
        .update
        .lock()
        .map_err(|_| poisoned())?
        .clone()
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no update was found"))?;
    let bytes = pending
        .verified
        .lock()
        .map_err(|_| poisoned())?
        .take()
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "the update is not downloaded"))?;
    update.install(&bytes).map_err(|e| match e {
        tauri_plugin_updater::Error::Minisign(_) => {
            IpcError::new(ErrorCode::UpdateRejected, e.to_string())
        }
        other => IpcError::new(ErrorCode::Internal, other.to_string()),
    })?;
    tracing::info!(version = %update.version, "update installed; restarting");
    app.restart()
}

/// The check at start, a little after the first screen: tells the window when there is
/// a new version. Silent when checks are off, nothing is found or the server is away.
pub fn spawn_start_check(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        match check(&app).await {
            Ok(found @ UpdateCheck::Available { .. }) => {
                let _ = app.emit(UPDATE_AVAILABLE, found);
            }
            Ok(_) => {}
            Err(e) => tracing::info!(error = %e, "update check at start failed"),
        }
    });
}
