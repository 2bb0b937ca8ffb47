//! A new case keyed at the counter (issue 13 item 3b): the application keyed by the
//! clerk with the online forms' checks, the scans the counter takes for it, the
//! applicant's signature on the printed form, and the form itself to print. Everything
//! goes through core `counter.cases()`; errors map once in `certdesk-ipc`.

use certdesk_core::counter::KeyedInput;
use certdesk_ipc::{
    CaseCopyUploaded, CaseKeyField, CaseKeyRequest, CaseScanUpload, CaseSignRequest, CaseView,
    FieldError, FormAction, FormSaved, IpcError,
};
use tauri::AppHandle;

use crate::counter;

/// Keys a new application at the counter and opens its case.
#[tauri::command]
pub async fn counter_case_key(
    app: AppHandle,
    request: CaseKeyRequest,
) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let input = KeyedInput {
        channel_id: request.channel_id,
        accepted_agreements: request.accepted_agreements,
        values: request.values,
        idempotency_key: Some(request.idempotency_key).filter(|k| !k.is_empty()),
    };
    let started = std::time::Instant::now();
    let case = c.cases().key(&input).await?;
    tracing::info!(
        case = %case.id,
        ms = started.elapsed().as_millis() as u64,
        "counter case keyed"
    );
    Ok(case.into())
}

/// The inline check of one keyed field: the online forms' own.
#[tauri::command]
pub fn counter_case_key_check(field: CaseKeyField) -> Result<Option<FieldError>, IpcError> {
    Ok(certdesk_core::counter::check_keyed_field(
        &field.field,
        &field.value,
    )?)
}

/// Uploads a scan taken at the counter for a keyed case (licence, letter, signed form)
/// and answers its id with the case now holding it.
#[tauri::command]
pub async fn counter_case_upload_scan(
    app: AppHandle,
    upload: CaseScanUpload,
) -> Result<CaseCopyUploaded, IpcError> {
    let bytes = super::workflow::file_bytes(&upload.file)?;
    let c = counter::get(&app).await?;
    let cases = c.cases();
    let document_id = cases
        .upload_scan(&upload.case_id, upload.kind, &upload.file.file_name, bytes)
        .await?;
    let case = cases.get(&upload.case_id).await?.into();
    Ok(CaseCopyUploaded { document_id, case })
}

/// The application signature at the counter: the signed form's scan and the attestation.
#[tauri::command]
pub async fn counter_case_sign(
    app: AppHandle,
    request: CaseSignRequest,
) -> Result<CaseView, IpcError> {
    let c = counter::get(&app).await?;
    let case = c
        .cases()
        .sign(
            &request.case_id,
            &request.form_document_id,
            request.attested,
        )
        .await?;
    Ok(case.into())
}

/// The case's application form (单位数字证书申请表) to print for the applicant to sign.
#[tauri::command]
pub async fn counter_case_form(
    app: AppHandle,
    case_id: String,
    action: FormAction,
) -> Result<Option<FormSaved>, IpcError> {
    let c = counter::get(&app).await?;
    let (application, channel) = c.cases().form(&case_id).await?;
    crate::form::save(&app, &application, &channel, action).await
}
