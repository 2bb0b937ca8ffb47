//! The sign-in session and the resume point.

use certdesk_core::session;

use crate::{ResumePoint, SessionState};

impl From<session::ResumePoint> for ResumePoint {
    fn from(r: session::ResumePoint) -> Self {
        Self {
            application_id: r.application_id,
            draft_id: r.draft_id.map(|d| d.as_str().to_owned()),
            step: r.step,
        }
    }
}

impl From<session::SessionState> for SessionState {
    fn from(s: session::SessionState) -> Self {
        match s {
            session::SessionState::SignedOut => Self::SignedOut,
            session::SessionState::SignedIn { expires_at } => Self::SignedIn { expires_at },
            session::SessionState::Expired { resume } => Self::Expired {
                resume: resume.map(Into::into),
            },
        }
    }
}
