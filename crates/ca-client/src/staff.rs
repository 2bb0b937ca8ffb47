//! Staff calls (review, revocation, token initialisation): tests and the reference
//! CA's tools only, behind the `sandbox` feature the app does not enable.

use certdesk_ca_api::application::*;
use certdesk_ca_api::download::*;
use reqwest::Method;

use crate::transport::Body;
use crate::{CaClient, ClientError, Result, seg};

impl CaClient {
    // ---- staff (the client's token is the staff token) ----

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

    /// Staff: the SO PIN to initialise a token the CA issues.
    pub async fn staff_so_pin(&self, token_serial: &str) -> Result<UnlockGrant> {
        self.get(
            &format!("/v1/staff/tokens/{}/so-pin", seg(token_serial)),
            true,
        )
        .await
    }

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
}
