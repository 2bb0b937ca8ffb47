//! Applications (订单), modelled like ACME orders: a status plus requirements.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::agreement::AcceptedAgreement;
use crate::channel::{Business, DocumentKind, PaperRequirement};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Draft,
    AwaitingPayment,
    InReview,
    Approved,
    Issued,
    Completed,
    /// Back to editable, with reasons.
    Rejected,
    Cancelled,
}

impl ApplicationStatus {
    /// Unfinished (未完成) in the seed's order management; in_review is view-only there.
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::AwaitingPayment | Self::InReview | Self::Rejected
        )
    }
    /// The applicant may edit the application's information.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Rejected)
    }
    /// An acceptance point may open a counter case for it (the applicant shows the
    /// order's QR code there): anything not finished.
    pub fn can_open_at_counter(self) -> bool {
        !matches!(self, Self::Completed | Self::Cancelled)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    EnterpriseVerification,
    LegalRepFaceCheck,
    HandlerVerification,
    InformationConfirmation,
    Documents,
    Authorisation,
    ApplicationSignature,
    Payment,
    Paper,
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    Pending,
    Valid,
    Invalid,
    NotRequired,
}

impl RequirementStatus {
    pub fn is_satisfied(self) -> bool {
        matches!(self, Self::Valid | Self::NotRequired)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Requirement {
    pub kind: RequirementKind,
    pub status: RequirementStatus,
    /// Stable code of the last failure, e.g. `verification_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// What the applicant may do with an application now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Continue,
    Cancel,
    Pay,
    Download,
    ConfirmReceipt,
}

#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EnterpriseInfo {
    /// 统一社会信用代码.
    pub uscc: String,
    /// 组织机构代码 = USCC characters 9–17.
    pub org_code: String,
    pub name: String,
    pub legal_rep_name: String,
    pub legal_rep_id_number: String,
    pub legal_rep_phone: String,
    /// The legal representative handles the case personally (no handler step).
    pub legal_rep_handles: bool,
}

#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HandlerInfo {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CertificateInfo {
    /// Defaults to the organisation name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    pub province: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceInfo {
    pub title: String,
    /// Taxpayer number; for organisations the USCC.
    pub tax_number: String,
    pub email: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MailingInfo {
    pub recipient: String,
    pub phone: String,
    pub address: String,
    pub postcode: String,
}

/// The editable part of an application. Absent parts are left unchanged on edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApplicationInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise: Option<EnterpriseInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<HandlerInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<InvoiceInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mailing: Option<MailingInfo>,
}

impl Application {
    /// What people are told to quote: the order number, or the id where there is none.
    pub fn number_or_id(&self) -> &str {
        if self.number.is_empty() {
            &self.id
        } else {
            &self.number
        }
    }
}

impl ApplicationInput {
    /// The phone the CA texts and checks at download: the legal representative's when
    /// they handle the case themselves, otherwise the handler's.
    pub fn contact_phone(&self) -> Option<&str> {
        match &self.enterprise {
            Some(e) if e.legal_rep_handles => Some(e.legal_rep_phone.as_str()),
            _ => self.handler.as_ref().map(|h| h.phone.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CreateApplication {
    pub channel_id: String,
    pub business: Business,
    #[serde(default)]
    pub input: ApplicationInput,
    /// For renewal / change / reissue / unlock: the certificate concerned (serial, hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    /// The channel's agreements at the versions the applicant read and accepted; the
    /// CA refuses a create that misses one or names an outdated version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_agreements: Vec<AcceptedAgreement>,
}

/// A document's content type from its magic bytes: PDF, PNG or JPEG, what the CA takes
/// (a client's declared type and file name count for nothing), or `None`.
pub fn document_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentInfo {
    pub id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PaperStatus {
    pub requirement: PaperRequirement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrackingInput {
    pub courier: String,
    pub tracking_number: String,
}

/// The CA's parcel (token, password card, invoice) to the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shipment {
    pub courier: String,
    /// The courier's name in English (empty: clients show `courier`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub courier_en: String,
    pub tracking_number: String,
    pub contents: Vec<String>,
    /// `contents` in English, same order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents_en: Vec<String>,
    pub shipped_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Application {
    pub id: String,
    /// The order number people read out on the phone (订单编号: the day in China and a
    /// sequence, e.g. 202612060042). Absent from applications that predate it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub number: String,
    pub channel_id: String,
    pub business: Business,
    pub status: ApplicationStatus,
    pub requirements: Vec<Requirement>,
    pub actions: Vec<Action>,
    pub input: ApplicationInput,
    pub documents: Vec<DocumentInfo>,
    pub amount_fen: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejection_reasons: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment: Option<Shipment>,
    /// Renewal / change / reissue: the existing certificate concerned (serial, hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    /// The signing certificate issued for this application (serial, hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_serial: Option<String>,
    /// The agreements accepted with this application, at their versions (recorded at create).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_agreements: Vec<AcceptedAgreement>,
    /// Also sent as the `ETag` header; send it back in `If-Match` to edit.
    pub etag: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ListState {
    Unfinished,
    Finished,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<Application>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Person {
    LegalRep,
    Handler,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FaceMethod {
    /// A link sent by SMS to the person's phone.
    SmsLink,
    OnSite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FaceCheckStatus {
    Pending,
    Passed,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FaceCheckRequest {
    pub person: Person,
    pub method: FaceMethod,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FaceCheck {
    pub id: String,
    pub application_id: String,
    pub person: Person,
    pub method: FaceMethod,
    pub status: FaceCheckStatus,
    /// Where the person completes the check.
    pub url: String,
}

/// The face-check provider's result, posted to the CA signed with its result key
/// (`X-Provider-Signature`, HMAC-SHA256 of the body, hex).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FaceCheckResult {
    pub pass: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HandlerCheckMethod {
    Phone,
    BankCard,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct HandlerCheckRequest {
    pub method: HandlerCheckMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_card: Option<String>,
}

impl std::fmt::Debug for HandlerCheckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerCheckRequest")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnlineAuthorisation {
    pub id: String,
    /// Link sent by SMS to the legal representative.
    pub url: String,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct SignAuthorisation {
    pub code: String,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct SignApplication {
    /// The handler's SMS one-time code.
    pub code: String,
    /// Agreement to the subscriber agreement.
    pub consent: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RejectRequest {
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcrSuggestion {
    /// `uscc`, `name` or `legal_rep_name`.
    pub field: String,
    pub value: String,
    /// For USCCs: the check character is right. Invalid ones are never suggested as valid.
    pub valid: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OcrResult {
    /// False when tesseract with simplified-Chinese data is not installed.
    pub available: bool,
    pub suggestions: Vec<OcrSuggestion>,
}

// Personal data and one-time codes never print through `Debug` (logs, panics, errors).
crate::redacted_debug!(EnterpriseInfo {
    name,
    legal_rep_handles
});
crate::redacted_debug!(HandlerInfo {});
crate::redacted_debug!(MailingInfo {});
crate::redacted_debug!(SignAuthorisation {});
crate::redacted_debug!(SignApplication {});
