//! The USBKey self-check as the UI asks for it and shows it. The environment check's
//! report is `certdesk-diagnostics`' own type (re-exported at the crate root).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Runs the USBKey self-check on one token with its PIN.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelfCheckRequest {
    pub module: String,
    pub token_serial: String,
    pub pin: String,
}

impl std::fmt::Debug for SelfCheckRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfCheckRequest")
            .field("token_serial", &self.token_serial)
            .finish_non_exhaustive()
    }
}

/// A self-check step, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SelfCheckStep {
    KeyPair,
    Csr,
    WriteCertificate,
    ReadBack,
    SignVerify,
    Delete,
}

/// How a step went: `not_verifiable` when done on the token but nothing here can
/// verify it (SM2 signatures); `not_run` after an earlier failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SelfCheckOutcome {
    Passed,
    NotVerifiable,
    Failed,
    NotRun,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelfCheckStepResult {
    pub step: SelfCheckStep,
    pub outcome: SelfCheckOutcome,
    /// The token's own words for a failure (English, technical).
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelfCheckAlgorithm {
    pub algorithm: crate::KeyAlgorithmName,
    pub offered: bool,
    /// The vendor mechanism-table row used (SM2).
    pub vendor_row: Option<String>,
    pub confirmed: bool,
    pub steps: Vec<SelfCheckStepResult>,
}

/// The self-check of one token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelfCheckResult {
    pub token_serial: String,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub algorithms: Vec<SelfCheckAlgorithm>,
    pub leftovers_removed: u32,
    /// The token's objects after equal those before.
    pub untouched: bool,
    pub changed: u32,
    /// Every offered algorithm confirmed and the token untouched.
    pub passed: bool,
}
