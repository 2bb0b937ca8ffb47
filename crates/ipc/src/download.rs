//! Certificate download (证书下载) as the UI sees it: the look-up, the token choice with
//! its pre-flight, the download with its progress events, its result, and interrupted
//! downloads to resume. Secrets (card password, PIN) only travel UI → shell and have
//! redacting `Debug`s; no answer carries one back.

use serde::{Deserialize, Serialize};

use ts_rs::TS;

use crate::{ApplicationStatus, ErrorCode, PinStatus};

/// Look-up by organisation code **or** the handler's ID number, with the handler's
/// phone and an answered captcha.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadLookupRequest {
    pub org_code: Option<String>,
    pub handler_id_number: Option<String>,
    pub phone: String,
    pub captcha_id: String,
    pub captcha_answer: String,
}

impl std::fmt::Debug for DownloadLookupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadLookupRequest")
            .finish_non_exhaustive()
    }
}

/// Key algorithms as the CA's channels name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyAlgorithmName {
    Rsa2048,
    Rsa3072,
    EcdsaP256,
    Sm2,
}

/// One application the look-up found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadCandidate {
    pub application_id: String,
    /// The order number to show (empty from a CA that gives none: show the id).
    pub number: String,
    pub organisation_name: String,
    pub status: ApplicationStatus,
    pub key_algorithm: KeyAlgorithmName,
    /// Signing and encryption certificate (双证书).
    pub dual: bool,
    /// Approved (or issued but not confirmed): 处理 starts the download.
    pub downloadable: bool,
    /// An interrupted download of this application is journaled on this computer.
    pub interrupted: bool,
    /// Serial of an inserted USBKey that already holds this application's certificate
    /// with its key, valid at the CA: the download is done, not "not downloadable".
    pub on_token: Option<String>,
}

/// A signed-in applicant's order opened for download: the look-up is done and the
/// password-card step needs only the card (and its captcha).
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderDownload {
    pub candidate: DownloadCandidate,
    /// The phone and organisation code the CA checks with the card, from the order.
    pub phone: String,
    pub org_code: String,
}

/// Without the phone and the organisation code, as the look-up request.
impl std::fmt::Debug for OrderDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderDownload")
            .field("candidate", &self.candidate)
            .finish_non_exhaustive()
    }
}

/// An inserted token, pre-flighted for one application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadToken {
    pub serial: String,
    pub label: String,
    pub manufacturer: String,
    pub pin: PinStatus,
    /// Why this token cannot take the certificate (unsupported algorithm, no room,
    /// write-protected, PIN locked, already holds it); `null` when it can.
    pub problem: Option<ErrorCode>,
}

/// The tokens of the module in use. `module_found` is false when no token driver was
/// found at all (a different fix than "insert the token").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadTokens {
    pub module_found: bool,
    pub tokens: Vec<DownloadToken>,
}

/// The CA's clock against this computer's (pre-flight).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaClock {
    /// Local minus CA time in seconds; `null` when the CA does not tell its time.
    #[ts(type = "number | null")]
    pub skew_seconds: Option<i64>,
}

/// Starts (or resumes) a download. `key_algorithm`/`dual` come from the look-up and are
/// checked against the CA's authorisation; a resume takes them from the journal.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartDownloadRequest {
    pub application_id: String,
    pub card_serial: String,
    pub card_password: String,
    pub phone: String,
    pub org_code: String,
    pub captcha_id: String,
    pub captcha_answer: String,
    pub token_serial: String,
    pub pin: String,
    /// The user confirmed spending the PIN's final try.
    pub confirm_final_pin_try: bool,
    pub key_algorithm: Option<KeyAlgorithmName>,
    pub dual: bool,
}

impl std::fmt::Debug for StartDownloadRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartDownloadRequest")
            .field("application_id", &self.application_id)
            .field("card_serial", &self.card_serial)
            .field("token_serial", &self.token_serial)
            .finish_non_exhaustive()
    }
}

/// The steps of a download, in order (the journal's names).
pub use certdesk_core::enrollment::DownloadStep;
/// Where a step is.
pub use certdesk_core::enrollment::StepPhase as DownloadPhase;

/// Event payload: one step boundary of the running download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadProgress {
    pub application_id: String,
    pub step: DownloadStep,
    pub phase: DownloadPhase,
    pub resumed: bool,
}

/// The downloaded certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DownloadResult {
    pub application_id: String,
    pub token_serial: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub key_algorithm: KeyAlgorithmName,
    pub dual: bool,
    pub encryption_serial: Option<String>,
    pub resumed: bool,
    /// Nothing was done: the certificate was already on the USBKey (a finished
    /// download started again).
    pub already_on_token: bool,
}

/// A journaled download that did not finish; it resumes on its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InterruptedDownload {
    pub application_id: String,
    pub token_serial: String,
    pub card_serial: String,
    /// The token is inserted now.
    pub token_present: bool,
    /// The last step that began, if any.
    pub last_step: Option<DownloadStep>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_download_prints_neither_its_phone_nor_its_organisation_code() {
        let order = OrderDownload {
            candidate: DownloadCandidate {
                application_id: "app_1".into(),
                number: "202612060001".into(),
                organisation_name: "某某公司".into(),
                status: ApplicationStatus::Approved,
                key_algorithm: KeyAlgorithmName::EcdsaP256,
                dual: false,
                downloadable: true,
                interrupted: false,
                on_token: None,
            },
            phone: "13800138000".into(),
            org_code: "MA01ABCD1".into(),
        };
        let shown = format!("{order:?}");
        assert!(shown.contains("app_1"), "{shown}");
        assert!(
            !shown.contains("13800138000") && !shown.contains("MA01ABCD1"),
            "{shown}"
        );
    }
}
