//! Reachability of the CA service for the status bar: `GET /healthz` with a short
//! timeout, through `certdesk-ca-client` (the one transport and trust every CA call uses).

use std::sync::Mutex;
use std::time::Duration;

use certdesk_ca_client::{CaClient, ClientConfig, Probe, ProbeFailure};
const TIMEOUT: Duration = Duration::from_secs(5);

/// The CA as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaReachability {
    NotConfigured,
    Online { url: String, latency_ms: u32 },
    Offline { url: String, reason: OfflineReason },
}

/// Why the CA counts as offline. A refused TLS handshake is told apart: the network is
/// fine and retrying will not help; IT must install the CA's root (or fix the address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineReason {
    /// Not reached (DNS, refused, timeout).
    Unreachable,
    /// Reached, but its TLS certificate is not trusted (or the handshake failed).
    Untrusted,
    /// Reached, but `/healthz` answered an error status.
    Protocol,
}

/// The status bar's prober. Keeps its client (and so its pooled connection) while the
/// address stays the same; a new address gets a new client.
#[derive(Default)]
pub struct CaProbe {
    client: Mutex<Option<CaClient>>,
}

impl CaProbe {
    pub async fn probe(&self, base_url: Option<&str>) -> CaReachability {
        let Some(base) = base_url else {
            return CaReachability::NotConfigured;
        };
        let url = base.to_owned();
        match self.reach(base).await {
            Ok(p) if (200..300).contains(&p.status) => CaReachability::Online {
                url,
                latency_ms: u32::try_from(p.latency.as_millis()).unwrap_or(u32::MAX),
            },
            Ok(p) => {
                tracing::warn!(status = p.status, "CA health check answered an error");
                CaReachability::Offline {
                    url,
                    reason: OfflineReason::Protocol,
                }
            }
            Err(failure) => offline(url, &failure),
        }
    }

    /// The probe's own verdict, before it is cut down to the status bar's words: the
    /// answer, or why there was none (TLS told apart from not reached).
    pub async fn reach(&self, base: &str) -> Result<Probe, ProbeFailure> {
        self.client_for(base)?.probe().await
    }

    fn client_for(&self, base: &str) -> Result<CaClient, ProbeFailure> {
        let mut slot = self
            .client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = &*slot
            && c.base_url() == base.trim_end_matches('/')
        {
            return Ok(c.clone());
        }
        let c = CaClient::with_config(base, ClientConfig::probe(TIMEOUT))
            .map_err(|e| ProbeFailure::from(&e))?;
        *slot = Some(c.clone());
        Ok(c)
    }
}

/// Not reached, or reached without a trusted TLS handshake; the log has the detail.
fn offline(url: String, failure: &ProbeFailure) -> CaReachability {
    tracing::info!(error = %failure, "CA not reached");
    let reason = match failure {
        ProbeFailure::Tls(_) => OfflineReason::Untrusted,
        _ => OfflineReason::Unreachable,
    };
    CaReachability::Offline { url, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unconfigured_and_unreachable() {
        let probe = CaProbe::default();
        assert_eq!(probe.probe(None).await, CaReachability::NotConfigured);
        // Bind then drop a listener so the port is closed: a real refused connection.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        assert_eq!(
            probe.probe(Some(&url)).await,
            CaReachability::Offline {
                url,
                reason: OfflineReason::Unreachable
            }
        );
    }

    #[tokio::test]
    async fn online_when_healthz_answers() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let n = sock.read(&mut buf).await.unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("GET /healthz "));
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                .await
                .unwrap();
        });
        let url = format!("http://{addr}");
        assert!(matches!(
            CaProbe::default().probe(Some(&url)).await,
            CaReachability::Online { .. }
        ));
    }
}
