//! The sandbox CA's test endpoints (`certdesk-ca serve --sandbox`): behind the
//! `sandbox` feature the app does not enable.

use certdesk_ca_api::application::*;
use certdesk_ca_api::payment::Payment;
use certdesk_ca_api::sandbox::{CaptchaAnswer, CompleteCheck, Outbox, RegistryCompany};
use reqwest::Method;

use crate::transport::Body;
use crate::{CaClient, Result, seg};

impl CaClient {
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
}
