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
