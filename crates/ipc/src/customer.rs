//! The customer-facing window (顾客屏) at the counter: what it shows and what the
//! applicant answers there. Its commands are granted to that window only.

use certdesk_core::counter::AnswerError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use certdesk_core::counter::{CodeAnswerProblem, CustomerScreen, PinAnswerProblem};

use crate::{ErrorCode, IpcError};

/// Name of the event carrying [`CustomerScreen`] to both windows whenever it changes
/// (the operator's window learns what the applicant is asked, never what they typed).
pub const CUSTOMER_CHANGED: &str = "customer-changed";

/// The new user PIN typed twice on the customer window.
#[derive(Deserialize, TS)]
pub struct CustomerPinAnswer {
    pub pin: String,
    pub again: String,
}

// No Debug, on purpose: the PIN must not reach a log through `{:?}`.
impl std::fmt::Debug for CustomerPinAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomerPinAnswer { .. }")
    }
}

/// Whether the customer window is open, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CustomerWindowView {
    pub open: bool,
    /// On a display of its own (false: full screen on the operator's display, to be
    /// turned towards the applicant).
    pub own_display: bool,
}

impl From<AnswerError> for IpcError {
    fn from(e: AnswerError) -> Self {
        let code = match e {
            AnswerError::NotAsked => ErrorCode::Conflict,
            AnswerError::Pin(_) | AnswerError::Code(_) => ErrorCode::InvalidInput,
        };
        // The message names the problem only; the answer itself is never in it.
        IpcError::new(code, e.to_string())
    }
}
