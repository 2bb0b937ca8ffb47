//! Sign-in: captcha → SMS code → bearer token; logout.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use certdesk_ca_api::auth::{Captcha, OtpRequest, OtpSent, Session, TokenRequest};
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use rand::Rng;

use super::extract::{ApiJson, Applicant};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_id, sha256_hex, token};
use crate::state::Shared;
use crate::store::auth;
use crate::workflow::otp;

const CAPTCHA_TTL: i64 = 300;
const SESSION_TTL: i64 = 24 * 3600;

/// Renders the captcha text as a distorted SVG image.
fn captcha_svg(text: &str) -> String {
    let mut rng = rand::rng();
    let mut svg = String::from(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="150" height="50"><rect width="150" height="50" fill="#f3f6fa"/>"##,
    );
    for _ in 0..6 {
        svg.push_str(&format!(
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9ab" stroke-width="1"/>"##,
            rng.random_range(0..150),
            rng.random_range(0..50),
            rng.random_range(0..150),
            rng.random_range(0..50)
        ));
    }
    for (i, c) in text.chars().enumerate() {
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="28" font-family="monospace" fill="#234" transform="rotate({} {} 30)">{c}</text>"##,
            12 + i * 26,
            32 + rng.random_range(0..8),
            rng.random_range(-20..20),
            20 + i * 26
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Create an image captcha.
#[utoipa::path(post, path = "/v1/captchas", tag = "auth",
    responses((status = 201, body = Captcha)))]
pub async fn create_captcha(State(state): State<Shared>) -> ApiResult<(StatusCode, Json<Captcha>)> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let answer: String = {
        let mut rng = rand::rng();
        (0..5)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    let id = new_id("cap");
    let expires = state.now() + CAPTCHA_TTL;
    state
        .db
        .tx(|tx| auth::put_captcha(tx, &id, &answer, expires))?;
    let image = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(captcha_svg(&answer))
    );
    Ok((
        StatusCode::CREATED,
        Json(Captcha {
            captcha_id: id,
            image,
            expires_at: rfc3339(expires),
        }),
    ))
}

/// Captchas are single use: wrong or right, the captcha is spent.
pub fn check_captcha(
    conn: &rusqlite::Connection,
    now: i64,
    id: &str,
    answer: &str,
) -> ApiResult<()> {
    let expected = auth::take_captcha(conn, id, now)?;
    match expected {
        Some(a) if a.eq_ignore_ascii_case(answer.trim()) => Ok(()),
        _ => Err(ApiError::code(ProblemCode::CaptchaInvalid)),
    }
}

pub fn check_phone(field: &str, phone: &str) -> ApiResult<()> {
    certdesk_ident::mobile(phone)
        .map_err(|e| ApiError::fields(vec![FieldError::from_ident(field, &e)]))
}

/// Send a sign-in code by SMS (needs a solved captcha).
#[utoipa::path(post, path = "/v1/auth/otp", tag = "auth", request_body = OtpRequest,
    responses((status = 202, body = OtpSent),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn send_otp(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<OtpRequest>,
) -> ApiResult<(StatusCode, Json<OtpSent>)> {
    check_phone("phone", &req.phone)?;
    let sent = state.db.tx_commit_always(|tx| {
        check_captcha(tx, state.now(), &req.captcha_id, &req.captcha_answer)?;
        otp::send(
            tx,
            &state,
            &otp::login_subject(&req.phone),
            &req.phone,
            |code| format!("【证书助手】您的登录验证码为{code}，5分钟内有效，请勿告诉他人。"),
        )
    })?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// Exchange the SMS code for a bearer token.
#[utoipa::path(post, path = "/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 201, body = Session),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    check_phone("phone", &req.phone)?;
    let session = state.db.tx_commit_always(|tx| {
        otp::verify(tx, &state, &otp::login_subject(&req.phone), &req.code)?;
        let t = token();
        let expires = state.now() + SESSION_TTL;
        auth::put_session(tx, &sha256_hex(&["session", &t]), &req.phone, expires)?;
        Ok::<_, ApiError>(Session {
            token: t,
            expires_at: rfc3339(expires),
        })
    })?;
    tracing::info!(phone = %certdesk_ident::mask(&req.phone), "signed in");
    Ok((StatusCode::CREATED, Json(session)))
}

/// End the session.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn logout(State(state): State<Shared>, who: Applicant) -> ApiResult<StatusCode> {
    state
        .db
        .tx(|tx| auth::delete_session(tx, &who.token_hash))?;
    Ok(StatusCode::NO_CONTENT)
}
