//! Certificate download (证书下载, seed 000 step 6), issuance and revocation.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::application::{Action, ApplicationStatus};
use crate::channel::{CertificateSet, KeyAlgorithm};

/// Order look-up by organisation code or handler ID, plus the handler's phone.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct DownloadLookup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler_id_number: Option<String>,
    pub phone: String,
    pub captcha_id: String,
    pub captcha_answer: String,
}

impl std::fmt::Debug for DownloadLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadLookup").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DownloadCandidate {
    pub application_id: String,
    pub organisation_name: String,
    pub status: ApplicationStatus,
    pub key_algorithm: KeyAlgorithm,
    pub certificate_set: CertificateSet,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DownloadCandidates {
    pub items: Vec<DownloadCandidate>,
}

/// Password-card authorisation (seed 000 step 6.4).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct DownloadAuthorise {
    pub card_serial: String,
    pub card_password: String,
    pub phone: String,
    pub org_code: String,
    pub captcha_id: String,
    pub captcha_answer: String,
}

impl std::fmt::Debug for DownloadAuthorise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadAuthorise")
            .field("card_serial", &self.card_serial)
            .finish_non_exhaustive()
    }
}

/// A short-lived enrollment: the bearer token authorises finalize and confirm for one
/// application.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Enrollment {
    pub token: String,
    pub expires_at: String,
    pub application_id: String,
    pub key_algorithm: KeyAlgorithm,
    pub certificate_set: CertificateSet,
}

impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("application_id", &self.application_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FinalizeRequest {
    /// PKCS#10 request, PEM (or base64 DER), signed by the key on the token.
    pub csr: String,
}

/// The issued certificate and its chain (issuing CA, then root), PEM.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Issuance {
    pub application_id: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    pub certificate_pem: String,
    pub chain_pem: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RevokeRequest {
    pub reason: RevocationReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Revoked,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateRecord {
    pub serial: String,
    pub application_id: String,
    pub status: CertificateStatus,
    pub not_after: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RevocationReason>,
}
