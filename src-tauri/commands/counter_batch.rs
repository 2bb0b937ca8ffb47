//! Batch making at the counter (批量制证, issue 14 item 1): the operator picks approved
//! cases, the core makes them on the inserted blank tokens and the window follows each
//! token by `counter-batch-changed`. The tokens' initial PINs stay in this process's
//! memory ([`HeldMailers`]) until their PIN mailers are saved or printed; then they are
//! dropped. A PIN lost with the process is replaced on the next run (see the core).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use certdesk_core::counter::{BatchItemState, BatchSetup, BatchStore, PinMailer};
use certdesk_form_pdf::pin_mailer::{PinMailerPage, render};
use certdesk_ipc::{
    BatchEventView, BatchItemView, BatchMark, BatchMarkRequest, BatchRunRequest, BatchView,
    COUNTER_BATCH_CHANGED, ErrorCode, FormAction, FormSaved, IpcError, batch_failure_code,
    store_to_ipc,
};
use secrecy::ExposeSecret;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::counter;
use crate::state::AppState;
use crate::tokens::TokenWatch;
use crate::txn::{Running, on_own_thread};

/// The PIN mailers not yet printed, per batch, in memory only.
#[derive(Default)]
pub struct HeldMailers(Mutex<HashMap<i64, Vec<PinMailer>>>);

impl HeldMailers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Vec<PinMailer>>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn positions(&self, batch_id: i64) -> HashSet<u32> {
        self.lock()
            .get(&batch_id)
            .map(|m| m.iter().map(|m| m.position).collect())
            .unwrap_or_default()
    }
}

fn store(state: &AppState) -> Result<BatchStore, IpcError> {
    BatchStore::open(state.store().path()).map_err(store_to_ipc)
}

fn view(store: &BatchStore, batch_id: i64, held: &HeldMailers) -> Result<BatchView, IpcError> {
    let ready = held.positions(batch_id);
    let items = store.items(batch_id).map_err(store_to_ipc)?;
    if items.is_empty() {
        return Err(IpcError::new(ErrorCode::NotFound, "no such batch"));
    }
    Ok(BatchView {
        batch_id: u32::try_from(batch_id).unwrap_or(u32::MAX),
        items: items
            .iter()
            .map(|i| {
                let ready = i.state == BatchItemState::Made && ready.contains(&i.position);
                BatchItemView::new(i, ready)
            })
            .collect(),
    })
}

/// A new batch of approved cases of the operator's point (1-200, each once).
#[tauri::command]
pub async fn counter_batch_create(
    app: AppHandle,
    state: State<'_, AppState>,
    case_ids: Vec<String>,
) -> Result<BatchView, IpcError> {
    let c = counter::get(&app).await?;
    let mut store = store(&state)?;
    let id = c.batch().create(&mut store, &case_ids).await?;
    tracing::info!(batch = id, cases = case_ids.len(), "batch created");
    view(&store, id, &app.state::<HeldMailers>())
}

/// The newest batch not yet finished (made, mailed or skipped throughout), to resume.
#[tauri::command]
pub fn counter_batch_current(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Option<BatchView>, IpcError> {
    let store = store(&state)?;
    match store.unfinished().map_err(store_to_ipc)? {
        Some(id) => Ok(Some(view(&store, id, &app.state::<HeldMailers>())?)),
        None => Ok(None),
    }
}

/// Makes the batch's open items on the inserted blank tokens (and gives made tokens
/// whose mailer this process lost a new PIN). Returns when no item is left to make or
/// no blank token is free; each change is sent as `counter-batch-changed`.
#[tauri::command]
pub async fn counter_batch_run(
    app: AppHandle,
    state: State<'_, AppState>,
    request: BatchRunRequest,
) -> Result<BatchView, IpcError> {
    let c = counter::get(&app).await?;
    let modules = app
        .try_state::<TokenWatch>()
        .map(|w| w.making_modules.clone())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no PKCS#11 module found"))?;
    let db = state.store().path().to_path_buf();
    let batch_id = i64::from(request.batch_id);
    let held = app.state::<HeldMailers>().positions(batch_id);
    let running = Running::claim()?;
    let emitter = app.clone();
    let run = on_own_thread("certdesk-batch", running, move || async move {
        let store = BatchStore::open(&db).map_err(store_to_ipc)?;
        let setup = BatchSetup {
            db: &db,
            modules: &modules,
            lanes: request.lanes as usize,
            failure_code: batch_failure_code,
        };
        let on_event = |e: certdesk_core::counter::BatchEvent| {
            if let Err(err) = emitter.emit(COUNTER_BATCH_CHANGED, BatchEventView::from(&e)) {
                tracing::warn!(error = %err, "batch event not sent");
            }
        };
        Ok(c.batch()
            .run(&setup, &store, batch_id, &held, &on_event)
            .await?)
    })
    .await?;
    let made = run.mailers.len();
    app.state::<HeldMailers>()
        .lock()
        .entry(batch_id)
        .or_default()
        .extend(run.mailers);
    tracing::info!(batch = batch_id, mailers = made, "batch run ended");
    view(&store(&state)?, batch_id, &app.state::<HeldMailers>())
}

/// Retry or skip items: retry puts failed (or skipped) items back in line, skip leaves
/// waiting or failed ones out. Made items are not touched.
#[tauri::command]
pub fn counter_batch_mark(
    app: AppHandle,
    state: State<'_, AppState>,
    request: BatchMarkRequest,
) -> Result<BatchView, IpcError> {
    use BatchItemState::*;
    let store = store(&state)?;
    let batch_id = i64::from(request.batch_id);
    let (from, to): (&[BatchItemState], _) = match request.mark {
        BatchMark::Retry => (&[Failed, Skipped], Waiting),
        BatchMark::Skip => (&[Waiting, Failed], Skipped),
    };
    store
        .mark(batch_id, &request.positions, from, to)
        .map_err(store_to_ipc)?;
    view(&store, batch_id, &app.state::<HeldMailers>())
}

/// The PIN mailers of the batch's made tokens, as one PDF saved where the operator
/// chooses (and for "print" opened in the PDF viewer). Once saved, the items are done
/// and their PINs leave memory; a cancelled dialog keeps them.
#[tauri::command]
pub async fn counter_batch_mailers(
    app: AppHandle,
    state: State<'_, AppState>,
    batch_id: u32,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    let id = i64::from(batch_id);
    let mailers = app
        .state::<HeldMailers>()
        .lock()
        .remove(&id)
        .unwrap_or_default();
    if mailers.is_empty() {
        return Err(IpcError::new(
            ErrorCode::Conflict,
            "no PIN mailer of this batch is waiting to be printed",
        ));
    }
    // Beijing time, as the CA keeps the point's days.
    let beijing = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let printed_at = time::OffsetDateTime::now_utc()
        .to_offset(beijing)
        .format(&time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]"
        ))
        .unwrap_or_default();
    let pages = u32::try_from(mailers.len()).unwrap_or(u32::MAX);
    let (pdf, mailers) = tauri::async_runtime::spawn_blocking(move || {
        let pages: Vec<PinMailerPage> = mailers
            .iter()
            .map(|m| PinMailerPage {
                case_id: &m.case_id,
                order_number: &m.order_number,
                organisation: &m.organisation,
                token_serial: &m.token_serial,
                pin: m.pin.expose_secret(),
                printed_at: &printed_at,
            })
            .collect();
        let pdf = render(&format!("批次 {batch_id}"), &pages);
        (pdf, mailers)
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    let pdf = match pdf {
        Ok(pdf) => pdf,
        Err(e) => {
            // Nothing printed: the PINs stay for the next try.
            app.state::<HeldMailers>().lock().insert(id, mailers);
            return Err(crate::form::from_form(e));
        }
    };
    let name = format!("密码函-批次{batch_id}.pdf");
    let saved = match crate::form::deliver(&app, &name, pdf, pages, action).await {
        Ok(Some(saved)) => saved,
        other => {
            app.state::<HeldMailers>().lock().insert(id, mailers);
            return other;
        }
    };
    let positions: Vec<u32> = mailers.iter().map(|m| m.position).collect();
    store(&state)?
        .mark(
            id,
            &positions,
            &[BatchItemState::Made],
            BatchItemState::Mailed,
        )
        .map_err(store_to_ipc)?;
    tracing::info!(
        batch = id,
        mailers = positions.len(),
        "PIN mailers delivered"
    );
    Ok(Some(saved))
}
