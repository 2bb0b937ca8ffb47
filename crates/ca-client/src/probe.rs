//! One `GET /healthz` without retries, for the status bar and the environment check:
//! how long the CA took, the time it stamped on its answer (`Date`), and, when it was
//! not reached, whether the TLS handshake was the reason.

use std::time::{Duration, Instant, SystemTime};

use crate::{CaClient, ClientConfig, ClientError};

/// The CA's answer to a probe.
#[derive(Debug, Clone)]
pub struct Probe {
    pub status: u16,
    /// A success status with the CA's health document (JSON with `status`).
    pub is_health: bool,
    /// Until the answer's headers arrived.
    pub latency: Duration,
    /// When the request left, by this computer's clock.
    pub sent_at: SystemTime,
    /// The CA's `Date` header, when it sent a readable one.
    pub server_date: Option<SystemTime>,
    /// The answer came over TLS (the final URL, after any redirect, is `https`).
    pub https: bool,
}

/// Why a probe got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeFailure {
    /// Connected, but the TLS handshake failed (untrusted root, wrong name, not TLS),
    /// or the trust setting itself is unusable; the detail says which.
    #[error("TLS with the CA failed: {0}")]
    Tls(String),
    /// DNS, refused, timeout, or an unusable address.
    #[error("CA not reached: {0}")]
    Unreachable(String),
}

impl From<&ClientError> for ProbeFailure {
    fn from(e: &ClientError) -> Self {
        match (e, e.tls_failure()) {
            (_, Some(detail)) => ProbeFailure::Tls(detail),
            (ClientError::Trust(detail), None) => ProbeFailure::Tls(detail.clone()),
            _ => ProbeFailure::Unreachable(e.to_string()),
        }
    }
}

impl ClientConfig {
    /// One attempt, connecting and answering within `timeout`: a probe's settings.
    pub fn probe(timeout: Duration) -> Self {
        Self {
            timeout,
            connect_timeout: timeout,
            retries: 0,
            ..Self::default()
        }
    }
}

impl CaClient {
    /// `GET /healthz` once (no retry, whatever the config says).
    pub async fn probe(&self) -> Result<Probe, ProbeFailure> {
        let sent_at = SystemTime::now();
        let started = Instant::now();
        let resp = self
            .http
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .map_err(|e| ProbeFailure::from(&ClientError::Transport(e)))?;
        let latency = started.elapsed();
        let server_date = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let https = resp.url().scheme() == "https";
        let status = resp.status();
        let is_health = status.is_success()
            && resp
                .json::<serde_json::Value>()
                .await
                .is_ok_and(|v| v.get("status").is_some());
        Ok(Probe {
            status: status.as_u16(),
            is_health,
            latency,
            sent_at,
            server_date,
            https,
        })
    }
}
