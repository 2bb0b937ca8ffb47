//! Making the applicant's USBKey at the counter, as the operator's window sees it. The
//! applicant's PIN and hand-over code never pass here: they go from the customer window
//! (crate::customer) to the making task.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use certdesk_core::counter::MakingStep;

use crate::DownloadPhase;

/// Name of the event carrying [`MakingProgressView`] at each step boundary.
pub const COUNTER_MAKING_PROGRESS: &str = "counter-making-progress";

/// Make the USBKey for an approved case on the inserted token.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CounterMakeRequest {
    pub case_id: String,
    /// The token to make; `None`: the one inserted besides the operator's.
    pub token_serial: Option<String>,
}

/// A made USBKey.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MadeView {
    pub case_id: String,
    pub token_serial: String,
    /// This run initialised the token (label, the CA's SO PIN, the applicant's PIN).
    pub initialised: bool,
    pub certificate_serial: String,
    pub subject: String,
    pub not_after: String,
    pub key_algorithm: String,
    /// A signature made on the token verified against the issued certificate.
    pub test_signature_ok: bool,
    /// The token already held this case's certificate: nothing was made again.
    pub already_made: bool,
    /// An interrupted making was resumed.
    pub resumed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MakingProgressView {
    pub case_id: String,
    pub step: MakingStep,
    pub phase: DownloadPhase,
    pub resumed: bool,
}

/// A token the applicant's USBKey could be made on (never the operator's own).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MakingTokenView {
    /// Empty for a blank token that reports no serial before it is initialised.
    pub serial: String,
    pub label: String,
    /// Not initialised: making initialises it.
    pub blank: bool,
}

impl From<&certdesk_token::TokenInfo> for MakingTokenView {
    fn from(t: &certdesk_token::TokenInfo) -> Self {
        Self {
            serial: t.serial.clone(),
            label: t.label.clone(),
            blank: !t.token_initialized,
        }
    }
}
