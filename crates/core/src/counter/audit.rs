//! The supervisor's audit view (issue 13 item 8): the CA's hash-chained log of every
//! operator and staff action at the signed-in supervisor's point, filtered and paged.
//! Filters are checked here before anything is sent, like every counter input.

use certdesk_ca_api::audit::{AuditAction, AuditPage};
use certdesk_ca_client::AuditQuery;
use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset};

use super::cases::{InputProblem, OrderNumber, invalid};
use super::{CaseError, Counter};

/// Entries per page.
pub const AUDIT_PAGE: u32 = 50;

/// The supervisor's filters, as typed; empty strings filter nothing.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    /// `OP` and digits.
    pub operator_id: String,
    /// The order (`app_…`), scanned or typed.
    pub order: String,
    /// First day (YYYY-MM-DD, China time), inclusive.
    pub from_day: String,
    /// Last day (YYYY-MM-DD, China time), inclusive.
    pub to_day: String,
    /// The previous page's `next_cursor`.
    pub cursor: String,
}

pub(super) fn day(field: &'static str, raw: &str) -> Result<Option<Date>, CaseError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 10 {
        return Err(invalid(field, InputProblem::TooLong));
    }
    let malformed = || invalid(field, InputProblem::Malformed);
    let mut parts = raw.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return Err(malformed());
    }
    let month = m
        .parse::<u8>()
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(malformed)?;
    let (y, d) = (
        y.parse().map_err(|_| malformed())?,
        d.parse().map_err(|_| malformed())?,
    );
    Date::from_calendar_date(y, month, d)
        .map(Some)
        .map_err(|_| malformed())
}

/// Midnight at the start of `d` in China (the point's day), as RFC 3339.
fn china_midnight(field: &'static str, d: Date) -> Result<String, CaseError> {
    let china =
        UtcOffset::from_hms(8, 0, 0).map_err(|_| invalid(field, InputProblem::Malformed))?;
    OffsetDateTime::new_in_offset(d, Time::MIDNIGHT, china)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| invalid(field, InputProblem::Malformed))
}

impl AuditFilter {
    fn query(&self) -> Result<AuditQuery, CaseError> {
        let operator = self.operator_id.trim().to_ascii_uppercase();
        let actor = match operator.as_str() {
            "" => None,
            o if o.len() > 16 => return Err(invalid("operator_id", InputProblem::TooLong)),
            o if o.len() > 2
                && o.starts_with("OP")
                && o[2..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(format!("operator:{o}"))
            }
            _ => return Err(invalid("operator_id", InputProblem::Malformed)),
        };
        let application_id = match self.order.trim() {
            "" => None,
            o => Some(OrderNumber::parse(o)?.as_str().to_owned()),
        };
        let from = day("from_day", &self.from_day)?;
        let to = day("to_day", &self.to_day)?;
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(invalid("to_day", InputProblem::Malformed));
        }
        let cursor = match self.cursor.trim() {
            "" => None,
            c if c.len() <= 20 && c.bytes().all(|b| b.is_ascii_digit()) => Some(c.to_owned()),
            _ => return Err(invalid("cursor", InputProblem::Malformed)),
        };
        Ok(AuditQuery {
            actor,
            action: self.action,
            application_id,
            from: from.map(|d| china_midnight("from_day", d)).transpose()?,
            // The last day is inclusive: before the next midnight.
            to: to
                .map(|d| china_midnight("to_day", d.saturating_add(Duration::days(1))))
                .transpose()?,
            limit: Some(AUDIT_PAGE),
            cursor,
        })
    }
}

impl Counter {
    /// One page of the point's audit log, newest first. Supervisors only: the CA
    /// refuses others (`RoleMissing`).
    pub async fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, CaseError> {
        let query = filter.query()?;
        let cases = self.cases();
        let client = cases.client()?;
        match client.operator_audit(&query).await {
            Ok(page) => Ok(page),
            Err(e) => Err(cases.refused(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(f: AuditFilter) -> (&'static str, InputProblem) {
        match f.query() {
            Err(CaseError::InvalidInput { field, problem }) => (field, problem),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn filters_become_the_cas_query_in_china_time() {
        let q = AuditFilter {
            action: Some(AuditAction::CaseApprove),
            operator_id: " op0007 ".into(),
            order: "APP_ABCDEFGHIJKMNPQRSTUV\r\n".into(),
            from_day: "2026-12-01".into(),
            to_day: "2026-12-06".into(),
            cursor: "41".into(),
        }
        .query()
        .expect("valid");
        assert_eq!(q.actor.as_deref(), Some("operator:OP0007"));
        assert_eq!(
            q.application_id.as_deref(),
            Some("app_abcdefghijkmnpqrstuv")
        );
        assert_eq!(q.from.as_deref(), Some("2026-12-01T00:00:00+08:00"));
        assert_eq!(q.to.as_deref(), Some("2026-12-07T00:00:00+08:00"));
        assert_eq!(q.cursor.as_deref(), Some("41"));
        assert_eq!(q.limit, Some(AUDIT_PAGE));
        assert_eq!(AuditFilter::default().query().expect("empty").actor, None);
    }

    #[test]
    fn bad_filters_name_the_field() {
        let f = |op: &str, from: &str, to: &str, cursor: &str| AuditFilter {
            operator_id: op.into(),
            from_day: from.into(),
            to_day: to.into(),
            cursor: cursor.into(),
            ..AuditFilter::default()
        };
        assert_eq!(
            problem(f("OPX1", "", "", "")),
            ("operator_id", InputProblem::Malformed)
        );
        assert_eq!(problem(f("OP\u{7}1", "", "", "")).0, "operator_id");
        assert_eq!(
            problem(f("", "2026-13-01", "", "")),
            ("from_day", InputProblem::Malformed)
        );
        assert_eq!(
            problem(f("", "2026-12-06", "2026-12-01", "")),
            ("to_day", InputProblem::Malformed)
        );
        assert_eq!(
            problem(f("", "", "", "1;DROP")),
            ("cursor", InputProblem::Malformed)
        );
        let scanned = AuditFilter {
            order: "app8…".into(),
            ..AuditFilter::default()
        };
        assert_eq!(problem(scanned).0, "order_number");
    }
}
