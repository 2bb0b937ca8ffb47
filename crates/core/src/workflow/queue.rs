//! The offline queue: a draft's pending fields sent to the CA, the application created
//! on first send (idempotently), and the three-way merge when the CA's version moved.

use std::collections::BTreeMap;

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{Application, ApplicationInput, CreateApplication};
use serde::Serialize;

use super::desk::{Result, Workflow};
use super::error::WorkflowError;
use crate::db::StoreError;
use crate::drafts::fields::{self, Field, Section};
use crate::drafts::merge::{self, FieldConflict, Merge};
use crate::drafts::{Draft, DraftId};

/// What a sync did.
#[derive(Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Nothing queued.
    UpToDate,
    /// The queued edits reached the CA. `held_back` names fields not sent yet because
    /// their section is incomplete or a value fails its check; they stay queued.
    Sent {
        application: Box<Application>,
        held_back: Vec<FieldError>,
    },
    /// Nothing complete enough to send yet (a local draft's create waits for this too).
    HeldBack { held_back: Vec<FieldError> },
    /// The CA is not reachable: the edits stay queued.
    Offline { pending: usize },
    /// Fields changed here and at the CA: both versions, for the applicant to choose.
    Conflict { conflicts: Vec<FieldConflict> },
}

/// Redacted like [`super::ApplicationView`]: the application's input is personal data.
impl std::fmt::Debug for SyncOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UpToDate => f.write_str("UpToDate"),
            Self::Sent {
                application,
                held_back,
            } => f
                .debug_struct("Sent")
                .field("application_id", &application.id)
                .field("held_back", held_back)
                .finish(),
            Self::HeldBack { held_back } => f
                .debug_struct("HeldBack")
                .field("held_back", held_back)
                .finish(),
            Self::Offline { pending } => {
                f.debug_struct("Offline").field("pending", pending).finish()
            }
            Self::Conflict { conflicts } => f
                .debug_struct("Conflict")
                .field("conflicts", conflicts)
                .finish(),
        }
    }
}

/// The applicant's choice for a conflicting field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    Mine,
    Theirs,
}

impl Workflow {
    /// Sends the draft's queued edits: creates the application first if the CA does
    /// not know it yet (with the draft's idempotency key, so a retry never creates
    /// twice), else edits it under `If-Match`, merging with the CA's version.
    pub async fn sync(&self, id: &DraftId) -> Result<SyncOutcome> {
        match self.sync_inner(id).await {
            Err(WorkflowError::CaUnreachable(e)) => {
                tracing::info!(error = %e, draft = %id, "CA unreachable; edits stay queued");
                Ok(SyncOutcome::Offline {
                    pending: self.drafts.load(id)?.pending().len(),
                })
            }
            other => other,
        }
    }

    /// Sends every draft's queue (when the CA is reachable again).
    pub async fn sync_all(&self) -> Result<Vec<(DraftId, SyncOutcome)>> {
        let mut out = Vec::new();
        for id in self.drafts.with_pending()? {
            let o = self.sync(&id).await?;
            out.push((id, o));
        }
        Ok(out)
    }

    async fn sync_inner(&self, id: &DraftId) -> Result<SyncOutcome> {
        let draft = self.drafts.load(id)?;
        let pending = draft.pending();
        let Some(app_id) = draft.application_id.clone() else {
            return self.create(&draft).await;
        };
        if pending.is_empty() {
            return Ok(SyncOutcome::UpToDate);
        }
        let c = self.client();
        let mut base = fields::flatten(&self.drafts.base(id)?);
        let mut etag = draft.base_etag.clone().unwrap_or_default();
        // At most two rounds: a stale ETag is merged once; a second change in between
        // is reported the next time rather than looping against a busy server.
        for _ in 0..2 {
            let server = c.application(&app_id).await.map_err(|e| self.fail(e))?;
            let server_values = fields::flatten(&server.input);
            let merged = match merge::merge(&base, &server_values, &pending) {
                Merge::Conflicts(conflicts) => return Ok(SyncOutcome::Conflict { conflicts }),
                Merge::Clean(m) => m,
            };
            if server.etag != etag {
                // Nothing we edited changed there: the CA's version is the new base.
                self.drafts.attach(id, &server)?;
                base = server_values;
                etag = server.etag.clone();
            }
            let sections = sections_of(&pending);
            let (input, held_back) = fields::assemble(&merged, &sections);
            let sent = sent_revisions(&draft, &pending, &input);
            if sent.is_empty() {
                return Ok(SyncOutcome::HeldBack { held_back });
            }
            match c.edit_application(&app_id, &etag, &input).await {
                Ok(app) => {
                    self.drafts.mark_sent(id, &app, &sent)?;
                    return Ok(SyncOutcome::Sent {
                        application: Box::new(app),
                        held_back,
                    });
                }
                Err(e) if e.code() == Some(certdesk_ca_api::ProblemCode::PreconditionFailed) => {
                    continue;
                }
                Err(e) => return Err(self.fail(e)),
            }
        }
        Err(WorkflowError::Conflict {
            fields: pending.keys().copied().collect(),
        })
    }

    async fn create(&self, draft: &Draft) -> Result<SyncOutcome> {
        let (Some(channel_id), Some(business)) = (draft.channel_id.clone(), draft.business) else {
            return Err(WorkflowError::InvalidInput {
                fields: vec![FieldError::new(
                    "channel_id",
                    "empty",
                    "请先选择渠道和业务",
                    "choose a channel and a business first",
                )],
            });
        };
        // A create already sent once (its answer lost to a crash or the network) is
        // replayed exactly; what was typed since goes in an edit afterwards.
        if let Some(body) = self.drafts.create_body(&draft.id)? {
            let req: CreateApplication =
                serde_json::from_slice(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let app = self
                .client()
                .create_application(&req, Some(&draft.create_key))
                .await
                .map_err(|e| self.fail(e))?;
            self.drafts.settle(&draft.id, &app)?;
            return Box::pin(self.sync_inner(&draft.id)).await;
        }
        let pending = draft.pending();
        let (input, held_back) = fields::assemble(&draft.values(), &sections_of(&pending));
        // The enterprise facts decide the one-unfinished-application rule: without
        // them the CA would accept a bare shell the applicant cannot see the point of.
        if input.enterprise.is_none() {
            return Ok(SyncOutcome::HeldBack { held_back });
        }
        let sent = sent_revisions(draft, &pending, &input);
        let req = CreateApplication {
            channel_id,
            business,
            input,
            certificate_serial: self.drafts.certificate_serial(&draft.id)?,
            accepted_agreements: draft.accepted_agreements.clone(),
        };
        let body = serde_json::to_vec(&req).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.drafts.set_create_body(&draft.id, &body)?;
        let app = self
            .client()
            .create_application(&req, Some(&draft.create_key))
            .await
            .map_err(|e| self.fail(e))?;
        self.drafts.mark_sent(&draft.id, &app, &sent)?;
        Ok(SyncOutcome::Sent {
            application: Box::new(app),
            held_back,
        })
    }

    /// Settles conflicts field by field, then sends. Every conflicting field needs a
    /// choice: a partial answer would let the unchosen ones pass silently.
    pub async fn resolve(
        &self,
        id: &DraftId,
        choices: &BTreeMap<Field, Keep>,
    ) -> Result<SyncOutcome> {
        let draft = self.drafts.load(id)?;
        let app_id = draft
            .application_id
            .clone()
            .ok_or(WorkflowError::NotFound)?;
        let server = self
            .client()
            .application(&app_id)
            .await
            .map_err(|e| self.fail(e))?;
        let server_values = fields::flatten(&server.input);
        let base = fields::flatten(&self.drafts.base(id)?);
        if let Merge::Conflicts(conflicts) = merge::merge(&base, &server_values, &draft.pending()) {
            let unanswered: Vec<Field> = conflicts
                .iter()
                .map(|c| c.field)
                .filter(|f| !choices.contains_key(f))
                .collect();
            if !unanswered.is_empty() {
                return Err(WorkflowError::Conflict { fields: unanswered });
            }
            let theirs: BTreeMap<Field, String> = conflicts
                .iter()
                .filter(|c| choices.get(&c.field) == Some(&Keep::Theirs))
                .map(|c| (c.field, c.theirs.expose().clone()))
                .collect();
            self.drafts.take_values(id, &theirs)?;
        }
        self.drafts.attach(id, &server)?;
        self.sync(id).await
    }

    /// Syncs, and fails unless the CA now has everything typed in `sections`.
    pub(super) async fn sync_for_step(&self, id: &DraftId, sections: &[Section]) -> Result<String> {
        let draft = self.drafts.load(id)?;
        let (_, errors) = fields::assemble(&draft.values(), sections);
        if !errors.is_empty() {
            return Err(WorkflowError::InvalidInput { fields: errors });
        }
        match self.sync_inner(id).await? {
            SyncOutcome::Conflict { conflicts } => Err(WorkflowError::Conflict {
                fields: conflicts.iter().map(|c| c.field).collect(),
            }),
            // The step's own sections were checked above; other sections' unfinished
            // fields stay queued and block nothing, once the CA knows the application.
            SyncOutcome::HeldBack { held_back } if draft.application_id.is_none() => {
                Err(WorkflowError::InvalidInput { fields: held_back })
            }
            _ => self
                .drafts
                .load(id)?
                .application_id
                .ok_or(WorkflowError::NotFound),
        }
    }
}

fn sections_of(pending: &BTreeMap<Field, String>) -> Vec<Section> {
    let mut s: Vec<Section> = pending
        .keys()
        .map(|f| f.section())
        .filter(|s| *s != Section::Checks)
        .collect();
    s.dedup();
    s
}

/// The queued fields whose sections are in `input`, at the revision being sent.
fn sent_revisions(
    draft: &Draft,
    pending: &BTreeMap<Field, String>,
    input: &ApplicationInput,
) -> BTreeMap<Field, i64> {
    let sent_sections: Vec<Section> = [
        (input.enterprise.is_some(), Section::Enterprise),
        (input.handler.is_some(), Section::Handler),
        (input.certificate.is_some(), Section::Certificate),
        (input.invoice.is_some(), Section::Invoice),
        (input.mailing.is_some(), Section::Mailing),
    ]
    .into_iter()
    .filter_map(|(present, s)| present.then_some(s))
    .collect();
    pending
        .keys()
        .filter(|f| sent_sections.contains(&f.section()))
        .filter_map(|f| draft.fields.get(f).map(|e| (*f, e.revision)))
        .collect()
}
