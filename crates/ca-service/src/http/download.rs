//! Certificate download (证书下载): look-up, password-card authorisation, finalize with a
//! CSR, confirmation; staff revocation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use certdesk_ca_api::application::{Application, ApplicationStatus};
use certdesk_ca_api::channel::CertificateSet;
use certdesk_ca_api::download::{
    CertificateRecord, CertificateStatus, DownloadAuthorise, DownloadCandidates, DownloadLookup,
    Enrollment, FinalizeRequest, Issuance, RevokeRequest,
};
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use der::{EncodePem, pem::LineEnding};

use super::auth::{check_captcha, check_phone};
use super::extract::{ApiJson, EnrollmentAuth, Staff};
use crate::audit::{Action, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::pki::keys::CaKey;
use crate::pki::profile::Kind;
use crate::pki::{Family, envelope, subscriber_name};
use crate::secrets::argon2_verify;
use crate::state::Shared;
use crate::store::certs::{self, CertRow};
use crate::workflow::issuance as wf;
use crate::workflow::load_any;

fn blocking_err(e: tokio::task::JoinError) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Find download-ready applications by organisation code or handler ID, plus phone.
#[utoipa::path(post, path = "/v1/downloads/lookup", tag = "download", request_body = DownloadLookup,
    responses((status = 200, body = DownloadCandidates),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn lookup(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<DownloadLookup>,
) -> ApiResult<Json<DownloadCandidates>> {
    check_phone("phone", &req.phone)?;
    if req.org_code.is_none() == req.handler_id_number.is_none() {
        return Err(ApiError::fields(vec![FieldError::new(
            "org_code",
            "one_of",
            "请填写组织机构代码或经办人身份证号（二选一）",
            "give either org_code or handler_id_number",
        )]));
    }
    let items = state.db.tx(|tx| {
        check_captcha(tx, state.now(), &req.captcha_id, &req.captcha_answer)?;
        wf::candidates(
            tx,
            &state,
            req.org_code.as_deref(),
            req.handler_id_number.as_deref(),
            &req.phone,
        )
    })?;
    Ok(Json(DownloadCandidates { items }))
}

/// Authorise a download with the password card; returns a short-lived enrollment token.
#[utoipa::path(post, path = "/v1/downloads/authorise", tag = "download", request_body = DownloadAuthorise,
    responses((status = 201, body = Enrollment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn authorise(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<DownloadAuthorise>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    check_phone("phone", &req.phone)?;
    state
        .db
        .tx(|tx| check_captcha(tx, state.now(), &req.captcha_id, &req.captcha_answer))?;
    let card = state.db.read(|c| certs::card(c, req.card_serial.trim()))?;
    let password_ok = match card {
        Some(c) if !c.locked => {
            let pw = req.card_password.clone();
            tokio::task::spawn_blocking(move || argon2_verify(pw.trim(), &c.password_hash))
                .await
                .map_err(blocking_err)?
        }
        _ => false,
    };
    let enrollment = state.db.tx_commit_always(|tx| {
        let doc = wf::authorise(
            tx,
            req.card_serial.trim(),
            password_ok,
            &req.phone,
            &req.org_code,
        )?;
        let ch = state.channel(&doc.app.channel_id)?;
        wf::grant_enrollment(tx, state.now(), &doc.app.id, req.card_serial.trim(), ch)
    })?;
    Ok((StatusCode::CREATED, Json(enrollment)))
}

/// Issue the certificate for a CSR made on the token. The same CSR (same key) again
/// returns the same certificate; another key is refused.
#[utoipa::path(post, path = "/v1/enrollments/finalize", tag = "download", security(("enrollment" = [])),
    request_body = FinalizeRequest,
    responses((status = 200, body = Issuance),
        (status = "4XX", body = Problem, content_type = "application/problem+json"),
        (status = 501, body = Problem, content_type = "application/problem+json")))]
pub async fn finalize(
    State(state): State<Shared>,
    enrollment: EnrollmentAuth,
    ApiJson(req): ApiJson<FinalizeRequest>,
) -> ApiResult<Json<Issuance>> {
    let doc = state.db.read(|c| load_any(c, &enrollment.application_id))?;
    let channel = state.channel(&doc.app.channel_id)?.clone();
    let csr = req.csr.clone();
    let vetted = tokio::task::spawn_blocking(move || crate::pki::csr::vet(&csr))
        .await
        .map_err(blocking_err)?
        .map_err(|e| wf::csr_problem(&e))?;
    wf::check_key(&channel, &vetted).map_err(|e| wf::csr_problem(&e))?;
    let dual = channel.certificate_set == CertificateSet::Dual;
    if dual && vetted.family != Family::Rsa {
        return Err(ApiError::detail(
            ProblemCode::NotImplemented,
            "dual certificates are enveloped with RSA-OAEP: the signing key must be RSA",
        ));
    }
    let family = vetted.family;
    let pki_state = state.clone();
    let authority = tokio::task::spawn_blocking(move || pki_state.pki.authority(family))
        .await
        .map_err(blocking_err)?
        .map_err(internal)?;
    let chain = authority.chain_pem().map_err(internal)?;
    let found = state.db.read(|c| {
        let row = wf::existing(c, &doc.app.id, &vetted.key_id)?;
        let enc = match &row {
            Some(r) => certs::encryption_for(c, &r.serial)?,
            None => None,
        };
        Ok::<_, ApiError>(row.map(|r| (r, enc)))
    })?;
    if let Some((row, enc)) = found {
        return Ok(Json(wf::issuance_of(&row, chain, enc.as_ref())));
    }
    if doc.app.status != ApplicationStatus::Approved {
        return Err(ApiError::invalid_state(
            "the application is not approved for issuance",
        ));
    }
    let subject = subject_of(&doc)?;
    let st = state.clone();
    let (app_id, days) = (doc.app.id.clone(), channel.validity_days);
    let kind = if crate::channels::is_operator(&channel.id) {
        Kind::Operator
    } else {
        Kind::Signing
    };
    let (row, enc) = tokio::task::spawn_blocking(move || {
        issue_new(
            &st,
            &authority,
            &app_id,
            subject,
            &vetted,
            days,
            (kind, dual),
        )
    })
    .await
    .map_err(blocking_err)??;
    let (row, enc) = state.db.tx(|tx| {
        // A concurrent finalize may have won; answer with its certificate.
        if let Some(existing) = wf::existing(tx, &row.application_id, &row.key_id)? {
            let enc = certs::encryption_for(tx, &existing.serial)?;
            return Ok::<_, ApiError>((existing, enc));
        }
        wf::record(tx, &state, &row)?;
        if let Some(e) = &enc {
            certs::insert_encryption(tx, &row.serial, e, state.now())?;
        }
        Ok((row, enc))
    })?;
    tracing::info!(serial = %row.serial, family = family.as_str(), "certificate issued");
    Ok(Json(wf::issuance_of(&row, chain, enc.as_ref())))
}

fn internal(e: crate::pki::PkiError) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// Subject from the vetted application only (never from the CSR).
fn subject_of(doc: &crate::store::applications::AppDoc) -> ApiResult<x509_cert::name::Name> {
    let ent = doc
        .app
        .input
        .enterprise
        .clone()
        .ok_or_else(|| ApiError::Internal("approved application without enterprise".into()))?;
    let cert_info = doc.app.input.certificate.clone();
    let cn = cert_info
        .as_ref()
        .and_then(|c| c.common_name.clone())
        .unwrap_or_else(|| ent.name.clone());
    let (province, city) = cert_info.map(|c| (c.province, c.city)).unwrap_or_default();
    subscriber_name(&cn, &ent.name, &province, &city, &ent.uscc).map_err(|e| match e {
        // Stored before the free-text rule existed: refused, never issued.
        crate::pki::PkiError::Subject { field, error } => {
            ApiError::fields(vec![certdesk_ca_api::FieldError::new(
                &format!("subject.{field}"),
                error.kind(),
                error.message_zh(),
                error.to_string(),
            )])
        }
        other => internal(other),
    })
}

fn cert_row(
    app_id: &str,
    family: Family,
    key_id: String,
    cert: &x509_cert::Certificate,
    serial: String,
) -> ApiResult<CertRow> {
    let not_after = cert
        .tbs_certificate()
        .validity()
        .not_after
        .to_unix_duration()
        .as_secs() as i64;
    Ok(CertRow {
        serial,
        application_id: app_id.to_string(),
        family: family.as_str().into(),
        key_id,
        pem: cert
            .to_pem(LineEnding::LF)
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        status: "valid".into(),
        revoked_at: None,
        reason: None,
        not_after,
    })
}

/// Signs the certificate (and for dual channels makes the encryption key, its
/// certificate, the envelope and the escrow copy). CPU-bound: runs off the runtime.
fn issue_new(
    state: &Shared,
    authority: &crate::pki::Authority,
    app_id: &str,
    subject: x509_cert::name::Name,
    vetted: &crate::pki::csr::VettedCsr,
    days: u32,
    (kind, dual): (Kind, bool),
) -> ApiResult<(CertRow, Option<certs::EscrowRow>)> {
    let (cert, serial) = authority
        .issue(&state.pki, kind, subject.clone(), vetted.spki.clone(), days)
        .map_err(internal)?;
    let row = cert_row(app_id, vetted.family, vetted.key_id.clone(), &cert, serial)?;
    if !dual {
        return Ok((row, None));
    }
    let key = CaKey::generate(Family::Rsa, 2048).map_err(internal)?;
    let spki = key.spki().map_err(internal)?;
    let key_id = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(
            der::Encode::to_der(&spki).map_err(|e| ApiError::Internal(e.to_string()))?,
        ))
    };
    let (enc_cert, enc_serial) = authority
        .issue(
            &state.pki,
            Kind::Encryption { ec: false },
            subject,
            spki,
            days,
        )
        .map_err(internal)?;
    let pkcs8 = zeroize::Zeroizing::new(key.to_pkcs8_der().map_err(internal)?);
    let env = envelope::seal(&vetted.spki, &pkcs8).map_err(internal)?;
    let escrowed_key =
        envelope::kwp_wrap(&state.pki.escrow_key().map_err(internal)?, &pkcs8).map_err(internal)?;
    Ok((
        row,
        Some(certs::EscrowRow {
            cert: cert_row(app_id, Family::Rsa, key_id, &enc_cert, enc_serial)?,
            escrowed_key,
            wrapped_aes_key: env.wrapped_aes_key,
            wrapped_private_key: env.wrapped_private_key,
        }),
    ))
}

/// Confirm the certificate was written to the token; the application completes.
#[utoipa::path(post, path = "/v1/enrollments/confirm", tag = "download", security(("enrollment" = [])),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm(
    State(state): State<Shared>,
    enrollment: EnrollmentAuth,
) -> ApiResult<Json<Application>> {
    let doc = state.db.tx(|tx| {
        wf::confirm(
            tx,
            &state,
            &enrollment.application_id,
            &enrollment.card_serial,
        )
    })?;
    Ok(Json(doc.app))
}

fn record_of(row: &CertRow) -> CertificateRecord {
    CertificateRecord {
        serial: row.serial.clone(),
        application_id: row.application_id.clone(),
        status: if row.status == "revoked" {
            CertificateStatus::Revoked
        } else {
            CertificateStatus::Valid
        },
        not_after: rfc3339(row.not_after),
        revoked_at: row.revoked_at.map(rfc3339),
        reason: row.reason.as_deref().map(wf::reason_parse),
    }
}

/// Status of an issued certificate.
#[utoipa::path(get, path = "/v1/certificates/{serial}", tag = "download", params(("serial" = String, Path)),
    responses((status = 200, body = CertificateRecord),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn certificate(
    State(state): State<Shared>,
    Path(serial): Path<String>,
) -> ApiResult<Json<CertificateRecord>> {
    let row = state
        .db
        .read(|c| certs::get(c, &serial.to_ascii_lowercase()))?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(record_of(&row)))
}

/// Revoke a certificate; the next CRL lists it.
#[utoipa::path(post, path = "/v1/staff/certificates/{serial}/revoke", tag = "staff", security(("staff" = [])),
    params(("serial" = String, Path)), request_body = RevokeRequest,
    responses((status = 200, body = CertificateRecord),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke(
    State(state): State<Shared>,
    staff: Staff,
    Path(serial): Path<String>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> ApiResult<Json<CertificateRecord>> {
    let serial = serial.to_ascii_lowercase();
    let row = state.db.tx(|tx| {
        let row = certs::get(tx, &serial)?.ok_or_else(ApiError::not_found)?;
        if row.status == "revoked" {
            return Err(ApiError::invalid_state("already revoked"));
        }
        let reason = wf::reason_str(req.reason);
        certs::revoke(tx, &serial, reason, state.now())?;
        let entry = NewEntry::new(staff.actor, Action::CertificateRevoke)
            .application(&row.application_id)
            .certificate(&serial)
            .detail("reason", reason);
        crate::store::audit::append(tx, state.now(), &entry)?;
        let doc = load_any(tx, &row.application_id)?;
        crate::workflow::tell_applicant(
            tx,
            &state,
            &doc,
            &format!("您的证书（序列号{serial}）已被吊销。"),
        )?;
        Ok(certs::get(tx, &serial)?.unwrap_or(row))
    })?;
    Ok(Json(record_of(&row)))
}
