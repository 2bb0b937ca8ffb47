//! Document upload (type decided by content, size-limited, SHA-256 recorded) and OCR.

use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use certdesk_ca_api::application::{DocumentInfo, OcrResult, document_content_type};
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use utoipa::ToSchema;

use super::extract::Applicant;
use super::txn::own;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_id, sha256_bytes_hex};
use crate::state::Shared;
use crate::workflow::load_owned;

pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// Multipart form of an upload (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    kind: DocumentKind,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OcrForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

fn multipart_err(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::code(ProblemCode::PayloadTooLarge)
    } else {
        ApiError::detail(ProblemCode::MalformedRequest, e.body_text())
    }
}

pub type FormResult = Result<Multipart, MultipartRejection>;

pub async fn read_form(mp: FormResult) -> ApiResult<(Option<String>, Option<Vec<u8>>)> {
    let mut mp = mp.map_err(|e| ApiError::detail(ProblemCode::MalformedRequest, e.body_text()))?;
    let mut kind = None;
    let mut file = None;
    while let Some(field) = mp.next_field().await.map_err(multipart_err)? {
        match field.name() {
            Some("kind") => kind = Some(field.text().await.map_err(multipart_err)?),
            Some("file") => {
                let bytes = field.bytes().await.map_err(multipart_err)?;
                if bytes.len() > MAX_DOCUMENT_BYTES {
                    return Err(ApiError::detail(
                        ProblemCode::PayloadTooLarge,
                        "at most 5 MiB",
                    ));
                }
                file = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
    Ok((kind, file))
}

pub fn check_file(file: Option<Vec<u8>>) -> ApiResult<(Vec<u8>, &'static str)> {
    let file = file.ok_or_else(|| {
        ApiError::fields(vec![FieldError::new(
            "file",
            "empty",
            "请选择文件",
            "file missing",
        )])
    })?;
    let ct = document_content_type(&file).ok_or_else(|| {
        ApiError::detail(
            ProblemCode::UnsupportedMediaType,
            "only PDF, PNG and JPEG content is accepted",
        )
    })?;
    Ok((file, ct))
}

/// Upload a document (PDF, PNG or JPEG by content; at most 5 MiB).
#[utoipa::path(post, path = "/v1/applications/{id}/documents", tag = "documents",
    security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = DocumentInfo),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn upload_document(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    mp: FormResult,
) -> ApiResult<(StatusCode, Json<DocumentInfo>)> {
    // Ownership first, so a stranger learns nothing from upload errors.
    state.db.read(|c| load_owned(c, &id, &who.phone))?;
    let (kind, file) = read_form(mp).await?;
    let kind = document_kind(kind)?;
    let (file, ct) = check_file(file)?;
    let info = store_file(&state, kind, file, ct).await?;
    let stored = info.clone();
    own(&state, &who, &id).editable().run(|s| {
        // A new upload of the same kind replaces the old one.
        s.doc.app.documents.retain(|d| d.kind != stored.kind);
        s.doc.app.documents.push(stored);
        s.save()
    })?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// The form's `kind`, or a field error naming it.
pub fn document_kind(kind: Option<String>) -> ApiResult<DocumentKind> {
    kind.and_then(|k| serde_json::from_value(serde_json::Value::String(k)).ok())
        .ok_or_else(|| {
            ApiError::fields(vec![FieldError::new(
                "kind",
                "invalid",
                "资料类型无效",
                "unknown document kind",
            )])
        })
}

/// Keeps the checked file under its SHA-256 and describes it as a new document; the
/// caller attaches it to the application. One pipeline for applicants and operators.
pub async fn store_file(
    state: &Shared,
    kind: DocumentKind,
    file: Vec<u8>,
    ct: &'static str,
) -> ApiResult<DocumentInfo> {
    let sha = sha256_bytes_hex(&file);
    let dir = state.data_dir.join("documents");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::fs::write(dir.join(&sha), &file)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(DocumentInfo {
        id: new_id("doc"),
        kind,
        content_type: ct.to_string(),
        size: file.len() as u64,
        sha256: sha,
        uploaded_at: rfc3339(state.now()),
    })
}

/// The stored bytes of a document (kept under its SHA-256 by [`store_file`]).
pub async fn read_file(state: &Shared, info: &DocumentInfo) -> ApiResult<Vec<u8>> {
    let path = state.data_dir.join("documents").join(&info.sha256);
    tokio::fs::read(path)
        .await
        .map_err(|e| ApiError::Internal(format!("document {}: {e}", info.id)))
}

/// Read a business licence image and suggest field values (the applicant confirms them).
#[utoipa::path(post, path = "/v1/ocr/business-licence", tag = "documents",
    security(("bearer" = [])),
    request_body(content = OcrForm, content_type = "multipart/form-data"),
    responses((status = 200, body = OcrResult),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn ocr_business_licence(_who: Applicant, mp: FormResult) -> ApiResult<Json<OcrResult>> {
    let (_, file) = read_form(mp).await?;
    let (file, ct) = check_file(file)?;
    if ct == "application/pdf" {
        return Err(ApiError::detail(
            ProblemCode::UnsupportedMediaType,
            "OCR reads PNG or JPEG images",
        ));
    }
    let tmp = tempfile::NamedTempFile::new().map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::fs::write(tmp.path(), &file)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(crate::ocr::recognise(tmp.path()).await))
}
