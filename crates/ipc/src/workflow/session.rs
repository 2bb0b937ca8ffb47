//! Sign-in and the session: the requests, the session state and where to resume (the
//! captcha and the code sent are the CA's `Captcha` and `OtpSent` as they are).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignInCodeRequest {
    pub phone: String,
    pub captcha_id: String,
    pub captcha_answer: String,
}

/// The one-time code is a secret: `Debug` never prints it.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    pub phone: String,
    pub code: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest").finish_non_exhaustive()
    }
}

/// The applicant's steps after the start pages (the core's workflow step).
pub use certdesk_core::workflow::Step as StepId;

/// Where the applicant was when the session expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResumePoint {
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub draft_id: Option<String>,
    #[serde(default)]
    pub step: Option<StepId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionState {
    SignedOut,
    SignedIn {
        expires_at: String,
    },
    /// Sign in again to return to `resume`.
    Expired {
        #[serde(default)]
        resume: Option<ResumePoint>,
    },
}

/// The session and, while signed in during this run, the phone masked (`138****5678`, as everywhere in the app).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionInfo {
    pub session: SessionState,
    pub masked_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignedIn {
    pub session: SessionInfo,
    /// Where to return: the previous session expired there.
    pub resume: Option<ResumePoint>,
}
