//! Typed async client of the CA online service (the `certdesk-ca-api` contract).
//!
//! Reads are retried on transient failures; creates are retried too, always with the
//! same `Idempotency-Key`, so a retry can never create twice. Problem documents become
//! [`ClientError::Problem`] with the stable code and field errors.

mod error;
mod transport;

use std::time::Duration;

use certdesk_ca_api::Health;
use certdesk_ca_api::application::*;
use certdesk_ca_api::auth::{Captcha, OtpRequest, OtpSent, Session, TokenRequest};
use certdesk_ca_api::channel::{Channel, ChannelList, DocumentKind};
use certdesk_ca_api::download::*;
use certdesk_ca_api::payment::{
    CreatePayment, Invoice, InvoiceList, NotifyAck, Payment, PaymentProvider, ResendInvoice,
};
use certdesk_ca_api::sandbox::{CaptchaAnswer, CompleteCheck, Outbox, RegistryCompany};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

pub use certdesk_ca_api as api;
pub use error::ClientError;
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
        // reqwest is built without a bundled crypto provider: use ring for rustls.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("certdesk-ca-client/", env!("CARGO_PKG_VERSION")))
            .build()?;
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

    // ---- applications ----

    /// Creates an application; retries reuse `key` (a fresh one when `None`).
    pub async fn create_application(
        &self,
        req: &CreateApplication,
        key: Option<&str>,
    ) -> Result<Application> {
        let key = key.map(str::to_string).unwrap_or_else(idempotency_key);
        self.send(
            Method::POST,
            "/v1/applications",
            Body::json(req)?,
            true,
            Some(&key),
            true,
        )
        .await
    }

    pub async fn list_applications(
        &self,
        state: ListState,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<ApplicationPage> {
        let st = if state == ListState::Unfinished {
            "unfinished"
        } else {
            "finished"
        };
        let mut path = format!("/v1/applications?state={st}");
        if let Some(l) = limit {
            path.push_str(&format!("&limit={l}"));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", seg(c)));
        }
        self.get(&path, true).await
    }

    pub async fn application(&self, id: &str) -> Result<Application> {
        self.get(&format!("/v1/applications/{}", seg(id)), true)
            .await
    }

    /// Edits with `If-Match: etag`; a concurrent change gives `precondition_failed`.
    pub async fn edit_application(
        &self,
        id: &str,
        etag: &str,
        input: &ApplicationInput,
    ) -> Result<Application> {
        transport::send_json(
            self,
            Method::PATCH,
            &format!("/v1/applications/{}", seg(id)),
            Body::json(input)?,
            true,
            &[("if-match", etag)],
            false,
        )
        .await
    }

    pub async fn cancel_application(&self, id: &str) -> Result<Application> {
        self.post_app(id, "cancel").await
    }

    async fn post_app(&self, id: &str, action: &str) -> Result<Application> {
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/{action}", seg(id)),
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn verify_enterprise(&self, id: &str) -> Result<Application> {
        self.post_app(id, "enterprise-verification").await
    }

    pub async fn start_face_check(
        &self,
        id: &str,
        person: Person,
        method: FaceMethod,
    ) -> Result<FaceCheck> {
        let req = FaceCheckRequest { person, method };
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/face-checks", seg(id)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn face_check(&self, face_id: &str) -> Result<FaceCheck> {
        self.get(&format!("/v1/face-checks/{}", seg(face_id)), true)
            .await
    }

    pub async fn verify_handler(
        &self,
        id: &str,
        method: HandlerCheckMethod,
        bank_card: Option<&str>,
    ) -> Result<Application> {
        let req = HandlerCheckRequest {
            method,
            bank_card: bank_card.map(str::to_string),
        };
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/handler-verification", seg(id)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn confirm_information(&self, id: &str) -> Result<Application> {
        self.post_app(id, "information-confirmation").await
    }

    pub async fn start_online_authorisation(&self, id: &str) -> Result<OnlineAuthorisation> {
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/authorisation/online", seg(id)),
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    /// The legal representative's signature (no session needed; the SMS code is the proof).
    pub async fn sign_authorisation(&self, authorisation_id: &str, code: &str) -> Result<()> {
        let req = SignAuthorisation { code: code.into() };
        let _: NotifyAck = self
            .send(
                Method::POST,
                &format!("/v1/authorisations/{}/sign", seg(authorisation_id)),
                Body::json(&req)?,
                false,
                None,
                false,
            )
            .await?;
        Ok(())
    }

    pub async fn send_signature_otp(&self, id: &str) -> Result<OtpSent> {
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/signature/otp", seg(id)),
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn sign_application(
        &self,
        id: &str,
        code: &str,
        consent: bool,
    ) -> Result<Application> {
        let req = SignApplication {
            code: code.into(),
            consent,
        };
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/signature", seg(id)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn record_paper_tracking(
        &self,
        id: &str,
        courier: &str,
        tracking_number: &str,
    ) -> Result<Application> {
        let req = TrackingInput {
            courier: courier.into(),
            tracking_number: tracking_number.into(),
        };
        self.send(
            Method::PUT,
            &format!("/v1/applications/{}/paper/tracking", seg(id)),
            Body::json(&req)?,
            true,
            None,
            true,
        )
        .await
    }

    pub async fn confirm_receipt(&self, id: &str) -> Result<Application> {
        self.post_app(id, "receipt").await
    }

    pub async fn upload_document(
        &self,
        id: &str,
        kind: DocumentKind,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<DocumentInfo> {
        let kind = serde_json::to_value(kind).map_err(|e| ClientError::Decode(e.to_string()))?;
        let body = Body::Multipart {
            kind: kind.as_str().map(str::to_string),
            file_name: file_name.to_string(),
            bytes,
        };
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/documents", seg(id)),
            body,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn ocr_business_licence(&self, file_name: &str, bytes: Vec<u8>) -> Result<OcrResult> {
        let body = Body::Multipart {
            kind: None,
            file_name: file_name.to_string(),
            bytes,
        };
        self.send(
            Method::POST,
            "/v1/ocr/business-licence",
            body,
            true,
            None,
            false,
        )
        .await
    }

    // ---- payment ----

    pub async fn create_payment(
        &self,
        id: &str,
        provider: PaymentProvider,
        key: Option<&str>,
    ) -> Result<Payment> {
        let key = key.map(str::to_string).unwrap_or_else(idempotency_key);
        let req = CreatePayment { provider };
        self.send(
            Method::POST,
            &format!("/v1/applications/{}/payments", seg(id)),
            Body::json(&req)?,
            true,
            Some(&key),
            true,
        )
        .await
    }

    pub async fn payment(&self, payment_id: &str) -> Result<Payment> {
        self.get(&format!("/v1/payments/{}", seg(payment_id)), true)
            .await
    }

    pub async fn renew_payment(&self, payment_id: &str) -> Result<Payment> {
        self.send(
            Method::POST,
            &format!("/v1/payments/{}/renew", seg(payment_id)),
            Body::Empty,
            true,
            None,
            true,
        )
        .await
    }

    // ---- certificate download (证书下载) ----

    pub async fn download_lookup(&self, req: &DownloadLookup) -> Result<Vec<DownloadCandidate>> {
        let r: DownloadCandidates = self
            .send(
                Method::POST,
                "/v1/downloads/lookup",
                Body::json(req)?,
                false,
                None,
                false,
            )
            .await?;
        Ok(r.items)
    }

    /// Password-card authorisation; use the returned token with [`CaClient::with_token`]
    /// for [`CaClient::finalize`] and [`CaClient::confirm_download`].
    pub async fn download_authorise(&self, req: &DownloadAuthorise) -> Result<Enrollment> {
        self.send(
            Method::POST,
            "/v1/downloads/authorise",
            Body::json(req)?,
            false,
            None,
            false,
        )
        .await
    }

    /// Sends the CSR; safe to retry: the same CSR returns the same certificate.
    pub async fn finalize(&self, csr_pem: &str) -> Result<Issuance> {
        let req = FinalizeRequest {
            csr: csr_pem.to_string(),
        };
        self.send(
            Method::POST,
            "/v1/enrollments/finalize",
            Body::json(&req)?,
            true,
            None,
            true,
        )
        .await
    }

    pub async fn confirm_download(&self) -> Result<Application> {
        self.send(
            Method::POST,
            "/v1/enrollments/confirm",
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn certificate(&self, serial: &str) -> Result<CertificateRecord> {
        self.get(&format!("/v1/certificates/{}", seg(serial)), false)
            .await
    }

    /// A CA file of one family: `root.crt`, `issuing.crt`, `chain.pem`, `issuing.crl`, `root.crl`.
    pub async fn ca_file(&self, family: &str, file: &str) -> Result<Vec<u8>> {
        transport::send_raw(
            self,
            Method::GET,
            &format!("/v1/ca/{}/{}", seg(family), seg(file)),
            Body::Empty,
            false,
            &[],
            true,
        )
        .await
    }

    pub async fn staff_revoke(
        &self,
        serial: &str,
        reason: RevocationReason,
    ) -> Result<CertificateRecord> {
        let req = RevokeRequest { reason };
        self.send(
            Method::POST,
            &format!("/v1/staff/certificates/{}/revoke", seg(serial)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    // ---- renewal (更新) ----

    pub async fn renewal_challenge(&self, serial: &str) -> Result<RenewalChallenge> {
        let req = RenewalChallengeRequest {
            serial: serial.to_string(),
        };
        self.send(
            Method::POST,
            "/v1/renewals/challenge",
            Body::json(&req)?,
            false,
            None,
            false,
        )
        .await
    }

    /// `signature` is over the decoded challenge bytes, made with the current key.
    /// Returns an enrollment: finalize the new CSR with its token.
    pub async fn renew(
        &self,
        serial: &str,
        challenge_id: &str,
        signature: &[u8],
    ) -> Result<Enrollment> {
        use base64::Engine;
        let sig = base64::engine::general_purpose::STANDARD.encode(signature);
        let req = RenewalRequest {
            serial: serial.to_string(),
            challenge_id: challenge_id.to_string(),
            signature: sig,
        };
        self.send(
            Method::POST,
            "/v1/renewals",
            Body::json(&req)?,
            false,
            None,
            false,
        )
        .await
    }

    // ---- e-invoices (电子发票) ----

    pub async fn invoices(&self, application_id: &str) -> Result<Vec<Invoice>> {
        Ok(self
            .get::<InvoiceList>(
                &format!("/v1/applications/{}/invoices", seg(application_id)),
                true,
            )
            .await?
            .items)
    }

    pub async fn invoice_pdf(&self, invoice_id: &str) -> Result<Vec<u8>> {
        transport::send_raw(
            self,
            Method::GET,
            &format!("/v1/invoices/{}/pdf", seg(invoice_id)),
            Body::Empty,
            true,
            &[],
            true,
        )
        .await
    }

    pub async fn resend_invoice(&self, invoice_id: &str, email: &str) -> Result<Invoice> {
        let req = ResendInvoice {
            email: email.to_string(),
        };
        self.send(
            Method::POST,
            &format!("/v1/invoices/{}/resend", seg(invoice_id)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    // ---- unlock (解锁) ----

    pub async fn start_unlock(&self, req: &UnlockRequest) -> Result<UnlockStarted> {
        self.send(
            Method::POST,
            "/v1/unlock",
            Body::json(req)?,
            false,
            None,
            false,
        )
        .await
    }

    /// Returns the token's SO PIN: log in as SO and reset the user PIN with it.
    pub async fn authorise_unlock(&self, request_id: &str, code: &str) -> Result<UnlockGrant> {
        let req = UnlockAuthorise {
            code: code.to_string(),
        };
        self.send(
            Method::POST,
            &format!("/v1/unlock/{}/authorise", seg(request_id)),
            Body::json(&req)?,
            false,
            None,
            false,
        )
        .await
    }

    /// Staff: the SO PIN to initialise a token the CA issues.
    pub async fn staff_so_pin(&self, token_serial: &str) -> Result<UnlockGrant> {
        self.get(
            &format!("/v1/staff/tokens/{}/so-pin", seg(token_serial)),
            true,
        )
        .await
    }

    // ---- staff (the client's token is the staff token) ----

    pub async fn staff_applications(
        &self,
        status: ApplicationStatus,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<ApplicationPage> {
        let st = serde_json::to_value(status).map_err(|e| ClientError::Decode(e.to_string()))?;
        let mut path = format!(
            "/v1/staff/applications?status={}",
            st.as_str().unwrap_or("in_review")
        );
        if let Some(l) = limit {
            path.push_str(&format!("&limit={l}"));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", seg(c)));
        }
        self.get(&path, true).await
    }

    pub async fn staff_approve(&self, id: &str) -> Result<Application> {
        self.send(
            Method::POST,
            &format!("/v1/staff/applications/{}/approve", seg(id)),
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn staff_reject(&self, id: &str, reasons: Vec<String>) -> Result<Application> {
        let req = RejectRequest { reasons };
        self.send(
            Method::POST,
            &format!("/v1/staff/applications/{}/reject", seg(id)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    pub async fn staff_paper_received(&self, id: &str) -> Result<Application> {
        self.send(
            Method::POST,
            &format!("/v1/staff/applications/{}/paper-received", seg(id)),
            Body::Empty,
            true,
            None,
            true,
        )
        .await
    }

    // ---- sandbox (only on a service started with --sandbox) ----

    pub async fn sandbox_outbox(&self, to: Option<&str>) -> Result<Outbox> {
        let path = match to {
            Some(t) => format!("/sandbox/outbox?to={}&limit=500", seg(t)),
            None => "/sandbox/outbox?limit=500".to_string(),
        };
        self.get(&path, false).await
    }

    pub async fn sandbox_captcha_answer(&self, captcha_id: &str) -> Result<String> {
        Ok(self
            .get::<CaptchaAnswer>(&format!("/sandbox/captchas/{}", seg(captcha_id)), false)
            .await?
            .answer)
    }

    pub async fn sandbox_put_company(&self, c: &RegistryCompany) -> Result<RegistryCompany> {
        self.send(
            Method::POST,
            "/sandbox/registry",
            Body::json(c)?,
            false,
            None,
            true,
        )
        .await
    }

    pub async fn sandbox_complete_face_check(
        &self,
        face_id: &str,
        pass: bool,
    ) -> Result<FaceCheck> {
        self.send(
            Method::POST,
            &format!("/sandbox/face-checks/{}/complete", seg(face_id)),
            Body::json(&CompleteCheck { pass })?,
            false,
            None,
            false,
        )
        .await
    }

    pub async fn sandbox_pay(&self, payment_id: &str) -> Result<Payment> {
        self.send(
            Method::POST,
            &format!("/sandbox/payments/{}/pay", seg(payment_id)),
            Body::Empty,
            false,
            None,
            false,
        )
        .await
    }

    pub async fn sandbox_approve(&self, id: &str) -> Result<Application> {
        self.send(
            Method::POST,
            &format!("/sandbox/applications/{}/approve", seg(id)),
            Body::Empty,
            false,
            None,
            false,
        )
        .await
    }

    pub async fn sandbox_reject(&self, id: &str, reasons: Vec<String>) -> Result<Application> {
        self.send(
            Method::POST,
            &format!("/sandbox/applications/{}/reject", seg(id)),
            Body::json(&RejectRequest { reasons })?,
            false,
            None,
            false,
        )
        .await
    }

    pub async fn sandbox_paper_received(&self, id: &str) -> Result<Application> {
        self.send(
            Method::POST,
            &format!("/sandbox/applications/{}/paper-received", seg(id)),
            Body::Empty,
            false,
            None,
            true,
        )
        .await
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
