//! Certificate download: look-up, password-card authorisation, finalize, confirm, revoke.

use crate::audit::{Action, Actor, NewEntry};
use certdesk_ca_api::application::{ApplicationStatus, RequirementKind, RequirementStatus};
use certdesk_ca_api::channel::{Business, Channel, KeyAlgorithm};
use certdesk_ca_api::download::{
    DownloadCandidate, EncryptionEnvelope, Enrollment, Issuance, RevocationReason,
};
use certdesk_ca_api::{Problem, ProblemCode};
use rusqlite::Connection;
use x509_cert::ext::pkix::CrlReason;

use super::{contact_phone, load_any, save, tell_applicant};
use crate::error::{ApiError, ApiResult};
use crate::pki::Family;
use crate::pki::csr::{CsrError, VettedCsr};
use crate::state::AppState;
use crate::store::applications::{self, AppDoc};
use crate::store::certs::{self, CertRow};

pub const MAX_CARD_FAILURES: i64 = 5;
pub const ENROLLMENT_TTL: i64 = 15 * 60;

/// Grants a short-lived enrollment token for the application. `authority` is what
/// authorised it, kept in the enrollment's `card_serial` column: a password card's
/// serial, `renewal:<serial>` or `case:<id>` (made at the counter).
pub fn grant_enrollment(
    conn: &Connection,
    now: i64,
    app_id: &str,
    authority: &str,
    channel: &Channel,
) -> ApiResult<Enrollment> {
    let t = crate::secrets::token();
    let expires = now + ENROLLMENT_TTL;
    certs::put_enrollment(
        conn,
        &crate::secrets::sha256_hex(&["enrollment", &t]),
        app_id,
        authority,
        expires,
    )?;
    Ok(Enrollment {
        token: t,
        expires_at: crate::clock::rfc3339(expires),
        application_id: app_id.to_string(),
        key_algorithm: channel.key_algorithm,
        certificate_set: channel.certificate_set,
    })
}

fn matches(doc: &AppDoc, org_code: Option<&str>, handler_id: Option<&str>, phone: &str) -> bool {
    let ent = doc.app.input.enterprise.as_ref();
    let by_org = org_code
        .is_some_and(|o| ent.is_some_and(|e| e.org_code.replace('-', "") == o.replace('-', "")));
    let by_handler = handler_id.is_some_and(|h| {
        let id = doc
            .app
            .input
            .handler
            .as_ref()
            .map(|x| x.id_number.clone())
            .or_else(|| {
                ent.filter(|e| e.legal_rep_handles)
                    .map(|e| e.legal_rep_id_number.clone())
            });
        id.is_some_and(|id| id.eq_ignore_ascii_case(h))
    });
    (by_org || by_handler) && contact_phone(doc) == phone
}

pub fn candidates(
    conn: &Connection,
    state: &AppState,
    org_code: Option<&str>,
    handler_id: Option<&str>,
    phone: &str,
) -> ApiResult<Vec<DownloadCandidate>> {
    // Every page: the documents are sealed, so the match is made here, not in SQL.
    let mut docs = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = applications::list(
            conn,
            None,
            &["approved", "issued", "completed"],
            cursor,
            100,
        )?;
        docs.extend(
            page.into_iter()
                .filter(|d| matches(d, org_code, handler_id, phone)),
        );
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let mut out = Vec::new();
    for d in docs {
        let ch = state.channel(&d.app.channel_id)?;
        out.push(DownloadCandidate {
            application_id: d.app.id.clone(),
            number: d.app.number.clone(),
            organisation_name: d
                .app
                .input
                .enterprise
                .as_ref()
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            status: d.app.status,
            key_algorithm: ch.key_algorithm,
            certificate_set: ch.certificate_set,
            actions: d.app.actions.clone(),
        });
    }
    Ok(out)
}

fn org_matches(doc: &AppDoc, org_code: &str) -> bool {
    doc.app
        .input
        .enterprise
        .as_ref()
        .is_some_and(|e| e.org_code.replace('-', "") == org_code.trim().replace('-', ""))
}

/// Checks the card facts (the password was verified by the caller, off the runtime) and
/// counts failures; the caller commits even on error.
pub fn authorise(
    conn: &Connection,
    card_serial: &str,
    password_ok: bool,
    phone: &str,
    org_code: &str,
) -> ApiResult<AppDoc> {
    let card = certs::card(conn, card_serial)?
        .ok_or_else(|| ApiError::code(ProblemCode::PasswordCardInvalid))?;
    if card.locked {
        return Err(ApiError::code(ProblemCode::PasswordCardLocked));
    }
    let doc = load_any(conn, &card.application_id)?;
    // Spent cards say so (only to the one who knows the password, the org code and the
    // phone), so the applicant learns the download already finished.
    if card.used && password_ok && org_matches(&doc, org_code) && contact_phone(&doc) == phone {
        return Err(ApiError::code(ProblemCode::PasswordCardUsed));
    }
    let org_ok = org_matches(&doc, org_code);
    if !(password_ok && org_ok && contact_phone(&doc) == phone) {
        let failures = card.failures + 1;
        let locked = failures >= MAX_CARD_FAILURES;
        certs::card_attempt(conn, card_serial, failures, locked)?;
        tracing::warn!(failures, locked, "password card authorisation failed");
        return Err(ApiError::code(if locked {
            ProblemCode::PasswordCardLocked
        } else {
            ProblemCode::PasswordCardInvalid
        }));
    }
    certs::card_attempt(conn, card_serial, 0, false)?;
    if !matches!(
        doc.app.status,
        ApplicationStatus::Approved | ApplicationStatus::Issued
    ) {
        return Err(ApiError::invalid_state(
            "nothing to download for this application",
        ));
    }
    Ok(doc)
}

pub fn csr_problem(e: &CsrError) -> ApiError {
    let code = match e {
        CsrError::Parse | CsrError::BadSignature => ProblemCode::CsrInvalid,
        _ => ProblemCode::CsrRejected,
    };
    ApiError::detail(code, e.to_string())
}

/// Algorithm and key size must be what the channel issues.
pub fn check_key(channel: &Channel, csr: &VettedCsr) -> Result<(), CsrError> {
    let (family, bits) = match channel.key_algorithm {
        KeyAlgorithm::Rsa2048 => (Family::Rsa, 2048),
        KeyAlgorithm::Rsa3072 => (Family::Rsa, 3072),
        KeyAlgorithm::EcdsaP256 => (Family::P256, 256),
        KeyAlgorithm::Sm2 => (Family::Sm2, 256),
    };
    if csr.family != family || csr.bits != bits {
        return Err(CsrError::KeyMismatch {
            actual: format!("{} {}", csr.family.as_str(), csr.bits),
            required: format!("{} {}", family.as_str(), bits),
        });
    }
    Ok(())
}

pub fn issuance_of(row: &CertRow, chain_pem: String, enc: Option<&certs::EscrowRow>) -> Issuance {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    Issuance {
        application_id: row.application_id.clone(),
        serial: row.serial.clone(),
        certificate_pem: row.pem.clone(),
        chain_pem,
        encryption: enc.map(|e| EncryptionEnvelope {
            scheme: ENVELOPE_SCHEME.into(),
            serial: e.cert.serial.clone(),
            certificate_pem: e.cert.pem.clone(),
            wrapped_aes_key: b64(&e.wrapped_aes_key),
            wrapped_private_key: b64(&e.wrapped_private_key),
        }),
    }
}

pub const ENVELOPE_SCHEME: &str = "rsa-oaep-sha1+aes256-kwp";

/// The same key again → the same certificate (resume); another key → refused.
pub fn existing(conn: &Connection, app_id: &str, key_id: &str) -> ApiResult<Option<CertRow>> {
    match certs::valid_for_application(conn, app_id)? {
        Some(row) if row.key_id == key_id => Ok(Some(row)),
        Some(_) => Err(ApiError::problem(
            Problem::new(ProblemCode::IssuedForAnotherKey).detail(
                "a certificate was already issued for another key; apply for a reissue (补办)",
            ),
        )),
        None => Ok(None),
    }
}

pub fn record(conn: &Connection, state: &AppState, row: &CertRow) -> ApiResult<()> {
    certs::insert(conn, row, state.now())?;
    let mut doc = load_any(conn, &row.application_id)?;
    doc.app.status = ApplicationStatus::Issued;
    doc.app.issued_serial = Some(row.serial.clone());
    // Reissue (lost token) and change replace the old certificate on issuance.
    if let Some(old) = doc.app.certificate_serial.clone() {
        let reason = match doc.app.business {
            Business::Reissue => Some(RevocationReason::KeyCompromise),
            Business::Change => Some(RevocationReason::Superseded),
            _ => None,
        };
        if let Some(reason) = reason
            && certs::get(conn, &old)?.is_some_and(|c| c.status == "valid")
        {
            certs::revoke(conn, &old, reason_str(reason), state.now())?;
            let entry = NewEntry::new(Actor::Service, Action::CertificateRevoke)
                .application(&row.application_id)
                .certificate(&old)
                .detail("reason", reason_str(reason))
                .detail("replaced_by", row.serial.as_str());
            crate::store::audit::append(conn, state.now(), &entry)?;
        }
    }
    save(conn, state, &mut doc)
}

pub fn confirm(
    conn: &Connection,
    state: &AppState,
    app_id: &str,
    card_serial: &str,
) -> ApiResult<AppDoc> {
    let mut doc = load_any(conn, app_id)?;
    if doc.app.status != ApplicationStatus::Issued
        || certs::valid_for_application(conn, app_id)?.is_none()
    {
        return Err(ApiError::invalid_state("no issued certificate to confirm"));
    }
    doc.app.status = ApplicationStatus::Completed;
    crate::domain::requirements::set(
        &mut doc.app,
        RequirementKind::Review,
        RequirementStatus::Valid,
        None,
    );
    save(conn, state, &mut doc)?;
    // The password card authorised exactly one download (a renewal or a counter case
    // used none).
    if !card_serial.contains(':') {
        certs::card_used(conn, card_serial, state.now())?;
    }
    certs::end_enrollments(conn, app_id)?;
    tell_applicant(
        conn,
        state,
        &doc,
        &format!("您的订单{}证书已下载完成。", doc.app.number_or_id()),
    )?;
    Ok(doc)
}

pub fn reason_str(r: RevocationReason) -> &'static str {
    match r {
        RevocationReason::Unspecified => "unspecified",
        RevocationReason::KeyCompromise => "key_compromise",
        RevocationReason::AffiliationChanged => "affiliation_changed",
        RevocationReason::Superseded => "superseded",
        RevocationReason::CessationOfOperation => "cessation_of_operation",
    }
}

pub fn reason_parse(s: &str) -> RevocationReason {
    match s {
        "key_compromise" => RevocationReason::KeyCompromise,
        "affiliation_changed" => RevocationReason::AffiliationChanged,
        "superseded" => RevocationReason::Superseded,
        "cessation_of_operation" => RevocationReason::CessationOfOperation,
        _ => RevocationReason::Unspecified,
    }
}

pub fn crl_reason(r: RevocationReason) -> CrlReason {
    match r {
        RevocationReason::Unspecified => CrlReason::Unspecified,
        RevocationReason::KeyCompromise => CrlReason::KeyCompromise,
        RevocationReason::AffiliationChanged => CrlReason::AffiliationChanged,
        RevocationReason::Superseded => CrlReason::Superseded,
        RevocationReason::CessationOfOperation => CrlReason::CessationOfOperation,
    }
}
