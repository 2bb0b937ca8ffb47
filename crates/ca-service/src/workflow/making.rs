//! Making the USBKey at the counter (制证, issue 13 item 6), the CA's part: a
//! counter-approved case gets no password card; its maker receives the enrollment the
//! ordinary download runs on, records the token the certificate went onto, and the
//! applicant confirms the hand-over with a code sent to their phone. Every step is
//! scoped to the maker's point and audited.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::counter::Making;
use certdesk_ca_api::download::{Enrollment, UnlockGrant};
use rusqlite::Connection;

use super::cases::{Acting, at_point};
use super::{contact_phone, load_any, otp, tell_applicant};
use crate::audit::Action;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::cases::{self, CaseRow};
use crate::store::making::{self, TokenRow};
use crate::store::{audit, certs};

pub fn record(conn: &Connection, case_id: &str) -> ApiResult<Option<Making>> {
    Ok(making::get(conn, case_id)?.map(|t| Making {
        token_serial: t.token_serial,
        certificate_serial: t.certificate_serial,
        made_by: t.made_by,
        made_at: rfc3339(t.made_at),
        handed_over_at: t.handed_over_at.map(rfc3339),
    }))
}

/// 409 `already_made`, naming the token that holds the case's certificate.
fn already_made(token: &TokenRow) -> ApiError {
    ApiError::detail(
        ProblemCode::AlreadyMade,
        format!(
            "certificate {} is already on token {}",
            token.certificate_serial, token.token_serial
        ),
    )
}

/// A case of the maker's point that a reviewer approved at the counter.
fn approved_at_point(conn: &Connection, who: &Acting<'_>, id: &str) -> ApiResult<CaseRow> {
    let case = at_point(conn, &who.operator.point_id, id)?;
    match case.status.as_str() {
        "approved" | "handed_over" => Ok(case),
        _ => Err(ApiError::invalid_state(
            "only a case approved at the counter is made here",
        )),
    }
}

/// The enrollment the download runs on, authorised by the case instead of a password
/// card. Granted again while the certificate is not confirmed (a crash resumes: the
/// same key gets the same certificate); once a token holds it, `already_made`.
pub fn enrollment(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
) -> ApiResult<Enrollment> {
    let case = approved_at_point(conn, who, id)?;
    if let Some(t) = making::get(conn, &case.id)? {
        return Err(already_made(&t));
    }
    let doc = load_any(conn, &case.application_id)?;
    if doc.password_card_serial.is_some() {
        // Approved by the staff while the case was open: the mailed card authorises
        // the download, and one authorisation is enough.
        return Err(ApiError::invalid_state(
            "approved online: the mailed password card authorises the download",
        ));
    }
    if !matches!(
        doc.app.status,
        ApplicationStatus::Approved | ApplicationStatus::Issued
    ) {
        return Err(ApiError::invalid_state(
            "the certificate is made: record the token it went onto",
        ));
    }
    let channel = state.channel(&doc.app.channel_id)?;
    let granted = super::issuance::grant_enrollment(
        conn,
        state.now(),
        &doc.app.id,
        &format!("case:{}", case.id),
        channel,
    )?;
    audit::append(conn, state.now(), &who.entry(Action::CaseEnrollment, &case))?;
    Ok(granted)
}

/// Releases the SO PIN for initialising the token the case is made on (see
/// `http::operators::making::so_pin`). Refused once another token holds the case's
/// certificate: there is nothing left to make.
pub fn so_pin(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
    token_serial: Option<&str>,
) -> ApiResult<UnlockGrant> {
    let case = approved_at_point(conn, who, id)?;
    match making::get(conn, &case.id)? {
        Some(t) if Some(t.token_serial.as_str()) != token_serial => {
            return Err(already_made(&t));
        }
        // Refused before the token is initialised when its serial is known; a blank
        // token's serial is checked when it is recorded.
        None => {
            if let Some(s) = token_serial {
                super::stock::check_for_making(conn, &case.point_id, s)?;
            }
        }
        Some(_) => {}
    }
    let so_pin = match token_serial {
        Some(s) => state.pki.so_pin(s),
        None => state.pki.blank_so_pin(&case.id),
    }
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let entry = who
        .entry(Action::TokenSoPin, &case)
        .token(token_serial.unwrap_or("(blank)"));
    audit::append(conn, state.now(), &entry)?;
    Ok(UnlockGrant {
        token_serial: token_serial.unwrap_or_default().to_string(),
        so_pin,
    })
}

/// Records the token the case's certificate was written to. The same token again is
/// answered as recorded; another token, `already_made` naming the first.
pub fn record_token(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
    token_serial: &str,
    token_model: Option<&str>,
) -> ApiResult<CaseRow> {
    let case = approved_at_point(conn, who, id)?;
    if let Some(t) = making::get(conn, &case.id)? {
        return if t.token_serial == token_serial {
            Ok(case)
        } else {
            Err(already_made(&t))
        };
    }
    let cert = certs::valid_for_application(conn, &case.application_id)?
        .ok_or_else(|| ApiError::invalid_state("no certificate issued for this case yet"))?;
    let from_stock = super::stock::mark_made(conn, who, state.now(), token_serial, &case)?;
    let row = TokenRow {
        token_serial: token_serial.to_string(),
        certificate_serial: cert.serial.clone(),
        made_by: who.operator.id.clone(),
        made_at: state.now(),
        handed_over_at: None,
        token_model: token_model.map(str::to_string),
    };
    making::insert(conn, &case.id, &row)?;
    let entry = who
        .entry(Action::CaseToken, &case)
        .certificate(&cert.serial)
        .token(token_serial)
        .detail("stock", if from_stock { "made" } else { "outside" });
    audit::append(conn, state.now(), &entry)?;
    Ok(case)
}

fn handover_subject(case_id: &str) -> String {
    format!("handover:{case_id}")
}

/// The made token, ready to hand over: recorded, its download confirmed, not yet taken.
fn ready(conn: &Connection, who: &Acting<'_>, id: &str) -> ApiResult<(CaseRow, TokenRow)> {
    let case = approved_at_point(conn, who, id)?;
    let token = making::get(conn, &case.id)?
        .ok_or_else(|| ApiError::invalid_state("record the token before handing it over"))?;
    if token.handed_over_at.is_some() {
        return Err(ApiError::invalid_state("the token was already handed over"));
    }
    if load_any(conn, &case.application_id)?.app.status != ApplicationStatus::Completed {
        return Err(ApiError::invalid_state(
            "the certificate on the token is not confirmed yet",
        ));
    }
    Ok((case, token))
}

/// Sends the hand-over code to the handler's phone (the legal representative's when
/// they handle the application), with the resend limits of every one-time code.
pub fn send_code(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
) -> ApiResult<OtpSent> {
    let (case, token) = ready(conn, who, id)?;
    let doc = load_any(conn, &case.application_id)?;
    let serial = token.token_serial.clone();
    otp::send(
        conn,
        state,
        &handover_subject(&case.id),
        &contact_phone(&doc),
        |code| {
            format!(
                "您的验证码 {code}：领取订单{} 的 USBKey（序列号 {serial}），请在受理点客户屏输入以确认交付。",
                doc.app.id
            )
        },
    )
}

/// The applicant's code confirms the hand-over; the case closes as handed over. Failed
/// tries count (the caller commits on error too) and lock the code like any OTP.
pub fn hand_over(
    conn: &Connection,
    state: &AppState,
    who: &Acting<'_>,
    id: &str,
    code: &str,
) -> ApiResult<CaseRow> {
    let (case, token) = ready(conn, who, id)?;
    otp::verify(conn, state, &handover_subject(&case.id), code)?;
    let now = state.now();
    making::handed_over(conn, &case.id, now)?;
    cases::hand_over(conn, &case.id)?;
    let entry = who
        .entry(Action::CaseHandover, &case)
        .certificate(&token.certificate_serial)
        .token(&token.token_serial);
    audit::append(conn, now, &entry)?;
    let doc = load_any(conn, &case.application_id)?;
    tell_applicant(
        conn,
        state,
        &doc,
        &format!(
            "您的订单{}的 USBKey（序列号 {}）已在受理点交付。",
            doc.app.id, token.token_serial
        ),
    )?;
    Ok(CaseRow {
        status: "handed_over".into(),
        ..case
    })
}
