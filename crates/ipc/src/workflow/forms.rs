//! Drafts and their forms: one field as typed, its inline check, the handler's check.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::StartPage;

/// One field as typed, saved locally at once (`field` is its path, e.g. `enterprise.uscc`).
/// Personal data: `Debug` shows the path only.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldInput {
    pub draft_id: String,
    pub field: String,
    pub value: String,
}

impl std::fmt::Debug for FieldInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldInput")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// An inline check's finding, in both languages (never echoing the value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldProblem {
    pub field: String,
    pub kind: String,
    pub message_zh: String,
    pub message_en: String,
}

/// A draft for its form: the start page it is on and every value as typed.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DraftForm {
    pub id: String,
    pub application_id: Option<String>,
    pub start_page: StartPage,
    #[ts(type = "Record<string, string>")]
    pub values: std::collections::BTreeMap<String, String>,
    /// Typed but not yet accepted by the CA.
    pub pending: Vec<String>,
}

impl std::fmt::Debug for DraftForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftForm")
            .field("id", &self.id)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

/// A local draft the CA does not know yet (listed with the unfinished orders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LocalDraft {
    pub id: String,
    pub start_page: StartPage,
    /// The organisation's name as typed, if any.
    pub name: Option<String>,
}

/// 经办人认证 by phone (three factors) or bank card (four; the card is in the draft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HandlerCheck {
    Phone,
    BankCard,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandlerCheckRequest {
    pub draft_id: String,
    pub method: HandlerCheck,
}
