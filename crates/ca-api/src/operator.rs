//! Acceptance points (受理点), their operators, and operator sign-in by certificate.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::channel::KeyAlgorithm;

/// What an operator may do; an operator may hold several.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 受理员: opens and enters cases.
    Clerk,
    /// 审核员: approves or rejects cases.
    Reviewer,
    /// 制证员: makes the USBKey.
    Maker,
    /// 主管: manages the point's operators, reads the audit log.
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Maker => "maker",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Clerk, Role::Reviewer, Role::Maker, Role::Supervisor]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewPoint {
    /// 2-16 letters or digits, e.g. `BJ01`; also the organisation code on its
    /// operators' password cards.
    pub id: String,
    pub name: String,
    pub province: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Point {
    pub id: String,
    pub name: String,
    pub province: String,
    pub city: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PointList {
    pub items: Vec<Point>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewOperator {
    pub name: String,
    /// The operator's mobile: the download of the operator certificate asks for it.
    pub phone: String,
    pub point_id: String,
    pub roles: Vec<Role>,
    /// What the operator's token makes; default `ecdsa_p256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_algorithm: Option<KeyAlgorithm>,
}

crate::redacted_debug!(NewOperator { point_id, roles });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperatorStatus {
    /// Certificate not downloaded yet.
    Pending,
    Active,
    Revoked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Operator {
    /// `OP` and digits; also the certificate subject's serialNumber.
    pub id: String,
    pub name: String,
    pub point_id: String,
    pub roles: Vec<Role>,
    pub status: OperatorStatus,
    /// The operator certificate, once downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OperatorList {
    pub items: Vec<Operator>,
}

/// The password card of an operator certificate: download it onto the operator's own
/// token with the ordinary certificate download (证书下载).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OperatorCard {
    pub application_id: String,
    pub card_serial: String,
    pub card_password: String,
    pub phone: String,
    /// The point id, asked for as the organisation code.
    pub org_code: String,
}

crate::redacted_debug!(OperatorCard {
    application_id,
    card_serial
});

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OperatorCreated {
    pub operator: Operator,
    pub card: OperatorCard,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignInChallenge {
    pub challenge_id: String,
    /// Base64 of the exact bytes to sign (SHA-256; ECDSA P-256, RSA PKCS#1 v1.5 or
    /// PSS): a fixed prefix, this CA's URL and a random nonce.
    pub to_sign: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignIn {
    pub challenge_id: String,
    /// The operator certificate's serial (hex).
    pub certificate_serial: String,
    /// Base64: DER ECDSA, or the RSA signature.
    pub signature: String,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct OperatorSession {
    pub token: String,
    pub expires_at: String,
    pub operator: Operator,
}

crate::redacted_debug!(OperatorSession { expires_at });
