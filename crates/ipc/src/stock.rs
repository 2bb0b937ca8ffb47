//! The point's token stock (库存, issue 14 item 2) as the UI asks for it; the CA's
//! answers (counts, tokens, the receipt's per-serial outcome) are shown as they are.

use serde::Deserialize;
use ts_rs::TS;

pub use certdesk_ca_api::stock::{
    RefusedSerial, Stock, StockCount, StockPolicy, StockReceived, StockRefusal, StockState,
    StockToken,
};

/// The token list's filters; an empty model filters nothing.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct StockRequest {
    pub state: Option<StockState>,
    pub model: String,
}

/// Tokens received: the model and the serials pasted or scanned, one per line.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct StockReceiveRequest {
    pub model: String,
    pub serials: String,
}

/// Spoil or return a token in stock, with the reason.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct StockChangeRequest {
    pub serial: String,
    /// `spoiled` or `returned`.
    pub state: StockState,
    pub reason: String,
}
