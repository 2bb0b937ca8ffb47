use serde::{Deserialize, Serialize};
use ts_rs::TS;

use certdesk_core::ca_probe::{CaReachability, OfflineReason};

use crate::ErrorCode;

/// Connection to the CA service, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaConnection {
    NotConfigured,
    Checking {
        url: String,
    },
    Online {
        url: String,
        latency_ms: u32,
    },
    Offline {
        url: String,
        reason: ErrorCode,
    },
    /// Reached, but the TLS certificate is not trusted: not a network problem.
    Untrusted {
        url: String,
    },
}

/// One token as the status bar and pickers list it. Tokens are identified by module
/// and serial, never by slot id, which modules renumber.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TokenSummary {
    pub module: String,
    pub serial: String,
    pub label: String,
    pub manufacturer: String,
}

/// Token presence, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TokenPresence {
    /// The token layer cannot look for tokens (no module found or loadable).
    Unavailable {
        reason: ErrorCode,
    },
    /// Looking, but nothing is inserted.
    NoToken,
    Present {
        tokens: Vec<TokenSummary>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusSnapshot {
    pub ca: CaConnection,
    pub token: TokenPresence,
}

impl From<CaReachability> for CaConnection {
    fn from(r: CaReachability) -> Self {
        match r {
            CaReachability::NotConfigured => Self::NotConfigured,
            CaReachability::Online { url, latency_ms } => Self::Online { url, latency_ms },
            CaReachability::Offline {
                url,
                reason: OfflineReason::Untrusted,
            } => Self::Untrusted { url },
            CaReachability::Offline { url, reason } => Self::Offline {
                url,
                reason: match reason {
                    OfflineReason::Protocol => ErrorCode::CaProtocol,
                    OfflineReason::Unreachable | OfflineReason::Untrusted => {
                        ErrorCode::CaUnreachable
                    }
                },
            },
        }
    }
}
