//! Agreements (用户协议) the applicant reads and accepts before starting: served by the CA
//! per channel and versioned, so the accepted version is recorded with the application.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A text the CA publishes in both of the client's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocalizedText {
    pub zh: String,
    pub en: String,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// 《数字证书服务协议》 (the subscriber agreement).
    Service,
    /// 《个人信息保护政策》 (the privacy policy).
    Privacy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Agreement {
    pub kind: AgreementKind,
    /// Changes whenever the text does; the application records the one accepted.
    pub version: String,
    pub title: LocalizedText,
    /// Plain text; paragraphs are separated by blank lines.
    pub body: LocalizedText,
}

impl Agreement {
    pub fn accepted(&self) -> AcceptedAgreement {
        AcceptedAgreement {
            kind: self.kind,
            version: self.version.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgreementList {
    pub items: Vec<Agreement>,
}

/// Which version of an agreement the applicant accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AcceptedAgreement {
    pub kind: AgreementKind,
    pub version: String,
}
