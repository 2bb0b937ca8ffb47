//! The façade's error: one variant per kind of failure the UI tells apart (certdesk-ipc
//! gives each its code and details).

use certdesk_ca_api::{FieldError, ProblemCode};
use certdesk_ca_client::ClientError;

use crate::db::StoreError;
use crate::drafts::Field;
use crate::keychain::KeychainError;
use crate::session::{ResumePoint, SessionError};

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// Network trouble; whatever the applicant typed stays queued in the drafts.
    #[error("the CA service cannot be reached: {0}")]
    CaUnreachable(#[source] ClientError),
    /// The CA refused (validation, a registry mismatch, a wrong code, a wrong state).
    #[error("the CA refused the request ({})", code.as_str())]
    CaRejected {
        code: ProblemCode,
        fields: Vec<FieldError>,
        retry_after: Option<u64>,
    },
    /// The CA answered with something that is not its protocol.
    #[error("the CA's answer does not follow the protocol: {0}")]
    CaProtocol(#[source] ClientError),
    #[error("sign in first")]
    NotSignedIn,
    #[error("the session expired; sign in again to continue")]
    SessionExpired { resume: Option<ResumePoint> },
    /// Fields changed both here and at the CA; `sync` returns both versions.
    #[error("{} field(s) were changed both here and at the CA", fields.len())]
    Conflict { fields: Vec<Field> },
    /// One unfinished application per organisation: the existing one is named.
    #[error("an unfinished application exists for this organisation")]
    DuplicateApplication {
        existing_application_id: Option<String>,
    },
    #[error("no such application or draft")]
    NotFound,
    /// Checked before anything is sent (inline validation, missing start choices).
    #[error("{} field(s) need attention", fields.len())]
    InvalidInput { fields: Vec<FieldError> },
    #[error(transparent)]
    Storage(#[from] StoreError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("the CA address is not usable: {0}")]
    NotConfigured(String),
}

impl From<SessionError> for WorkflowError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Keychain(k) => Self::Keychain(k),
            SessionError::Storage(s) => Self::Storage(s),
        }
    }
}

impl WorkflowError {
    /// Maps a client error; `Unauthorized` is turned into `SessionExpired` by the façade,
    /// which also records the expiry.
    pub fn from_client(e: ClientError) -> Self {
        match &e {
            ClientError::Problem(p) => match p.code {
                ProblemCode::NotFound => Self::NotFound,
                ProblemCode::DuplicateApplication => Self::DuplicateApplication {
                    existing_application_id: p.existing_application_id.clone(),
                },
                ProblemCode::Unauthorized => Self::SessionExpired { resume: None },
                _ if e.is_transient() => Self::CaUnreachable(e),
                code => Self::CaRejected {
                    code,
                    fields: p.errors.clone(),
                    retry_after: p.retry_after,
                },
            },
            ClientError::NotSignedIn => Self::NotSignedIn,
            ClientError::BaseUrl(u) => Self::NotConfigured(u.clone()),
            // An unusable trust setting is a TLS failure: the CA cannot be reached safely.
            ClientError::Transport(_) | ClientError::Trust(_) => Self::CaUnreachable(e),
            ClientError::Status { status } if (500..=599).contains(status) => {
                Self::CaUnreachable(e)
            }
            ClientError::Status { .. } | ClientError::Decode(_) => Self::CaProtocol(e),
        }
    }
}
