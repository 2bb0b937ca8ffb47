//! The environment check's report (环境检测): what the machine has for tokens, the
//! smart-card service, the CA and the clock. Each part carries only the facts valid in
//! its outcome; the UI derives the verdict and the plain fix from the variant.

use certdesk_token::PinState;
use serde::{Deserialize, Serialize};

/// One token found through a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TokenFound {
    pub label: String,
    pub serial: String,
    pub manufacturer: String,
    pub model: String,
    /// An uninitialised token is blank: counter staff initialise it.
    pub initialized: bool,
    pub pin: PinState,
    /// Half-written objects (a token pulled mid-write): public ones are seen without
    /// the PIN; private keys only after it (see `inspect_token_damage`).
    pub damaged: Vec<DamagedObject>,
}

/// The class of a token object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ObjectClassName {
    Certificate,
    PublicKey,
    PrivateKey,
    SecretKey,
    Data,
}

/// What is wrong with a damaged token object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReaderFound {
    pub name: String,
    pub card_present: bool,
}

/// The smart-card service (PC/SC: pcscd, Windows SCardSvr, macOS CryptoTokenKit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SmartCardCheck {
    Running { readers: Vec<ReaderFound> },
    NotRunning { detail: String },
}

/// The CA service: reachability, the TLS handshake and a sane answer to `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DiagnosticBundle {
    pub path: String,
    pub bytes: u64,
}
