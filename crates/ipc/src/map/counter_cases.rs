//! `CaseError` (the walk-in case) to its codes, once; and the CA's case to the UI's view.

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{Application, Person};
use certdesk_ca_api::counter::{
    Case, CaseSummary, CounterPayment, case_fields, is_identity_number_field,
};
use certdesk_core::counter::{CaseError, InputProblem};

use super::counter::counter_to_ipc;
use crate::{
    CaseCheck, CaseDocument, CaseField, CaseIdentityCheck, CaseSummaryView, CaseView,
    CounterPaymentView, ErrorCode, FieldsDetails, IpcError, StepId,
};

/// The problem's kind and its sentence in both languages. Never the input: it may be an
/// identity number.
fn problem_text(p: InputProblem) -> (&'static str, &'static str, &'static str) {
    match p {
        InputProblem::Empty => ("empty", "不能为空", "must not be empty"),
        InputProblem::TooLong => ("too_long", "过长", "is too long"),
        InputProblem::ControlCharacter => (
            "control_character",
            "含有无法识别的字符（扫码枪误读？）",
            "contains characters that cannot be read (a scanner misread?)",
        ),
        InputProblem::Malformed => ("malformed", "格式不正确", "is not in the right format"),
        InputProblem::Required => ("required", "必须填写或确认", "must be given or confirmed"),
        InputProblem::NotAllowed => ("not_allowed", "此处不能填写", "is not allowed here"),
    }
}

pub fn case_to_ipc(e: &CaseError) -> IpcError {
    let code = match e {
        CaseError::InvalidInput { field, problem } => {
            let (kind, zh, en) = problem_text(*problem);
            return IpcError::new(ErrorCode::InvalidInput, e.to_string()).with_details(
                FieldsDetails {
                    fields: vec![FieldError::new(field, kind, zh, en)],
                },
            );
        }
        CaseError::NotFound => ErrorCode::CaseNotFound,
        CaseError::CaseElsewhere => ErrorCode::CaseElsewhere,
        CaseError::SeparationOfDuties => ErrorCode::SeparationOfDuties,
        CaseError::RoleMissing => ErrorCode::RoleMissing,
        CaseError::IdentityMismatch => ErrorCode::IdentityMismatch,
        CaseError::InvalidState => ErrorCode::CaseInvalidState,
        CaseError::Unexplained => ErrorCode::CloseUnexplained,
        CaseError::AlreadyClosed => ErrorCode::CloseAlreadySigned,
        CaseError::CloseChanged => ErrorCode::CloseChanged,
        CaseError::UnreadableDocument => ErrorCode::CaProtocol,
        CaseError::PaymentCode(_) => ErrorCode::CaProtocol,
        CaseError::InvalidFields { fields } => {
            return IpcError::new(ErrorCode::InvalidInput, e.to_string()).with_details(
                FieldsDetails {
                    fields: fields.clone(),
                },
            );
        }
        CaseError::Counter(c) => return counter_to_ipc(c),
    };
    IpcError::new(code, e.to_string())
}

impl From<CaseError> for IpcError {
    fn from(e: CaseError) -> Self {
        case_to_ipc(&e)
    }
}

/// First and last four characters; the middle starred.
fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// The fields the clerk verifies (the CA's list: the ones it lets the counter correct),
/// identity numbers masked, each with the applicant's own value when it was corrected.
fn fields(c: &Case) -> Vec<CaseField> {
    let shown = |path: &str, v: &str| {
        if is_identity_number_field(path) {
            mask(v)
        } else {
            v.to_owned()
        }
    };
    case_fields(&c.application.input)
        .into_iter()
        .map(|(path, value)| CaseField {
            path: path.to_owned(),
            value: shown(path, value),
            original: c
                .corrections
                .iter()
                .find(|o| o.field == path)
                .map(|o| shown(path, &o.original)),
        })
        .collect()
}

/// The steps before the signature whose requirement is not yet met, in their order.
fn pending(app: &Application) -> Vec<StepId> {
    StepId::ALL
        .into_iter()
        .filter(|s| {
            app.requirements
                .iter()
                .any(|r| r.kind == s.requirement() && !r.status.is_satisfied())
        })
        .collect()
}

impl From<Case> for CaseView {
    fn from(c: Case) -> Self {
        let app = &c.application;
        // The newest verdict per field (the records come oldest first).
        let mut checks: Vec<CaseCheck> = Vec::new();
        for r in &c.checks {
            checks.retain(|k| k.field != r.field);
            checks.push(CaseCheck {
                field: r.field.clone(),
                outcome: r.outcome,
                operator_id: r.operator_id.clone(),
                at: r.at.clone(),
            });
        }
        let identity_person = if app
            .input
            .enterprise
            .as_ref()
            .is_some_and(|e| e.legal_rep_handles)
        {
            Person::LegalRep
        } else {
            Person::Handler
        };
        Self {
            id: c.id.clone(),
            point_id: c.point_id.clone(),
            status: c.status,
            application_id: app.id.clone(),
            order_number: app.number.clone(),
            company_name: app
                .input
                .enterprise
                .as_ref()
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            amount_fen: app.amount_fen,
            opened_by: c.opened_by.clone(),
            keyed: c.keyed,
            application_status: app.status,
            pending: pending(app),
            editors: c.editors.clone(),
            fields: fields(&c),
            checks,
            documents: app
                .documents
                .iter()
                .map(|d| CaseDocument {
                    id: d.id.clone(),
                    kind: d.kind,
                    content_type: d.content_type.clone(),
                    size: d.size,
                    uploaded_at: d.uploaded_at.clone(),
                })
                .collect(),
            identity_checks: c
                .identity_checks
                .iter()
                .map(|i| CaseIdentityCheck {
                    person: i.person,
                    document: i.document,
                    copy_document_id: i.copy_document_id.clone(),
                    operator_id: i.operator_id.clone(),
                    at: i.at.clone(),
                })
                .collect(),
            identity_person,
            created_at: c.created_at,
        }
    }
}

impl From<CaseSummary> for CaseSummaryView {
    fn from(s: CaseSummary) -> Self {
        Self {
            id: s.id,
            application_id: s.application_id,
            status: s.status,
            opened_by: s.opened_by,
            created_at: s.created_at,
            order_number: s.order_number,
            organisation: s.organisation,
        }
    }
}

impl From<CounterPayment> for CounterPaymentView {
    fn from(p: CounterPayment) -> Self {
        Self {
            id: p.id,
            case_id: p.case_id,
            method: p.method,
            reference: p.reference,
            amount_fen: p.amount_fen,
            operator_id: p.operator_id,
            status: p.status,
            code_url: p.payment.map(|q| q.code_url),
            created_at: p.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use certdesk_core::counter::CounterError;

    use super::*;

    #[test]
    fn each_case_failure_has_its_code() {
        use ErrorCode as C;
        for (e, want) in [
            (CaseError::NotFound, C::CaseNotFound),
            (CaseError::CaseElsewhere, C::CaseElsewhere),
            (CaseError::SeparationOfDuties, C::SeparationOfDuties),
            (CaseError::RoleMissing, C::RoleMissing),
            (CaseError::IdentityMismatch, C::IdentityMismatch),
            (CaseError::InvalidState, C::CaseInvalidState),
            (CaseError::Unexplained, C::CloseUnexplained),
            (CaseError::AlreadyClosed, C::CloseAlreadySigned),
            (CaseError::CloseChanged, C::CloseChanged),
            (
                CaseError::Counter(CounterError::NotSignedIn),
                C::CounterSignedOut,
            ),
        ] {
            assert_eq!(case_to_ipc(&e).code, want, "{e:?}");
        }
    }

    #[test]
    fn invalid_input_names_the_field_in_both_languages() {
        let e = case_to_ipc(&CaseError::InvalidInput {
            field: "order_number",
            problem: InputProblem::ControlCharacter,
        });
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let Some(crate::ErrorDetails::Fields(f)) = e.details else {
            panic!("{e:?}");
        };
        assert_eq!(f.fields[0].field, "order_number");
        assert_eq!(f.fields[0].kind, "control_character");
        assert!(!f.fields[0].message_zh.is_empty() && !f.fields[0].message_en.is_empty());
    }

    #[test]
    fn identity_numbers_are_masked() {
        assert_eq!(mask("110101199003070011"), "1101**********0011");
        assert_eq!(mask("G1234"), "*****");
    }
}
