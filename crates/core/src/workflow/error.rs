//! The façade's error: one variant per IPC error code the UI distinguishes.

use certdesk_ca_api::{FieldError, ProblemCode};
use certdesk_ca_client::ClientError;
use certdesk_ipc::{ErrorCode, IpcError};
use serde_json::json;

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

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::CaUnreachable(_) => ErrorCode::CaUnreachable,
            Self::CaRejected { .. } => ErrorCode::CaRejected,
            Self::CaProtocol(_) => ErrorCode::CaProtocol,
            Self::NotSignedIn | Self::SessionExpired { .. } => ErrorCode::SessionExpired,
            Self::Conflict { .. } | Self::DuplicateApplication { .. } => ErrorCode::Conflict,
            Self::NotFound => ErrorCode::NotFound,
            Self::InvalidInput { .. } => ErrorCode::InvalidInput,
            Self::Storage(_) => ErrorCode::Storage,
            Self::Keychain(_) => ErrorCode::Keychain,
            Self::NotConfigured(_) => ErrorCode::NotConfigured,
        }
    }

    /// The IPC error. `details` carries structure the UI acts on (field errors, the
    /// existing application, the resume point); never a personal value.
    pub fn to_ipc(&self) -> IpcError {
        let err = IpcError::new(self.code(), self.to_string());
        let details = match self {
            Self::CaRejected {
                code,
                fields,
                retry_after,
            } => Some(
                json!({ "problem": code.as_str(), "fields": fields, "retry_after": retry_after }),
            ),
            Self::InvalidInput { fields } => Some(json!({ "fields": fields })),
            Self::Conflict { fields } => Some(json!({
                "fields": fields.iter().map(|f| f.as_str()).collect::<Vec<_>>()
            })),
            Self::DuplicateApplication {
                existing_application_id,
            } => Some(
                json!({ "problem": "duplicate_application", "existing_application_id": existing_application_id }),
            ),
            Self::SessionExpired { resume } => Some(json!({ "resume": resume })),
            // The UI offers to start over ([`crate::db::set_aside`]); nothing else helps.
            Self::Storage(StoreError::WrongKey) => Some(json!({ "reason": "wrong_key" })),
            _ => None,
        };
        match details {
            Some(d) => err.with_details(d),
            None => err,
        }
    }
}

impl From<WorkflowError> for IpcError {
    fn from(e: WorkflowError) -> Self {
        e.to_ipc()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use certdesk_ca_api::Problem;

    use super::*;

    fn problem(code: ProblemCode) -> ClientError {
        let mut p = Problem::new(code);
        if code == ProblemCode::DuplicateApplication {
            p.existing_application_id = Some("app_1".into());
        }
        if code == ProblemCode::VerificationFailed {
            p.errors = vec![FieldError::new(
                "enterprise.name",
                "registry_mismatch",
                "企业名称与登记信息不一致",
                "name differs from the registry",
            )];
        }
        ClientError::Problem(Box::new(p))
    }

    #[test]
    fn ca_problems_map_to_ipc_codes() {
        use ErrorCode as C;
        for (code, want) in [
            (ProblemCode::Unauthorized, C::SessionExpired),
            (ProblemCode::NotFound, C::NotFound),
            (ProblemCode::DuplicateApplication, C::Conflict),
            (ProblemCode::VerificationFailed, C::CaRejected),
            (ProblemCode::ValidationFailed, C::CaRejected),
            (ProblemCode::OtpInvalid, C::CaRejected),
            (ProblemCode::InvalidState, C::CaRejected),
            (ProblemCode::RateLimited, C::CaRejected),
        ] {
            assert_eq!(
                WorkflowError::from_client(problem(code)).code(),
                want,
                "{code:?}"
            );
        }
        assert_eq!(
            WorkflowError::from_client(ClientError::Status { status: 503 }).code(),
            C::CaUnreachable
        );
        assert_eq!(
            WorkflowError::from_client(ClientError::Status { status: 418 }).code(),
            C::CaProtocol
        );
        assert_eq!(
            WorkflowError::from_client(ClientError::NotSignedIn).code(),
            C::SessionExpired
        );
        assert_eq!(
            WorkflowError::from_client(ClientError::BaseUrl("ftp://x".into())).code(),
            C::NotConfigured
        );
        assert_eq!(
            WorkflowError::Storage(StoreError::Decrypt).code(),
            C::Storage
        );
        assert_eq!(
            WorkflowError::Keychain(KeychainError::Damaged("k")).code(),
            C::Keychain
        );
    }

    #[test]
    fn details_carry_structure_the_ui_acts_on() {
        let e = WorkflowError::from_client(problem(ProblemCode::VerificationFailed)).to_ipc();
        let d = e.details.unwrap();
        assert_eq!(d["problem"], "verification_failed");
        assert_eq!(d["fields"][0]["field"], "enterprise.name");
        let e = WorkflowError::from_client(problem(ProblemCode::DuplicateApplication)).to_ipc();
        assert_eq!(e.details.unwrap()["existing_application_id"], "app_1");
        let e = WorkflowError::Conflict {
            fields: vec![Field::MailingAddress],
        }
        .to_ipc();
        assert_eq!(e.code, ErrorCode::Conflict);
        assert_eq!(e.details.unwrap()["fields"][0], "mailing.address");
    }

    #[test]
    fn inline_errors_never_echo_the_value() {
        let bad = "11010519491231002Y";
        let f = crate::drafts::Field::LegalRepIdNumber.check(bad).unwrap();
        let e = WorkflowError::InvalidInput { fields: vec![f] };
        let ipc = e.to_ipc();
        let all = format!("{e} {e:?} {ipc:?} {}", ipc.details.clone().unwrap());
        assert!(!all.contains(bad), "{all}");
        assert_eq!(ipc.code, ErrorCode::InvalidInput);
    }
}
