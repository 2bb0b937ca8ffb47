//! The daily close (日结, issue 14 item 3): a point's day of money, certificates and
//! tokens, its differences each explained, signed by the point's supervisor with their
//! operator token and kept by the CA. A day is a calendar day in China time (UTC+8).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The fixed start of the signed bytes: a signature made for anything else (a sign-in
/// challenge) never signs a close.
pub const CLOSE_PREFIX: &str = "certdesk-ca daily close v1\n";

/// The longest explanation or correction, in characters.
pub const EXPLANATION_CHARS: usize = 500;

/// How money came in: at the counter (`pos`, `cash`, `wechat`, `alipay`) or online
/// before the walk-in (`online`: the application was paid on the web).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CloseMethod {
    Pos,
    Cash,
    Wechat,
    Alipay,
    Online,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MethodFigure {
    pub method: CloseMethod,
    pub count: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub amount_fen: u64,
}

/// One operator's or the whole point's figures for the day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CloseFigures {
    /// Paid payments by method (methods with none are left out), in method order.
    pub payments: Vec<MethodFigure>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub paid_fen: u64,
    /// Certificates made on tokens at the counter.
    pub certificates_made: u32,
    /// Stock tokens that left the stock made, spoiled or returned.
    pub tokens_made: u32,
    pub tokens_spoiled: u32,
    pub tokens_returned: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OperatorFigures {
    pub operator_id: String,
    pub name: String,
    pub figures: CloseFigures,
}

/// What does not match (stable codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DifferenceKind {
    /// Money taken at the counter for a case with no certificate made.
    PaidNotMade,
    /// A certificate made for an application with no paid payment.
    MadeNotPaid,
    /// A certificate made on a token that is not in the point's stock as made.
    MadeOffStock,
    /// A stock token marked made with no certificate made on it.
    StockMadeNoCase,
    /// A stock token spoiled: it left the stock without a certificate.
    TokenSpoiled,
    /// A stock token returned (to the supplier): it left the stock without a certificate.
    TokenReturned,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CloseDifference {
    /// `<kind>:<subject>` (a payment id, case id or token serial): stable for the day,
    /// the key of its explanation.
    pub id: String,
    pub kind: DifferenceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub amount_fen: Option<u64>,
    /// The stock's own note (a spoiled token's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The supervisor's explanation; every difference needs one before signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// The document a supervisor signs: its JSON (this field order, lists in a fixed order)
/// after [`CLOSE_PREFIX`] is the signed byte string, kept byte for byte by the CA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CloseDocument {
    /// This CA's URL (the close is signed for this CA only).
    pub ca: String,
    pub point_id: String,
    /// YYYY-MM-DD, China time.
    pub day: String,
    pub point: CloseFigures,
    pub operators: Vec<OperatorFigures>,
    pub differences: Vec<CloseDifference>,
    /// SHA-256 (hex) of the point's previous signed close document: the closes chain.
    #[serde(default)]
    pub previous_close_sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CloseStatus {
    /// Not signed: the figures are live.
    Open,
    /// Signed and kept: the document is the signed one, never changed.
    Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CloseSignature {
    pub operator_id: String,
    pub operator_name: String,
    pub certificate_serial: String,
    /// RFC 3339.
    pub signed_at: String,
    /// SHA-256 (hex) of the signed document (after the prefix).
    pub document_sha256: String,
    /// SHA-256 (hex) of the signature: its fingerprint on the report.
    pub signature_sha256: String,
}

/// A later correction of a signed close: a new entry, the close stays as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CloseCorrection {
    pub seq: i64,
    pub operator_id: String,
    pub text: String,
    /// RFC 3339.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DailyClose {
    pub status: CloseStatus,
    pub document: CloseDocument,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<CloseSignature>,
    #[serde(default)]
    pub corrections: Vec<CloseCorrection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CloseExplanation {
    pub difference_id: String,
    /// Free text, 1-500 characters, no control characters.
    pub text: String,
}

/// The explanations, to get the bytes to sign.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CloseExplanations {
    pub explanations: Vec<CloseExplanation>,
}

/// The bytes to sign with the supervisor's operator token (base64).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CloseToSign {
    pub to_sign: String,
    pub document_sha256: String,
}

/// Sign the close: the same explanations, and the signature over the bytes they gave.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignClose {
    pub explanations: Vec<CloseExplanation>,
    /// `to-sign`'s `document_sha256`: a day that changed since (a payment, a token) is
    /// refused with 412 `precondition_failed`, to be signed again.
    pub document_sha256: String,
    pub certificate_serial: String,
    /// Base64.
    pub signature: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCloseCorrection {
    pub text: String,
}
