//! The supervisor's numbers (issue 14 item 4): for every case opened at a point in a
//! range of days, how long it spent in each stage and who served it there. The CA
//! gives each case's stages as facts; the app groups them by operator, token model and
//! hour, charts them and exports them.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The longest range one request may cover, in days.
pub const NUMBERS_MAX_DAYS: i64 = 31;

/// A stage of a case at the counter, in the order a case passes them.
///
/// - `verifying`: from the case opened to the clerk's last field or identity check;
/// - `paying`: from there to the payment taken at the counter (none when paid online);
/// - `waiting`: from there until making begins (the review queue and the wait for a
///   maker);
/// - `making`: from the certificate's enrolment to the token recorded;
/// - `handing_over`: from the token recorded to the applicant's confirmation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Verifying,
    Paying,
    Waiting,
    Making,
    HandingOver,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Verifying,
        Stage::Paying,
        Stage::Waiting,
        Stage::Making,
        Stage::HandingOver,
    ];

    /// The stable code (as on the wire).
    pub fn code(self) -> &'static str {
        match self {
            Stage::Verifying => "verifying",
            Stage::Paying => "paying",
            Stage::Waiting => "waiting",
            Stage::Making => "making",
            Stage::HandingOver => "handing_over",
        }
    }
}

/// One stage a case went through (a stage not reached yet is absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StageTime {
    pub stage: Stage,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seconds: u64,
    /// Who served the case in this stage (for `waiting`, the reviewer who approved
    /// it); `None` when no operator of the point acted (approved by CA staff).
    pub operator_id: Option<String>,
}

/// One case opened at the point in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseTimes {
    pub case_id: String,
    pub application_id: String,
    /// The order number the applicant quotes, when the application has one.
    pub order_number: Option<String>,
    /// Keyed at the counter rather than applied for online.
    pub keyed: bool,
    pub opened_by: String,
    /// RFC 3339, UTC.
    pub opened_at: String,
    /// When the case was finished: handed over, or made (a batch-made key is mailed,
    /// not handed over). RFC 3339, UTC.
    pub finished_at: Option<String>,
    /// The model of the token it was made on: the point's stock record, else what the
    /// token itself reported.
    pub token_model: Option<String>,
    pub stages: Vec<StageTime>,
}

/// An operator of the point, to name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OperatorName {
    pub operator_id: String,
    pub name: String,
}

/// The cases opened at a point from `from` to `to` (days, China time, both included),
/// oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CounterNumbers {
    pub point_id: String,
    pub from: String,
    pub to: String,
    pub cases: Vec<CaseTimes>,
    pub operators: Vec<OperatorName>,
}

/// The range asked for: days as YYYY-MM-DD, China time, both included, at most
/// [`NUMBERS_MAX_DAYS`] days.
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NumbersQuery {
    pub from: String,
    pub to: String,
}
