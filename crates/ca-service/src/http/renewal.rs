//! Renewal (更新): the subscriber proves possession of the current certificate's key by
//! signing a server challenge, then finalizes a new CSR. Opens 90 days before expiry.
//!
//! One certificate is renewed once: a proof of possession while a renewal of that
//! certificate is unfinished (approved, or issued but not confirmed) resumes that
//! renewal application instead of creating a second one, and one that was confirmed
//! (completed) is refused. With finalize answering the certificate already issued for
//! the same key, an interrupted renewal never yields a second certificate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use certdesk_ca_api::application::{Application, ApplicationStatus};
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::download::{
    Enrollment, RenewalChallenge, RenewalChallengeRequest, RenewalRequest,
};
use certdesk_ca_api::{Problem, ProblemCode};
use der::DecodePem;

use super::extract::ApiJson;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::Shared;
use crate::store::applications::{self, AppDoc};
use crate::store::certs;
use crate::workflow::load_any;

pub const RENEWAL_WINDOW: i64 = 90 * 86_400;
const CHALLENGE_TTL: i64 = 300;

fn valid_cert(conn: &rusqlite::Connection, serial: &str) -> ApiResult<certs::CertRow> {
    certs::get(conn, &serial.trim().to_ascii_lowercase())?
        .filter(|c| c.status == "valid")
        .ok_or_else(ApiError::not_found)
}

fn window(row: &certs::CertRow, now: i64) -> ApiResult<()> {
    let opens = row.not_after - RENEWAL_WINDOW;
    if now < opens || now >= row.not_after {
        return Err(ApiError::detail(
            ProblemCode::InvalidState,
            format!(
                "renewal is open from {} until {}",
                rfc3339(opens),
                rfc3339(row.not_after)
            ),
        ));
    }
    Ok(())
}

/// Get a challenge to sign with the key of the certificate to renew.
#[utoipa::path(post, path = "/v1/renewals/challenge", tag = "renewal", request_body = RenewalChallengeRequest,
    responses((status = 201, body = RenewalChallenge),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn challenge(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<RenewalChallengeRequest>,
) -> ApiResult<(StatusCode, Json<RenewalChallenge>)> {
    let now = state.now();
    let bytes: [u8; 32] = rand::random();
    let id = new_id("chl");
    let row = state.db.tx(|tx| {
        let row = valid_cert(tx, &req.serial)?;
        window(&row, now)?;
        certs::put_challenge(tx, &id, &row.serial, &bytes, now + CHALLENGE_TTL)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(RenewalChallenge {
            challenge_id: id,
            challenge: base64::engine::general_purpose::STANDARD.encode(bytes),
            expires_at: rfc3339(now + CHALLENGE_TTL),
            renewal_opens_at: rfc3339(row.not_after - RENEWAL_WINDOW),
        }),
    ))
}

/// A renewal application, ready for download, copied from the vetted original.
fn renewal_doc(orig: &AppDoc, serial: &str, now: i64) -> AppDoc {
    let now = rfc3339(now);
    let mut app: Application = orig.app.clone();
    app.id = new_id("app");
    app.business = Business::Renewal;
    app.status = ApplicationStatus::Approved;
    app.certificate_serial = Some(serial.to_string());
    app.issued_serial = None;
    app.shipment = None;
    app.paper = None;
    app.rejection_reasons.clear();
    app.created_at = now.clone();
    app.updated_at = now;
    AppDoc {
        app,
        owner: orig.owner.clone(),
        version: 0,
        authorisation_signed: orig.authorisation_signed,
        password_card_serial: None,
        counter_originals: Vec::new(),
    }
}

/// Prove possession with the signed challenge; returns an enrollment for the new CSR.
#[utoipa::path(post, path = "/v1/renewals", tag = "renewal", request_body = RenewalRequest,
    responses((status = 201, body = Enrollment),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn renew(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<RenewalRequest>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    let sig = super::extract::signature_bytes(&req.signature)?;
    let now = state.now();
    let enrollment = state.db.tx_commit_always(|tx| {
        // The challenge is spent whatever happens next.
        let (serial, challenge) =
            certs::take_challenge(tx, &req.challenge_id, now)?.ok_or_else(|| {
                ApiError::detail(
                    ProblemCode::VerificationFailed,
                    "unknown or expired challenge",
                )
            })?;
        if serial != req.serial.trim().to_ascii_lowercase() {
            return Err(ApiError::detail(
                ProblemCode::VerificationFailed,
                "challenge was issued for another certificate",
            ));
        }
        let row = valid_cert(tx, &serial)?;
        window(&row, now)?;
        let cert = x509_cert::Certificate::from_pem(row.pem.as_bytes())
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if !crate::pki::csr::verify_possession(
            cert.tbs_certificate().subject_public_key_info(),
            &challenge,
            &sig,
        ) {
            return Err(ApiError::detail(
                ProblemCode::VerificationFailed,
                "the signature does not verify with the certificate's key",
            ));
        }
        let orig = load_any(tx, &row.application_id)?;
        let channel = state.channel(&orig.app.channel_id)?.clone();
        if !channel.businesses.contains(&Business::Renewal) {
            return Err(ApiError::invalid_state(
                "this channel does not offer renewal",
            ));
        }
        let doc = match applications::renewal_of(
            tx,
            &serial,
            &[ApplicationStatus::Approved, ApplicationStatus::Issued],
        )? {
            // An interrupted renewal of this certificate is resumed, so the client can
            // finish it: finalize with the same key answers the certificate already
            // issued, and another key is refused (`issued_for_another_key`).
            Some(unfinished) => {
                tracing::info!(application = %unfinished.app.id, "renewal resumed");
                unfinished
            }
            None => {
                if let Some(done) =
                    applications::renewal_of(tx, &serial, &[ApplicationStatus::Completed])?
                {
                    return Err(ApiError::detail(
                        ProblemCode::InvalidState,
                        format!(
                            "this certificate was already renewed (application {}, new certificate {}); renew that one",
                            done.app.id,
                            done.app.issued_serial.unwrap_or_default()
                        ),
                    ));
                }
                let mut doc = renewal_doc(&orig, &serial, now);
                // A renewal is an order of its own, with its own number.
                doc.app.number = applications::next_number(tx, now)?;
                crate::domain::requirements::refresh(&mut doc, &channel);
                applications::insert(tx, &mut doc, now)?;
                doc
            }
        };
        crate::workflow::issuance::grant_enrollment(
            tx,
            now,
            &doc.app.id,
            &format!("renewal:{serial}"),
            &channel,
        )
    })?;
    Ok((StatusCode::CREATED, Json(enrollment)))
}
