//! Counter mode (受理台): the walk-in cases of the signed-in operator's point. Every call
//! carries the operator session token (this client's token, see
//! [`CaClient::with_token`]); the CA scopes each case to the operator's point and
//! enforces separation of duties itself (403 `separation_of_duties`).

use certdesk_ca_api::application::{CreateApplication, DocumentInfo, RejectRequest};
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::counter::{
    Case, CaseList, CaseStatus, CounterPayment, CounterPaymentList, CounterPaymentRequest,
    CounterSignature, FieldCheck, OnSiteIdentity, OpenCase,
};
use reqwest::Method;

use crate::transport::Body;
use crate::{CaClient, Result, idempotency_key, seg};

fn status_text(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Open => "open",
        CaseStatus::Approved => "approved",
        CaseStatus::Rejected => "rejected",
        CaseStatus::HandedOver => "handed_over",
    }
}

impl CaClient {
    /// Open a walk-in case from an online application's id (what the order's QR code
    /// carries) or its order number with the organisation's USCC. Retried: opening the
    /// same order again at the same point answers the case already open, so a lost
    /// answer cannot open two.
    pub async fn open_case(&self, application_id: &str, uscc: Option<&str>) -> Result<Case> {
        let req = OpenCase {
            application_id: application_id.into(),
            uscc: uscc.map(Into::into),
        };
        self.send(
            Method::POST,
            "/v1/operator/cases",
            Body::json(&req)?,
            true,
            None,
            true,
        )
        .await
    }

    /// Key a new application at the counter and open its case (the online create's
    /// body). Retries reuse `key` (a fresh one when `None`), so a lost answer cannot
    /// key the application twice.
    pub async fn key_case(&self, req: &CreateApplication, key: Option<&str>) -> Result<Case> {
        let key = key.map(str::to_string).unwrap_or_else(idempotency_key);
        self.send(
            Method::POST,
            "/v1/operator/cases/keyed",
            Body::json(req)?,
            true,
            Some(&key),
            true,
        )
        .await
    }

    /// The application signature at the counter: the scan of the form the applicant
    /// signed, and the operator's attestation. Not retried: a second one is refused
    /// (`invalid_state`) once the first sealed the submission.
    pub async fn sign_case(&self, id: &str, req: &CounterSignature) -> Result<Case> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/signature", seg(id)),
            Body::json(req)?,
            true,
            None,
            false,
        )
        .await
    }

    /// One case of the operator's point, with the applicant's data and uploads.
    pub async fn case(&self, id: &str) -> Result<Case> {
        self.get(&format!("/v1/operator/cases/{}", seg(id)), true)
            .await
    }

    /// The point's cases, oldest first; `None` is the CA's default, `open`: the review
    /// queue. `limit` is 1-100 (the CA clamps it; 50 when `None`).
    pub async fn cases(&self, status: Option<CaseStatus>, limit: Option<u32>) -> Result<CaseList> {
        let mut query = Vec::new();
        if let Some(s) = status {
            query.push(format!("status={}", status_text(s)));
        }
        if let Some(l) = limit {
            query.push(format!("limit={l}"));
        }
        let path = if query.is_empty() {
            "/v1/operator/cases".to_owned()
        } else {
            format!("/v1/operator/cases?{}", query.join("&"))
        };
        self.get(&path, true).await
    }

    /// The bytes of a document of the case's application (the CA audits the read).
    /// Retried: reading twice changes nothing but a second audit entry.
    pub async fn case_document(&self, id: &str, document_id: &str) -> Result<Vec<u8>> {
        crate::transport::send_raw(
            self,
            Method::GET,
            &format!(
                "/v1/operator/cases/{}/documents/{}",
                seg(id),
                seg(document_id)
            ),
            Body::Empty,
            true,
            &[],
            true,
        )
        .await
    }

    /// Record one field checked against the originals or corrected at the counter.
    /// Not retried: each call is a record of its own (a retry would record twice).
    pub async fn check_case_field(&self, id: &str, check: &FieldCheck) -> Result<Case> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/checks", seg(id)),
            Body::json(check)?,
            true,
            None,
            false,
        )
        .await
    }

    /// Record the on-site identity check (现场核验). Not retried: a mismatch is audited
    /// on every attempt, and the operator decides whether to try again.
    pub async fn record_identity_check(&self, id: &str, check: &OnSiteIdentity) -> Result<Case> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/identity", seg(id)),
            Body::json(check)?,
            true,
            None,
            false,
        )
        .await
    }

    /// Record a payment taken at the counter; retries reuse `key` (a fresh one when
    /// `None`), so a slip is never recorded twice.
    pub async fn record_counter_payment(
        &self,
        id: &str,
        req: &CounterPaymentRequest,
        key: Option<&str>,
    ) -> Result<CounterPayment> {
        let key = key.map(str::to_string).unwrap_or_else(idempotency_key);
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/payments", seg(id)),
            Body::json(req)?,
            true,
            Some(&key),
            true,
        )
        .await
    }

    /// Upload a scan taken at the counter (`kind`: the handler's or the legal
    /// representative's ID card; on a keyed case also the licence, the letter of
    /// authorisation, the signed application form). Not retried: each upload is a new
    /// document.
    pub async fn upload_case_copy(
        &self,
        id: &str,
        kind: DocumentKind,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<DocumentInfo> {
        let path = format!("/v1/operator/cases/{}/documents", seg(id));
        self.upload(&path, kind, file_name, bytes).await
    }

    /// The payments recorded on a case of the operator's point.
    pub async fn counter_payments(&self, id: &str) -> Result<CounterPaymentList> {
        self.get(&format!("/v1/operator/cases/{}/payments", seg(id)), true)
            .await
    }

    /// Approve the case (a reviewer who did not enter or change it). Not retried: the
    /// CA takes no idempotency key here, and a second approve is `invalid_state`.
    pub async fn approve_case(&self, id: &str) -> Result<Case> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/approve", seg(id)),
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    /// Reject the case with reasons (a reviewer who did not enter or change it).
    pub async fn reject_case(&self, id: &str, reasons: Vec<String>) -> Result<Case> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/reject", seg(id)),
            Body::json(&RejectRequest { reasons })?,
            true,
            None,
            false,
        )
        .await
    }
}
