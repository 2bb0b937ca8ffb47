//! What the façade returns for the UI: an application with its plan, a draft with its
//! form values. Their `Debug`s print ids only: the values are personal data.

use std::collections::BTreeMap;

use certdesk_ca_api::application::Application;
use serde::Serialize;

use super::stage::{self, Plan, StartPage};
use crate::drafts::fields::Field;
use crate::drafts::{Draft, DraftId};

/// An application as the UI shows it.
#[derive(Clone, Serialize)]
pub struct ApplicationView {
    pub draft_id: DraftId,
    pub application: Application,
    pub plan: Plan,
}

/// The application's input holds identity numbers and phones, and the contract's
/// `Debug` prints them: only ids and the stage here.
impl std::fmt::Debug for ApplicationView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationView")
            .field("draft_id", &self.draft_id)
            .field("application_id", &self.application.id)
            .field("status", &self.application.status)
            .field("stage", &self.plan.stage)
            .finish_non_exhaustive()
    }
}

/// A draft as its form shows it.
#[derive(Clone, Serialize)]
pub struct DraftView {
    pub id: DraftId,
    pub application_id: Option<String>,
    pub start_page: StartPage,
    /// Field path → value as typed. Personal data: for the form, never for a log.
    pub values: BTreeMap<&'static str, String>,
    /// Typed but not yet accepted by the CA.
    pub pending: Vec<Field>,
}

impl std::fmt::Debug for DraftView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftView")
            .field("id", &self.id)
            .field("application_id", &self.application_id)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl DraftView {
    pub(super) fn of(d: &Draft) -> Self {
        Self {
            id: d.id.clone(),
            application_id: d.application_id.clone(),
            start_page: stage::start_page(
                d.channel_id.as_deref(),
                d.business,
                d.agreements_accepted,
            ),
            values: d
                .fields
                .iter()
                .map(|(f, e)| (f.as_str(), e.value.expose().clone()))
                .collect(),
            pending: d.pending().keys().copied().collect(),
        }
    }
}
