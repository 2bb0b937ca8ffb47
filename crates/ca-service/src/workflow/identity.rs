//! The on-site identity check at the counter (issue 13 item 3b): it replaces the remote
//! face check of the legal representative or the handler and is recorded as such. The
//! number typed from the original is compared with the application's in constant time
//! and then dropped: it is stored nowhere, neither in the record nor in the audit log.

use certdesk_ca_api::application::{DocumentInfo, Person, RequirementKind, RequirementStatus};
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::counter::{IdDocument, IdentityCheckRecord, OnSiteIdentity};
use certdesk_ca_api::{FieldError, ProblemCode};
use rusqlite::Connection;

use super::cases::{Acting, at_point};
use super::{load_any, save};
use crate::audit::{Action, NewEntry};
use crate::clock::rfc3339;
use crate::domain::requirements;
use crate::error::{ApiError, ApiResult};
use crate::secrets::ct_eq;
use crate::state::AppState;
use crate::store::audit;
use crate::store::cases::{self, CaseRow, IdentityRow};

pub(crate) fn person_text(p: Person) -> &'static str {
    match p {
        Person::LegalRep => "legal_rep",
        Person::Handler => "handler",
    }
}

fn document_text(d: IdDocument) -> &'static str {
    match d {
        IdDocument::ResidentIdCard => "resident_id_card",
        IdDocument::Passport => "passport",
        IdDocument::ResidencePermit => "residence_permit",
    }
}

fn document_of(s: &str) -> IdDocument {
    match s {
        "passport" => IdDocument::Passport,
        "residence_permit" => IdDocument::ResidencePermit,
        _ => IdDocument::ResidentIdCard,
    }
}

/// The matched checks of a case, for its wire view.
pub fn records(conn: &Connection, case_id: &str) -> ApiResult<Vec<IdentityCheckRecord>> {
    Ok(cases::identities(conn, case_id)?
        .into_iter()
        .map(|r| IdentityCheckRecord {
            person: if r.person == "handler" {
                Person::Handler
            } else {
                Person::LegalRep
            },
            document: document_of(&r.document),
            copy_document_id: r.copy_document_id,
            operator_id: r.operator_id,
            at: rfc3339(r.at),
        })
        .collect())
}

fn field(name: &str, kind: &str, zh: &str, en: &str) -> ApiError {
    ApiError::fields(vec![FieldError::new(name, kind, zh, en)])
}

/// Checks the identity on the operator's point's open case. A match records the check
/// and makes the person's requirement valid; a mismatch is audited and answered 422
/// `verification_failed` (the caller commits it), the requirement left as it was, since
/// a mistyped number is no failed identity.
pub fn check(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    case_id: &str,
    req: &OnSiteIdentity,
) -> ApiResult<CaseRow> {
    if !req.attested {
        return Err(field(
            "attested",
            "required",
            "请确认已核验原件与本人",
            "the operator must attest to the original and the person",
        ));
    }
    let case = at_point(conn, &who.operator.point_id, case_id)?;
    if case.status != "open" {
        return Err(ApiError::invalid_state("the case is closed"));
    }
    let mut doc = load_any(conn, &case.application_id)?;
    let input = &doc.app.input;
    let (expected, copy_kind, kind) = match req.person {
        Person::LegalRep => (
            input
                .enterprise
                .as_ref()
                .map(|e| e.legal_rep_id_number.clone()),
            DocumentKind::LegalRepIdCard,
            RequirementKind::LegalRepFaceCheck,
        ),
        Person::Handler => (
            input.handler.as_ref().map(|h| h.id_number.clone()),
            DocumentKind::HandlerIdCard,
            RequirementKind::HandlerVerification,
        ),
    };
    let expected = expected.filter(|n| !n.is_empty()).ok_or_else(|| {
        field(
            "person",
            "absent",
            "申请中没有此人的证件信息",
            "the application names no such person",
        )
    })?;
    if !doc
        .app
        .documents
        .iter()
        .any(|d| d.id == req.copy_document_id && d.kind == copy_kind)
    {
        return Err(field(
            "copy_document_id",
            "unknown",
            "请先上传此人证件复印件的扫描件",
            "not a scan of this person's identity document on the application",
        ));
    }
    let now = state.now();
    let typed = req.id_number.trim().to_ascii_uppercase();
    let matched = ct_eq(&typed, &expected.to_ascii_uppercase());
    let entry = NewEntry::new(who.actor.clone(), Action::CaseIdentity)
        .point(Some(&case.point_id))
        .application(&case.application_id)
        .detail("case", case.id.as_str())
        .detail("person", person_text(req.person))
        .detail("document", document_text(req.document))
        .detail("outcome", if matched { "matched" } else { "mismatch" });
    audit::append(conn, now, &entry)?;
    if !matched {
        return Err(ApiError::detail(
            ProblemCode::VerificationFailed,
            "the number typed from the original is not the application's",
        ));
    }
    cases::add_identity(
        conn,
        &case.id,
        &IdentityRow {
            person: person_text(req.person).into(),
            document: document_text(req.document).into(),
            copy_document_id: req.copy_document_id.clone(),
            operator_id: who.operator.id.clone(),
            at: now,
        },
    )?;
    if requirements::status_of(&doc.app, kind) != RequirementStatus::NotRequired {
        requirements::set(&mut doc.app, kind, RequirementStatus::Valid, None);
        save(conn, state, &mut doc)?;
    }
    Ok(case)
}

/// The ID-card kinds a copy scanned at the counter may be: the identity check wants the
/// person's own.
pub fn is_identity_copy(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::HandlerIdCard | DocumentKind::LegalRepIdCard
    )
}

/// Attaches the scan of an identity document's copy, taken at the counter, to the
/// case's application, next to the applicant's own uploads (which stay: the copy is
/// the counter's evidence, not a replacement). Audited; the scan itself was stored by
/// the same pipeline as online uploads.
pub fn add_copy(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    case_id: &str,
    info: &DocumentInfo,
) -> ApiResult<CaseRow> {
    let case = at_point(conn, &who.operator.point_id, case_id)?;
    if case.status != "open" {
        return Err(ApiError::invalid_state("the case is closed"));
    }
    let mut doc = load_any(conn, &case.application_id)?;
    doc.app.documents.push(info.clone());
    save(conn, state, &mut doc)?;
    let entry = who
        .entry(Action::CaseDocument, &case)
        .detail("document", info.id.as_str())
        .detail("sha256", info.sha256.as_str());
    audit::append(conn, state.now(), &entry)?;
    Ok(case)
}
