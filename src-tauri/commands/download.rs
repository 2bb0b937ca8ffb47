//! Certificate download (证书下载): adapters over `certdesk_core::enrollment`. The token
//! service and module are the ones the status bar watches ([`TokenWatch`]); the journal
//! lives in `data/workflow.sqlite` next to the drafts, as for `certdesk-cli download`.
//! Errors cross through `certdesk_ipc::download_to_ipc`, values through `From` impls.

use certdesk_ca_api::channel::{CertificateSet, KeyAlgorithm};
use certdesk_ca_api::download::DownloadLookup;
use certdesk_ca_client::CaClient;
use certdesk_core::enrollment::{
    self, AnsweredCaptcha, ChannelFacts, DownloadError, DownloadRequest, EntryKind, Journal,
    Progress, TokenChoice,
};
use certdesk_ipc::{
    CaClock, DOWNLOAD_PROGRESS, DownloadCandidate, DownloadLookupRequest, DownloadProgress,
    DownloadResult, DownloadToken, DownloadTokens, ErrorCode, InterruptedDownload, IpcError,
    KeyAlgorithmName, OrderDownload, StartDownloadRequest, download_to_ipc,
};
use secrecy::SecretString;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::state::AppState;
use crate::tokens::TokenWatch;
use crate::txn::{Running, on_own_thread};

fn client(state: &AppState) -> Result<CaClient, IpcError> {
    let url = state
        .ca_url()
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no CA service address"))?;
    CaClient::new(&url).map_err(|e| download_to_ipc(&DownloadError::from(e)))
}

fn journal(state: &AppState) -> Result<Journal, IpcError> {
    state
        .store()
        .journal()
        .map_err(|e| download_to_ipc(&DownloadError::from(e)))
}

fn tokens(app: &AppHandle) -> Option<State<'_, TokenWatch>> {
    app.try_state::<TokenWatch>()
}

fn no_module() -> IpcError {
    IpcError::new(ErrorCode::NotConfigured, "no PKCS#11 module found")
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The initialised tokens inserted now in the watched module.
async fn inserted_tokens(app: &AppHandle) -> Vec<certdesk_token::TokenRef> {
    let Some(w) = tokens(app) else {
        return Vec::new();
    };
    w.service
        .list_tokens(w.module.clone())
        .await
        .map(|ts| {
            ts.into_iter()
                .filter(|t| t.token_initialized)
                .map(|t| t.token)
                .collect()
        })
        .unwrap_or_default()
}

/// The serial of an inserted token that already holds the application's certificate
/// (paired, valid at the CA). A token or CA that cannot be asked answers "no".
async fn on_token(
    app: &AppHandle,
    client: &CaClient,
    inserted: &[certdesk_token::TokenRef],
    application_id: &str,
) -> Option<String> {
    let w = tokens(app)?;
    for t in inserted {
        if let Ok(Some(done)) =
            enrollment::already_on_token(&w.service, client, t, application_id).await
        {
            return Some(done.token.serial);
        }
    }
    None
}

#[tauri::command]
pub async fn download_lookup(
    app: AppHandle,
    state: State<'_, AppState>,
    request: DownloadLookupRequest,
) -> Result<Vec<DownloadCandidate>, IpcError> {
    let client = client(&state)?;
    let found = client
        .download_lookup(&DownloadLookup {
            org_code: trimmed(&request.org_code),
            handler_id_number: trimmed(&request.handler_id_number),
            phone: request.phone.trim().to_owned(),
            captcha_id: request.captcha_id,
            captcha_answer: request.captcha_answer.trim().to_owned(),
        })
        .await
        .map_err(|e| download_to_ipc(&DownloadError::from(e)))?;
    enrich(&app, &state, &client, found).await
}

/// A signed-in applicant's order, opened for download from 订单管理 (处理 / 下载证书):
/// no look-up, and the card step's phone and organisation code come from the order.
#[tauri::command]
pub async fn order_download(
    app: AppHandle,
    state: State<'_, AppState>,
    application_id: String,
) -> Result<OrderDownload, IpcError> {
    let order = state
        .workflow()?
        .order_download(&application_id)
        .await
        .map_err(crate::error::from_workflow)?;
    let client = client(&state)?;
    let candidate = enrich(&app, &state, &client, vec![order.candidate])
        .await?
        .pop()
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no such application"))?;
    Ok(OrderDownload {
        candidate,
        phone: order.phone,
        org_code: order.org_code,
    })
}

/// What this computer adds to the CA's candidates: an interrupted download journaled
/// here, or an inserted USBKey that already holds the certificate.
async fn enrich(
    app: &AppHandle,
    state: &AppState,
    client: &CaClient,
    found: Vec<certdesk_ca_api::download::DownloadCandidate>,
) -> Result<Vec<DownloadCandidate>, IpcError> {
    let journal = journal(state)?;
    let inserted = inserted_tokens(app).await;
    let mut out = Vec::with_capacity(found.len());
    for c in found {
        let interrupted = journal
            .active_for(&c.application_id)
            .map_err(|e| download_to_ipc(&DownloadError::from(e)))?
            .is_some();
        let on_token = if interrupted {
            None
        } else {
            on_token(app, client, &inserted, &c.application_id).await
        };
        out.push(DownloadCandidate {
            downloadable: matches!(
                c.status,
                certdesk_ca_api::application::ApplicationStatus::Approved
                    | certdesk_ca_api::application::ApplicationStatus::Issued
            ),
            application_id: c.application_id,
            number: c.number,
            organisation_name: c.organisation_name,
            status: c.status,
            key_algorithm: c.key_algorithm.into(),
            dual: c.certificate_set == CertificateSet::Dual,
            interrupted,
            on_token,
        });
    }
    Ok(out)
}

#[tauri::command]
pub async fn download_tokens(
    app: AppHandle,
    application_id: String,
    key_algorithm: KeyAlgorithmName,
    dual: bool,
) -> Result<DownloadTokens, IpcError> {
    let Some(watch) = tokens(&app) else {
        return Ok(DownloadTokens {
            module_found: false,
            tokens: Vec::new(),
        });
    };
    let algorithm = KeyAlgorithm::from(key_algorithm);
    let fits = enrollment::token_fitness(
        &watch.service,
        &watch.module,
        &application_id,
        algorithm,
        dual,
    )
    .await
    .map_err(|e| download_to_ipc(&e))?;
    let tokens = fits
        .into_iter()
        .map(|f| {
            Ok(DownloadToken {
                serial: f.info.serial,
                label: f.info.label,
                manufacturer: f.info.manufacturer,
                pin: f.pin_state,
                problem: f.problem.map(|p| download_to_ipc(&p).code),
            })
        })
        .collect::<Result<_, IpcError>>()?;
    Ok(DownloadTokens {
        module_found: true,
        tokens,
    })
}

#[tauri::command]
pub async fn download_ca_clock(state: State<'_, AppState>) -> Result<CaClock, IpcError> {
    let client = client(&state)?;
    let check = enrollment::check_ca(&client)
        .await
        .map_err(|e| download_to_ipc(&e))?;
    Ok(CaClock {
        skew_seconds: check.skew_seconds,
    })
}

#[tauri::command]
pub async fn start_download(
    app: AppHandle,
    state: State<'_, AppState>,
    request: StartDownloadRequest,
) -> Result<DownloadResult, IpcError> {
    let watch = tokens(&app).ok_or_else(no_module)?;
    let ca_url = state
        .ca_url()
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no CA service address"))?;
    let running = Running::claim()?;
    let channel = request.key_algorithm.map(|a| ChannelFacts {
        key_algorithm: a.into(),
        dual: request.dual,
    });
    let req = DownloadRequest {
        ca_url,
        application_id: request.application_id.trim().to_owned(),
        card_serial: request.card_serial.trim().to_owned(),
        card_password: SecretString::from(request.card_password.trim().to_owned()),
        phone: request.phone.trim().to_owned(),
        org_code: request.org_code.trim().to_owned(),
        pin: SecretString::from(request.pin),
        token: TokenChoice {
            modules: vec![watch.module.clone()],
            serial: Some(request.token_serial.clone()),
        },
        confirm_final_pin_try: request.confirm_final_pin_try,
        channel,
    };
    let solver = AnsweredCaptcha::new(request.captcha_id, request.captcha_answer.trim().to_owned());
    let mut journal = journal(&state)?;
    let emitter = app.clone();
    let application_id = req.application_id.clone();
    let mut progress = move |p: Progress| {
        let event = DownloadProgress {
            application_id: application_id.clone(),
            step: p.step,
            phase: p.phase,
            resumed: p.resumed,
        };
        if let Err(e) = emitter.emit(DOWNLOAD_PROGRESS, event) {
            tracing::warn!(error = %e, "download progress event not sent");
        }
    };
    let svc = watch.service.clone();
    let done = on_own_thread("certdesk-download", running, move || async move {
        enrollment::download(&svc, &mut journal, &req, &solver, &mut progress)
            .await
            .map_err(|e| {
                tracing::warn!(code = e.code(), error = %e, "download failed");
                download_to_ipc(&e)
            })
    })
    .await?;
    tracing::info!(serial = %done.certificate_serial, resumed = done.resumed, "certificate downloaded");
    Ok(DownloadResult {
        application_id: done.application_id,
        token_serial: done.token.serial,
        subject: done.subject,
        issuer: done.issuer,
        serial: done.certificate_serial,
        not_before: done.not_before,
        not_after: done.not_after,
        key_algorithm: key_algorithm_name(&done.key_algorithm)?,
        dual: done.encryption_certificate_serial.is_some(),
        encryption_serial: done.encryption_certificate_serial,
        resumed: done.resumed,
        already_on_token: done.already_on_token,
    })
}

/// The core names algorithms as the journal does (`ecdsa-p256`); the UI as the CA does.
fn key_algorithm_name(s: &str) -> Result<KeyAlgorithmName, IpcError> {
    Ok(match s {
        "rsa2048" => KeyAlgorithmName::Rsa2048,
        "rsa3072" => KeyAlgorithmName::Rsa3072,
        "ecdsa-p256" => KeyAlgorithmName::EcdsaP256,
        "sm2" => KeyAlgorithmName::Sm2,
        other => {
            return Err(IpcError::new(
                ErrorCode::Internal,
                format!("unknown key algorithm {other}"),
            ));
        }
    })
}

/// Unfinished downloads journaled on this computer, each with whether its token is in.
#[tauri::command]
pub async fn interrupted_downloads(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Vec<InterruptedDownload>, IpcError> {
    let entries = journal(&state)?
        .active(None)
        .map_err(|e| download_to_ipc(&DownloadError::from(e)))?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let present: Vec<String> = match tokens(&app) {
        Some(w) => {
            // SoftHSM2 and some vendor modules fix their slot list at load: rescan so a
            // re-inserted token is seen.
            let _ = w.service.rescan(w.module.clone()).await;
            w.service
                .list_tokens(w.module.clone())
                .await
                .map(|ts| ts.into_iter().map(|t| t.serial).collect())
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    entries
        .into_iter()
        // An entry whose pre-flight never ended holds nothing to finish; the next download
        // of that application starts over (see `enrollment::download`).
        .filter(|e| e.key_algorithm.is_some())
        .filter_map(|e| match &e.kind {
            EntryKind::Download { card_serial } => Some((card_serial.clone(), e)),
            // Renewals and counter makings are finished where they were started.
            EntryKind::Renewal { .. } | EntryKind::CounterMaking { .. } => None,
        })
        .map(|(card_serial, e)| {
            Ok(InterruptedDownload {
                token_present: present.contains(&e.token.serial),
                last_step: e.last.map(|(s, _)| s),
                application_id: e.application_id,
                token_serial: e.token.serial,
                card_serial,
            })
        })
        .collect()
}
