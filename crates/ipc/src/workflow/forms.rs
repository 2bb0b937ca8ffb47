//! Drafts and their forms: one field as typed (its inline check is the CA's
//! `FieldError` as it is), the handler's check.

use certdesk_ca_api::application::HandlerCheckMethod;
use certdesk_core::workflow::StartPage;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// A draft for its form: the start page it is on and every value as typed.
#[derive(Clone, PartialEq, Serialize, TS)]
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
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LocalDraft {
    pub id: String,
    pub start_page: StartPage,
    /// The organisation's name as typed, if any.
    pub name: Option<String>,
}

/// 经办人认证 by phone (three factors) or bank card (four; the card is in the draft).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandlerCheckRequest {
    pub draft_id: String,
    pub method: HandlerCheckMethod,
}
