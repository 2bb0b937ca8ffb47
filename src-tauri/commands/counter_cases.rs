//! The walk-in case at the counter (issue 13 items 3-5): open from the scanned or typed
//! order number, read, the point's queue, field checks, on-site identity, payment,
//! approve and reject. Everything goes through core `counter.cases()`, which checks the
//! input first and keeps the operator's session; errors map once in `certdesk-ipc`.

use certdesk_core::counter::{CounterPaymentInput, FieldVerdict, IdentityCheckInput};
use certdesk_ipc::{
    COUNTER_PAYMENT_CHANGED, CaseCheckRequest, CaseCopyUpload, CaseCopyUploaded,
    CaseDocumentContent, CaseIdentityRequest, CasePaymentRequest, CaseRejectRequest, CaseStatus,
    CaseSummaryView, CaseView, CounterPaymentMethod, CounterPaymentView, FieldOutcome, IpcError,
    SavedFile,
};
use std::sync::Arc;

use certdesk_ca_api::counter::CounterPayment;
use certdesk_core::counter::Counter;
use certdesk_token::SecretString;
use tauri::{AppHandle, Emitter, Manager};

use crate::counter;
use crate::customer::Desk;

/// Opens (or re-opens) the case of an online order; `scanned` is what the scanner or
/// the clerk typed, trailing Enter and all; `uscc` goes with an order number typed by
/// hand (from the licence's original).
#[tauri::command]
pub async fn counter_case_open(
    app: AppHandle,
    scanned: String,
    uscc: Option<String>,
) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let started = std::time::Instant::now();
    let case = c.cases().open(&scanned, uscc.as_deref()).await?;
    tracing::info!(
        case = %case.id,
        ms = started.elapsed().as_millis() as u64,
        "counter case opened"
    );
    Ok(case.into())
}

#[tauri::command]
pub async fn counter_case_get(app: AppHandle, case_id: String) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.cases().get(&case_id).await?.into())
}

/// The point's cases in `status` (open: the review queue), oldest first.
#[tauri::command]
pub async fn counter_case_queue(
    app: AppHandle,
    status: CaseStatus,
) -> Result<Vec<CaseSummaryView>, IpcError> {
    let c = counter::get(&app).await?;
    let list = c.cases().queue(status).await?;
    Ok(list.items.into_iter().map(Into::into).collect())
}

/// A field checked, or corrected to the value from the original: the CA validates it
/// and answers the case with it. The value becomes a secret here (an identity number).
#[tauri::command]
pub async fn counter_case_check(
    app: AppHandle,
    request: CaseCheckRequest,
) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let verdict = match request.outcome {
        FieldOutcome::Checked => FieldVerdict::Checked,
        FieldOutcome::Corrected => {
            FieldVerdict::Corrected(SecretString::from(request.value.unwrap_or_default()))
        }
    };
    let case = c
        .cases()
        .check_field(&request.case_id, &request.field, &verdict)
        .await?;
    Ok(case.into())
}

/// A document of the case (an applicant's upload or a copy scanned at the counter) for
/// its thumbnail and preview; the CA audits the read.
#[tauri::command]
pub async fn counter_case_document(
    app: AppHandle,
    case_id: String,
    document_id: String,
) -> Result<CaseDocumentContent, IpcError> {
    use base64::Engine as _;
    let c = counter::get(&app).await?;
    let started = std::time::Instant::now();
    let doc = c.cases().document(&case_id, &document_id).await?;
    tracing::info!(
        case = %case_id,
        document = %document_id,
        bytes = doc.bytes.len(),
        ms = started.elapsed().as_millis() as u64,
        "counter case document read"
    );
    let data = base64::engine::general_purpose::STANDARD.encode(&doc.bytes);
    Ok(CaseDocumentContent {
        document_id,
        content_type: doc.content_type.to_owned(),
        data_url: format!("data:{};base64,{data}", doc.content_type),
    })
}

/// The on-site identity check; the number becomes a secret here and goes no further
/// than the CA's comparison.
#[tauri::command]
pub async fn counter_case_identity(
    app: AppHandle,
    request: CaseIdentityRequest,
) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let input = IdentityCheckInput {
        person: request.person,
        document: request.document,
        id_number: SecretString::from(request.id_number),
        copy_document_id: request.copy_document_id,
        attested: request.attested,
    };
    Ok(c.cases()
        .record_identity(&request.case_id, &input)
        .await?
        .into())
}

/// Saves a document of the case where the operator chooses (a PDF, to read it in a PDF
/// viewer: the webview shows images only); the CA audits the read.
#[tauri::command]
pub async fn counter_case_document_save(
    app: AppHandle,
    case_id: String,
    document_id: String,
) -> Result<SavedFile, IpcError> {
    let c = counter::get(&app).await?;
    let doc = c.cases().document(&case_id, &document_id).await?;
    let (filter, ext) = match doc.content_type {
        "application/pdf" => ("PDF", "pdf"),
        "image/png" => ("PNG", "png"),
        _ => ("JPEG", "jpg"),
    };
    let name = format!("{document_id}.{ext}");
    crate::save::save_bytes(&app, &name, filter, &[ext], doc.bytes).await
}

/// Uploads the scan of the ID-document copy (same limits as online uploads) and
/// answers its id with the case now holding it.
#[tauri::command]
pub async fn counter_case_upload_copy(
    app: AppHandle,
    upload: CaseCopyUpload,
) -> Result<CaseCopyUploaded, IpcError> {
    let bytes = super::workflow::file_bytes(&upload.file)?;
    let c = counter::get(&app).await?;
    let cases = c.cases();
    let document_id = cases
        .upload_copy(
            &upload.case_id,
            upload.person,
            &upload.file.file_name,
            bytes,
        )
        .await?;
    let case = cases.get(&upload.case_id).await?.into();
    Ok(CaseCopyUploaded { document_id, case })
}

#[tauri::command]
pub async fn counter_case_pay(
    app: AppHandle,
    request: CasePaymentRequest,
) -> Result<CounterPaymentView, IpcError> {
    let c = counter::get(&app).await?;
    let reference = request.reference.unwrap_or_default();
    let input = match request.method {
        CounterPaymentMethod::Pos => CounterPaymentInput::Pos { slip: reference },
        CounterPaymentMethod::Cash => CounterPaymentInput::Cash { receipt: reference },
        CounterPaymentMethod::Wechat => CounterPaymentInput::Wechat,
        CounterPaymentMethod::Alipay => CounterPaymentInput::Alipay,
    };
    let key = Some(request.idempotency_key.as_str()).filter(|k| !k.is_empty());
    let paid = c
        .cases()
        .record_payment(&request.case_id, &input, key)
        .await?;
    if paid.payment.is_some() {
        follow_qr_payment(app, c, paid.clone());
    }
    Ok(paid.into())
}

/// Shows a WeChat/Alipay payment's QR code on the customer window and follows it in the
/// background; its end (paid, expired, withdrawn) reaches the operator's window as
/// `counter-payment-changed`.
fn follow_qr_payment(app: AppHandle, c: Arc<Counter>, payment: CounterPayment) {
    tauri::async_runtime::spawn(async move {
        let desk = app.state::<Desk>().0.clone();
        let ended = match c.cases().follow_qr_payment(&desk, payment).await {
            Ok(p) => CounterPaymentView::from(p),
            Err(e) => {
                tracing::warn!(error = %e, "following the counter QR payment stopped");
                return;
            }
        };
        tracing::info!(payment = %ended.id, status = ?ended.status, "counter QR payment followed");
        if let Err(e) = app.emit(COUNTER_PAYMENT_CHANGED, ended) {
            tracing::warn!(error = %e, "counter payment event not sent");
        }
    });
}

#[tauri::command]
pub async fn counter_case_payments(
    app: AppHandle,
    case_id: String,
) -> Result<Vec<CounterPaymentView>, IpcError> {
    let c = counter::get(&app).await?;
    let list = c.cases().payments(&case_id).await?;
    Ok(list.items.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn counter_case_approve(app: AppHandle, case_id: String) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    Ok(c.cases().approve(&case_id).await?.into())
}

#[tauri::command]
pub async fn counter_case_reject(
    app: AppHandle,
    request: CaseRejectRequest,
) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let case = c.cases().reject(&request.case_id, &request.reasons).await?;
    Ok(case.into())
}
