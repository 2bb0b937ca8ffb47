//! Channels (渠道): what a sales/acceptance channel offers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Business {
    NewOrgCertificate,
    Renewal,
    Change,
    Reissue,
    Unlock,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseVerification {
    /// Company facts checked against the enterprise registry.
    Registry,
    /// Registry plus the legal representative's face check.
    RegistryAndLegalRepFace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HandlerVerification {
    /// Phone three-factor: name + resident ID + phone.
    Phone,
    /// Bank-card four-factor: name + resident ID + phone + card.
    BankCard,
    Face,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    BusinessLicence,
    HandlerIdCard,
    LegalRepIdCard,
    AuthorisationLetter,
    ApplicationForm,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum IssuanceMode {
    /// The applicant downloads onto their own USBKey, authorised by a mailed password card.
    Download,
    /// The CA makes the token and mails it.
    MailedToken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyAlgorithm {
    Rsa2048,
    Rsa3072,
    EcdsaP256,
    /// SM2 with SM3 (GM/T 0003, 0004).
    Sm2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateSet {
    Single,
    /// Signing certificate plus a CA-generated encryption certificate.
    Dual,
}

/// Paper that must be mailed to the CA (seed 000, step 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PaperRequirement {
    pub items: Vec<String>,
    /// `items` in English, same order (empty: clients show `items`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items_en: Vec<String>,
    pub address: String,
    pub postcode: String,
    pub recipient: String,
    pub phone: String,
    /// What to write on the waybill.
    pub waybill_note: String,
    /// The three-in-one licence rule.
    pub note: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    pub id: String,
    pub name: String,
    /// The name in English (clients fall back to `name` where it is empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name_en: String,
    pub businesses: Vec<Business>,
    pub enterprise_verification: EnterpriseVerification,
    pub handler_verification: Vec<HandlerVerification>,
    pub documents: Vec<DocumentKind>,
    pub fee_fen: u64,
    pub issuance: IssuanceMode,
    pub key_algorithm: KeyAlgorithm,
    pub certificate_set: CertificateSet,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperRequirement>,
    /// Certificate validity in days.
    #[serde(default = "default_validity")]
    pub validity_days: u32,
}

fn default_validity() -> u32 {
    365
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChannelList {
    pub items: Vec<Channel>,
}
