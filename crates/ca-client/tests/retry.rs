//! The client against a scripted server on loopback: retries, idempotency keys,
//! problem mapping, token handling.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use certdesk_ca_api::payment::{Payment, PaymentProvider, PaymentStatus};
use certdesk_ca_api::{Problem, ProblemCode};
use certdesk_ca_client::{CaClient, ClientConfig, ClientError};
use secrecy::SecretString;

#[derive(Default)]
struct Seen {
    keys: Vec<Option<String>>,
    auth: Vec<Option<String>>,
    calls: usize,
}

fn payment() -> Payment {
    Payment {
        id: "pay_1".into(),
        application_id: "app_1".into(),
        provider: PaymentProvider::Wechat,
        amount_fen: 100,
        status: PaymentStatus::Pending,
        code_url: "weixin://x".into(),
        expires_at: "2026-01-01T00:00:00Z".into(),
        paid_at: None,
    }
}

async fn serve(seen: Arc<Mutex<Seen>>) -> String {
    let s1 = seen.clone();
    let s2 = seen.clone();
    let s3 = seen.clone();
    let app = Router::new()
        // Fails once with 503, then answers: a create that must be retried with the same key.
        .route(
            "/v1/applications/{id}/payments",
            post(move |h: HeaderMap| {
                let s = s1.clone();
                async move {
                    let mut s = s.lock().unwrap();
                    s.calls += 1;
                    s.keys.push(
                        h.get("idempotency-key")
                            .map(|v| v.to_str().unwrap().to_string()),
                    );
                    s.auth.push(
                        h.get("authorization")
                            .map(|v| v.to_str().unwrap().to_string()),
                    );
                    if s.calls == 1 {
                        StatusCode::SERVICE_UNAVAILABLE.into_response()
                    } else {
                        (StatusCode::CREATED, axum::Json(payment())).into_response()
                    }
                }
            }),
        )
        // Always 503: a non-idempotent POST must not be retried.
        .route(
            "/v1/applications/{id}/information-confirmation",
            post(move || {
                let s = s2.clone();
                async move {
                    s.lock().unwrap().calls += 1;
                    StatusCode::SERVICE_UNAVAILABLE
                }
            }),
        )
        .route(
            "/v1/payments/{id}",
            get(move || {
                let s = s3.clone();
                async move {
                    s.lock().unwrap().calls += 1;
                    let mut p = Problem::new(ProblemCode::InvalidState).detail("nope");
                    p.retry_after = None;
                    (
                        StatusCode::CONFLICT,
                        [("content-type", "application/problem+json")],
                        serde_json::to_string(&p).unwrap(),
                    )
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn client(url: &str) -> CaClient {
    let cfg = ClientConfig {
        backoff: Duration::from_millis(10),
        ..ClientConfig::default()
    };
    CaClient::with_config(url, cfg)
        .unwrap()
        .with_token(SecretString::from("tok-secret-123".to_string()))
}

#[tokio::test]
async fn creates_are_retried_with_the_same_idempotency_key() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let url = serve(seen.clone()).await;
    let p = client(&url)
        .create_payment("app_1", PaymentProvider::Wechat, None)
        .await
        .unwrap();
    assert_eq!(p.id, "pay_1");
    let s = seen.lock().unwrap();
    assert_eq!(s.calls, 2);
    assert!(s.keys[0].is_some());
    assert_eq!(s.keys[0], s.keys[1], "a retry must reuse the key");
    assert_eq!(s.auth[0].as_deref(), Some("Bearer tok-secret-123"));
}

#[tokio::test]
async fn non_idempotent_posts_are_not_retried() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let url = serve(seen.clone()).await;
    let e = client(&url).confirm_information("app_1").await.unwrap_err();
    assert!(matches!(e, ClientError::Status { status: 503 }), "{e:?}");
    assert_eq!(seen.lock().unwrap().calls, 1);
}

#[tokio::test]
async fn problems_map_to_typed_errors_and_are_not_retried() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let url = serve(seen.clone()).await;
    let c = client(&url);
    let e = c.payment("pay_1").await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
    assert_eq!(e.problem().unwrap().detail.as_deref(), Some("nope"));
    assert_eq!(seen.lock().unwrap().calls, 1, "4xx problems are final");
    // The bearer token never shows in Debug output or error text.
    assert!(!format!("{c:?}").contains("tok-secret-123"));
    assert!(!e.to_string().contains("tok-secret-123"));
}

#[tokio::test]
async fn unreachable_service_is_a_transport_error_after_retries() {
    // A port nothing listens on (bound, then dropped).
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    let e = client(&url).health().await.unwrap_err();
    assert!(matches!(e, ClientError::Transport(_)), "{e:?}");
    assert!(e.is_transient());
    assert!(matches!(
        CaClient::new("ftp://x"),
        Err(ClientError::BaseUrl(_))
    ));
}
