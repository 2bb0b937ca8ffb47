//! Counter mode (受理台): operator sign-in with their token and PIN, unlock, sign-out,
//! activity for the idle lock, and the mode's settings.

use std::path::PathBuf;
use std::time::Instant;

use certdesk_ipc::{
    CounterSettings, CounterSignInRequest, CounterView, IpcError, OperatorOnTokenView, Settings,
};
use certdesk_token::{SecretString, TokenRef};
use tauri::{AppHandle, Manager};

use crate::counter;
use crate::error::{from_core, poisoned};
use crate::state::AppState;

fn token_ref(module: &str, serial: &str) -> TokenRef {
    TokenRef {
        module: PathBuf::from(module),
        serial: serial.to_owned(),
    }
}

/// The counter's state; signed out while counter mode is off.
#[tauri::command]
pub async fn counter_state(app: AppHandle) -> Result<CounterView, IpcError> {
    match counter::current(&app).await {
        Some(c) => Ok(c.state().into()),
        None => Ok(CounterView::SignedOut),
    }
}

/// Whose operator certificate the token holds, before the PIN is asked.
#[tauri::command]
pub async fn counter_operator_on_token(
    app: AppHandle,
    module: String,
    serial: String,
) -> Result<OperatorOnTokenView, IpcError> {
    let c = counter::get(&app).await?;
    let o = c.operator_on(&token_ref(&module, &serial)).await?;
    Ok(OperatorOnTokenView {
        operator_id: o.operator_id,
        name: o.name,
    })
}

#[tauri::command]
pub async fn counter_sign_in(
    app: AppHandle,
    request: CounterSignInRequest,
) -> Result<CounterView, IpcError> {
    let c = counter::get(&app).await?;
    let token = token_ref(&request.module, &request.token_serial);
    let state = c
        .sign_in(
            token,
            SecretString::from(request.pin),
            request.confirm_final_try,
        )
        .await?;
    Ok(state.into())
}

#[tauri::command]
pub async fn counter_unlock(
    app: AppHandle,
    request: CounterSignInRequest,
) -> Result<CounterView, IpcError> {
    let c = counter::get(&app).await?;
    let token = token_ref(&request.module, &request.token_serial);
    let state = c
        .unlock(
            token,
            SecretString::from(request.pin),
            request.confirm_final_try,
        )
        .await?;
    Ok(state.into())
}

#[tauri::command]
pub async fn counter_sign_out(app: AppHandle) -> Result<CounterView, IpcError> {
    match counter::current(&app).await {
        Some(c) => Ok(c.sign_out().await?.into()),
        None => Ok(CounterView::SignedOut),
    }
}

/// The operator used the app (the UI sends this at most every few seconds).
#[tauri::command]
pub async fn counter_activity(app: AppHandle) {
    if let Some(c) = counter::current(&app).await {
        c.touch(Instant::now());
    }
}

/// Counter mode on or off, and its idle minutes. Off signs the operator out.
#[tauri::command]
pub async fn set_counter_settings(
    app: AppHandle,
    counter: CounterSettings,
) -> Result<Settings, IpcError> {
    let clamped = CounterSettings {
        enabled: counter.enabled,
        idle_minutes: counter.idle_minutes.clamp(
            *certdesk_core::counter::IDLE_MINUTES_RANGE.start(),
            *certdesk_core::counter::IDLE_MINUTES_RANGE.end(),
        ),
    };
    let next = {
        let state = app.state::<AppState>();
        let mut settings = state.settings.lock().map_err(|_| poisoned())?;
        let mut next = settings.clone();
        next.counter = clamped;
        state.settings_store.save(&next).map_err(from_core)?;
        *settings = next.clone();
        next
    };
    if clamped.enabled {
        if let Some(c) = counter::current(&app).await {
            c.set_idle_minutes(clamped.idle_minutes);
        }
    } else {
        counter::close(&app).await;
    }
    tracing::info!(
        enabled = clamped.enabled,
        idle_minutes = clamped.idle_minutes,
        "counter settings changed"
    );
    Ok(next)
}
