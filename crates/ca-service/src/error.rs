//! Every failure leaves the service as `application/problem+json`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::{FieldError, PROBLEM_CONTENT_TYPE, Problem, ProblemCode};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Problem(Box<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn code(code: ProblemCode) -> Self {
        ApiError::Problem(Box::new(Problem::new(code)))
    }
    pub fn detail(code: ProblemCode, detail: impl Into<String>) -> Self {
        ApiError::Problem(Box::new(Problem::new(code).detail(detail)))
    }
    pub fn fields(errors: Vec<FieldError>) -> Self {
        ApiError::Problem(Box::new(
            Problem::new(ProblemCode::ValidationFailed).field_errors(errors),
        ))
    }
    pub fn not_found() -> Self {
        Self::code(ProblemCode::NotFound)
    }
    pub fn invalid_state(detail: impl Into<String>) -> Self {
        Self::detail(ProblemCode::InvalidState, detail)
    }
    pub fn retry_after(code: ProblemCode, secs: u64) -> Self {
        let mut p = Problem::new(code);
        p.retry_after = Some(secs.max(1));
        ApiError::Problem(Box::new(p))
    }
    pub fn problem(p: Problem) -> Self {
        ApiError::Problem(Box::new(p))
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Store(StoreError::Sqlite(e))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Store(StoreError::Corrupt(e))
    }
}

pub fn problem_response(p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(p).unwrap_or_default();
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    if let Some(secs) = p.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Problem(p) => problem_response(&p),
            other => {
                // Internal details go to the log only; the client gets the stable code.
                tracing::error!(error = %other, "request failed");
                problem_response(&Problem::new(ProblemCode::Internal))
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
