//! Batch making at the counter (issue 14 item 1), as the operator's window sees it: the
//! batch's items with their states, the events while it runs, and the PIN mailers to
//! print. No PIN passes here: the mailers are rendered in the shell from memory.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use certdesk_core::counter::BatchItemState;

use crate::{ErrorCode, MakingStep};

/// Name of the event carrying [`BatchEventView`] whenever an item changes.
pub const COUNTER_BATCH_CHANGED: &str = "counter-batch-changed";

/// One case of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BatchItemView {
    pub position: u32,
    pub case_id: String,
    pub order_number: String,
    pub organisation: String,
    pub state: BatchItemState,
    /// The token the case is made on, once known.
    pub token_serial: Option<String>,
    pub certificate_serial: Option<String>,
    /// Why the last try failed (the same codes as every other error).
    pub failure: Option<ErrorCode>,
    /// Made, and its PIN mailer can be printed now (the PIN is held in memory).
    pub mailer_ready: bool,
}

/// A batch and its items.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BatchView {
    pub batch_id: u32,
    pub items: Vec<BatchItemView>,
}

/// A change of one item while the batch runs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BatchEventView {
    pub batch_id: u32,
    pub position: u32,
    pub state: BatchItemState,
    /// The making step that started (initialising, key generation, test signature …).
    pub step: Option<MakingStep>,
    pub token_serial: Option<String>,
    pub failure: Option<ErrorCode>,
}

/// Make the batch's open items on the inserted tokens, `lanes` at a time (1: one after
/// another).
#[derive(Debug, Clone, Deserialize, TS)]
pub struct BatchRunRequest {
    pub batch_id: u32,
    pub lanes: u32,
}

/// What the operator does with failed (or waiting) items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BatchMark {
    /// Try again on the next run (on its own token when it has one).
    Retry,
    /// Leave it out of this batch.
    Skip,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct BatchMarkRequest {
    pub batch_id: u32,
    pub positions: Vec<u32>,
    pub mark: BatchMark,
}
