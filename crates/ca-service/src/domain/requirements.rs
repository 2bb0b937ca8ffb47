//! Requirement list (ACME-style) and the actions a status allows.

use certdesk_ca_api::application::{
    Action, Application, ApplicationStatus, Requirement, RequirementKind, RequirementStatus,
};
use certdesk_ca_api::channel::{Channel, DocumentKind, EnterpriseVerification, IssuanceMode};

use crate::store::applications::AppDoc;

pub fn initial(channel: &Channel) -> Vec<Requirement> {
    use RequirementKind::*;
    let mut kinds = vec![
        EnterpriseVerification,
        LegalRepFaceCheck,
        HandlerVerification,
        InformationConfirmation,
        Documents,
        Authorisation,
        ApplicationSignature,
        Payment,
    ];
    if channel.paper.is_some() {
        kinds.push(Paper);
    }
    kinds.push(Review);
    kinds
        .into_iter()
        .map(|kind| Requirement {
            kind,
            status: RequirementStatus::Pending,
            error_code: None,
            error_message: None,
        })
        .collect()
}

pub fn status_of(app: &Application, kind: RequirementKind) -> RequirementStatus {
    app.requirements
        .iter()
        .find(|r| r.kind == kind)
        .map(|r| r.status)
        .unwrap_or(RequirementStatus::NotRequired)
}

pub fn set(
    app: &mut Application,
    kind: RequirementKind,
    status: RequirementStatus,
    error: Option<(&str, &str)>,
) {
    if let Some(r) = app.requirements.iter_mut().find(|r| r.kind == kind) {
        r.status = status;
        r.error_code = error.map(|e| e.0.to_string());
        r.error_message = error.map(|e| e.1.to_string());
    }
}

/// A check's outcome on its requirement: valid, or invalid with `verification_failed`
/// and the reason the applicant is shown.
pub fn checked(app: &mut Application, kind: RequirementKind, passed: bool, failure_zh: &str) {
    if passed {
        set(app, kind, RequirementStatus::Valid, None);
    } else {
        set(
            app,
            kind,
            RequirementStatus::Invalid,
            Some(("verification_failed", failure_zh)),
        );
    }
}

/// Documents the channel requires from this applicant, apart from the authorisation letter.
pub fn required_documents(channel: &Channel, legal_rep_handles: bool) -> Vec<DocumentKind> {
    channel
        .documents
        .iter()
        .copied()
        .filter(|k| *k != DocumentKind::AuthorisationLetter)
        .filter(|k| !(legal_rep_handles && *k == DocumentKind::HandlerIdCard))
        .collect()
}

/// Recomputes the derived requirements and the allowed actions.
pub fn refresh(doc: &mut AppDoc, channel: &Channel) {
    let app = &mut doc.app;
    let handles = app
        .input
        .enterprise
        .as_ref()
        .is_some_and(|e| e.legal_rep_handles);
    let face_needed =
        channel.enterprise_verification == EnterpriseVerification::RegistryAndLegalRepFace;
    for r in &mut app.requirements {
        match r.kind {
            RequirementKind::LegalRepFaceCheck if !face_needed => {
                r.status = RequirementStatus::NotRequired;
            }
            RequirementKind::HandlerVerification | RequirementKind::Authorisation if handles => {
                r.status = RequirementStatus::NotRequired;
            }
            RequirementKind::HandlerVerification | RequirementKind::Authorisation
                if r.status == RequirementStatus::NotRequired =>
            {
                r.status = RequirementStatus::Pending;
            }
            _ => {}
        }
    }
    let uploaded: Vec<DocumentKind> = app.documents.iter().map(|d| d.kind).collect();
    let docs_ok = required_documents(channel, handles)
        .iter()
        .all(|k| uploaded.contains(k));
    set(
        app,
        RequirementKind::Documents,
        if docs_ok {
            RequirementStatus::Valid
        } else {
            RequirementStatus::Pending
        },
        None,
    );
    if !handles {
        let letter = uploaded.contains(&DocumentKind::AuthorisationLetter);
        let status = if letter || doc.authorisation_signed {
            RequirementStatus::Valid
        } else {
            RequirementStatus::Pending
        };
        set(app, RequirementKind::Authorisation, status, None);
    }
    app.actions = actions(app.status, channel.issuance);
}

pub fn actions(status: ApplicationStatus, mode: IssuanceMode) -> Vec<Action> {
    use ApplicationStatus as S;
    match status {
        S::Draft | S::Rejected => vec![Action::View, Action::Continue, Action::Cancel],
        S::AwaitingPayment => vec![Action::View, Action::Pay, Action::Cancel],
        S::InReview | S::Completed | S::Cancelled => vec![Action::View],
        S::Approved | S::Issued => match mode {
            IssuanceMode::Download => vec![Action::View, Action::Download],
            IssuanceMode::MailedToken => vec![Action::View, Action::ConfirmReceipt],
        },
    }
}

/// Requirements that must hold before the application signature seals the submission.
pub const BEFORE_SIGNATURE: [RequirementKind; 6] = [
    RequirementKind::EnterpriseVerification,
    RequirementKind::LegalRepFaceCheck,
    RequirementKind::HandlerVerification,
    RequirementKind::InformationConfirmation,
    RequirementKind::Documents,
    RequirementKind::Authorisation,
];

pub fn unmet(app: &Application, kinds: &[RequirementKind]) -> Vec<RequirementKind> {
    kinds
        .iter()
        .copied()
        .filter(|k| !status_of(app, *k).is_satisfied())
        .collect()
}
