//! `WorkflowError` (the application workflow's façade) and the CA client's errors as
//! the workflow says them. `details` carries structure the UI acts on (field errors,
//! the existing application, the resume point); never a personal value.

use certdesk_ca_api::{FieldError, ProblemCode};
use certdesk_ca_client::ClientError;
use certdesk_core::db::StoreError;
use certdesk_core::workflow::WorkflowError;

use crate::{
    CaProblemDetails, ConflictDetails, DuplicateDetails, ErrorCode, ErrorDetails, FieldsDetails,
    IpcError, ResumeDetails, StorageDetails, StorageReason,
};

/// The CA's refusal as `details`: its problem code, its field findings, when to retry.
pub(super) fn ca_problem(
    code: ProblemCode,
    fields: &[FieldError],
    retry_after: Option<u64>,
) -> ErrorDetails {
    CaProblemDetails {
        problem: code.as_str().to_owned(),
        fields: fields.to_vec(),
        retry_after,
    }
    .into()
}

pub fn workflow_code(e: &WorkflowError) -> ErrorCode {
    match e {
        WorkflowError::CaUnreachable(_) => ErrorCode::CaUnreachable,
        WorkflowError::CaRejected { .. } => ErrorCode::CaRejected,
        WorkflowError::CaProtocol(_) => ErrorCode::CaProtocol,
        WorkflowError::NotSignedIn | WorkflowError::SessionExpired { .. } => {
            ErrorCode::SessionExpired
        }
        WorkflowError::Conflict { .. } | WorkflowError::DuplicateApplication { .. } => {
            ErrorCode::Conflict
        }
        WorkflowError::NotFound => ErrorCode::NotFound,
        WorkflowError::InvalidInput { .. } => ErrorCode::InvalidInput,
        WorkflowError::Storage(_) => ErrorCode::Storage,
        WorkflowError::Keychain(_) => ErrorCode::Keychain,
        WorkflowError::NotConfigured(_) => ErrorCode::NotConfigured,
    }
}

fn details(e: &WorkflowError) -> Option<ErrorDetails> {
    Some(match e {
        WorkflowError::CaRejected {
            code,
            fields,
            retry_after,
        } => ca_problem(*code, fields, *retry_after),
        WorkflowError::InvalidInput { fields } => FieldsDetails {
            fields: fields.to_vec(),
        }
        .into(),
        WorkflowError::Conflict { fields } => ConflictDetails {
            fields: fields.iter().map(|f| f.as_str().to_owned()).collect(),
        }
        .into(),
        WorkflowError::DuplicateApplication {
            existing_application_id,
        } => DuplicateDetails {
            problem: ProblemCode::DuplicateApplication.as_str().to_owned(),
            existing_application_id: existing_application_id.clone(),
        }
        .into(),
        WorkflowError::SessionExpired { resume } => ResumeDetails {
            resume: resume.clone().map(Into::into),
        }
        .into(),
        // The UI offers to start over (`certdesk_core::db::set_aside`); nothing else helps.
        WorkflowError::Storage(StoreError::WrongKey) => StorageDetails {
            reason: StorageReason::WrongKey,
        }
        .into(),
        _ => return None,
    })
}

pub fn workflow_to_ipc(e: &WorkflowError) -> IpcError {
    IpcError {
        code: workflow_code(e),
        message: e.to_string(),
        details: details(e),
    }
}

impl From<WorkflowError> for IpcError {
    fn from(e: WorkflowError) -> Self {
        workflow_to_ipc(&e)
    }
}

/// A CA client error outside the workflow façade (standing, renewal, the download's
/// client), said as the workflow says it.
pub fn client_to_ipc(e: ClientError) -> IpcError {
    workflow_to_ipc(&WorkflowError::from_client(e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use certdesk_ca_api::Problem;
    use certdesk_core::drafts::Field;
    use certdesk_core::keychain::KeychainError;

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

    fn code_of(e: WorkflowError) -> ErrorCode {
        workflow_code(&e)
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
                code_of(WorkflowError::from_client(problem(code))),
                want,
                "{code:?}"
            );
        }
        let status = |status| WorkflowError::from_client(ClientError::Status { status });
        assert_eq!(code_of(status(503)), C::CaUnreachable);
        assert_eq!(code_of(status(418)), C::CaProtocol);
        assert_eq!(
            code_of(WorkflowError::from_client(ClientError::NotSignedIn)),
            C::SessionExpired
        );
        assert_eq!(
            code_of(WorkflowError::from_client(ClientError::BaseUrl(
                "ftp://x".into()
            ))),
            C::NotConfigured
        );
        assert_eq!(
            code_of(WorkflowError::Storage(StoreError::Decrypt)),
            C::Storage
        );
        assert_eq!(
            code_of(WorkflowError::Keychain(KeychainError::Damaged("k"))),
            C::Keychain
        );
    }

    /// The codes the core's tests against a real CA expect of these variants.
    #[test]
    fn each_variant_has_its_code() {
        use ErrorCode as C;
        assert_eq!(
            code_of(WorkflowError::Keychain(KeychainError::Unavailable(
                "no bus".into()
            ))),
            C::Keychain
        );
        assert_eq!(
            code_of(WorkflowError::SessionExpired { resume: None }),
            C::SessionExpired
        );
        assert_eq!(
            code_of(WorkflowError::Conflict { fields: vec![] }),
            C::Conflict
        );
        assert_eq!(
            code_of(WorkflowError::CaUnreachable(ClientError::Status {
                status: 503
            })),
            C::CaUnreachable
        );
    }

    #[test]
    fn details_carry_structure_the_ui_acts_on() {
        let json = |e: WorkflowError| serde_json::to_value(workflow_to_ipc(&e)).unwrap();
        let d = json(WorkflowError::from_client(problem(
            ProblemCode::VerificationFailed,
        )))["details"]
            .clone();
        assert_eq!(d["problem"], "verification_failed");
        assert_eq!(d["fields"][0]["field"], "enterprise.name");
        let d = json(WorkflowError::from_client(problem(
            ProblemCode::DuplicateApplication,
        )))["details"]
            .clone();
        assert_eq!(d["existing_application_id"], "app_1");
        assert_eq!(d["problem"], "duplicate_application");
        let e = workflow_to_ipc(&WorkflowError::Conflict {
            fields: vec![Field::MailingAddress],
        });
        assert_eq!(e.code, ErrorCode::Conflict);
        assert_eq!(
            serde_json::to_value(&e).unwrap()["details"]["fields"][0],
            "mailing.address"
        );
        let e = workflow_to_ipc(&WorkflowError::Storage(StoreError::WrongKey));
        assert_eq!(
            serde_json::to_value(&e).unwrap()["details"]["reason"],
            "wrong_key"
        );
    }

    #[test]
    fn inline_errors_never_echo_the_value() {
        let bad = "11010519491231002Y";
        let f = Field::LegalRepIdNumber.check(bad).unwrap();
        let e = WorkflowError::InvalidInput { fields: vec![f] };
        let ipc = workflow_to_ipc(&e);
        let all = format!(
            "{e} {e:?} {ipc:?} {}",
            serde_json::to_string(&ipc.details).unwrap()
        );
        assert!(!all.contains(bad), "{all}");
        assert_eq!(ipc.code, ErrorCode::InvalidInput);
    }
}
