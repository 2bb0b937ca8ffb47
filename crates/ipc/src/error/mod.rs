//! The one error type every command returns, its stable codes and its typed details.

mod details;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use details::{
    BusinessDetails, CaProblemDetails, ClockDetails, ConflictDetails, DuplicateDetails,
    ErrorDetails, FieldsDetails, PinErrorDetails, PinRefusal, PinRuleDetails, ResumeDetails,
    StorageDetails, StorageReason, WrongTokenDetails,
};

/// Stable, closed set of error codes. The UI translates these; it never matches on
/// message text. Add a variant (and its catalog entries) rather than reuse a vague one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A bug or an unexpected state; the log has the details.
    Internal,
    /// The request from the UI was malformed or failed validation.
    InvalidInput,
    /// Something the operation needs is not configured (CA address, token module).
    NotConfigured,
    /// The CA service could not be reached (DNS, refused, timeout, TLS).
    CaUnreachable,
    /// The CA answered with something that is not its protocol.
    CaProtocol,
    /// The CA refused the request; `details` carries its problem code and fields.
    CaRejected,
    /// The signed-in session expired; sign in again to continue.
    SessionExpired,
    /// The thing asked for does not exist.
    NotFound,
    /// The request conflicts with current state (e.g. an unfinished order exists).
    Conflict,
    /// Local storage (the SQLite file, settings) failed.
    Storage,
    /// The OS keychain refused or is unavailable.
    Keychain,
    /// No token is inserted, or the chosen token was removed.
    TokenAbsent,
    /// The PKCS#11 module (token driver) failed to load, or the smart-card service failed.
    TokenModule,
    /// The token answered an operation with an error (e.g. pulled out mid-write);
    /// re-inserting it and trying again continues.
    TokenFailed,
    /// Wrong PIN.
    PinIncorrect,
    /// The PIN is locked; the SO or the CA must unlock it.
    PinLocked,
    /// The operation is not supported here (module, algorithm, platform).
    Unsupported,
    // ---- certificate download ----
    /// Several tokens are inserted and none was chosen.
    TokenChoiceNeeded,
    /// An interrupted download continues on its own token (`details.serial`).
    WrongToken,
    /// The PIN is on its final try: the user must confirm explicitly.
    PinFinalTry,
    /// The token has no free memory for a key and a certificate.
    TokenFull,
    /// The token is write-protected.
    TokenWriteProtected,
    /// The token cannot make the channel's key (or import its encryption envelope).
    TokenAlgorithm,
    /// The token already holds this application's certificate.
    AlreadyOnToken,
    /// The application is not ready for download (not approved, already finished).
    NotDownloadable,
    /// The CA issued this application's certificate for a key no longer available.
    KeyLost,
    /// This computer's clock differs from the CA's by more than 5 minutes
    /// (`details.seconds`).
    ClockSkewed,
    // ---- counter mode (受理台) ----
    /// The counter needs a signed-in operator (signed out meanwhile, or locked).
    CounterSignedOut,
    /// The chosen token holds no operator certificate.
    NoOperatorCertificate,
    /// The token is another operator's than the one who locked the counter.
    OtherOperator,
    /// The CA does not accept the certificate as an operator's.
    OperatorUnknown,
    /// The operator or their certificate was revoked.
    OperatorRevoked,
    /// No such order or case at this acceptance point (another point's looks the same).
    CaseNotFound,
    /// The order is being served in an open case at another acceptance point.
    CaseElsewhere,
    /// Whoever entered or changed a case cannot approve or reject it.
    SeparationOfDuties,
    /// The operator's roles do not include this step.
    RoleMissing,
    /// The case is no longer open, or its application is past this step.
    CaseInvalidState,
    /// The identity number typed from the original is not the application's.
    IdentityMismatch,
    /// Making: the case is not approved (yet).
    CaseNotApproved,
    /// Making: the case's certificate is on another token already (`details.serial`).
    MadeOnAnotherToken,
    /// Making: the point makes only onto its stock, and this token is not in it.
    TokenNotInStock,
    /// Making: the token is initialised and the applicant's PIN does not open it.
    TokenNotBlank,
    /// Making: the token holds another application's certificate made by CertDesk.
    TokenInUse,
    /// Making: the token cannot be initialised here (module or SO PIN refuses).
    TokenInitRefused,
    /// Making: the test signature did not verify against the issued certificate.
    TestSignatureFailed,
    /// Hand-over: the applicant's SMS code was wrong or expired.
    HandoverCodeRejected,
    /// Hand-over: too many wrong codes; wait, then send a new one.
    HandoverLocked,
    /// The operator withdrew the question on the customer window.
    CustomerCancelled,
    /// Daily close: a difference has no explanation (one came up since the view).
    CloseUnexplained,
    /// Daily close: the day changed while it was signed; nothing signed, read it again.
    CloseChanged,
    /// Daily close: the day is signed already; add a correction instead.
    CloseAlreadySigned,
    // ---- updates ----
    /// The update server could not be reached or answered something unusable.
    UpdateUnavailable,
    /// The downloaded update's signature does not match the release key: refused.
    UpdateRejected,
}

impl ErrorCode {
    /// The code's wire name, as the UI gets it (`token_removed`).
    pub fn as_str(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => "internal".to_owned(),
        }
    }

    /// A wire name back to its code.
    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// The one error type every command returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    /// English, for logs and support bundles; never shown as the translated message.
    /// Never contains PINs, passwords, one-time codes or identity numbers.
    pub message: String,
    /// Structured extras (field errors, the CA's problem code), when any.
    pub details: Option<ErrorDetails>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
        }
    }

    #[must_use]
    pub fn with_details(mut self, details: impl Into<ErrorDetails>) -> Self {
        self.details = Some(details.into());
        self
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}
