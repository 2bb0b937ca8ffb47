//! The CA's audit log as supervisors read it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One audit entry. `hash` = SHA-256 over the entry's canonical encoding and
/// `prev_hash` (see `certdesk-ca audit verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, the CA's clock.
    pub at: String,
    /// `operator:<id>`, `staff:<credential>`, `cli`, `service` or `sandbox`.
    pub actor: String,
    /// The operator certificate the operator signed in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_certificate_serial: Option<String>,
    /// The acceptance point (受理点), for operators' actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<String>,
    /// Stable action code, e.g. `review.approve`, `certificate.revoke` (an
    /// [`AuditAction`]; a string on the wire so a newer CA's codes still read).
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_serial: Option<String>,
    /// Small facts (a reason code, a role); never personal data or secrets.
    pub details: BTreeMap<String, String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Stable action codes (never renamed: old entries keep them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AuditAction {
    #[serde(rename = "review.approve")]
    ReviewApprove,
    #[serde(rename = "review.reject")]
    ReviewReject,
    #[serde(rename = "review.paper_received")]
    ReviewPaperReceived,
    #[serde(rename = "certificate.revoke")]
    CertificateRevoke,
    #[serde(rename = "token.so_pin")]
    TokenSoPin,
    #[serde(rename = "point.add")]
    PointAdd,
    #[serde(rename = "operator.add")]
    OperatorAdd,
    #[serde(rename = "operator.revoke")]
    OperatorRevoke,
    #[serde(rename = "operator.sign_in")]
    OperatorSignIn,
    #[serde(rename = "case.open")]
    CaseOpen,
    #[serde(rename = "case.approve")]
    CaseApprove,
    #[serde(rename = "case.reject")]
    CaseReject,
    #[serde(rename = "case.check")]
    CaseCheck,
    #[serde(rename = "case.payment")]
    CasePayment,
    #[serde(rename = "case.identity")]
    CaseIdentity,
    #[serde(rename = "case.enrollment")]
    CaseEnrollment,
    #[serde(rename = "case.token")]
    CaseToken,
    #[serde(rename = "case.handover")]
    CaseHandover,
    #[serde(rename = "case.document")]
    CaseDocument,
    /// A new application keyed at the counter, and its case.
    #[serde(rename = "case.key")]
    CaseKey,
    /// The applicant's signature on the printed form, attested at the counter.
    #[serde(rename = "case.signature")]
    CaseSignature,
    /// An operator read a document of a case (the scans are personal data).
    #[serde(rename = "case.document_view")]
    CaseDocumentView,
    /// A token received into a point's stock.
    #[serde(rename = "stock.receive")]
    StockReceive,
    /// A token of the stock spoiled (with the reason).
    #[serde(rename = "stock.spoil")]
    StockSpoil,
    /// A token of the stock returned (with the reason).
    #[serde(rename = "stock.return")]
    StockReturn,
    /// A point's "making only onto its stock" switched on or off.
    #[serde(rename = "point.stock_required")]
    PointStockRequired,
    /// A point's daily close (日结), signed by its supervisor.
    #[serde(rename = "close.sign")]
    CloseSign,
    /// A correction to a signed daily close (a new entry; the close stays as signed).
    #[serde(rename = "close.correct")]
    CloseCorrect,
}

impl AuditAction {
    pub const ALL: [AuditAction; 28] = [
        AuditAction::ReviewApprove,
        AuditAction::ReviewReject,
        AuditAction::ReviewPaperReceived,
        AuditAction::CertificateRevoke,
        AuditAction::TokenSoPin,
        AuditAction::PointAdd,
        AuditAction::OperatorAdd,
        AuditAction::OperatorRevoke,
        AuditAction::OperatorSignIn,
        AuditAction::CaseOpen,
        AuditAction::CaseApprove,
        AuditAction::CaseReject,
        AuditAction::CaseCheck,
        AuditAction::CasePayment,
        AuditAction::CaseIdentity,
        AuditAction::CaseEnrollment,
        AuditAction::CaseToken,
        AuditAction::CaseHandover,
        AuditAction::CaseDocument,
        AuditAction::CaseKey,
        AuditAction::CaseSignature,
        AuditAction::CaseDocumentView,
        AuditAction::StockReceive,
        AuditAction::StockSpoil,
        AuditAction::StockReturn,
        AuditAction::PointStockRequired,
        AuditAction::CloseSign,
        AuditAction::CloseCorrect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ReviewApprove => "review.approve",
            AuditAction::ReviewReject => "review.reject",
            AuditAction::ReviewPaperReceived => "review.paper_received",
            AuditAction::CertificateRevoke => "certificate.revoke",
            AuditAction::TokenSoPin => "token.so_pin",
            AuditAction::PointAdd => "point.add",
            AuditAction::OperatorAdd => "operator.add",
            AuditAction::OperatorRevoke => "operator.revoke",
            AuditAction::OperatorSignIn => "operator.sign_in",
            AuditAction::CaseOpen => "case.open",
            AuditAction::CaseApprove => "case.approve",
            AuditAction::CaseReject => "case.reject",
            AuditAction::CaseCheck => "case.check",
            AuditAction::CasePayment => "case.payment",
            AuditAction::CaseIdentity => "case.identity",
            AuditAction::CaseEnrollment => "case.enrollment",
            AuditAction::CaseToken => "case.token",
            AuditAction::CaseHandover => "case.handover",
            AuditAction::CaseDocument => "case.document",
            AuditAction::CaseKey => "case.key",
            AuditAction::CaseSignature => "case.signature",
            AuditAction::CaseDocumentView => "case.document_view",
            AuditAction::StockReceive => "stock.receive",
            AuditAction::StockSpoil => "stock.spoil",
            AuditAction::StockReturn => "stock.return",
            AuditAction::PointStockRequired => "point.stock_required",
            AuditAction::CloseSign => "close.sign",
            AuditAction::CloseCorrect => "close.correct",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn the_wire_name_is_the_stable_code() {
        for a in AuditAction::ALL {
            let wire = serde_json::to_string(&a).unwrap_or_default();
            assert_eq!(wire, format!("\"{}\"", a.as_str()));
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
    }
}
