//! My certificates (我的证书): certificates on the inserted tokens and the ones last seen,
//! PIN change, export (certificate only, never a key) and renewal. PINs cross only in
//! requests whose `Debug` never prints them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::PinStatus;

/// An inserted token, for the PIN-change dialog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TokenPinInfo {
    pub module: String,
    pub serial: String,
    pub label: String,
    pub pin_status: PinStatus,
    pub min_pin_len: u32,
    pub max_pin_len: u32,
    /// Half-written objects on the token (see `repair_token`).
    pub damaged: Vec<crate::DamagedObject>,
    /// The PIN is an initial one (from a PIN mailer): it must be changed before the
    /// token is used.
    pub pin_change_required: bool,
}

/// One end-entity certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MyCertificate {
    pub module: String,
    pub token_serial: String,
    pub token_label: String,
    /// On a token inserted now; else shown from what was seen last.
    pub inserted: bool,
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    /// Issuer subjects from the leaf's issuer upwards.
    pub chain: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    /// Whole days until expiry; negative once expired.
    pub days_left: i64,
    pub key_algorithm: String,
    /// Renewal is open (the CA opens it 90 days before expiry), the token is inserted
    /// and the certificate is not revoked.
    pub renewable: bool,
    pub last_seen: String,
    pub standing: CertificateStanding,
    /// A renewal of this certificate on this token was interrupted (app closed, token
    /// pulled, CA unreachable); renewing again finishes it (the PIN is asked again).
    pub renewal_interrupted: bool,
}

/// Why the CA revoked a certificate (RFC 5280 reason codes the CA uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    Unspecified,
    /// A reissue (补办): the old token was lost.
    KeyCompromise,
    AffiliationChanged,
    /// Replaced, e.g. by a change (变更).
    Superseded,
    CessationOfOperation,
}

/// What the CA last said about a certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CertificateStanding {
    /// Never asked (offline so far), or a certificate this CA did not issue.
    Unchecked,
    Valid {
        checked_at: String,
    },
    Revoked {
        revoked_at: String,
        reason: Option<RevocationReason>,
        checked_at: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MyCertificates {
    pub certificates: Vec<MyCertificate>,
    pub tokens: Vec<TokenPinInfo>,
}

/// Names one certificate on one token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CertificateRef {
    pub module: String,
    pub token_serial: String,
    pub serial: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Pem,
    Der,
}

/// A file written through the save dialog; `path` is absent when the user cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SavedFile {
    pub path: Option<String>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChangePinRequest {
    pub module: String,
    pub token_serial: String,
    pub old_pin: String,
    pub new_pin: String,
    /// The user confirmed spending the PIN's final try.
    pub confirm_final_try: bool,
}

impl std::fmt::Debug for ChangePinRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePinRequest")
            .field("token_serial", &self.token_serial)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RenewRequest {
    pub certificate: CertificateRef,
    pub pin: String,
    pub confirm_final_try: bool,
}

impl std::fmt::Debug for RenewRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenewRequest")
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

/// A renewal step, for progress (the core's names).
pub use certdesk_core::enrollment::RenewalStep as RenewalStepId;

/// Emitted as `renewal-progress` when a renewal step starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RenewalProgress {
    pub serial: String,
    pub step: RenewalStepId,
}

/// A finished renewal: the new certificate is on the token, verified, the old removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RenewalDone {
    pub application_id: String,
    pub old_serial: String,
    pub new_serial: String,
    pub not_after: String,
    /// This renewal finished one that an earlier attempt left unfinished.
    pub resumed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_pins() {
        let r = ChangePinRequest {
            module: "/m.so".into(),
            token_serial: "T1".into(),
            old_pin: "135790".into(),
            new_pin: "246801".into(),
            confirm_final_try: false,
        };
        let s = format!("{r:?}");
        assert!(!s.contains("135790") && !s.contains("246801"), "{s}");
        let r = RenewRequest {
            certificate: CertificateRef {
                module: "/m.so".into(),
                token_serial: "T1".into(),
                serial: "ab".into(),
            },
            pin: "135790".into(),
            confirm_final_try: false,
        };
        assert!(!format!("{r:?}").contains("135790"));
    }
}
