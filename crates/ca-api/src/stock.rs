//! A point's stock of numbered USBKeys (issue 14 item 2): received by serial, made for
//! a case, spoiled or returned. One serial is one physical token, held by one point.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Serials one receipt may carry (a carton of keys is 100-200).
pub const MAX_RECEIVE: usize = 500;
/// A token model's name, e.g. `ePass3003`.
pub const MODEL: usize = 64;

/// Where a token of the stock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    /// Received, not yet used.
    InStock,
    /// A case's certificate was recorded on it (`case_id`, `application_id`).
    Made,
    /// Unusable (damaged, a making that went wrong); `reason` says why.
    Spoiled,
    /// Sent back (to the supplier or the CA); `reason` says why.
    Returned,
}

impl StockState {
    pub const ALL: [StockState; 4] = [
        StockState::InStock,
        StockState::Made,
        StockState::Spoiled,
        StockState::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StockState::InStock => "in_stock",
            StockState::Made => "made",
            StockState::Spoiled => "spoiled",
            StockState::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<StockState> {
        StockState::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Tokens received into the operator's point's stock.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiveStock {
    /// The tokens' model (at most 64 characters).
    pub model: String,
    /// PKCS#11 serials, 1-32 letters, digits or `-` each; at most 500.
    pub serials: Vec<String>,
}

/// Why one serial of a receipt was not received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StockRefusal {
    /// Already in this point's stock (in any state).
    AlreadyHere,
    /// Recorded at another point (which one is not said).
    Elsewhere,
    /// Twice in the same receipt: received once.
    Repeated,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefusedSerial {
    pub serial: String,
    pub reason: StockRefusal,
}

/// What a receipt did, serial by serial.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockReceived {
    pub received: Vec<String>,
    pub refused: Vec<RefusedSerial>,
}

/// One token of the point's stock.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockToken {
    pub serial: String,
    pub model: String,
    pub state: StockState,
    /// `made`: the application and case it was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// `spoiled` / `returned`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub received_by: String,
    pub received_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
}

/// One model's tokens by state.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StockCount {
    pub model: String,
    pub in_stock: u32,
    pub made: u32,
    pub spoiled: u32,
    pub returned: u32,
}

/// The operator's point's stock: counts over all of it, tokens as filtered.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stock {
    pub point_id: String,
    /// Making onto a token outside the stock is refused (`token_not_in_stock`).
    pub stock_required: bool,
    /// Per model, by model name.
    pub counts: Vec<StockCount>,
    /// Newest first, at most `limit`.
    pub items: Vec<StockToken>,
}

/// Filters for the stock's token list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    pub state: Option<StockState>,
    pub model: Option<String>,
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Take a token out of use: only a token `in_stock` is spoiled or returned (a made
/// token went to its applicant with the case's certificate on it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockChange {
    /// `spoiled` or `returned`.
    pub state: StockState,
    /// Why (1-500 characters, one line).
    pub reason: String,
}

/// Whether a point refuses making onto tokens outside its stock.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockPolicy {
    pub stock_required: bool,
}
