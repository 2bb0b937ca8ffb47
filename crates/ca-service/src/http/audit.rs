//! Supervisors browse the audit log: filters and paging, newest first.

use axum::Json;
use axum::extract::State;
use certdesk_ca_api::audit::{AuditEntry, AuditPage};
use certdesk_ca_api::{FieldError, Problem};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::IntoParams;

use super::applications::{ListQuery, parse_page};
use super::extract::{ApiQuery, OperatorAuth, Staff};
use crate::audit::{Action, Entry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use crate::store::audit::{Filter, list};
use certdesk_ca_api::operator::Role;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `operator:<id>`, `staff:<credential>`, `cli`, `service`, `sandbox`.
    pub actor: Option<String>,
    /// A stable action code, e.g. `review.approve`.
    pub action: Option<String>,
    pub application_id: Option<String>,
    pub point: Option<String>,
    /// RFC 3339; entries at or after.
    pub from: Option<String>,
    /// RFC 3339; entries before.
    pub to: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl crate::domain::checked::Checked for AuditQuery {
    fn check(&self, c: &mut crate::domain::checked::Check) {
        use certdesk_ca_api::limits::IDENTIFIER;
        let AuditQuery {
            actor,
            action,
            application_id,
            point,
            from,
            to,
            limit: _,
            cursor,
        } = self;
        // An actor is `operator:` + an identifier.
        c.opt_text("actor", actor.as_deref(), IDENTIFIER + 16);
        c.opt_text("action", action.as_deref(), IDENTIFIER);
        c.opt_text("application_id", application_id.as_deref(), IDENTIFIER);
        c.opt_text("point", point.as_deref(), IDENTIFIER);
        c.opt_text("from", from.as_deref(), IDENTIFIER);
        c.opt_text("to", to.as_deref(), IDENTIFIER);
        c.opt_text("cursor", cursor.as_deref(), IDENTIFIER);
    }
}

fn instant(field: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    v.map(|s| {
        OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|_| {
                ApiError::fields(vec![FieldError::new(
                    field,
                    "invalid_time",
                    "时间格式应为RFC 3339，如2026-12-06T00:00:00Z",
                    "an RFC 3339 time, e.g. 2026-12-06T00:00:00Z",
                )])
            })
    })
    .transpose()
}

pub fn to_wire(e: Entry) -> AuditEntry {
    AuditEntry {
        seq: e.seq,
        at: rfc3339(e.at),
        actor: e.actor,
        actor_certificate_serial: e.actor_serial,
        point: e.point,
        action: e.action,
        application_id: e.application_id,
        certificate_serial: e.certificate_serial,
        token_serial: e.token_serial,
        details: serde_json::from_str(&e.details).unwrap_or_default(),
        prev_hash: e.prev_hash,
        hash: e.hash,
    }
}

/// Parses the query into a store filter (shared with the operators' audit view).
pub fn filter_of(q: &AuditQuery) -> ApiResult<(Filter, u32)> {
    let (cursor, limit) = parse_page(&ListQuery {
        state: None,
        limit: q.limit,
        cursor: q.cursor.clone(),
    })?;
    if let Some(a) = &q.action
        && Action::parse(a).is_none()
    {
        return Err(ApiError::fields(vec![FieldError::new(
            "action",
            "unknown_action",
            "未知的操作类型",
            "unknown action code",
        )]));
    }
    Ok((
        Filter {
            actor: q.actor.clone(),
            action: q.action.clone(),
            application_id: q.application_id.clone(),
            point: q.point.clone(),
            from: instant("from", q.from.as_deref())?,
            to: instant("to", q.to.as_deref())?,
            before: cursor,
        },
        limit,
    ))
}

pub fn page(state: &Shared, filter: &Filter, limit: u32) -> ApiResult<AuditPage> {
    let (rows, next) = state.db.read(|c| list(c, filter, limit))?;
    Ok(AuditPage {
        items: rows.into_iter().map(to_wire).collect(),
        next_cursor: next.map(|n| n.to_string()),
    })
}

/// The audit log, newest first, filtered by actor, action, application, point and time.
#[utoipa::path(get, path = "/v1/staff/audit", tag = "staff", security(("staff" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn staff_audit(
    State(state): State<Shared>,
    _staff: Staff,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let (filter, limit) = filter_of(&q)?;
    Ok(Json(page(&state, &filter, limit)?))
}

/// A supervisor's view of the audit log: only its own point's entries, whatever
/// `point` the query names.
#[utoipa::path(get, path = "/v1/operator/audit", tag = "operators", security(("operator" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn operator_audit(
    State(state): State<Shared>,
    who: OperatorAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    who.require(Role::Supervisor)?;
    let (mut filter, limit) = filter_of(&q)?;
    filter.point = Some(who.operator.point_id.clone());
    Ok(Json(page(&state, &filter, limit)?))
}
