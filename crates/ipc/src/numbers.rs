//! The supervisor's numbers (issue 14 item 4) as the UI asks for and shows them: the
//! core's figures (by stage, operator, token model and hour) over the CA's cases.

use serde::Deserialize;
use ts_rs::TS;

pub use certdesk_ca_api::numbers::Stage;
pub use certdesk_core::counter::{
    HourFigure, ModelFigure, NumbersSummary, OperatorStages, StageFigure,
};

use crate::Language;

/// Days as YYYY-MM-DD (China time), both included, at most 31 days.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NumbersRequest {
    pub from: String,
    pub to: String,
}

/// The cases of the range as CSV, headed in the UI's language.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct NumbersCsvRequest {
    pub from: String,
    pub to: String,
    pub language: Language,
}
