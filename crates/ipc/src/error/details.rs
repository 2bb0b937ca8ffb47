//! What an error's `details` can hold, one shape per kind of extra. Untagged: the JSON
//! is the plain object the UI reads (`details.retry_after`, `details.serial`, …), and
//! the generated TypeScript is the union of these shapes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{FieldError, PinStatus, ResumePoint};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum ErrorDetails {
    CaProblem(CaProblemDetails),
    Duplicate(DuplicateDetails),
    Fields(FieldsDetails),
    Conflict(ConflictDetails),
    Resume(ResumeDetails),
    Storage(StorageDetails),
    Pin(PinErrorDetails),
    PinRule(PinRuleDetails),
    WrongToken(WrongTokenDetails),
    Clock(ClockDetails),
    Business(BusinessDetails),
}

/// `ca_rejected`: the CA's problem code, its field findings and when to try again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaProblemDetails {
    pub problem: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

/// `conflict` from the CA's one-unfinished-application rule: the existing one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DuplicateDetails {
    /// Always `duplicate_application`.
    pub problem: String,
    pub existing_application_id: Option<String>,
}

/// `invalid_input` found before sending: each field's finding (never its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldsDetails {
    pub fields: Vec<FieldError>,
}

/// `conflict` of the offline queue: the paths of the fields changed on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictDetails {
    pub fields: Vec<String>,
}

/// `session_expired`: where to return after signing in again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResumeDetails {
    pub resume: Option<ResumePoint>,
}

/// `storage`: the one cause the UI acts on (it offers to start over).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StorageDetails {
    pub reason: StorageReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StorageReason {
    /// The local data cannot be read with the keychain's key.
    WrongKey,
}

/// `pin_incorrect`: the retry state the wrong PIN left the token in (the token says
/// "few" and "last", not a number). The PIN itself is never in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PinErrorDetails {
    pub pin_status: PinStatus,
}

/// `invalid_input` for a new PIN: the rule it broke and the token's length limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PinRuleDetails {
    pub pin_rule: PinRefusal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<usize>,
}

/// Why a new PIN is refused: one of our rules, before the token is asked, or the token's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PinRefusal {
    TooShort,
    TooLong,
    SameAsOld,
    Trivial,
    /// The token refused a PIN that passed our own rules.
    TokenRefused,
}

/// `wrong_token`: an interrupted download continues on its own token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WrongTokenDetails {
    pub serial: String,
}

/// `clock_skewed`: local minus CA time, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ClockDetails {
    pub seconds: i64,
}

/// An error said as a business's (`key_lost` of a renewal: the old certificate works).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BusinessDetails {
    /// Always `renewal`.
    pub business: String,
}

macro_rules! into_details {
    ($($t:ident => $v:ident),* $(,)?) => {
        $(impl From<$t> for ErrorDetails {
            fn from(d: $t) -> Self {
                Self::$v(d)
            }
        })*
    };
}

into_details! {
    CaProblemDetails => CaProblem,
    DuplicateDetails => Duplicate,
    FieldsDetails => Fields,
    ConflictDetails => Conflict,
    ResumeDetails => Resume,
    StorageDetails => Storage,
    PinErrorDetails => Pin,
    PinRuleDetails => PinRule,
    WrongTokenDetails => WrongToken,
    ClockDetails => Clock,
    BusinessDetails => Business,
}
