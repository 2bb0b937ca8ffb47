//! The CA service and the clock: `GET /healthz` through `certdesk-ca-client` (the one
//! transport and trust every CA call uses), classified as unreachable, refused TLS, a
//! wrong answer or online; the `Date` header gives the CA's time.

use std::time::{Duration, SystemTime};

use crate::report::{CaCheck, ClockCheck};
use certdesk_ca_client::{CaClient, ClientConfig, ProbeFailure};

const TIMEOUT: Duration = Duration::from_secs(8);

/// Skew beyond which one-time codes and fresh certificates misbehave (`notBefore` in the
/// future, codes expired on arrival): the bound the download pre-flight uses.
pub use certdesk_core::enrollment::MAX_CLOCK_SKEW_SECS as CLOCK_TOLERANCE_SECS;

pub async fn check_ca(url: Option<&str>) -> (CaCheck, ClockCheck) {
    let Some(base) = url else {
        return (CaCheck::NotConfigured, ClockCheck::Unknown);
    };
    let url = base.to_owned();
    let probe = CaClient::with_config(base, ClientConfig::probe(TIMEOUT))
        .map_err(|e| ProbeFailure::from(&e));
    let probe = match probe {
        Ok(client) => client.probe().await,
        Err(failure) => Err(failure),
    };
    let p = match probe {
        Ok(p) => p,
        Err(failure) => {
            tracing::info!(error = %failure, "environment check: CA not reached");
            let ca = match failure {
                ProbeFailure::Tls(detail) => CaCheck::TlsFailed { url, detail },
                ProbeFailure::Unreachable(_) => CaCheck::Unreachable { url },
            };
            return (ca, ClockCheck::Unknown);
        }
    };
    // The server stamped `Date` somewhere inside the round trip; its middle is the best guess.
    let local = p.sent_at + p.latency / 2;
    let clock = p
        .server_date
        .map_or(ClockCheck::Unknown, |server| clock_check(local, server));
    let ca = if p.is_health {
        CaCheck::Online {
            url,
            latency_ms: u32::try_from(p.latency.as_millis()).unwrap_or(u32::MAX),
            tls: p.https,
        }
    } else {
        CaCheck::BadAnswer {
            url,
            status: p.status,
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
