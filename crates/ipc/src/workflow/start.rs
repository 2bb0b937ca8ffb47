//! Channels (渠道) and the start pages: what a channel asks for and the page a draft is on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::BusinessKind;

/// How a channel verifies the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseMethod {
    /// Company facts checked against the enterprise registry.
    Registry,
    /// Registry plus the legal representative's face check.
    RegistryAndLegalRepFace,
}

/// The handler verification methods a channel offers (one of them is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HandlerVerification {
    Phone,
    BankCard,
    Face,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    BusinessLicence,
    HandlerIdCard,
    LegalRepIdCard,
    AuthorisationLetter,
    ApplicationForm,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IssuanceMode {
    /// Downloaded onto the applicant's USBKey with a mailed password card.
    Download,
    /// The CA makes the token and mails it.
    MailedToken,
}

/// Paper the channel wants by post (the items only; the address comes with the order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperItems {
    pub items: Vec<String>,
}

/// A channel (渠道) as the start pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
    pub businesses: Vec<BusinessKind>,
    pub enterprise_verification: EnterpriseMethod,
    pub handler_verification: Vec<HandlerVerification>,
    pub documents: Vec<DocumentKind>,
    pub fee_fen: u64,
    pub issuance: IssuanceMode,
    #[serde(default)]
    pub paper: Option<PaperItems>,
    pub validity_days: u32,
}

/// The start pages' choices; the local draft is created with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartRequest {
    pub channel_id: String,
    pub business: BusinessKind,
    pub agreements_accepted: bool,
    /// Change / reissue started from My certificates: the certificate concerned (hex).
    #[serde(default)]
    #[ts(optional)]
    pub certificate_serial: Option<String>,
}

/// The start page a draft is on (渠道 → 业务 → 核验方式 → ready for the enterprise form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum StartPage {
    ChooseChannel,
    ChooseBusiness {
        channel_id: String,
    },
    VerificationMethod {
        channel_id: String,
        business: BusinessKind,
    },
    Ready {
        channel_id: String,
        business: BusinessKind,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartState {
    pub draft_id: String,
    pub page: StartPage,
}
