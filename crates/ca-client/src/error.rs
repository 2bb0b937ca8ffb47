use std::error::Error as _;

use certdesk_ca_api::{FieldError, Problem, ProblemCode};

/// Everything that can go wrong talking to the CA.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The CA answered with a problem document: match on [`ClientError::code`].
    #[error("CA refused the request: {0}")]
    Problem(Box<Problem>),
    /// A non-success status without a problem body (e.g. a proxy in between).
    #[error("unexpected HTTP status {status}")]
    Status { status: u16 },
    #[error("network: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("response did not match the contract: {0}")]
    Decode(String),
    #[error("invalid base URL: {0}")]
    BaseUrl(String),
    #[error("no bearer token: sign in first")]
    NotSignedIn,
    /// The extra-roots setting ([`crate::EXTRA_ROOTS_ENV`]) names no usable PEM file.
    #[error("CA trust setting: {0}")]
    Trust(String),
}

impl ClientError {
    /// The stable problem code, when the CA sent one.
    pub fn code(&self) -> Option<ProblemCode> {
        match self {
            ClientError::Problem(p) => Some(p.code),
            _ => None,
        }
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Problem(p) => Some(p),
            _ => None,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ClientError::Problem(p) => &p.errors,
            _ => &[],
        }
    }

    /// The TLS handshake's own error, when that is why the CA was not reached (an
    /// untrusted root, a wrong name, a peer that does not speak TLS).
    pub fn tls_failure(&self) -> Option<String> {
        match self {
            ClientError::Transport(e) => e.source().and_then(find_rustls).map(|t| t.to_string()),
            _ => None,
        }
    }

    /// Worth retrying: network trouble or a gateway/server hiccup.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Transport(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            ClientError::Status { status } => matches!(status, 502..=504),
            ClientError::Problem(p) => matches!(p.status, 502..=504),
            _ => false,
        }
    }
}

/// `io::Error` wraps the rustls error inside another `io::Error`, and its `source()`
/// skips the wrapped error itself, so descend through `get_ref()` too.
fn find_rustls<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        let inner: &(dyn std::error::Error + 'static) = inner;
        if let Some(tls) = find_rustls(inner) {
            return Some(tls);
        }
    }
    err.source().and_then(find_rustls)
}
