//! Reachability of the CA service for the status bar: `GET /healthz` with a short
//! timeout, through `certdesk-ca-client` (the one transport and trust every CA call uses).

use std::sync::Mutex;
use std::time::Duration;

use certdesk_ca_client::{CaClient, ClientConfig, Probe, ProbeFailure};
use certdesk_ipc::{CaConnection, ErrorCode};

const TIMEOUT: Duration = Duration::from_secs(5);

/// The status bar's prober. Keeps its client (and so its pooled connection) while the
/// address stays the same; a new address gets a new client.
#[derive(Default)]
pub struct CaProbe {
    client: Mutex<Option<CaClient>>,
}

impl CaProbe {
    pub async fn probe(&self, base_url: Option<&str>) -> CaConnection {
        let Some(base) = base_url else {
            return CaConnection::NotConfigured;
        };
        let url = base.to_owned();
        match self.reach(base).await {
            Ok(p) if (200..300).contains(&p.status) => CaConnection::Online {
                url,
                latency_ms: u32::try_from(p.latency.as_millis()).unwrap_or(u32::MAX),
            },
            Ok(p) => {
                tracing::warn!(status = p.status, "CA health check answered an error");
                CaConnection::Offline {
                    url,
                    reason: ErrorCode::CaProtocol,
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

/// The status bar has one word for "not reached", TLS included (`ErrorCode::CaUnreachable`);
/// the log says which.
fn offline(url: String, failure: &ProbeFailure) -> CaConnection {
    tracing::info!(error = %failure, "CA unreachable");
    CaConnection::Offline {
        url,
        reason: ErrorCode::CaUnreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unconfigured_and_unreachable() {
        let probe = CaProbe::default();
        assert_eq!(probe.probe(None).await, CaConnection::NotConfigured);
        // Bind then drop a listener so the port is closed: a real refused connection.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        assert_eq!(
            probe.probe(Some(&url)).await,
            CaConnection::Offline {
                url,
                reason: ErrorCode::CaUnreachable
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
            CaConnection::Online { .. }
        ));
    }
}
