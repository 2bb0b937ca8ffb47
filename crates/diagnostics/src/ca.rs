//! The CA service and the clock: `GET /healthz`, classified as unreachable, refused
//! TLS, a wrong answer or online; the `Date` header gives the CA's time.

use std::error::Error as _;
use std::time::{Duration, Instant, SystemTime};

use certdesk_ipc::{CaCheck, ClockCheck};

const TIMEOUT: Duration = Duration::from_secs(8);

/// Skew beyond which one-time codes and fresh certificates misbehave (`notBefore` in the
/// future, codes expired on arrival): the bound the download pre-flight uses.
pub use certdesk_ipc::MAX_CLOCK_SKEW_SECS as CLOCK_TOLERANCE_SECS;

pub async fn check_ca(http: &reqwest::Client, url: Option<&str>) -> (CaCheck, ClockCheck) {
    let Some(base) = url else {
        return (CaCheck::NotConfigured, ClockCheck::Unknown);
    };
    let url = base.to_owned();
    let health = format!("{}/healthz", base.trim_end_matches('/'));
    let sent = SystemTime::now();
    let started = Instant::now();
    let resp = match http.get(&health).timeout(TIMEOUT).send().await {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(error = %e, "environment check: CA not reached");
            let ca = match tls_failure(&e) {
                Some(detail) => CaCheck::TlsFailed { url, detail },
                None => CaCheck::Unreachable { url },
            };
            return (ca, ClockCheck::Unknown);
        }
    };
    let elapsed = started.elapsed();
    // The server stamped `Date` somewhere inside the round trip; its middle is the best guess.
    let local = sent + elapsed / 2;
    let clock = resp
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .map_or(ClockCheck::Unknown, |server| clock_check(local, server));
    let tls = resp.url().scheme() == "https";
    let status = resp.status();
    let is_health = status.is_success()
        && resp
            .json::<serde_json::Value>()
            .await
            .is_ok_and(|v| v.get("status").is_some());
    let ca = if is_health {
        CaCheck::Online {
            url,
            latency_ms: u32::try_from(elapsed.as_millis()).unwrap_or(u32::MAX),
            tls,
        }
    } else {
        CaCheck::BadAnswer {
            url,
            status: status.as_u16(),
        }
    };
    (ca, clock)
}

/// `local − server`, in whole seconds; `Date` has one-second resolution, so ±1 s is noise.
pub(crate) fn clock_check(local: SystemTime, server: SystemTime) -> ClockCheck {
    let skew = match local.duration_since(server) {
        Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX),
        Err(behind) => -i64::try_from(behind.duration().as_secs()).unwrap_or(i64::MAX),
    };
    if skew.abs() > CLOCK_TOLERANCE_SECS {
        ClockCheck::Skewed { skew_seconds: skew }
    } else {
        ClockCheck::InSync { skew_seconds: skew }
    }
}

/// The rustls error somewhere in the chain, if the failure was the TLS handshake.
fn tls_failure(e: &reqwest::Error) -> Option<String> {
    e.source().and_then(find_rustls).map(|tls| tls.to_string())
}

/// `io::Error` wraps the rustls error inside another `io::Error`, and its `source()`
/// skips the wrapped error itself, so descend through `get_ref()` too.
fn find_rustls<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        let inner: &(dyn std::error::Error + 'static) = inner;
        if let Some(tls) = find_rustls(inner) {
            return Some(tls);
        }
    }
    err.source().and_then(find_rustls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_sign_and_tolerance() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(
            clock_check(t + Duration::from_secs(30), t),
            ClockCheck::InSync { skew_seconds: 30 }
        );
        assert_eq!(
            clock_check(t, t + Duration::from_secs(600)),
            ClockCheck::Skewed { skew_seconds: -600 }
        );
        assert_eq!(
            clock_check(t + Duration::from_secs(301), t),
            ClockCheck::Skewed { skew_seconds: 301 }
        );
    }
}
