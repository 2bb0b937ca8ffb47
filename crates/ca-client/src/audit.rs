//! The audit log as a supervisor of the signed-in operator's point reads it (the CA
//! answers only that point's entries, whatever the query says).

use certdesk_ca_api::audit::{AuditAction, AuditPage};

use crate::{CaClient, Result, with_query};

/// Filters of the audit view; `None` filters nothing. Times are RFC 3339.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// `operator:<id>` and the like.
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub application_id: Option<String>,
    /// At or after.
    pub from: Option<String>,
    /// Before.
    pub to: Option<String>,
    /// 1-100 (the CA's default when `None`).
    pub limit: Option<u32>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl AuditQuery {
    fn path(&self) -> String {
        let pairs = [
            ("actor", self.actor.clone()),
            ("action", self.action.map(|a| a.as_str().to_owned())),
            ("application_id", self.application_id.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ];
        with_query("/v1/operator/audit", &pairs)
    }
}

impl CaClient {
    /// One page of the point's audit log, newest first (supervisors only: 403
    /// `forbidden` otherwise). A read, retried.
    pub async fn operator_audit(&self, q: &AuditQuery) -> Result<AuditPage> {
        self.get(&q.path(), true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_escaped_into_the_query() {
        let q = AuditQuery {
            actor: Some("operator:OP0001".into()),
            action: Some(AuditAction::CaseApprove),
            from: Some("2026-12-06T00:00:00+08:00".into()),
            ..AuditQuery::default()
        };
        assert_eq!(
            q.path(),
            "/v1/operator/audit?actor=operator%3AOP0001&action=case.approve&from=2026-12-06T00%3A00%3A00%2B08%3A00"
        );
        assert_eq!(AuditQuery::default().path(), "/v1/operator/audit");
    }
}
