//! Typed async client of the CA online service (the `certdesk-ca-api` contract).
//!
//! Reads are retried on transient failures; creates are retried too, always with the
//! same `Idempotency-Key`, so a retry can never create twice. Problem documents become
//! [`ClientError::Problem`] with the stable code and field errors.
//!
//! This is the one transport to the CA: the app, core, diagnostics and the CLI make
//! every CA call through it, on one HTTP client built in one place (`http.rs`) that
//! trusts the OS store plus [`EXTRA_ROOTS_ENV`]. [`CaClient::probe`] serves the status
//! bar and the environment check. Staff and sandbox calls need the `sandbox` feature.

mod applications;
mod audit;
mod cases;
mod certificates;
mod close;
mod error;
mod http;
mod making;
mod numbers;
mod operators;
mod probe;
#[cfg(feature = "sandbox")]
mod sandbox;
#[cfg(feature = "sandbox")]
mod staff;
mod stock;
mod transport;

use std::time::Duration;

use certdesk_ca_api::Health;
use certdesk_ca_api::agreement::{Agreement, AgreementList};
use certdesk_ca_api::auth::{Captcha, OtpRequest, OtpSent, Session, TokenRequest};
use certdesk_ca_api::channel::{Channel, ChannelList};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

pub use audit::AuditQuery;
pub use certdesk_ca_api as api;
pub use error::ClientError;
pub use http::EXTRA_ROOTS_ENV;
pub use operators::OperatorChallenge;
pub use probe::{Probe, ProbeFailure};
use transport::Body;

pub type Result<T> = std::result::Result<T, ClientError>;

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra attempts after the first for retryable calls.
    pub retries: u32,
    pub backoff: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            retries: 2,
            backoff: Duration::from_millis(200),
        }
    }
}

/// A new random idempotency key.
pub fn idempotency_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Clone)]
pub struct CaClient {
    http: reqwest::Client,
    base: String,
    token: Option<SecretString>,
    config: ClientConfig,
}

impl std::fmt::Debug for CaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaClient")
            .field("base", &self.base)
            .field("signed_in", &self.token.is_some())
            .finish_non_exhaustive()
    }
}

/// `path` with the given filters as its query (escaped); the ones that are `None` left out.
fn with_query(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let query = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", seg(v))))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

fn seg(s: &str) -> String {
    // Path segments from the CA are opaque ids; escape anything outside the safe set.
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl CaClient {
    pub fn new(base_url: &str) -> Result<Self> {
        Self::with_config(base_url, ClientConfig::default())
    }

    pub fn with_config(base_url: &str, config: ClientConfig) -> Result<Self> {
        let base = base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::BaseUrl(base));
        }
        let http = http::client(&config)?;
        Ok(Self {
            http,
            base,
            token: None,
            config,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Use this bearer token (applicant session or staff token).
    pub fn with_token(mut self, token: SecretString) -> Self {
        self.token = Some(token);
        self
    }

    pub fn set_token(&mut self, token: Option<SecretString>) {
        self.token = token;
    }

    pub fn token(&self) -> Option<&SecretString> {
        self.token.as_ref()
    }

    fn bearer(&self) -> Result<&str> {
        self.token
            .as_ref()
            .map(|t| t.expose_secret())
            .ok_or(ClientError::NotSignedIn)
    }

    // ---- meta ----

    pub async fn health(&self) -> Result<Health> {
        self.get("/healthz", false).await
    }

    pub async fn channels(&self) -> Result<Vec<Channel>> {
        Ok(self.get::<ChannelList>("/v1/channels", false).await?.items)
    }

    pub async fn channel(&self, id: &str) -> Result<Channel> {
        self.get(&format!("/v1/channels/{}", seg(id)), false).await
    }

    /// The channel's agreements (用户协议) at their current versions.
    pub async fn agreements(&self, channel_id: &str) -> Result<Vec<Agreement>> {
        let list: AgreementList = self
            .get(
                &format!("/v1/channels/{}/agreements", seg(channel_id)),
                false,
            )
            .await?;
        Ok(list.items)
    }

    // ---- sign-in ----

    pub async fn captcha(&self) -> Result<Captcha> {
        self.send(
            Method::POST,
            "/v1/captchas",
            Body::Empty,
            false,
            None,
            false,
        )
        .await
    }

    pub async fn send_login_otp(
        &self,
        phone: &str,
        captcha_id: &str,
        answer: &str,
    ) -> Result<OtpSent> {
        let req = OtpRequest {
            phone: phone.into(),
            captcha_id: captcha_id.into(),
            captcha_answer: answer.into(),
        };
        self.send(
            Method::POST,
            "/v1/auth/otp",
            Body::json(&req)?,
            false,
            None,
            false,
        )
        .await
    }

    /// Exchanges the SMS code for a session and keeps its token in this client.
    pub async fn sign_in(&mut self, phone: &str, code: &str) -> Result<Session> {
        let req = TokenRequest {
            phone: phone.into(),
            code: code.into(),
        };
        let s: Session = self
            .send(
                Method::POST,
                "/v1/auth/token",
                Body::json(&req)?,
                false,
                None,
                false,
            )
            .await?;
        self.token = Some(SecretString::from(s.token.clone()));
        Ok(s)
    }

    pub async fn logout(&mut self) -> Result<()> {
        self.send_unit(Method::POST, "/v1/auth/logout", Body::Empty, true)
            .await?;
        self.token = None;
        Ok(())
    }

    // ---- plumbing ----

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str, auth: bool) -> Result<T> {
        self.send(Method::GET, path, Body::Empty, auth, None, true)
            .await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Body,
        auth: bool,
        idempotency_key: Option<&str>,
        retry: bool,
    ) -> Result<T> {
        let mut headers = Vec::new();
        if let Some(k) = idempotency_key {
            headers.push(("idempotency-key", k));
        }
        transport::send_json(
            self,
            method,
            path,
            body,
            auth,
            &headers,
            retry || idempotency_key.is_some(),
        )
        .await
    }

    async fn send_unit(&self, method: Method, path: &str, body: Body, auth: bool) -> Result<()> {
        transport::send_raw(self, method, path, body, auth, &[], false)
            .await
            .map(|_| ())
    }
}
