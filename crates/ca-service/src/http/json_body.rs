//! Reading a JSON request body: content type, size bound, parsing with the failing
//! field's path, then the [`Checked`] rules. Every refusal is a problem document with a
//! stable code: 415, 413, 400 (syntax) or 422 (shape and field rules).

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header;
use certdesk_ca_api::limits::JSON_BODY_BYTES;
use certdesk_ca_api::{FieldError, ProblemCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::error::Category;

use crate::domain::checked::{self, Checked};
use crate::error::{ApiError, ApiResult};
use crate::secrets::sha256_hex;

/// `application/json` or `application/<something>+json`, parameters (charset) allowed.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn too_large() -> ApiError {
    ApiError::detail(
        ProblemCode::PayloadTooLarge,
        format!("a JSON body may have at most {JSON_BODY_BYTES} bytes"),
    )
}

/// The body's bytes, after the content-type and size checks.
pub async fn read_json_bytes(req: Request) -> ApiResult<Bytes> {
    let headers = req.headers();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !is_json(ct) {
        return Err(ApiError::detail(
            ProblemCode::UnsupportedMediaType,
            "send the body as Content-Type: application/json",
        ));
    }
    // A declared length over the bound is refused before reading a byte of it.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > JSON_BODY_BYTES as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(req.into_body(), JSON_BODY_BYTES)
        .await
        .map_err(|e| {
            let limit = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if limit {
                too_large()
            } else {
                ApiError::detail(ProblemCode::MalformedRequest, "the body could not be read")
            }
        })
}

/// Maps a parse failure: a lone UTF-16 surrogate escape (`\uD800`) is the field's fault
/// (422 with its path), other syntax errors are 400, wrong shapes 422.
fn parse_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.to_string();
    if message.contains("surrogate") || message.contains("hex escape") {
        return ApiError::fields(vec![FieldError::new(
            &path,
            "unpaired_surrogate",
            "包含无效的Unicode字符（不成对的代理项）",
            "contains an unpaired UTF-16 surrogate",
        )]);
    }
    match inner.classify() {
        Category::Data => {
            let mut err = FieldError::new(&path, "invalid", "格式不正确", message.clone());
            err.message_en = message;
            ApiError::fields(vec![err])
        }
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::detail(ProblemCode::MalformedRequest, message)
        }
    }
}

fn refuse_unchecked<T: Checked>(value: T) -> ApiResult<T> {
    let errors = checked::errors(&value);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::fields(errors))
    }
}

/// Parses and checks a JSON body.
pub fn parse_checked<T: DeserializeOwned + Checked>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(parse_error)?;
    de.end()
        .map_err(|e| ApiError::detail(ProblemCode::MalformedRequest, e.to_string()))?;
    refuse_unchecked(value)
}

/// Parses and checks a JSON body, with a hash of its canonical form (serde_json's map
/// is ordered by key) for idempotent creates.
pub fn parse_hashed<T: DeserializeOwned + Checked>(bytes: &[u8]) -> ApiResult<(T, String)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: Value = serde_path_to_error::deserialize(&mut de).map_err(parse_error)?;
    de.end()
        .map_err(|e| ApiError::detail(ProblemCode::MalformedRequest, e.to_string()))?;
    let hash = sha256_hex(&[&value.to_string()]);
    let parsed: T = serde_path_to_error::deserialize(value).map_err(parse_error)?;
    Ok((refuse_unchecked(parsed)?, hash))
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
        assert!(!is_json("application/jsonx"));
    }
}
