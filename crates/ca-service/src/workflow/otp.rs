//! One-time codes by SMS: resend limits (429 + Retry-After) and lock-out.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::Application;
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::sandbox::OutboxChannel;
use rusqlite::Connection;

use crate::error::{ApiError, ApiResult};
use secrecy::ExposeSecret;

use crate::secrets::{ct_eq, digits, otp_hash};
use crate::state::AppState;
use crate::store::auth::{self, OtpRow};

pub const RESEND_INTERVAL: i64 = 60;
pub const SENDS_PER_HOUR: i64 = 5;
pub const MAX_FAILURES: i64 = 5;
pub const LOCK_SECS: i64 = 15 * 60;

/// Sends a fresh code to `phone`; `text` renders the SMS around the code.
pub fn send(
    conn: &Connection,
    state: &AppState,
    subject: &str,
    phone: &str,
    text: impl Fn(&str) -> String,
) -> ApiResult<OtpSent> {
    let now = state.now();
    let mut row = auth::get_otp(conn, subject)?;
    if row.locked_until > now {
        return Err(ApiError::retry_after(
            ProblemCode::LockedOut,
            (row.locked_until - now) as u64,
        ));
    }
    if now - row.sent_at < RESEND_INTERVAL {
        return Err(ApiError::retry_after(
            ProblemCode::RateLimited,
            (RESEND_INTERVAL - (now - row.sent_at)) as u64,
        ));
    }
    if now - row.window_start >= 3600 {
        row.window_start = now;
        row.sends_in_window = 0;
    }
    if row.sends_in_window >= SENDS_PER_HOUR {
        return Err(ApiError::retry_after(
            ProblemCode::RateLimited,
            (row.window_start + 3600 - now) as u64,
        ));
    }
    let code = digits(6);
    row.code_hash = Some(otp_hash(
        state.otp_key.expose_secret().as_bytes(),
        subject,
        &code,
    ));
    row.expires_at = now + state.otp_ttl_secs;
    row.sent_at = now;
    row.sends_in_window += 1;
    auth::put_otp(conn, subject, &row)?;
    state.notifier.send(
        conn,
        OutboxChannel::Sms,
        phone,
        "【证书助手】验证码",
        &text(&code),
    )?;
    Ok(OtpSent {
        expires_in: state.otp_ttl_secs as u64,
        resend_after: RESEND_INTERVAL as u64,
    })
}

/// Checks a code. Failures are counted even though an error is returned, so the caller
/// must commit the transaction on error too (see `Db::tx_commit_always`).
pub fn verify(conn: &Connection, state: &AppState, subject: &str, code: &str) -> ApiResult<()> {
    let now = state.now();
    let mut row: OtpRow = auth::get_otp(conn, subject)?;
    if row.locked_until > now {
        return Err(ApiError::retry_after(
            ProblemCode::LockedOut,
            (row.locked_until - now) as u64,
        ));
    }
    let Some(hash) = row.code_hash.clone() else {
        return Err(ApiError::code(ProblemCode::OtpInvalid));
    };
    if row.expires_at < now {
        return Err(ApiError::code(ProblemCode::OtpExpired));
    }
    let key = state.otp_key.expose_secret().as_bytes();
    if !ct_eq(&hash, &otp_hash(key, subject, code.trim())) {
        row.failures += 1;
        let locked = row.failures >= MAX_FAILURES;
        if locked {
            row.locked_until = now + LOCK_SECS;
            row.code_hash = None;
            row.failures = 0;
        }
        auth::put_otp(conn, subject, &row)?;
        return Err(if locked {
            ApiError::retry_after(ProblemCode::LockedOut, LOCK_SECS as u64)
        } else {
            ApiError::code(ProblemCode::OtpInvalid)
        });
    }
    // A consumed code lifts the resend pause (the hourly cap still holds).
    row.code_hash = None;
    row.failures = 0;
    row.sent_at = 0;
    auth::put_otp(conn, subject, &row)?;
    Ok(())
}

pub fn login_subject(phone: &str) -> String {
    format!("login:{phone}")
}

pub fn signature_subject(app: &Application) -> String {
    format!("sign:{}", app.id)
}

pub fn authorisation_subject(id: &str) -> String {
    format!("authorisation:{id}")
}
