//! Certificate download (证书下载), renewal (更新), e-invoices (电子发票), unlock (解锁).

use certdesk_ca_api::application::*;
use certdesk_ca_api::download::*;
use certdesk_ca_api::payment::{Invoice, InvoiceList, ResendInvoice};
use reqwest::Method;

use crate::transport::{self, Body};
use crate::{CaClient, Result, seg};

impl CaClient {
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
}
