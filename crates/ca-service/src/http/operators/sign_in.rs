//! Operator sign-in by certificate: the service sends a challenge, the operator's token
//! signs it, the service checks the certificate against its operator registry.
//!
//! The signed bytes are domain-separated (a fixed prefix, this CA's URL, the challenge
//! id, a random nonce), so a signature made for anything else — a renewal challenge,
//! another CA — never signs an operator in. Challenges are single use and short-lived.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use certdesk_ca_api::operator::{Operator, OperatorSession, SignIn, SignInChallenge};
use certdesk_ca_api::{Problem, ProblemCode};
use der::DecodePem;

use crate::audit::{Action, Actor, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, OperatorAuth, signature_bytes};
use crate::secrets::{new_id, sha256_hex, token};
use crate::state::Shared;
use crate::store::operators::{self as ops, SESSION_KIND, SIGN_IN_CHALLENGE};
use crate::store::{audit, certs};
use crate::workflow::operators::operator_wire;

const CHALLENGE_TTL: i64 = 120;
const SESSION_TTL: i64 = 10 * 3600;
/// The fixed start of every signed challenge.
pub const SIGN_IN_PREFIX: &str = "certdesk-ca operator sign-in v1";

/// The exact bytes an operator signs.
pub fn to_sign(base_url: &str, challenge_id: &str, nonce: &[u8; 32]) -> Vec<u8> {
    format!(
        "{SIGN_IN_PREFIX}\n{base_url}\n{challenge_id}\n{}",
        hex::encode(nonce)
    )
    .into_bytes()
}

/// Live sign-in challenges at once: far above a busy point's sign-ins in two minutes,
/// far below what would fill the disk.
pub const MAX_LIVE_CHALLENGES: i64 = 1000;

/// Start a sign-in: bytes to sign with the operator's token (single use, 2 minutes).
#[utoipa::path(post, path = "/v1/operator/challenge", tag = "operators",
    responses((status = 201, body = SignInChallenge),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn challenge(
    State(state): State<Shared>,
) -> ApiResult<(StatusCode, Json<SignInChallenge>)> {
    let id = new_id("opc");
    let nonce: [u8; 32] = rand::random();
    let bytes = to_sign(&state.base_url, &id, &nonce);
    let now = state.now();
    let expires = now + CHALLENGE_TTL;
    state.db.tx(|tx| {
        // Anyone may ask, so the table is bounded: expired challenges go, and past
        // MAX_LIVE_CHALLENGES live ones the caller waits for some to expire.
        let live = certs::purge_and_count_challenges(tx, SIGN_IN_CHALLENGE, now)?;
        if live >= MAX_LIVE_CHALLENGES {
            return Err(ApiError::retry_after(
                ProblemCode::RateLimited,
                CHALLENGE_TTL as u64,
            ));
        }
        certs::put_challenge(tx, &id, SIGN_IN_CHALLENGE, &bytes, expires)?;
        Ok(())
    })?;
    Ok((
        StatusCode::CREATED,
        Json(SignInChallenge {
            challenge_id: id,
            to_sign: base64::engine::general_purpose::STANDARD.encode(&bytes),
            expires_at: rfc3339(expires),
        }),
    ))
}

fn refused(code: ProblemCode) -> ApiError {
    ApiError::code(code)
}

/// Finish a sign-in with the certificate's serial and the signature over the challenge.
#[utoipa::path(post, path = "/v1/operator/sessions", tag = "operators", request_body = SignIn,
    responses((status = 201, body = OperatorSession),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<SignIn>,
) -> ApiResult<(StatusCode, Json<OperatorSession>)> {
    let sig = signature_bytes(&req.signature)?;
    let now = state.now();
    let t = token();
    let session = state.db.tx_commit_always(|tx| {
        // Spent whatever happens next: a refused attempt cannot be replayed either.
        let challenge = certs::take_challenge(tx, req.challenge_id.trim(), now)?
            .filter(|(kind, _)| kind == SIGN_IN_CHALLENGE)
            .map(|(_, bytes)| bytes)
            .ok_or_else(|| refused(ProblemCode::ChallengeInvalid))?;
        let serial = req.certificate_serial.trim().to_ascii_lowercase();
        let cert = certs::get(tx, &serial)?
            .ok_or_else(|| refused(ProblemCode::OperatorCertificateInvalid))?;
        let op = ops::operator_of_application(tx, &cert.application_id)?
            .ok_or_else(|| refused(ProblemCode::OperatorCertificateInvalid))?;
        let parsed = x509_cert::Certificate::from_pem(cert.pem.as_bytes())
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        if !crate::pki::csr::verify_possession(
            parsed.tbs_certificate().subject_public_key_info(),
            &challenge,
            &sig,
        ) {
            return Err(refused(ProblemCode::BadSignature));
        }
        // Told only to the key's holder (the signature is checked first), so the counter
        // can say "your operator certificate was revoked" rather than "invalid".
        if op.status != "active" || cert.status != "valid" || cert.not_after <= now {
            return Err(refused(ProblemCode::OperatorRevoked));
        }
        let expires = now + SESSION_TTL;
        ops::put_session(
            tx,
            &sha256_hex(&[SESSION_KIND, &t]),
            &op.id,
            &serial,
            expires,
        )?;
        let actor = Actor::Operator {
            id: op.id.clone(),
            certificate_serial: serial.clone(),
        };
        let entry = NewEntry::new(actor, Action::OperatorSignIn)
            .point(Some(&op.point_id))
            .certificate(&serial);
        audit::append(tx, now, &entry)?;
        Ok::<_, ApiError>(OperatorSession {
            token: t.clone(),
            expires_at: rfc3339(expires),
            operator: operator_wire(tx, &op)?,
        })
    })?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// The signed-in operator.
#[utoipa::path(get, path = "/v1/operator/me", tag = "operators", security(("operator" = [])),
    responses((status = 200, body = Operator),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn me(State(state): State<Shared>, who: OperatorAuth) -> ApiResult<Json<Operator>> {
    Ok(Json(state.db.read(|c| operator_wire(c, &who.operator))?))
}

/// End the operator session (the counter locks).
#[utoipa::path(post, path = "/v1/operator/logout", tag = "operators", security(("operator" = [])),
    responses((status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn logout(State(state): State<Shared>, who: OperatorAuth) -> ApiResult<StatusCode> {
    state.db.tx(|tx| ops::delete_session(tx, &who.token_hash))?;
    Ok(StatusCode::NO_CONTENT)
}
