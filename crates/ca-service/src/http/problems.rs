//! Every error response is `application/problem+json` with a stable code, also the
//! framework's own (unrouted path, wrong method, undecodable path, body limits,
//! timeouts, panics): one layer at the router converts whatever is not a problem
//! document yet, so new routes get it without doing anything.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use certdesk_ca_api::{PROBLEM_CONTENT_TYPE, Problem, ProblemCode};

use crate::error::problem_response;

/// Headers of the original response that still mean something on the problem.
const KEPT_HEADERS: [header::HeaderName; 3] =
    [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE];

/// The code for a status the framework (not a handler) answered with.
pub fn code_for(status: StatusCode) -> ProblemCode {
    match status.as_u16() {
        401 => ProblemCode::Unauthorized,
        403 => ProblemCode::Forbidden,
        404 => ProblemCode::NotFound,
        405 => ProblemCode::MethodNotAllowed,
        408 => ProblemCode::RequestTimeout,
        413 => ProblemCode::PayloadTooLarge,
        415 => ProblemCode::UnsupportedMediaType,
        422 => ProblemCode::ValidationFailed,
        429 => ProblemCode::RateLimited,
        501 => ProblemCode::NotImplemented,
        500..=599 => ProblemCode::Internal,
        _ => ProblemCode::MalformedRequest,
    }
}

fn is_problem(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_CONTENT_TYPE))
}

/// Middleware: error responses that are not problem documents become one.
pub async fn as_problem(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(&resp) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let mut problem = Problem::new(code_for(status));
    // The framework's plain-text reason helps a developer; server errors say nothing.
    if status.is_client_error()
        && let Ok(bytes) = axum::body::to_bytes(body, 1024).await
        && let Ok(text) = String::from_utf8(bytes.to_vec())
        && !text.trim().is_empty()
    {
        problem.detail = Some(text.trim().to_string());
    }
    let mut converted = problem_response(&problem);
    for name in KEPT_HEADERS {
        if let Some(v) = parts.headers.get(&name) {
            converted.headers_mut().insert(name, v.clone());
        }
    }
    converted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_status_has_a_code_with_a_status() {
        for s in 400..600u16 {
            let Ok(status) = StatusCode::from_u16(s) else {
                continue;
            };
            let code = code_for(status);
            assert!(code.status() >= 400, "{s} → {code:?}");
        }
        assert_eq!(code_for(StatusCode::METHOD_NOT_ALLOWED).status(), 405);
        assert_eq!(code_for(StatusCode::PAYLOAD_TOO_LARGE).status(), 413);
    }
}
