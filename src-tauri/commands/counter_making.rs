//! Making the applicant's USBKey at the counter (制证) and handing it over. The PIN and
//! the hand-over code are asked on the customer window (`crate::customer`) and go from
//! there to the core: the operator's window starts, follows and cancels, nothing more.

use certdesk_core::counter::{CodeAnswerProblem, CustomerScreen, MakingError, PinAnswerProblem};
use certdesk_core::enrollment::TokenChoice;
use certdesk_ipc::{
    COUNTER_MAKING_PROGRESS, CaseView, CounterMakeRequest, ErrorCode, FormAction, FormSaved,
    IpcError, MadeView, MakingProgressView, MakingTokenView,
};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::counter;
use crate::customer::Desk;
use crate::state::AppState;
use crate::tokens::TokenWatch;
use crate::txn::{Running, on_own_thread};

/// The PIN lengths asked on the customer window: the CAs' own tools ask for 6-16, which
/// every token we know of accepts.
const PIN_LEN: (usize, usize) = (6, 16);

fn withdrawn() -> IpcError {
    IpcError::new(
        ErrorCode::CustomerCancelled,
        "the customer window's question was withdrawn",
    )
}

fn module(app: &AppHandle) -> Result<std::path::PathBuf, IpcError> {
    app.try_state::<TokenWatch>()
        .map(|w| w.module.clone())
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no PKCS#11 module found"))
}

/// The tokens the applicant's USBKey could be made on: every inserted one but the
/// operator's own, blank ones included.
#[tauri::command]
pub async fn counter_making_tokens(app: AppHandle) -> Result<Vec<MakingTokenView>, IpcError> {
    let c = counter::get(&app).await?;
    let tokens = c.making().candidates(&[module(&app)?]).await?;
    Ok(tokens.iter().map(MakingTokenView::from).collect())
}

/// Makes the USBKey for an approved case: the applicant sets the PIN on the customer
/// window, then the token is initialised (when blank), the key made on it, the
/// certificate issued and written, a test signature verified and the token recorded.
/// A PIN the token's rules refuse is asked again; any other failure withdraws the
/// question and is the operator's to read.
#[tauri::command]
pub async fn counter_make(
    app: AppHandle,
    state: State<'_, AppState>,
    request: CounterMakeRequest,
) -> Result<MadeView, IpcError> {
    let c = counter::get(&app).await?;
    let choice = TokenChoice {
        modules: vec![module(&app)?],
        serial: request.token_serial.clone(),
    };
    let desk = app.state::<Desk>().0.clone();
    let mut journal = state
        .store()
        .journal()
        .map_err(|e| certdesk_ipc::download_to_ipc(&e.into()))?;
    let running = Running::claim()?;
    let emitter = app.clone();
    let case_id = request.case_id.trim().to_owned();
    on_own_thread("certdesk-making", running, move || async move {
        let mut refused = None;
        loop {
            let pin = desk
                .ask_pin(PIN_LEN.0, PIN_LEN.1, refused)
                .await
                .map_err(|_| withdrawn())?;
            let mut progress = |p| {
                let event = MakingProgressView::new(&case_id, p);
                if let Err(e) = emitter.emit(COUNTER_MAKING_PROGRESS, event) {
                    tracing::warn!(error = %e, "making progress event not sent");
                }
            };
            match c
                .making()
                .make(&mut journal, &case_id, &choice, pin, &mut progress)
                .await
            {
                Ok(made) => {
                    // Made: nothing to ask until the hand-over (on a single display the
                    // screen goes back to the operator).
                    desk.show(CustomerScreen::Welcome);
                    tracing::info!(case = %made.case_id, token = %made.token_serial, resumed = made.certificate.resumed, "USBKey made");
                    return Ok(MadeView::from(&made));
                }
                // The applicant chooses another PIN; nothing was written.
                Err(MakingError::PinRule(rule)) => refused = Some(PinAnswerProblem::from(rule)),
                Err(e) => {
                    tracing::warn!(code = e.code(), error = %e, "making failed");
                    desk.withdraw();
                    return Err(e.into());
                }
            }
        }
    })
    .await
}

/// Hands the made USBKey over: the code goes by SMS to the handler's phone and the
/// applicant types it on the customer window; a wrong code is asked again until the CA
/// locks it.
#[tauri::command]
pub async fn counter_hand_over(app: AppHandle, case_id: String) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let desk = app.state::<Desk>().0.clone();
    let case_id = case_id.trim();
    let case = c.cases().get(case_id).await?;
    let phone = case
        .application
        .input
        .contact_phone()
        .unwrap_or_default()
        .to_owned();
    c.making().send_handover_code(case_id).await?;
    let mut refused = None;
    loop {
        let code = desk
            .ask_code(&phone, refused)
            .await
            .map_err(|_| withdrawn())?;
        match c
            .making()
            .hand_over(case_id, &certdesk_token::SecretString::from(code))
            .await
        {
            Ok(case) => {
                desk.show(CustomerScreen::Done);
                return Ok(case.into());
            }
            Err(MakingError::HandoverCodeRejected) => refused = Some(CodeAnswerProblem::Wrong),
            Err(e) => {
                desk.withdraw();
                return Err(e.into());
            }
        }
    }
}

/// Withdraws whatever the customer window asks (the operator cancels); the waiting
/// making or hand-over ends with `customer_cancelled`.
#[tauri::command]
pub fn counter_customer_cancel(app: AppHandle) {
    app.state::<Desk>().0.withdraw();
}

/// The counter receipt (受理回执) of a case, as the CA renders it: saved where the
/// operator chooses (`None` when the dialog is cancelled), and for "print" opened in the
/// system's PDF viewer as the application form is.
#[tauri::command]
pub async fn counter_case_receipt(
    app: AppHandle,
    case_id: String,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    let c = counter::get(&app).await?;
    let pdf = c.cases().receipt(&case_id).await?;
    let name = format!("受理回执-{case_id}.pdf");
    crate::form::deliver(&app, &name, pdf, 1, action).await
}
