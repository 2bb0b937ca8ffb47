//! The offline queue: what sending queued edits did, and conflicts to resolve.

use certdesk_core::workflow::Keep;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What sending a draft's queued edits did (the offline queue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SyncState {
    /// Nothing queued.
    UpToDate,
    /// The queued edits reached the CA; `held_back` are still incomplete and stay queued.
    Sent { held_back: u32 },
    /// Nothing complete enough to send yet.
    HeldBack { held_back: u32 },
    /// The CA cannot be reached: `pending` edits stay queued on this computer.
    Offline { pending: u32 },
    /// Fields changed here and at the CA since the last agreed version.
    Conflict { conflicts: Vec<EditConflict> },
}

/// One field changed on both sides: both values, for the applicant to choose. Personal
/// data: `Debug` shows the field path only.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EditConflict {
    pub field: String,
    pub mine: String,
    pub theirs: String,
}

impl std::fmt::Debug for EditConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditConflict")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictChoice {
    pub field: String,
    pub keep: Keep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResolveRequest {
    pub draft_id: String,
    pub choices: Vec<ConflictChoice>,
}
