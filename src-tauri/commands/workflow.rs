//! Sign-in and order management: one-line adapters over `certdesk_core::workflow`.
//! Values cross as the core's and the CA's types or through `From` impls in
//! `certdesk-ipc` (compile-checked); errors through [`from_workflow`].

use certdesk_core::drafts::DraftId;
use certdesk_core::drafts::thumbnails::Thumbnail;
use certdesk_core::sensitive::Sensitive;
use certdesk_ipc::{
    Agreement, ApplicationDetail, ApplicationList, AuthorisationSent, Captcha, ChannelInfo,
    DocumentMeta, DocumentThumbnail, DocumentUpload, DraftForm, FaceCheckRequest, FaceCheckView,
    FieldError, FieldInput, FileUpload, HandlerCheckRequest, IpcError, ListState, LocalDraft,
    MAX_DOCUMENT_BYTES, OcrSuggestions, OtpSent, SessionInfo, SessionState, SignInCodeRequest,
    SignInRequest, SignatureRequest, SignedIn, StartRequest, StartState,
};
use certdesk_ipc::{
    FormAction, FormSaved, PaymentCode, PaymentRequest, ResolveRequest, SyncState, TrackingRequest,
};
use secrecy::SecretString;
use tauri::State;

use crate::error::{from_workflow, poisoned};
use crate::state::AppState;

/// A draft's id as the UI sends it back.
fn draft(id: &str) -> DraftId {
    DraftId::from_string(id.to_owned())
}

fn session_info(state: &AppState) -> Result<SessionInfo, IpcError> {
    let session: SessionState = state
        .workflow()?
        .session_state()
        .map_err(from_workflow)?
        .into();
    let masked_phone = match &session {
        SessionState::SignedIn { .. } => state.masked_phone.lock().map_err(|_| poisoned())?.clone(),
        _ => None,
    };
    Ok(SessionInfo {
        session,
        masked_phone,
    })
}

/// Async although it awaits nothing: a synchronous command runs on the main thread, and
/// the first one opens the database and the keychain while the first screen is painted.
#[tauri::command]
pub async fn session_state(state: State<'_, AppState>) -> Result<SessionInfo, IpcError> {
    session_info(&state)
}

#[tauri::command]
pub async fn captcha(state: State<'_, AppState>) -> Result<Captcha, IpcError> {
    state.workflow()?.captcha().await.map_err(from_workflow)
}

#[tauri::command]
pub async fn send_sign_in_code(
    state: State<'_, AppState>,
    request: SignInCodeRequest,
) -> Result<OtpSent, IpcError> {
    let phone = Sensitive::new(request.phone.trim().to_owned());
    let w = state.workflow()?;
    let sent = w.send_sign_in_code(&phone, &request.captcha_id, request.captcha_answer.trim());
    sent.await.map_err(from_workflow)
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
        Some(certdesk_ident::mask_phone(phone.expose()));
    Ok(SignedIn {
        session: session_info(&state)?,
        resume: resume.map(Into::into),
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
    tab: ListState,
    cursor: Option<String>,
) -> Result<ApplicationList, IpcError> {
    let w = state.workflow()?;
    let page = w.orders(tab, cursor.as_deref()).await;
    Ok(page.map_err(from_workflow)?.into())
}

#[tauri::command]
pub async fn open_order(
    state: State<'_, AppState>,
    id: String,
) -> Result<ApplicationDetail, IpcError> {
    Ok(state
        .workflow()?
        .load(&id)
        .await
        .map_err(from_workflow)?
        .into())
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
    let channels = state.workflow()?.channels().await.map_err(from_workflow)?;
    Ok(channels.into_iter().map(Into::into).collect())
}

/// The channel's agreements (用户协议), read on the start page before they are accepted.
#[tauri::command]
pub async fn channel_agreements(
    state: State<'_, AppState>,
    channel_id: String,
) -> Result<Vec<Agreement>, IpcError> {
    state
        .workflow()?
        .agreements(&channel_id)
        .await
        .map_err(from_workflow)
}

/// Creates the local draft with the start pages' choices; returns the page it is on.
#[tauri::command]
pub fn start_application(
    state: State<'_, AppState>,
    request: StartRequest,
) -> Result<StartState, IpcError> {
    let w = state.workflow()?;
    let id = w.new_draft().map_err(from_workflow)?;
    let page = w
        .choose(
            &id,
            Some(&request.channel_id),
            Some(request.business),
            Some(&request.accepted_agreements),
        )
        .map_err(from_workflow)?;
    if let Some(serial) = request.certificate_serial.as_deref() {
        w.drafts()
            .set_certificate_serial(&id, Some(serial.trim()))
            .map_err(|e| from_workflow(e.into()))?;
    }
    Ok(StartState {
        draft_id: id.as_str().to_owned(),
        page,
    })
}

#[tauri::command]
pub fn open_draft(state: State<'_, AppState>, id: String) -> Result<DraftForm, IpcError> {
    let w = state.workflow()?;
    Ok(w.open_draft(&draft(&id)).map_err(from_workflow)?.into())
}

/// 信息确认's form: the draft with its empty fields filled from the earlier steps.
#[tauri::command]
pub fn prefill_information(state: State<'_, AppState>, id: String) -> Result<DraftForm, IpcError> {
    let w = state.workflow()?;
    Ok(w.prefill_information(&draft(&id))
        .map_err(from_workflow)?
        .into())
}

/// Saves one field as typed (local, encrypted) and returns its inline check.
#[tauri::command]
pub fn save_field(
    state: State<'_, AppState>,
    input: FieldInput,
) -> Result<Option<FieldError>, IpcError> {
    let w = state.workflow()?;
    let problem = w.save_field(&draft(&input.draft_id), &input.field, &input.value);
    problem.map_err(from_workflow)
}

/// 企业认证: checked inline first, then against the registry at the CA.
#[tauri::command]
pub async fn submit_enterprise(
    state: State<'_, AppState>,
    id: String,
) -> Result<ApplicationDetail, IpcError> {
    let w = state.workflow()?;
    let view = w.submit_enterprise(&draft(&id)).await;
    Ok(view.map_err(from_workflow)?.into())
}

/// Drafts not yet sent to the CA, newest form first as the store lists them.
#[tauri::command]
pub fn local_drafts(state: State<'_, AppState>) -> Result<Vec<LocalDraft>, IpcError> {
    let drafts = state.workflow()?.local_drafts().map_err(from_workflow)?;
    Ok(drafts.iter().map(Into::into).collect())
}

/// Deletes a draft the CA does not know yet (nothing to cancel there).
#[tauri::command]
pub async fn discard_draft(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    let w = state.workflow()?;
    w.cancel(&draft(&id)).await.map_err(from_workflow)
}

/// 经办人认证 by phone or bank card; the handler's fields (and card) come from the draft.
#[tauri::command]
pub async fn verify_handler(
    state: State<'_, AppState>,
    request: HandlerCheckRequest,
) -> Result<ApplicationDetail, IpcError> {
    let w = state.workflow()?;
    let view = w
        .verify_handler(&draft(&request.draft_id), request.method)
        .await;
    Ok(view.map_err(from_workflow)?.into())
}

/// 信息确认: certificate, invoice and mailing information sent, then confirmed.
#[tauri::command]
pub async fn confirm_information(
    state: State<'_, AppState>,
    id: String,
) -> Result<ApplicationDetail, IpcError> {
    let w = state.workflow()?;
    let view = w.confirm_information(&draft(&id)).await;
    Ok(view.map_err(from_workflow)?.into())
}

// ---- documents, face checks, authorisation, application signature ----

fn file_problem(kind: &str, zh: &str, en: &str) -> IpcError {
    let e = FieldError::new("file", kind, zh, en);
    from_workflow(certdesk_core::workflow::WorkflowError::InvalidInput { fields: vec![e] })
}

/// The file's bytes. One larger than the CA accepts is refused here too (the UI checks
/// first), before decoding, so nothing oversized is held or leaves the machine.
pub(crate) fn file_bytes(file: &FileUpload) -> Result<Vec<u8>, IpcError> {
    use base64::Engine as _;
    if file.content_base64.len() / 4 * 3 > MAX_DOCUMENT_BYTES + 2 {
        return Err(file_problem(
            "too_large",
            "文件超过 5 MB，请压缩或重新扫描后上传",
            "the file is larger than 5 MB",
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file.content_base64.as_bytes())
        .map_err(|_| file_problem("unreadable", "文件无法读取", "the file could not be read"))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(file_problem(
            "too_large",
            "文件超过 5 MB，请压缩或重新扫描后上传",
            "the file is larger than 5 MB",
        ));
    }
    Ok(bytes)
}

/// Uploads a document of the order (PDF, PNG or JPEG; the CA decides by content).
#[tauri::command]
pub async fn upload_document(
    state: State<'_, AppState>,
    upload: DocumentUpload,
) -> Result<DocumentMeta, IpcError> {
    let bytes = file_bytes(&upload.file)?;
    let w = state.workflow()?;
    let id = draft(&upload.draft_id);
    let thumbnail = upload.thumbnail.as_deref().and_then(Thumbnail::parse);
    let doc = w
        .upload_document(&id, upload.kind, &upload.file.file_name, bytes, thumbnail)
        .await;
    Ok(doc.map_err(from_workflow)?.into())
}

/// Thumbnails of the draft's uploads (images only), to show beside each document.
#[tauri::command]
pub fn document_thumbnails(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<Vec<DocumentThumbnail>, IpcError> {
    let thumbnails = state
        .workflow()?
        .thumbnails(&draft(&draft_id))
        .map_err(from_workflow)?;
    Ok(thumbnails
        .into_iter()
        .map(|(document_id, t)| DocumentThumbnail {
            document_id,
            data_url: t.as_str().to_owned(),
        })
        .collect())
}

/// Reads a business-licence image at the CA; the suggestions name the form's fields.
#[tauri::command]
pub async fn ocr_business_licence(
    state: State<'_, AppState>,
    file: FileUpload,
) -> Result<OcrSuggestions, IpcError> {
    let bytes = file_bytes(&file)?;
    let w = state.workflow()?;
    let r = w.ocr_business_licence(&file.file_name, bytes).await;
    Ok(r.map_err(from_workflow)?.into())
}

/// Starts a face check of the legal representative or the handler (the handler's
/// details are sent to the CA first).
#[tauri::command]
pub async fn start_face_check(
    state: State<'_, AppState>,
    request: FaceCheckRequest,
) -> Result<FaceCheckView, IpcError> {
    let w = state.workflow()?;
    let id = draft(&request.draft_id);
    let face = w
        .start_face_check(&id, request.person, request.method)
        .await;
    with_qr(face.map_err(from_workflow)?.into())
}

/// Adds the check page's address as a QR code: on site, the person scans it with a
/// phone (the desktop has no camera to rely on). Without one, the link still shows.
fn with_qr(mut face: FaceCheckView) -> Result<FaceCheckView, IpcError> {
    face.qr = certdesk_core::qr::svg_data_url(&face.url).ok();
    Ok(face)
}

/// A face check's status now (the UI polls it while it is pending).
#[tauri::command]
pub async fn face_check(state: State<'_, AppState>, id: String) -> Result<FaceCheckView, IpcError> {
    let face = state.workflow()?.face_check(&id).await;
    Ok(face.map_err(from_workflow)?.into())
}

/// Sends the legal representative the SMS link to sign the letter of authorisation.
#[tauri::command]
pub async fn start_online_authorisation(
    state: State<'_, AppState>,
    id: String,
) -> Result<AuthorisationSent, IpcError> {
    let w = state.workflow()?;
    let auth = w.start_online_authorisation(&draft(&id)).await;
    Ok(auth.map_err(from_workflow)?.into())
}

/// Sends the handler the SMS code that signs the application.
#[tauri::command]
pub async fn send_signature_code(
    state: State<'_, AppState>,
    id: String,
) -> Result<OtpSent, IpcError> {
    let w = state.workflow()?;
    w.send_signature_code(&draft(&id))
        .await
        .map_err(from_workflow)
}

/// 证书申请签名: the SMS code and consent seal the submission; the order moves to payment.
#[tauri::command]
pub async fn sign_application(
    state: State<'_, AppState>,
    request: SignatureRequest,
) -> Result<ApplicationDetail, IpcError> {
    let w = state.workflow()?;
    let code = SecretString::from(request.code.trim().to_owned());
    let id = draft(&request.draft_id);
    let view = w.sign_application(&id, &code, request.consent).await;
    Ok(view.map_err(from_workflow)?.into())
}

// ---- payment, paper and parcels, the printed form, deep links ----

fn payment_code(p: &certdesk_ca_api::payment::Payment) -> Result<PaymentCode, IpcError> {
    let qr = certdesk_core::qr::svg_data_url(&p.code_url)
        .map_err(|e| IpcError::new(certdesk_ipc::ErrorCode::CaProtocol, e.to_string()))?;
    Ok(PaymentCode {
        id: p.id.clone(),
        application_id: p.application_id.clone(),
        provider: p.provider,
        amount_fen: p.amount_fen,
        status: p.status,
        qr,
        expires_at: p.expires_at.clone(),
        paid_at: p.paid_at.clone(),
    })
}

/// 支付订单: a payment with WeChat Pay or Alipay and its QR code.
#[tauri::command]
pub async fn start_payment(
    state: State<'_, AppState>,
    request: PaymentRequest,
) -> Result<PaymentCode, IpcError> {
    let w = state.workflow()?;
    let paid = w.pay(&draft(&request.draft_id), request.provider).await;
    payment_code(&paid.map_err(from_workflow)?)
}

/// The payment's live status (the page polls it).
#[tauri::command]
pub async fn payment_status(
    state: State<'_, AppState>,
    id: String,
) -> Result<PaymentCode, IpcError> {
    payment_code(
        &state
            .workflow()?
            .payment(&id)
            .await
            .map_err(from_workflow)?,
    )
}

/// A fresh QR code for an expired (or expiring) one.
#[tauri::command]
pub async fn renew_payment(
    state: State<'_, AppState>,
    id: String,
) -> Result<PaymentCode, IpcError> {
    let w = state.workflow()?;
    payment_code(&w.renew_payment(&id).await.map_err(from_workflow)?)
}

/// The courier tracking number of the mailed paper, as typed (trimmed).
#[tauri::command]
pub async fn record_paper_tracking(
    state: State<'_, AppState>,
    request: TrackingRequest,
) -> Result<ApplicationDetail, IpcError> {
    let w = state.workflow()?;
    let id = draft(&request.draft_id);
    let (courier, number) = (request.courier.trim(), request.tracking_number.trim());
    let view = w.record_paper_tracking(&id, courier, number).await;
    Ok(view.map_err(from_workflow)?.into())
}

/// The applicant received the token the CA made and mailed.
#[tauri::command]
pub async fn confirm_receipt(
    state: State<'_, AppState>,
    id: String,
) -> Result<ApplicationDetail, IpcError> {
    let w = state.workflow()?;
    let view = w.confirm_receipt(&draft(&id)).await;
    Ok(view.map_err(from_workflow)?.into())
}

/// The printed application form: rendered from the order as the CA holds it, saved
/// through the native save dialog (`None` when the applicant cancels it), and for
/// "print" opened in the system's PDF viewer.
#[tauri::command]
pub async fn save_application_form(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    let w = state.workflow()?;
    let view = w.load(&id).await.map_err(from_workflow)?;
    let channels = w.channels().await.map_err(from_workflow)?;
    let channel = channels
        .iter()
        .find(|c| c.id == view.application.channel_id)
        .ok_or_else(|| IpcError::new(certdesk_ipc::ErrorCode::NotFound, "the order's channel"))?;
    crate::form::save(&app, &view.application, channel, action).await
}

/// Opens the order a `certdesk://` link names (from the OS, via `link-opened`).
#[tauri::command]
pub async fn open_link(
    state: State<'_, AppState>,
    url: String,
) -> Result<ApplicationDetail, IpcError> {
    let view = state.workflow()?.open_link(&url).await;
    Ok(view.map_err(from_workflow)?.into())
}

/// The link the app was started with, once (the page asks when it is ready).
#[tauri::command]
pub fn pending_link(
    links: State<'_, crate::links::PendingLink>,
) -> Result<Option<String>, IpcError> {
    links.take()
}

/// Sends the draft's queued edits; says when they stay queued (CA unreachable) or
/// conflict with a change made at the CA.
#[tauri::command]
pub async fn sync_draft(state: State<'_, AppState>, id: String) -> Result<SyncState, IpcError> {
    let w = state.workflow()?;
    let outcome = w.sync(&draft(&id)).await.map_err(from_workflow)?;
    Ok(SyncState::from(&outcome))
}

/// The applicant's choice per conflicting field, then the edits are sent.
#[tauri::command]
pub async fn resolve_conflicts(
    state: State<'_, AppState>,
    request: ResolveRequest,
) -> Result<SyncState, IpcError> {
    let mut choices = std::collections::BTreeMap::new();
    for c in &request.choices {
        let field = certdesk_core::drafts::Field::parse(&c.field)
            .ok_or_else(|| IpcError::new(certdesk_ipc::ErrorCode::InvalidInput, "unknown field"))?;
        choices.insert(field, c.keep);
    }
    let w = state.workflow()?;
    let id = draft(&request.draft_id);
    let outcome = w.resolve(&id, &choices).await.map_err(from_workflow)?;
    Ok(SyncState::from(&outcome))
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use base64::Engine as _;

    use super::*;

    fn upload(bytes: &[u8]) -> FileUpload {
        FileUpload {
            file_name: "scan.png".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    fn kind_of(e: &IpcError) -> String {
        serde_json::to_value(e).unwrap()["details"]["fields"][0]["kind"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn files_over_5_mib_or_not_base64_are_refused_before_the_ca() {
        let at_limit = vec![7u8; MAX_DOCUMENT_BYTES];
        assert_eq!(file_bytes(&upload(&at_limit)).unwrap(), at_limit);
        let over = vec![7u8; MAX_DOCUMENT_BYTES + 1];
        let e = file_bytes(&upload(&over)).unwrap_err();
        assert_eq!(e.code, certdesk_ipc::ErrorCode::InvalidInput);
        assert_eq!(kind_of(&e), "too_large");
        let garbage = FileUpload {
            file_name: "x.png".into(),
            content_base64: "not base64!".into(),
        };
        assert_eq!(kind_of(&file_bytes(&garbage).unwrap_err()), "unreadable");
        // The content never shows in logs.
        assert!(!format!("{:?}", upload(b"secret scan")).contains("c2VjcmV0"));
    }
}
