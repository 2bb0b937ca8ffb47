//! The walk-in case at the counter (issue 13 items 3-5), as the UI sees it: the case
//! with the applicant's own data to verify, the point's review queue, and the requests
//! of the clerk's and the reviewer's steps.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use certdesk_ca_api::counter::{CaseStatus, CounterPaymentMethod, FieldOutcome, IdDocument};

use crate::{ApplicationStatus, DocumentKind, FileUpload, PaymentStatus, Person, StepId};

/// One field of the application, with its value at the CA. Identity numbers come masked
/// (first and last four): the clerk verifies those by typing the number from the
/// original into the identity check, which the CA compares.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseField {
    /// The wire path, e.g. `enterprise.name` (also the catalog key of its label).
    pub path: String,
    pub value: String,
    /// Corrected at the counter in this case: the applicant's own value before (masked
    /// like `value`); `value` is the corrected one.
    pub original: Option<String>,
}

/// The latest verdict on a field (the CA keeps every record; this is the newest).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseCheck {
    pub field: String,
    pub outcome: FieldOutcome,
    pub operator_id: String,
    pub at: String,
}

/// An upload of the applicant's, or a copy scanned at the counter (its bytes:
/// `counter_case_document`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseDocument {
    pub id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseIdentityCheck {
    pub person: Person,
    pub document: IdDocument,
    pub copy_document_id: String,
    pub operator_id: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseView {
    pub id: String,
    pub point_id: String,
    pub status: CaseStatus,
    pub application_id: String,
    /// The 12-digit 订单编号 when the application has one.
    pub order_number: String,
    pub company_name: String,
    pub amount_fen: u64,
    pub opened_by: String,
    /// Keyed at the counter by `opened_by` (not applied for online).
    pub keyed: bool,
    pub application_status: ApplicationStatus,
    /// The steps before the signature the application still lacks, in their order (a
    /// keyed case's to-do list; an online order's are done before it comes).
    pub pending: Vec<StepId>,
    /// Everyone who entered or changed the case: none of them may review it.
    pub editors: Vec<String>,
    pub fields: Vec<CaseField>,
    pub checks: Vec<CaseCheck>,
    pub documents: Vec<CaseDocument>,
    pub identity_checks: Vec<CaseIdentityCheck>,
    /// Whose identity the channel asks for at the counter (legal representative when
    /// they handle the case themselves, otherwise the handler).
    pub identity_person: Person,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseSummaryView {
    pub id: String,
    pub application_id: String,
    pub status: CaseStatus,
    pub opened_by: String,
    pub created_at: String,
    pub order_number: Option<String>,
    pub organisation: Option<String>,
}

/// Name of the event carrying a [`CounterPaymentView`] when a QR payment shown on the
/// customer window ends (paid, expired or withdrawn).
pub const COUNTER_PAYMENT_CHANGED: &str = "counter-payment-changed";

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CounterPaymentView {
    pub id: String,
    pub case_id: String,
    pub method: CounterPaymentMethod,
    pub reference: Option<String>,
    pub amount_fen: u64,
    pub operator_id: String,
    pub status: PaymentStatus,
    /// QR methods: what the customer screen shows.
    pub code_url: Option<String>,
    pub created_at: String,
}

/// One field marked checked against the originals, or corrected to `value` (what the
/// original says). Debug leaves the value out (it may be an identity number).
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseCheckRequest {
    pub case_id: String,
    pub field: String,
    pub outcome: FieldOutcome,
    /// `corrected` only: becomes a `SecretString` at the boundary.
    #[ts(optional)]
    #[serde(default)]
    pub value: Option<String>,
}

impl std::fmt::Debug for CaseCheckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseCheckRequest")
            .field("case_id", &self.case_id)
            .field("field", &self.field)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// A document of the case to show: its content as a `data:` URL (PDF, PNG or JPEG, the
/// type decided by the bytes), what the UI's thumbnails and preview take.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseDocumentContent {
    pub document_id: String,
    pub content_type: String,
    pub data_url: String,
}

/// The on-site identity check. Debug leaves the number out (it would reach a log).
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseIdentityRequest {
    pub case_id: String,
    pub person: Person,
    pub document: IdDocument,
    /// Typed from the original; becomes a `SecretString` at the boundary.
    pub id_number: String,
    pub copy_document_id: String,
    pub attested: bool,
}

impl std::fmt::Debug for CaseIdentityRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseIdentityRequest")
            .field("case_id", &self.case_id)
            .field("person", &self.person)
            .field("document", &self.document)
            .field("copy_document_id", &self.copy_document_id)
            .field("attested", &self.attested)
            .finish_non_exhaustive()
    }
}

/// A payment taken at the counter. `idempotency_key`: made by the UI once per payment
/// attempt and sent again on a retry, so an answer lost to a CA outage cannot pay twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CasePaymentRequest {
    pub case_id: String,
    pub method: CounterPaymentMethod,
    /// POS slip or cash receipt number; none for WeChat/Alipay.
    pub reference: Option<String>,
    pub idempotency_key: String,
}

/// The scan of the ID-document copy of `person`, taken at the counter.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct CaseCopyUpload {
    pub case_id: String,
    pub person: Person,
    pub file: FileUpload,
}

/// The uploaded copy's document id, and the case with it among its documents.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CaseCopyUploaded {
    pub document_id: String,
    pub case: CaseView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseRejectRequest {
    pub case_id: String,
    pub reasons: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_identity_number() {
        let r = CaseIdentityRequest {
            case_id: "case_x".into(),
            person: Person::Handler,
            document: IdDocument::ResidentIdCard,
            id_number: "110101199003070011".into(),
            copy_document_id: "doc_x".into(),
            attested: true,
        };
        assert!(!format!("{r:?}").contains("1101011990"));
    }
}
