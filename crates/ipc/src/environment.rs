//! The environment check (环境检测): what the machine has for tokens, the smart-card
//! service, the CA and the clock. Each part carries only the facts valid in its outcome;
//! the UI derives the verdict and the plain fix from the variant.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One token found through a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TokenFound {
    pub label: String,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    /// An uninitialised token is blank: counter staff initialise it.
    pub initialized: bool,
    pub pin: crate::PinStatus,
    /// Half-written objects (a token pulled mid-write): public ones are seen without
    /// the PIN; private keys only after it (see `inspect_token_damage`).
    pub damaged: Vec<DamagedObject>,
}

/// The class of a token object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ObjectClassName {
    Certificate,
    PublicKey,
    PrivateKey,
    SecretKey,
    Data,
}

/// What is wrong with a damaged token object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DamageKind {
    /// A certificate object without a value.
    EmptyCertificate,
    /// A certificate whose value cannot be read as X.509.
    UnreadableCertificate,
    /// A key without CKA_ID: no certificate can be paired with it.
    KeyWithoutId,
    /// The driver cannot read the object.
    Unreadable,
}

/// A damaged object on a token, with what is known about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DamagedObject {
    pub kind: ObjectClassName,
    /// The driver's handle (this run of the app only).
    pub handle: u64,
    /// CKA_ID in hex; empty when it has none.
    pub id: String,
    /// CKA_LABEL; empty when it has none.
    pub label: String,
    pub damage: DamageKind,
    /// Names the object for `repair_token` (stable while the object is unchanged).
    pub fingerprint: String,
}

/// One PKCS#11 module (token driver) found on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ModuleCheck {
    /// Loaded; the library describes itself and lists its tokens.
    Loaded {
        path: String,
        vendor: String,
        library: String,
        version: String,
        tokens: Vec<TokenFound>,
    },
    /// On disk but `C_Initialize` (or loading) failed; `detail` is the loader's own words.
    Broken {
        path: String,
        vendor: String,
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReaderFound {
    pub name: String,
    pub card_present: bool,
}

/// The smart-card service (PC/SC: pcscd, Windows SCardSvr, macOS CryptoTokenKit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SmartCardCheck {
    Running { readers: Vec<ReaderFound> },
    NotRunning { detail: String },
}

/// The CA service: reachability, the TLS handshake and a sane answer to `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaCheck {
    NotConfigured,
    Online {
        url: String,
        latency_ms: u32,
        /// The connection was TLS-protected (https) and its certificate verified.
        tls: bool,
    },
    /// No connection (DNS, refused, timeout).
    Unreachable {
        url: String,
    },
    /// Connected, but the server's certificate was not accepted.
    TlsFailed {
        url: String,
        detail: String,
    },
    /// Connected, but the answer was not the CA's health document.
    BadAnswer {
        url: String,
        status: u16,
    },
}

/// This computer's clock against the CA's (`Date` header): certificates and one-time
/// codes are rejected when it is off by minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClockCheck {
    /// The CA was not reached or did not say its time.
    Unknown,
    /// `skew_seconds` = local − CA; within the tolerance.
    InSync {
        skew_seconds: i64,
    },
    Skewed {
        skew_seconds: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EnvironmentReport {
    pub app_version: String,
    pub os: String,
    pub arch: String,
    pub modules: Vec<ModuleCheck>,
    pub smart_card: SmartCardCheck,
    pub ca: CaCheck,
    pub clock: ClockCheck,
}

/// Where the diagnostic bundle was written, for the user to send to support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DiagnosticBundle {
    pub path: String,
    pub bytes: u64,
}

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
