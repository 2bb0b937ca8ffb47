//! The counter (受理台): walk-in cases at an acceptance point.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::application::Application;

/// Open a walk-in case from the applicant's online application: its id, as the order's
/// QR code carries it, or its 12-digit order number typed by hand together with the
/// organisation's unified social credit code read from the licence's original (order
/// numbers are sequential: a number alone opens nothing).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenCase {
    /// `app_…`, or the order number (12 digits).
    pub application_id: String,
    /// Required with an order number; must be the application's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
}

impl OpenCase {
    /// Whether `s` is an order number (`YYYYMMDD` and a 4-digit count) rather than an id.
    pub fn is_order_number(s: &str) -> bool {
        s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Approved,
    Rejected,
    /// Made on a token at the counter and handed over (the applicant confirmed by SMS).
    HandedOver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FieldOutcome {
    /// Seen to match the original document.
    Checked,
    /// Corrected at the counter: the operator becomes an editor of the case.
    Corrected,
}

/// The clerk's verdict on one field of the application against the originals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldCheck {
    /// The field's path, e.g. `enterprise.name`.
    pub field: String,
    pub outcome: FieldOutcome,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldCheckRecord {
    pub field: String,
    pub outcome: FieldOutcome,
    pub operator_id: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub id: String,
    pub point_id: String,
    pub status: CaseStatus,
    /// The operator who opened (entered) the case.
    pub opened_by: String,
    /// Keyed at the counter (issue 13 item 3b): the application was entered by
    /// `opened_by` at this point, not by the applicant online.
    #[serde(default)]
    pub keyed: bool,
    /// Everyone who entered or changed the case: none of them may review it.
    pub editors: Vec<String>,
    pub checks: Vec<FieldCheckRecord>,
    /// On-site identity checks that matched (a mismatch is only in the audit log).
    #[serde(default)]
    pub identity_checks: Vec<IdentityCheckRecord>,
    /// The applicant's own data and uploads, to verify against the originals.
    pub application: Application,
    /// The token made at the counter, once its serial is recorded (issue 13 item 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub making: Option<Making>,
    pub created_at: String,
}

/// The token made for a counter-approved case, and its hand-over.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Making {
    /// The token's PKCS#11 serial number.
    pub token_serial: String,
    /// The certificate the token holds.
    pub certificate_serial: String,
    /// The maker who recorded the token.
    pub made_by: String,
    pub made_at: String,
    /// When the applicant confirmed the hand-over with the SMS code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_over_at: Option<String>,
}

/// The token a maker wrote the case's certificate onto.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordToken {
    /// The token's PKCS#11 serial number (1-32 letters, digits or `-`).
    pub token_serial: String,
}

/// Ask for the SO PIN to initialise the token a case is made on (maker only, audited).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseSoPin {
    /// The token's PKCS#11 serial; `None` for a blank token that reports no serial
    /// before it is initialised (SoftHSM2's free slot, some vendors' tokens): the answer
    /// is then the case's transitional SO PIN, to be replaced by the serial's own once
    /// the initialised token says its serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_serial: Option<String>,
}

/// The hand-over code the applicant received by SMS and typed on the customer window.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Handover {
    pub code: String,
}

crate::redacted_debug!(Handover {});

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub application_id: String,
    pub status: CaseStatus,
    pub opened_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
}

/// How the applicant paid at the counter (issue 13 item 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CounterPaymentMethod {
    /// Card at the point's POS terminal; `reference` is the slip number.
    Pos,
    /// Cash; `reference` is the receipt number.
    Cash,
    /// The WeChat Pay QR code shown on the customer-facing screen.
    Wechat,
    /// The Alipay QR code shown on the customer-facing screen.
    Alipay,
}

/// Record a payment taken at the counter. POS and cash are paid when recorded (the
/// operator vouches with the slip or receipt number); a QR payment is paid when the
/// provider's signed notification arrives, as online.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CounterPaymentRequest {
    pub method: CounterPaymentMethod,
    /// POS slip or cash receipt number (4-32 letters, digits or `-`); none for QR codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CounterPayment {
    pub id: String,
    pub case_id: String,
    pub application_id: String,
    pub method: CounterPaymentMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub amount_fen: u64,
    /// The operator who took the payment.
    pub operator_id: String,
    pub status: crate::payment::PaymentStatus,
    /// QR methods: the provider payment, whose `code_url` the customer screen shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<crate::payment::Payment>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CounterPaymentList {
    pub items: Vec<CounterPayment>,
}

/// The original identity document the operator saw at the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum IdDocument {
    /// 居民身份证.
    ResidentIdCard,
    /// 护照.
    Passport,
    /// 港澳台居民居住证 / 来往内地通行证.
    ResidencePermit,
}

/// The on-site identity check (现场核验), which replaces the remote face check of the
/// legal representative or the handler: the original seen, its number typed from it
/// (compared by the CA with the application's, never echoed), the operator's
/// attestation, and the scan of the copy (an uploaded document of the application).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct OnSiteIdentity {
    pub person: crate::application::Person,
    pub document: IdDocument,
    pub id_number: String,
    pub copy_document_id: String,
    /// The operator attests to having seen the original and the person: must be true.
    pub attested: bool,
}

crate::redacted_debug!(OnSiteIdentity {
    person,
    document,
    copy_document_id,
    attested
});

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IdentityCheckRecord {
    pub person: crate::application::Person,
    pub document: IdDocument,
    pub copy_document_id: String,
    pub operator_id: String,
    pub at: String,
}

/// The application signature at the counter (a keyed case's equivalent of the handler's
/// SMS code): the applicant signed the printed application form in front of the
/// operator, whose scan is an `application_form` document of the case, and the operator
/// attests to it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CounterSignature {
    pub form_document_id: String,
    /// The operator saw the applicant sign the printed form: must be true.
    pub attested: bool,
}
