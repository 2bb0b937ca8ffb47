//! A field corrected at the counter (issue 13 item 3a): the value the clerk read from the
//! original goes into the application — sealed with it, never into a plain column nor the
//! audit log — after the same rules as the applicant's own input. Facts that a completed
//! check relied on are checked again:
//! - the company's name, USCC or legal representative: the registry is asked again at
//!   once (the CA can do that itself), valid or invalid with the reason;
//! - the legal representative's or the handler's name or identity number (and the
//!   handler's phone, part of the phone check): that person's check is pending again,
//!   and an on-site identity check this case recorded for them no longer counts — the
//!   clerk checks the original against the corrected number.
//!
//! The case cannot be approved while one of those is not satisfied ([`UNMET_BLOCKS`]).

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{Person, RequirementKind, RequirementStatus};
use certdesk_ca_api::counter::{case_field_mut, case_fields};
use rusqlite::Connection;

use super::{load_any, save};
use crate::domain::{checked, requirements, validate};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::applications::{AppDoc, CounterOriginal};
use crate::store::cases::{self, CaseRow};

/// Requirements a counter correction can make pending or invalid again; an approval
/// waits for them.
pub const UNMET_BLOCKS: [RequirementKind; 3] = [
    RequirementKind::EnterpriseVerification,
    RequirementKind::LegalRepFaceCheck,
    RequirementKind::HandlerVerification,
];

fn unknown_field() -> ApiError {
    ApiError::fields(vec![FieldError::new(
        "field",
        "unknown",
        "此字段不能在受理台更正",
        "not a field of this case that the counter can correct",
    )])
}

/// The errors of the corrected input that concern `path`: the online rules (length and
/// characters, then formats and check digits). Their messages never carry the value.
fn errors_at(doc: &AppDoc, path: &str) -> Vec<FieldError> {
    let input = &doc.app.input;
    let mut errors = checked::errors(input);
    if errors.iter().all(|e| e.field != path) {
        errors = validate::input(input);
    }
    errors.retain(|e| e.field == path);
    errors
}

/// Writes `value` into the case's application at `path` (one of the case's fields),
/// keeping the applicant's value for the case's view. Refused with 422 field errors
/// before anything changes.
pub fn correct(
    conn: &Connection,
    state: &AppState,
    case: &CaseRow,
    path: &str,
    value: &str,
) -> ApiResult<()> {
    let mut doc = load_any(conn, &case.application_id)?;
    let value = value.trim();
    let field = case_field_mut(&mut doc.app.input, path).ok_or_else(unknown_field)?;
    let previous = std::mem::replace(field, value.to_owned());
    if path == "enterprise.uscc"
        && let Some(e) = doc.app.input.enterprise.as_mut()
    {
        // The organisation code is the USCC's characters 9-17, never entered apart.
        e.org_code = e.uscc.get(8..17).unwrap_or_default().to_owned();
    }
    let errors = errors_at(&doc, path);
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    if previous == value {
        return Ok(());
    }
    if !doc
        .counter_originals
        .iter()
        .any(|o| o.case_id == case.id && o.field == path)
    {
        doc.counter_originals.push(CounterOriginal {
            case_id: case.id.clone(),
            field: path.to_owned(),
            value: previous,
        });
    }
    recheck(conn, state, case, &mut doc, path)?;
    save(conn, state, &mut doc)?;
    let verified = requirements::status_of(&doc.app, RequirementKind::EnterpriseVerification)
        == RequirementStatus::Valid;
    if path.starts_with("enterprise.") && verified {
        // As online: the organisation is now held by this application.
        super::supersede::supersede_unbound(conn, state, &doc)?;
    }
    Ok(())
}

/// Checks again what relied on the corrected field (see the module's notes).
fn recheck(
    conn: &Connection,
    state: &AppState,
    case: &CaseRow,
    doc: &mut AppDoc,
    path: &str,
) -> ApiResult<()> {
    use RequirementKind as K;
    let registry_fact = matches!(
        path,
        "enterprise.name"
            | "enterprise.uscc"
            | "enterprise.legal_rep_name"
            | "enterprise.legal_rep_id_number"
    );
    let enterprise_verified = requirements::status_of(&doc.app, K::EnterpriseVerification)
        != RequirementStatus::NotRequired;
    if registry_fact
        && enterprise_verified
        && let Some(ent) = doc.app.input.enterprise.clone()
    {
        let found = state.registry.lookup(conn, &ent.uscc)?;
        let (errors, _) = crate::http::steps::verification::registry_errors(found, &ent);
        let passed = errors.is_empty();
        if passed {
            // Asked by the point, never the owner: the other order is not named.
            crate::http::applications::ensure_no_duplicate(conn, doc, &case.point_id)?;
        }
        requirements::checked(
            &mut doc.app,
            K::EnterpriseVerification,
            passed,
            "受理点更正后的企业信息与工商登记不一致",
        );
    }
    let person = match path {
        "enterprise.legal_rep_name" | "enterprise.legal_rep_id_number" => Some(Person::LegalRep),
        "handler.name" | "handler.id_number" | "handler.phone" => Some(Person::Handler),
        _ => None,
    };
    if let Some(person) = person {
        let kind = match person {
            Person::LegalRep => K::LegalRepFaceCheck,
            Person::Handler => K::HandlerVerification,
        };
        if requirements::status_of(&doc.app, kind) != RequirementStatus::NotRequired {
            requirements::set(&mut doc.app, kind, RequirementStatus::Pending, None);
        }
        cases::void_identities(conn, &case.id, super::identity::person_text(person))?;
    }
    Ok(())
}

/// The fields corrected in `case_id`, with the applicant's value before.
pub fn originals(doc: &AppDoc, case_id: &str) -> Vec<certdesk_ca_api::counter::CorrectedField> {
    let offered = case_fields(&doc.app.input);
    doc.counter_originals
        .iter()
        .filter(|o| o.case_id == case_id && offered.iter().any(|(p, _)| *p == o.field))
        .map(|o| certdesk_ca_api::counter::CorrectedField {
            field: o.field.clone(),
            original: o.value.clone(),
        })
        .collect()
}

/// 409 `requirements_unmet` while a check a correction re-opened is not satisfied.
pub fn ready_for_approval(conn: &Connection, case: &CaseRow) -> ApiResult<()> {
    let doc = load_any(conn, &case.application_id)?;
    let missing = requirements::unmet(&doc.app, &UNMET_BLOCKS);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(super::review::unmet_problem(&missing))
    }
}
