//! The workflow's values in their IPC shapes where they differ on purpose: a draft's
//! form, channels, documents, face checks, the authorisation, OCR suggestions and what
//! a sync did.

use certdesk_ca_api::application::{DocumentInfo, FaceCheck, OcrResult, OnlineAuthorisation};
use certdesk_ca_api::channel::Channel;
use certdesk_core::workflow::{DraftView, SyncOutcome};

use crate::{
    AuthorisationSent, ChannelInfo, DocumentMeta, DraftForm, EditConflict, FaceCheckView,
    LocalDraft, OcrSuggestion, OcrSuggestions, PaperItems, SyncState,
};

impl From<DraftView> for DraftForm {
    fn from(d: DraftView) -> Self {
        Self {
            id: d.id.as_str().to_owned(),
            application_id: d.application_id,
            start_page: d.start_page,
            values: d
                .values
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            pending: d.pending.iter().map(|f| f.as_str().to_owned()).collect(),
        }
    }
}

/// Only the organisation's name of the values: the list shows nothing else.
impl From<&DraftView> for LocalDraft {
    fn from(d: &DraftView) -> Self {
        Self {
            id: d.id.as_str().to_owned(),
            start_page: d.start_page.clone(),
            name: d.values.get("enterprise.name").cloned(),
        }
    }
}

/// The start pages need neither the key algorithm nor the paper's address yet.
impl From<Channel> for ChannelInfo {
    fn from(c: Channel) -> Self {
        Self {
            id: c.id,
            name: c.name,
            name_en: c.name_en,
            businesses: c.businesses,
            enterprise_verification: c.enterprise_verification,
            handler_verification: c.handler_verification,
            documents: c.documents,
            fee_fen: c.fee_fen,
            issuance: c.issuance,
            paper: c.paper.map(|p| PaperItems {
                items: p.items,
                items_en: p.items_en,
            }),
            validity_days: c.validity_days,
        }
    }
}

impl From<DocumentInfo> for DocumentMeta {
    fn from(d: DocumentInfo) -> Self {
        Self {
            id: d.id,
            kind: d.kind,
            content_type: d.content_type,
            size: d.size,
            uploaded_at: d.uploaded_at,
        }
    }
}

/// Without a QR code: the shell draws it for checks done on site.
impl From<FaceCheck> for FaceCheckView {
    fn from(f: FaceCheck) -> Self {
        Self {
            id: f.id,
            person: f.person,
            method: f.method,
            status: f.status,
            url: f.url,
            qr: None,
        }
    }
}

/// The signing link went to the legal representative's phone; the UI needs only the id.
impl From<OnlineAuthorisation> for AuthorisationSent {
    fn from(a: OnlineAuthorisation) -> Self {
        Self { id: a.id }
    }
}

/// The CA names the licence's fields (`uscc`, `name`, …); the UI, the form's paths.
impl From<OcrResult> for OcrSuggestions {
    fn from(r: OcrResult) -> Self {
        Self {
            available: r.available,
            suggestions: r
                .suggestions
                .into_iter()
                .map(|s| OcrSuggestion {
                    field: format!("enterprise.{}", s.field),
                    value: s.value,
                    valid: s.valid,
                })
                .collect(),
        }
    }
}

/// Counts of the held-back fields, and the conflicting values for the applicant to choose.
impl From<&SyncOutcome> for SyncState {
    fn from(o: &SyncOutcome) -> Self {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        match o {
            SyncOutcome::UpToDate => Self::UpToDate,
            SyncOutcome::Sent { held_back, .. } => Self::Sent {
                held_back: n(held_back.len()),
            },
            SyncOutcome::HeldBack { held_back } => Self::HeldBack {
                held_back: n(held_back.len()),
            },
            SyncOutcome::Offline { pending } => Self::Offline {
                pending: n(*pending),
            },
            SyncOutcome::Conflict { conflicts } => Self::Conflict {
                conflicts: conflicts
                    .iter()
                    .map(|c| EditConflict {
                        field: c.field.as_str().to_owned(),
                        mine: c.mine.expose().clone(),
                        theirs: c.theirs.expose().clone(),
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use certdesk_core::drafts::{DraftId, Field};
    use certdesk_core::workflow::StartPage;

    use super::*;

    /// Pending fields are named by their form paths, as the values are: the UI's queue
    /// leaves out the local-only ones (`handler_check.`, `paper_tracking.`) by path.
    #[test]
    fn a_draft_form_names_fields_by_path() {
        let view = DraftView {
            id: DraftId::from_string("d1".into()),
            application_id: None,
            start_page: StartPage::ChooseChannel,
            values: BTreeMap::from([("enterprise.name", "某某科技有限公司".to_owned())]),
            pending: vec![Field::CompanyName, Field::PaperCourier],
        };
        let local = LocalDraft::from(&view);
        assert_eq!(local.name.as_deref(), Some("某某科技有限公司"));
        let form = serde_json::to_value(DraftForm::from(view)).unwrap();
        assert_eq!(
            form["pending"],
            serde_json::json!(["enterprise.name", "paper_tracking.courier"])
        );
        assert_eq!(
            form["start_page"],
            serde_json::json!({"page": "choose_channel"})
        );
        assert_eq!(form["values"]["enterprise.name"], "某某科技有限公司");
    }
}
