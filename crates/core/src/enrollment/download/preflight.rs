//! Pre-flight of a download: nothing is spent, written or journaled before it passes.
//! The CA answers and the clocks agree; the token is chosen; the token can take the
//! channel's key (algorithm, envelope, room, write protection, PIN state).

use certdesk_ca_client::CaClient;
use certdesk_token::{Capabilities, KeyAlgorithm, PinState, TokenError, TokenRef, TokenService};

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::download::CertificateStatus;

use super::errors::{DownloadError, Result};
use super::{Downloaded, TokenChoice, enc_label, key_label};
use crate::enrollment::journal::Entry;

/// Largest clock difference to the CA the client accepts (download pre-flight and the
/// environment check): certificates are valid from the CA's "now", and its one-time
/// codes and tokens expire in minutes. The UI's texts say "5 minutes".
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// The CA's answer to the pre-flight reachability and clock check.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CaCheck {
    /// Local minus server time, seconds; `None` when the CA does not say its time.
    pub skew_seconds: Option<i64>,
}

/// Pre-flight: the CA answers `/healthz` and this computer's clock is within
/// [`MAX_CLOCK_SKEW_SECS`] of the CA's.
pub async fn check_ca(client: &CaClient) -> Result<CaCheck> {
    let health = client.health().await?;
    clock_check(
        health.server_time.as_deref(),
        time::OffsetDateTime::now_utc(),
    )
}

/// The skew rule on its own: `server_time` as the CA said it (RFC 3339), `now` local.
/// An unreadable or absent time is no refusal (older CAs do not say it).
pub fn clock_check(server_time: Option<&str>, now: time::OffsetDateTime) -> Result<CaCheck> {
    let skew_seconds = server_time.and_then(|t| {
        let server =
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()?;
        Some((now - server).whole_seconds())
    });
    if let Some(seconds) = skew_seconds
        && seconds.abs() > MAX_CLOCK_SKEW_SECS
    {
        return Err(DownloadError::ClockSkewed { seconds });
    }
    Ok(CaCheck { skew_seconds })
}

/// The journal's name of a key algorithm as the token layer reports a certificate's.
fn alg_of_listed(listed: &str) -> Option<&'static str> {
    Some(match listed {
        "RSA-2048" => "rsa2048",
        "RSA-3072" => "rsa3072",
        "EC P-256" => "ecdsa-p256",
        "SM2" => "sm2",
        _ => return None,
    })
}

/// The application's certificate when it is already on `token` with its key pair's
/// public half, and the CA's record of it is valid and names this application: a
/// download that finished (perhaps killed right after the CA confirmed it) is done, not
/// an error. `None` when any of that is missing.
pub async fn already_on_token(
    svc: &TokenService,
    client: &CaClient,
    token: &TokenRef,
    application_id: &str,
) -> Result<Option<Downloaded>> {
    let label = key_label(application_id);
    let certs = svc.list_certificates(token.clone()).await?;
    let Some(cert) = certs
        .iter()
        .find(|c| !c.is_ca && c.label == label && c.has_public_key)
    else {
        return Ok(None);
    };
    let record = match client.certificate(&cert.serial).await {
        Ok(r) => r,
        Err(e) if e.code() == Some(ProblemCode::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if record.application_id != application_id || record.status != CertificateStatus::Valid {
        return Ok(None);
    }
    let Some(key_algorithm) = alg_of_listed(&cert.key_algorithm) else {
        return Ok(None);
    };
    let enc = enc_label(application_id);
    Ok(Some(Downloaded {
        application_id: application_id.to_string(),
        token: token.clone(),
        key_id: cert.id.clone(),
        certificate_serial: cert.serial.clone(),
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        not_before: cert.not_before.clone(),
        not_after: cert.not_after.clone(),
        key_algorithm: key_algorithm.into(),
        chain_len: certs.iter().filter(|c| c.is_ca).count(),
        encryption_certificate_serial: certs
            .iter()
            .find(|c| !c.is_ca && c.label == enc)
            .map(|c| c.serial.clone()),
        resumed: false,
        already_on_token: true,
        journal_id: 0,
    }))
}

/// Picks the token: the journaled one when resuming, else exactly one candidate or the
/// explicit choice.
pub(super) async fn choose_token(
    svc: &TokenService,
    choice: &TokenChoice,
    resume: Option<&Entry>,
) -> Result<TokenRef> {
    if let Some(e) = resume {
        if choice.serial.as_ref().is_some_and(|s| *s != e.token.serial) {
            return Err(DownloadError::WrongToken {
                serial: e.token.serial.clone(),
            });
        }
        // The token must be present (a pulled token reads as not found). Modules that
        // fix their slot list at initialisation (SoftHSM2) see a re-inserted token only
        // after a rescan.
        let _ = svc.rescan(e.token.module.clone()).await;
        svc.token_info(e.token.clone())
            .await
            .map_err(|err| match err {
                TokenError::TokenNotFound { .. } => DownloadError::WrongToken {
                    serial: e.token.serial.clone(),
                },
                other => other.into(),
            })?;
        return Ok(e.token.clone());
    }
    let mut found = Vec::new();
    for m in &choice.modules {
        let _ = svc.rescan(m.clone()).await;
        for t in svc.list_tokens(m.clone()).await? {
            if t.token_initialized && choice.serial.as_ref().is_none_or(|s| *s == t.serial) {
                found.push(t.token);
            }
        }
    }
    match found.len() {
        0 => Err(DownloadError::NoToken),
        1 => Ok(found.remove(0)),
        _ => Err(DownloadError::SeveralTokens(
            found
                .iter()
                .map(|t| t.serial.clone())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

pub(crate) fn check_capabilities(
    caps: &Capabilities,
    algorithm: KeyAlgorithm,
    dual: bool,
    confirm_final: bool,
) -> Result<()> {
    if !caps.supports(algorithm) {
        return Err(DownloadError::UnsupportedAlgorithm(algorithm));
    }
    if dual && caps.envelope_wrap_mechanism.is_none() {
        return Err(DownloadError::NoEnvelopeSupport);
    }
    match caps.pin_state {
        PinState::Locked => return Err(DownloadError::PinLocked),
        PinState::FinalTry if !confirm_final => return Err(DownloadError::PinFinalTry),
        _ => {}
    }
    if caps.write_protected {
        return Err(DownloadError::WriteProtected);
    }
    if caps.free_private_memory == Some(0) || caps.free_public_memory == Some(0) {
        return Err(DownloadError::NoRoom);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(t: &str) -> time::OffsetDateTime {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn clocks_within_five_minutes_pass_and_further_apart_are_refused() {
        let server = "2026-11-21T12:00:00Z";
        let ok = clock_check(Some(server), at("2026-11-21T12:04:59Z")).unwrap();
        assert_eq!(ok.skew_seconds, Some(299));
        let behind = clock_check(Some(server), at("2026-11-21T11:54:00Z")).unwrap_err();
        assert!(matches!(
            behind,
            DownloadError::ClockSkewed { seconds: -360 }
        ));
        let ahead = clock_check(Some(server), at("2026-11-21T13:00:00Z")).unwrap_err();
        assert!(matches!(
            ahead,
            DownloadError::ClockSkewed { seconds: 3600 }
        ));
    }

    #[test]
    fn a_ca_that_does_not_tell_its_time_is_not_refused() {
        let now = at("2026-11-21T12:00:00Z");
        assert_eq!(clock_check(None, now).unwrap().skew_seconds, None);
        assert_eq!(
            clock_check(Some("yesterday"), now).unwrap().skew_seconds,
            None
        );
    }
}
