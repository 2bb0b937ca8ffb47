//! Applications: create (idempotent), list (paged), read, edit (If-Match), cancel.

use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::application::{
    Application, ApplicationInput, ApplicationPage, ApplicationStatus, CreateApplication,
    ListState, PaperStatus, RequirementKind, RequirementStatus,
};
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::{FieldError, Problem, ProblemCode};
use rusqlite::Connection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{ApiJson, ApiQuery, Applicant, HashedJson, IdempotencyKey, IfMatch};
use super::txn::{app_response, editable, idempotent_create, own};
use crate::clock::rfc3339;
use crate::domain::checked::{Check, Checked};
use crate::domain::{requirements, validate};
use crate::error::{ApiError, ApiResult};
use crate::secrets::new_id;
use crate::state::{AppState, Shared};
use crate::store::applications::{self, AppDoc};
use crate::workflow::load_owned;

fn to_value(app: &Application) -> ApiResult<serde_json::Value> {
    Ok(serde_json::to_value(app)?)
}

/// 409 when another unfinished application blocks this one (see the README's
/// "one unfinished application per organisation"): it is named only to its own owner
/// asking (`requester`; an operator keying at the counter is never its owner).
pub fn ensure_no_duplicate(conn: &Connection, doc: &AppDoc, requester: &str) -> ApiResult<()> {
    if let Some(ent) = &doc.app.input.enterprise
        && let Some((existing, owner)) =
            applications::blocking_identity(conn, &ent.uscc, &doc.app.id, &doc.owner)?
    {
        let mut p = Problem::new(ProblemCode::DuplicateApplication);
        if owner == requester {
            p = p.detail("cancel the existing unfinished application first");
            p.existing_application_id = Some(existing);
        } else {
            p = p.detail(
                "this organisation already has an unfinished application that passed enterprise verification",
            );
        }
        return Err(ApiError::problem(p));
    }
    Ok(())
}

/// Change and reissue concern a valid certificate of the same organisation.
fn check_concerned_certificate(conn: &Connection, req: &CreateApplication) -> ApiResult<()> {
    if !matches!(req.business, Business::Change | Business::Reissue) {
        return Ok(());
    }
    let bad = |kind: &str, zh: &str, en: &str| {
        ApiError::fields(vec![FieldError::new("certificate_serial", kind, zh, en)])
    };
    let serial = req.certificate_serial.as_deref().ok_or_else(|| {
        bad(
            "empty",
            "请填写原证书序列号",
            "the certificate concerned is required",
        )
    })?;
    let cert = crate::store::certs::get(conn, &serial.to_ascii_lowercase())?
        .filter(|c| c.status == "valid")
        .ok_or_else(|| {
            bad(
                "unknown_certificate",
                "原证书不存在或已吊销",
                "no such valid certificate",
            )
        })?;
    let uscc = applications::get(conn, &cert.application_id)?
        .and_then(|d| d.app.input.enterprise.map(|e| e.uscc));
    let same = uscc.is_some() && uscc == req.input.enterprise.as_ref().map(|e| e.uscc.clone());
    if !same {
        return Err(bad(
            "other_organisation",
            "原证书不属于该单位",
            "the certificate belongs to another organisation",
        ));
    }
    Ok(())
}

pub fn new_doc(state: &AppState, owner: &str, req: CreateApplication) -> ApiResult<AppDoc> {
    let channel = state.channels.get(&req.channel_id).ok_or_else(|| {
        ApiError::fields(vec![FieldError::new(
            "channel_id",
            "unknown_channel",
            "渠道不存在",
            "no such channel",
        )])
    })?;
    let online = matches!(
        req.business,
        Business::NewOrgCertificate | Business::Change | Business::Reissue
    );
    if !channel.businesses.contains(&req.business) || !online {
        return Err(ApiError::fields(vec![FieldError::new(
            "business",
            "business_unavailable",
            "该渠道不支持此业务在线办理",
            "this channel does not offer this business online",
        )]));
    }
    if !state
        .channels
        .accepts_current(&channel.id, &req.accepted_agreements)
    {
        return Err(ApiError::fields(vec![FieldError::new(
            "accepted_agreements",
            "agreements_not_accepted",
            "请阅读并同意该渠道当前版本的全部协议",
            "read and accept all of this channel's agreements in their current versions",
        )]));
    }
    let errors = validate::input(&req.input);
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let now = rfc3339(state.now());
    let mut doc = AppDoc {
        app: Application {
            id: new_id("app"),
            // Given in the create's transaction (applications::next_number).
            number: String::new(),
            channel_id: channel.id.clone(),
            business: req.business,
            status: ApplicationStatus::Draft,
            requirements: requirements::initial(channel),
            actions: Vec::new(),
            input: req.input,
            documents: Vec::new(),
            amount_fen: channel.fee_fen,
            rejection_reasons: Vec::new(),
            paper: channel.paper.clone().map(|requirement| PaperStatus {
                requirement,
                courier: None,
                tracking_number: None,
                received_at: None,
            }),
            shipment: None,
            certificate_serial: req.certificate_serial.map(|s| s.to_ascii_lowercase()),
            issued_serial: None,
            accepted_agreements: req.accepted_agreements,
            etag: String::new(),
            created_at: now.clone(),
            updated_at: now,
        },
        owner: owner.to_string(),
        version: 0,
        authorisation_signed: false,
        password_card_serial: None,
        counter_originals: Vec::new(),
    };
    requirements::refresh(&mut doc, channel);
    Ok(doc)
}

/// Start an application. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/v1/applications", tag = "applications", security(("bearer" = [])),
    request_body = CreateApplication,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes the create safe to retry")),
    responses((status = 201, body = Application, headers(("ETag" = String))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn create_application(
    State(state): State<Shared>,
    who: Applicant,
    IdempotencyKey(key): IdempotencyKey,
    HashedJson { value: req, hash }: HashedJson<CreateApplication>,
) -> ApiResult<Response> {
    let route = "POST /v1/applications";
    idempotent_create(&state, &who.phone, key.as_deref(), route, &hash, |tx| {
        check_concerned_certificate(tx, &req)?;
        let mut doc = new_doc(&state, &who.phone, req)?;
        insert_new(tx, &state, &mut doc, &who.phone)?;
        to_value(&doc.app)
    })
}

/// Stores a new application from [`new_doc`], online or keyed at the counter: unless
/// it is a duplicate (see [`ensure_no_duplicate`]), with its order number.
pub fn insert_new(
    tx: &Connection,
    state: &AppState,
    doc: &mut AppDoc,
    requester: &str,
) -> ApiResult<()> {
    ensure_no_duplicate(tx, doc, requester)?;
    doc.app.number = applications::next_number(tx, state.now())?;
    applications::insert(tx, doc, state.now())?;
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `unfinished` (default) or `finished`.
    pub state: Option<ListState>,
    /// Page size, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl Checked for ListQuery {
    fn check(&self, c: &mut Check) {
        let ListQuery {
            state: _,
            limit: _,
            cursor,
        } = self;
        c.opt_text(
            "cursor",
            cursor.as_deref(),
            certdesk_ca_api::limits::IDENTIFIER,
        );
    }
}

pub fn statuses(state: ListState) -> &'static [&'static str] {
    match state {
        ListState::Unfinished => &["draft", "awaiting_payment", "in_review", "rejected"],
        ListState::Finished => &["approved", "issued", "completed", "cancelled"],
    }
}

pub fn parse_page(q: &ListQuery) -> ApiResult<(Option<i64>, u32)> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::fields(vec![FieldError::new(
            "limit",
            "out_of_range",
            "每页1到100条",
            "1 to 100",
        )]));
    }
    let cursor = match &q.cursor {
        None => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            ApiError::fields(vec![FieldError::new(
                "cursor",
                "invalid",
                "分页标记无效",
                "invalid cursor",
            )])
        })?),
    };
    Ok((cursor, limit))
}

/// List the applicant's unfinished (未完成) or finished (已完成) applications.
#[utoipa::path(get, path = "/v1/applications", tag = "applications", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = ApplicationPage),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn list_applications(
    State(state): State<Shared>,
    who: Applicant,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::Json<ApplicationPage>> {
    let (cursor, limit) = parse_page(&q)?;
    let st = statuses(q.state.unwrap_or(ListState::Unfinished));
    let (docs, next) = state
        .db
        .read(|c| applications::list(c, Some(&who.phone), st, cursor, limit))?;
    Ok(axum::Json(ApplicationPage {
        items: docs.into_iter().map(|d| d.app).collect(),
        next_cursor: next.map(|n| n.to_string()),
    }))
}

/// Read one application (its ETag is in the header and the body).
#[utoipa::path(get, path = "/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Application, headers(("ETag" = String))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_application(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let doc = state.db.read(|c| load_owned(c, &id, &who.phone))?;
    app_response(&doc.app)
}

/// Edit the application's information while it is editable (draft or rejected).
#[utoipa::path(patch, path = "/v1/applications/{id}", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header, description = "the ETag last read")),
    request_body = ApplicationInput,
    responses((status = 200, body = Application, headers(("ETag" = String))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn edit_application(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
    IfMatch(if_match): IfMatch,
    ApiJson(patch): ApiJson<ApplicationInput>,
) -> ApiResult<Response> {
    own(&state, &who, &id).answer(|s| {
        // A stale edit is refused before anything else is said about the application.
        let Some(tag) = if_match else {
            return Err(ApiError::code(ProblemCode::PreconditionRequired));
        };
        if tag != s.doc.etag() && tag != "*" {
            return Err(ApiError::code(ProblemCode::PreconditionFailed));
        }
        editable(&s.doc)?;
        let errors = validate::input(&patch);
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        apply_patch(&mut s.doc, patch);
        ensure_no_duplicate(s.tx, &s.doc, &who.phone)?;
        s.save()
    })
}

/// Merges the given parts; facts that changed must be verified (and confirmed) again.
fn apply_patch(doc: &mut AppDoc, patch: ApplicationInput) {
    use RequirementKind as K;
    use RequirementStatus::Pending;
    let app = &mut doc.app;
    let mut changed = false;
    if let Some(e) = patch.enterprise
        && app.input.enterprise.as_ref() != Some(&e)
    {
        app.input.enterprise = Some(e);
        requirements::set(app, K::EnterpriseVerification, Pending, None);
        requirements::set(app, K::LegalRepFaceCheck, Pending, None);
        doc.authorisation_signed = false;
        changed = true;
    }
    if let Some(h) = patch.handler
        && app.input.handler.as_ref() != Some(&h)
    {
        app.input.handler = Some(h);
        requirements::set(app, K::HandlerVerification, Pending, None);
        changed = true;
    }
    if let Some(c) = patch.certificate {
        changed |= app.input.certificate.replace(c.clone()) != Some(c);
    }
    if let Some(i) = patch.invoice {
        changed |= app.input.invoice.replace(i.clone()) != Some(i);
    }
    if let Some(m) = patch.mailing {
        changed |= app.input.mailing.replace(m.clone()) != Some(m);
    }
    if changed {
        requirements::set(app, K::InformationConfirmation, Pending, None);
        requirements::set(app, K::ApplicationSignature, Pending, None);
    }
}

/// Cancel an unfinished application (not while in review).
#[utoipa::path(post, path = "/v1/applications/{id}/cancel", tag = "applications", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Application),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel_application(
    State(state): State<Shared>,
    who: Applicant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    own(&state, &who, &id).answer(|s| {
        if !matches!(
            s.doc.app.status,
            ApplicationStatus::Draft
                | ApplicationStatus::AwaitingPayment
                | ApplicationStatus::Rejected
        ) {
            return Err(ApiError::invalid_state(
                "only draft, awaiting_payment or rejected applications can be cancelled",
            ));
        }
        s.doc.app.status = ApplicationStatus::Cancelled;
        s.save()?;
        s.tell(&format!("您的订单{}已取消。", s.doc.app.number_or_id()))
    })
}
