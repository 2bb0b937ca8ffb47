//! Channels (渠道) and the start pages: what a channel asks for and the page a draft is
//! on (the core's `StartPage` as it is).

use certdesk_ca_api::agreement::AcceptedAgreement;
use certdesk_ca_api::channel::{
    Business, DocumentKind, EnterpriseVerification, HandlerVerification, IssuanceMode,
};
use certdesk_core::workflow::StartPage;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Paper the channel wants by post (the items only; the address comes with the order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperItems {
    pub items: Vec<String>,
    /// `items` in English (empty where the CA sends none).
    pub items_en: Vec<String>,
}

/// A channel (渠道) as the start pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
    /// The name in English (empty where the CA sends none).
    pub name_en: String,
    pub businesses: Vec<Business>,
    pub enterprise_verification: EnterpriseVerification,
    pub handler_verification: Vec<HandlerVerification>,
    pub documents: Vec<DocumentKind>,
    pub fee_fen: u64,
    pub issuance: IssuanceMode,
    pub paper: Option<PaperItems>,
    pub validity_days: u32,
}

/// The start pages' choices; the local draft is created with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartRequest {
    pub channel_id: String,
    pub business: Business,
    /// The channel's agreements at the versions shown and accepted on the start page.
    pub accepted_agreements: Vec<AcceptedAgreement>,
    /// Change / reissue started from My certificates: the certificate concerned (hex).
    #[serde(default)]
    #[ts(optional)]
    pub certificate_serial: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StartState {
    pub draft_id: String,
    pub page: StartPage,
}
