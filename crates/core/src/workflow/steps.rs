//! The façade's step commands: the applicant's steps after the start pages (enterprise,
//! face checks, handler, information, documents, authorisation, signature), payment,
//! paper and receipt, and cancelling. Each sends what the step needs and takes the CA's
//! answer as the drafts' new merge base ([`Workflow::after_step`]).

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{
    DocumentInfo, FaceCheck, FaceMethod, HandlerCheckMethod, OcrResult, OnlineAuthorisation, Person,
};
use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::payment::{Payment, PaymentProvider};
use secrecy::{ExposeSecret, SecretString};

use super::desk::{Result, Workflow};
use super::error::WorkflowError;
use super::views::ApplicationView;
use crate::drafts::DraftId;
use crate::drafts::fields::{Field, Section};
use crate::drafts::thumbnails::Thumbnail;
use crate::sensitive::Sensitive;

impl Workflow {
    /// 企业认证: sends the enterprise facts (creating the application on first submit)
    /// and has them checked against the registry. A mismatch is `CaRejected` with
    /// `verification_failed` and the fields concerned (the "return to edit" dialog).
    pub async fn submit_enterprise(&self, id: &DraftId) -> Result<ApplicationView> {
        let app_id = self.sync_for_step(id, &[Section::Enterprise]).await?;
        let r = self.client().verify_enterprise(&app_id).await;
        self.after_step(id, r).await
    }

    /// Starts a face check. For the handler (经办人刷脸, the third handler method) the
    /// handler's details go to the CA first, as for the other two methods: the CA
    /// checks the face against them.
    pub async fn start_face_check(
        &self,
        id: &DraftId,
        person: Person,
        method: FaceMethod,
    ) -> Result<FaceCheck> {
        let app_id = match person {
            Person::Handler => self.sync_for_step(id, &[Section::Handler]).await?,
            Person::LegalRep => self.application_id(id)?,
        };
        self.client()
            .start_face_check(&app_id, person, method)
            .await
            .map_err(|e| self.fail(e))
    }

    /// Live status of a face check (poll it).
    pub async fn face_check(&self, face_id: &str) -> Result<FaceCheck> {
        self.client()
            .face_check(face_id)
            .await
            .map_err(|e| self.fail(e))
    }

    /// 经办人认证 by phone or bank card (face: [`Self::start_face_check`] for the
    /// handler). The bank card comes from the draft's `handler_check.bank_card`.
    pub async fn verify_handler(
        &self,
        id: &DraftId,
        method: HandlerCheckMethod,
    ) -> Result<ApplicationView> {
        let app_id = self.sync_for_step(id, &[Section::Handler]).await?;
        let card = match method {
            HandlerCheckMethod::BankCard => {
                let d = self.drafts.load(id)?;
                let card = d
                    .value(Field::HandlerBankCard)
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let problem = if card.is_empty() {
                    Some(FieldError::new(
                        Field::HandlerBankCard.as_str(),
                        "empty",
                        "不能为空",
                        "must not be empty",
                    ))
                } else {
                    Field::HandlerBankCard.check(&card)
                };
                if let Some(p) = problem {
                    return Err(WorkflowError::InvalidInput { fields: vec![p] });
                }
                Some(Sensitive::new(card))
            }
            HandlerCheckMethod::Phone => None,
        };
        let r = self
            .client()
            .verify_handler(&app_id, method, card.as_ref().map(|c| c.expose().as_str()))
            .await;
        self.after_step(id, r).await
    }

    /// 信息确认: sends certificate, invoice and mailing information, then confirms it.
    pub async fn confirm_information(&self, id: &DraftId) -> Result<ApplicationView> {
        let app_id = self
            .sync_for_step(
                id,
                &[Section::Certificate, Section::Invoice, Section::Mailing],
            )
            .await?;
        let r = self.client().confirm_information(&app_id).await;
        self.after_step(id, r).await
    }

    pub async fn upload_document(
        &self,
        id: &DraftId,
        kind: DocumentKind,
        file_name: &str,
        bytes: Vec<u8>,
        thumbnail: Option<Thumbnail>,
    ) -> Result<DocumentInfo> {
        let app_id = self.application_id(id)?;
        let doc = self
            .client()
            .upload_document(&app_id, kind, file_name, bytes)
            .await
            .map_err(|e| self.fail(e))?;
        // The upload stands without it: a thumbnail that cannot be kept is only not shown.
        if let Some(t) = thumbnail
            && let Err(e) = self.drafts.put_thumbnail(id, &doc.id, &t)
        {
            tracing::warn!(error = %e, "document thumbnail not kept");
        }
        Ok(doc)
    }

    /// Thumbnails of the draft's uploads, by document id.
    pub fn thumbnails(&self, id: &DraftId) -> Result<Vec<(String, Thumbnail)>> {
        Ok(self.drafts.thumbnails(id)?)
    }

    /// OCR of a business licence: suggestions the applicant confirms (not saved here).
    pub async fn ocr_business_licence(&self, file_name: &str, bytes: Vec<u8>) -> Result<OcrResult> {
        self.client()
            .ocr_business_licence(file_name, bytes)
            .await
            .map_err(|e| self.fail(e))
    }

    pub async fn start_online_authorisation(&self, id: &DraftId) -> Result<OnlineAuthorisation> {
        let app_id = self.application_id(id)?;
        self.client()
            .start_online_authorisation(&app_id)
            .await
            .map_err(|e| self.fail(e))
    }

    pub async fn send_signature_code(&self, id: &DraftId) -> Result<OtpSent> {
        let app_id = self.application_id(id)?;
        self.client()
            .send_signature_otp(&app_id)
            .await
            .map_err(|e| self.fail(e))
    }

    /// 证书申请签名: the handler's SMS code and consent seal the submission.
    pub async fn sign_application(
        &self,
        id: &DraftId,
        code: &SecretString,
        consent: bool,
    ) -> Result<ApplicationView> {
        let app_id = self.application_id(id)?;
        let r = self
            .client()
            .sign_application(&app_id, code.expose_secret(), consent)
            .await;
        self.after_step(id, r).await
    }

    pub async fn pay(&self, id: &DraftId, provider: PaymentProvider) -> Result<Payment> {
        let app_id = self.application_id(id)?;
        self.client()
            .create_payment(&app_id, provider, None)
            .await
            .map_err(|e| self.fail(e))
    }

    pub async fn payment(&self, payment_id: &str) -> Result<Payment> {
        self.client()
            .payment(payment_id)
            .await
            .map_err(|e| self.fail(e))
    }

    /// A new QR code after the old one expired.
    pub async fn renew_payment(&self, payment_id: &str) -> Result<Payment> {
        self.client()
            .renew_payment(payment_id)
            .await
            .map_err(|e| self.fail(e))
    }

    /// Receipt of a token the CA made and mailed (channels with mailed tokens).
    pub async fn confirm_receipt(&self, id: &DraftId) -> Result<ApplicationView> {
        let app_id = self.application_id(id)?;
        let r = self.client().confirm_receipt(&app_id).await;
        self.after_step(id, r).await
    }

    pub async fn record_paper_tracking(
        &self,
        id: &DraftId,
        courier: &str,
        tracking_number: &str,
    ) -> Result<ApplicationView> {
        let app_id = self.application_id(id)?;
        let r = self
            .client()
            .record_paper_tracking(&app_id, courier, tracking_number)
            .await;
        self.after_step(id, r).await
    }

    /// Cancels at the CA (when it knows the application) and drops the local draft.
    pub async fn cancel(&self, id: &DraftId) -> Result<()> {
        if let Some(app_id) = self.drafts.load(id)?.application_id {
            self.client()
                .cancel_application(&app_id)
                .await
                .map_err(|e| self.fail(e))?;
        }
        Ok(self.drafts.delete(id)?)
    }

    pub(super) fn application_id(&self, id: &DraftId) -> Result<String> {
        self.drafts
            .load(id)?
            .application_id
            .ok_or(WorkflowError::NotFound)
    }
}
