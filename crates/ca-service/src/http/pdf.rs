//! PDF answers: rendered off the runtime (font subsetting is CPU work) and sent as
//! `application/pdf`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ApiResult};

pub async fn answer<E>(
    render: impl FnOnce() -> Result<Vec<u8>, E> + Send + 'static,
) -> ApiResult<Response>
where
    E: std::fmt::Display + Send + 'static,
{
    let bytes = tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    Ok(r)
}
