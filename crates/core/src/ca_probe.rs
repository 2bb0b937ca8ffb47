//! Reachability of the CA service for the status bar: `GET /healthz` with a short timeout.

use std::time::{Duration, Instant};

use certdesk_ipc::{CaConnection, ErrorCode};

const TIMEOUT: Duration = Duration::from_secs(5);

pub async fn probe(client: &reqwest::Client, base_url: Option<&str>) -> CaConnection {
    let Some(base) = base_url else {
        return CaConnection::NotConfigured;
    };
    let url = base.to_owned();
    let started = Instant::now();
    let health = format!("{}/healthz", base.trim_end_matches('/'));
    match client.get(&health).timeout(TIMEOUT).send().await {
        Ok(resp) if resp.status().is_success() => CaConnection::Online {
            url,
            latency_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        },
        Ok(resp) => {
            tracing::warn!(status = %resp.status(), "CA health check answered an error");
            CaConnection::Offline {
                url,
                reason: ErrorCode::CaProtocol,
            }
        }
        Err(e) => {
            tracing::info!(error = %e, "CA unreachable");
            CaConnection::Offline {
                url,
                reason: ErrorCode::CaUnreachable,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unconfigured_and_unreachable() {
        let client = reqwest::Client::new();
        assert_eq!(probe(&client, None).await, CaConnection::NotConfigured);
        // Bind then drop a listener so the port is closed: a real refused connection.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        assert_eq!(
            probe(&client, Some(&url)).await,
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
            probe(&reqwest::Client::new(), Some(&url)).await,
            CaConnection::Online { .. }
        ));
    }
}
