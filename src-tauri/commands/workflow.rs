//! Sign-in and order management: one-line adapters over `certdesk_core::workflow`.
//! Values cross through [`mirror`]; errors through [`from_workflow`].

use certdesk_ca_api::application::ListState;
use certdesk_core::sensitive::Sensitive;
use certdesk_ipc::{
    CaptchaImage, ChannelInfo, CodeSent, DraftForm, FieldInput, FieldProblem, HandlerCheckRequest,
    IpcError, LocalDraft, OrderPage, OrderTab, OrderView, SessionInfo, SignInCodeRequest,
    SignInRequest, SignedIn, StartRequest, StartState,
};
use secrecy::SecretString;
use tauri::State;

use crate::error::{from_workflow, mirror, poisoned};
use crate::state::AppState;

fn session_info(state: &AppState) -> Result<SessionInfo, IpcError> {
    let session = mirror(&state.workflow()?.session_state().map_err(from_workflow)?)?;
    let masked_phone = match &session {
        certdesk_ipc::SessionState::SignedIn { .. } => {
            state.masked_phone.lock().map_err(|_| poisoned())?.clone()
        }
        _ => None,
    };
    Ok(SessionInfo {
        session,
        masked_phone,
    })
}

#[tauri::command]
pub fn session_state(state: State<'_, AppState>) -> Result<SessionInfo, IpcError> {
    session_info(&state)
}

#[tauri::command]
pub async fn captcha(state: State<'_, AppState>) -> Result<CaptchaImage, IpcError> {
    mirror(&state.workflow()?.captcha().await.map_err(from_workflow)?)
}

#[tauri::command]
pub async fn send_sign_in_code(
    state: State<'_, AppState>,
    request: SignInCodeRequest,
) -> Result<CodeSent, IpcError> {
    let phone = Sensitive::new(request.phone.trim().to_owned());
    let w = state.workflow()?;
    let sent = w.send_sign_in_code(&phone, &request.captcha_id, request.captcha_answer.trim());
    mirror(&sent.await.map_err(from_workflow)?)
}

#[tauri::command]
pub async fn sign_in(
    state: State<'_, AppState>,
    request: SignInRequest,
) -> Result<SignedIn, IpcError> {
    let phone = Sensitive::new(request.phone.trim().to_owned());
    let code = SecretString::from(request.code.trim().to_owned());
    let w = state.workflow()?;
    let resume = w.sign_in(&phone, &code).await.map_err(from_workflow)?;
    *state.masked_phone.lock().map_err(|_| poisoned())? =
        Some(certdesk_ident::mask(phone.expose()));
    Ok(SignedIn {
        session: session_info(&state)?,
        resume: resume.as_ref().map(mirror).transpose()?,
    })
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Result<SessionInfo, IpcError> {
    state.workflow()?.sign_out().await.map_err(from_workflow)?;
    *state.masked_phone.lock().map_err(|_| poisoned())? = None;
    session_info(&state)
}

#[tauri::command]
pub async fn orders(
    state: State<'_, AppState>,
    tab: OrderTab,
    cursor: Option<String>,
) -> Result<OrderPage, IpcError> {
    let list = match tab {
        OrderTab::Unfinished => ListState::Unfinished,
        OrderTab::Finished => ListState::Finished,
    };
    let w = state.workflow()?;
    mirror(
        &w.orders(list, cursor.as_deref())
            .await
            .map_err(from_workflow)?,
    )
}

#[tauri::command]
pub async fn open_order(state: State<'_, AppState>, id: String) -> Result<OrderView, IpcError> {
    mirror(&state.workflow()?.load(&id).await.map_err(from_workflow)?)
}

/// Cancels at the CA and drops the local draft (the order is opened first for its draft).
#[tauri::command]
pub async fn cancel_order(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    let w = state.workflow()?;
    let view = w.load(&id).await.map_err(from_workflow)?;
    w.cancel(&view.draft_id).await.map_err(from_workflow)
}

#[tauri::command]
pub async fn channels(state: State<'_, AppState>) -> Result<Vec<ChannelInfo>, IpcError> {
    mirror(&state.workflow()?.channels().await.map_err(from_workflow)?)
}

/// Creates the local draft with the start pages' choices; returns the page it is on.
#[tauri::command]
pub fn start_application(
    state: State<'_, AppState>,
    request: StartRequest,
) -> Result<StartState, IpcError> {
    let w = state.workflow()?;
    let business = mirror(&request.business)?;
    let id = w.new_draft().map_err(from_workflow)?;
    let page = w
        .choose(
            &id,
            Some(&request.channel_id),
            Some(business),
            request.agreements_accepted,
        )
        .map_err(from_workflow)?;
    if let Some(serial) = request.certificate_serial.as_deref() {
        w.drafts()
            .set_certificate_serial(&id, Some(serial.trim()))
            .map_err(|e| from_workflow(e.into()))?;
    }
    Ok(StartState {
        draft_id: mirror(&id)?,
        page: mirror(&page)?,
    })
}

#[tauri::command]
pub fn open_draft(state: State<'_, AppState>, id: String) -> Result<DraftForm, IpcError> {
    let w = state.workflow()?;
    mirror(&w.open_draft(&mirror(&id)?).map_err(from_workflow)?)
}

/// Saves one field as typed (local, encrypted) and returns its inline check.
#[tauri::command]
pub fn save_field(
    state: State<'_, AppState>,
    input: FieldInput,
) -> Result<Option<FieldProblem>, IpcError> {
    let w = state.workflow()?;
    let problem = w.save_field(&mirror(&input.draft_id)?, &input.field, &input.value);
    problem
        .map_err(from_workflow)?
        .as_ref()
        .map(mirror)
        .transpose()
}

/// 企业认证: checked inline first, then against the registry at the CA.
#[tauri::command]
pub async fn submit_enterprise(
    state: State<'_, AppState>,
    id: String,
) -> Result<OrderView, IpcError> {
    let w = state.workflow()?;
    mirror(
        &w.submit_enterprise(&mirror(&id)?)
            .await
            .map_err(from_workflow)?,
    )
}

/// Drafts not yet sent to the CA, newest form first as the store lists them.
#[tauri::command]
pub fn local_drafts(state: State<'_, AppState>) -> Result<Vec<LocalDraft>, IpcError> {
    let drafts = state.workflow()?.local_drafts().map_err(from_workflow)?;
    drafts
        .iter()
        .map(|d| {
            Ok(LocalDraft {
                id: mirror(&d.id)?,
                start_page: mirror(&d.start_page)?,
                name: d.values.get("enterprise.name").cloned(),
            })
        })
        .collect()
}

/// Deletes a draft the CA does not know yet (nothing to cancel there).
#[tauri::command]
pub async fn discard_draft(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    let w = state.workflow()?;
    w.cancel(&mirror(&id)?).await.map_err(from_workflow)
}

/// 经办人认证 by phone or bank card; the handler's fields (and card) come from the draft.
#[tauri::command]
pub async fn verify_handler(
    state: State<'_, AppState>,
    request: HandlerCheckRequest,
) -> Result<OrderView, IpcError> {
    let w = state.workflow()?;
    let (id, method) = (mirror(&request.draft_id)?, mirror(&request.method)?);
    mirror(&w.verify_handler(&id, method).await.map_err(from_workflow)?)
}

/// 信息确认: certificate, invoice and mailing information sent, then confirmed.
#[tauri::command]
pub async fn confirm_information(
    state: State<'_, AppState>,
    id: String,
) -> Result<OrderView, IpcError> {
    let w = state.workflow()?;
    mirror(
        &w.confirm_information(&mirror(&id)?)
            .await
            .map_err(from_workflow)?,
    )
}
