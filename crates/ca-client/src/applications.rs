//! Applications (申请) and their payments.

use certdesk_ca_api::application::*;
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::payment::{CreatePayment, NotifyAck, Payment, PaymentProvider};
use reqwest::Method;

use crate::transport::{self, Body};
use crate::{CaClient, ClientError, Result, idempotency_key, seg};

impl CaClient {
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
        let path = format!("/v1/applications/{}/documents", seg(id));
        self.upload(&path, kind, file_name, bytes).await
    }

    /// A document of `kind` as the multipart form the CA's upload routes take (the
    /// applicant's and the operator's alike). Not retried: each upload is a new document.
    pub(crate) async fn upload(
        &self,
        path: &str,
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
        self.send(Method::POST, path, body, true, None, false).await
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
}
