//! The supervisor's daily close (日结, issue 14 item 3) as the UI sees it: the CA's
//! close as it is (its TypeScript derived on the wire types), and the requests.

use serde::Deserialize;
use ts_rs::TS;

pub use certdesk_ca_api::close::{
    CloseCorrection, CloseDifference, CloseDocument, CloseFigures, CloseMethod, CloseSignature,
    CloseStatus, DailyClose, DifferenceKind, MethodFigure, OperatorFigures,
};

/// One difference's explanation as typed.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CloseExplanationInput {
    pub difference_id: String,
    pub text: String,
}

/// Sign the day: the explanations and the supervisor's PIN for their operator token.
#[derive(Clone, Deserialize, TS)]
pub struct CloseSignRequest {
    /// YYYY-MM-DD, China time.
    pub day: String,
    pub explanations: Vec<CloseExplanationInput>,
    pub pin: String,
    /// The supervisor confirmed spending the PIN's final try.
    pub confirm_final_try: bool,
}

impl std::fmt::Debug for CloseSignRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloseSignRequest")
            .field("day", &self.day)
            .finish_non_exhaustive()
    }
}

impl CloseSignRequest {
    /// `(difference id, text)` pairs, as the core checks them.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.explanations
            .iter()
            .map(|e| (e.difference_id.clone(), e.text.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_pin() {
        let r = CloseSignRequest {
            day: "2026-12-07".into(),
            explanations: Vec::new(),
            pin: "135790".into(),
            confirm_final_try: false,
        };
        assert!(!format!("{r:?}").contains("135790"));
    }
}
