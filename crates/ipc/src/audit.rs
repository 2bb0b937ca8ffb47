//! The supervisor's audit view (受理点审计日志) as the UI sees it.

use std::collections::BTreeMap;

use certdesk_ca_api::audit::{AuditEntry, AuditPage};
use certdesk_core::counter::AuditFilter;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use certdesk_ca_api::audit::AuditAction;

/// The filters as typed; empty strings filter nothing.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct AuditRequest {
    pub action: Option<AuditAction>,
    /// `OP` and digits.
    pub operator_id: String,
    /// The order (`app_…`), scanned or typed.
    pub order: String,
    /// YYYY-MM-DD, China time, inclusive.
    pub from_day: String,
    pub to_day: String,
    /// The previous page's `next_cursor`; empty for the first page.
    pub cursor: String,
}

impl From<AuditRequest> for AuditFilter {
    fn from(r: AuditRequest) -> Self {
        AuditFilter {
            action: r.action,
            operator_id: r.operator_id,
            order: r.order,
            from_day: r.from_day,
            to_day: r.to_day,
            cursor: r.cursor,
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditEntryView {
    pub seq: i64,
    /// RFC 3339, the CA's clock.
    pub at: String,
    /// `operator:OP…`, `staff:…`, `cli`, `service`.
    pub actor: String,
    /// `None`: a code this app does not know yet (a newer CA); `code` still says it.
    pub action: Option<AuditAction>,
    pub code: String,
    pub application_id: Option<String>,
    pub token_serial: Option<String>,
    pub certificate_serial: Option<String>,
    pub details: BTreeMap<String, String>,
    /// The first 12 hex digits of the entry's chained hash.
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AuditPageView {
    pub items: Vec<AuditEntryView>,
    pub next_cursor: Option<String>,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: AuditAction::parse(&e.action),
            code: e.action,
            application_id: e.application_id,
            token_serial: e.token_serial,
            certificate_serial: e.certificate_serial,
            details: e.details,
            hash: e.hash.chars().take(12).collect(),
        }
    }
}

impl From<AuditPage> for AuditPageView {
    fn from(p: AuditPage) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}
