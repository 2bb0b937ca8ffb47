//! Points and operators: registering, issuing an operator certificate through the
//! ordinary download path, revoking. Each runs inside the caller's transaction.

use certdesk_ca_api::application::{
    Application, ApplicationInput, ApplicationStatus, CertificateInfo, EnterpriseInfo,
};
use certdesk_ca_api::channel::{Business, IssuanceMode, KeyAlgorithm};
use certdesk_ca_api::download::RevocationReason;
use certdesk_ca_api::operator::{NewOperator, NewPoint, Operator, OperatorStatus, Point};
use certdesk_ca_api::{FieldError, ProblemCode};
use rusqlite::Connection;

use crate::audit::{Action, Actor, NewEntry};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{digits, new_id};
use crate::state::AppState;
use crate::store::applications::{self, AppDoc};
use crate::store::operators::{self as ops, OperatorRow, PointRow};
use crate::store::{audit, certs, records};
use crate::workflow::issuance::reason_str;
use crate::workflow::review::NewCard;

fn field(name: &str, kind: &str, zh: &str, en: &str) -> ApiError {
    ApiError::fields(vec![FieldError::new(name, kind, zh, en)])
}

/// A point id: 2-16 ASCII letters or digits (it is typed as the organisation code).
pub fn check_point_id(id: &str) -> ApiResult<()> {
    if !(2..=16).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(field(
            "id",
            "invalid",
            "受理点编号应为2到16位字母或数字",
            "2-16 letters or digits",
        ));
    }
    Ok(())
}

pub fn point_wire(p: PointRow) -> Point {
    Point {
        id: p.id,
        name: p.name,
        province: p.province,
        city: p.city,
        created_at: rfc3339(p.created_at),
    }
}

pub fn add_point(conn: &Connection, now: i64, req: &NewPoint, actor: Actor) -> ApiResult<Point> {
    check_point_id(&req.id)?;
    let row = PointRow {
        id: req.id.clone(),
        name: req.name.trim().to_string(),
        province: req.province.trim().to_string(),
        city: req.city.trim().to_string(),
        created_at: now,
    };
    if row.name.is_empty() || row.province.is_empty() || row.city.is_empty() {
        return Err(field(
            "name",
            "required",
            "请填写名称和所在地",
            "name, province and city are required",
        ));
    }
    if !ops::insert_point(conn, &row)? {
        return Err(ApiError::code(ProblemCode::AlreadyExists));
    }
    let entry = NewEntry::new(actor, Action::PointAdd).point(Some(&row.id));
    audit::append(conn, now, &entry)?;
    Ok(point_wire(row))
}

/// The wire view; the status follows the certificate (downloaded or not).
pub fn operator_wire(conn: &Connection, o: &OperatorRow) -> ApiResult<Operator> {
    let cert = certs::valid_for_application(conn, &o.application_id)?;
    let status = match (o.status.as_str(), &cert) {
        ("revoked", _) => OperatorStatus::Revoked,
        (_, Some(_)) => OperatorStatus::Active,
        (_, None) => OperatorStatus::Pending,
    };
    Ok(Operator {
        id: o.id.clone(),
        name: o.name.clone(),
        point_id: o.point_id.clone(),
        roles: o.roles.clone(),
        status,
        certificate_serial: cert.map(|c| c.serial),
        created_at: rfc3339(o.created_at),
    })
}

fn channel_for(alg: Option<KeyAlgorithm>) -> ApiResult<&'static str> {
    match alg.unwrap_or(KeyAlgorithm::EcdsaP256) {
        KeyAlgorithm::EcdsaP256 => Ok("operator-p256"),
        KeyAlgorithm::Rsa2048 => Ok("operator-rsa"),
        _ => Err(field(
            "key_algorithm",
            "unsupported",
            "操作员证书支持 ECDSA P-256 或 RSA-2048",
            "operator certificates are ecdsa_p256 or rsa2048",
        )),
    }
}

/// An approved application on the operator channel, ready for the ordinary download
/// with the password card: the point id is its organisation code, the operator's phone
/// its contact phone. It names no identity number.
fn issuance_doc(
    op_id: &str,
    req: &NewOperator,
    point: &PointRow,
    channel: &str,
    now: i64,
) -> AppDoc {
    let at = rfc3339(now);
    let app = Application {
        id: new_id("app"),
        number: String::new(),
        channel_id: channel.to_string(),
        business: Business::NewOrgCertificate,
        status: ApplicationStatus::Approved,
        requirements: Vec::new(),
        actions: crate::domain::requirements::actions(
            ApplicationStatus::Approved,
            IssuanceMode::Download,
        ),
        input: ApplicationInput {
            enterprise: Some(EnterpriseInfo {
                uscc: op_id.to_string(),
                org_code: point.id.clone(),
                name: point.name.clone(),
                legal_rep_name: req.name.trim().to_string(),
                legal_rep_id_number: String::new(),
                legal_rep_phone: req.phone.clone(),
                legal_rep_handles: true,
            }),
            certificate: Some(CertificateInfo {
                common_name: Some(req.name.trim().to_string()),
                province: point.province.clone(),
                city: point.city.clone(),
            }),
            ..ApplicationInput::default()
        },
        documents: Vec::new(),
        amount_fen: 0,
        rejection_reasons: Vec::new(),
        paper: None,
        shipment: None,
        certificate_serial: None,
        issued_serial: None,
        // Operators accept no applicant agreements: their certificate is the CA's own tool.
        accepted_agreements: Vec::new(),
        etag: String::new(),
        created_at: at.clone(),
        updated_at: at,
    };
    AppDoc {
        app,
        owner: format!("operator:{op_id}"),
        version: 0,
        authorisation_signed: false,
        password_card_serial: None,
        counter_originals: Vec::new(),
    }
}

/// Registers the operator and its certificate issuance; the caller hands out the card.
pub fn add_operator(
    conn: &Connection,
    state: &AppState,
    req: &NewOperator,
    card: &NewCard,
    actor: Actor,
) -> ApiResult<(OperatorRow, String)> {
    certdesk_ident::mobile(&req.phone)
        .map_err(|e| ApiError::fields(vec![FieldError::from_ident("phone", &e)]))?;
    if req.name.trim().is_empty() {
        return Err(field(
            "name",
            "required",
            "请填写操作员姓名",
            "name is required",
        ));
    }
    let mut roles = req.roles.clone();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(field(
            "roles",
            "required",
            "请至少选择一个角色",
            "at least one role",
        ));
    }
    let point = ops::get_point(conn, &req.point_id)?
        .ok_or_else(|| field("point_id", "unknown_point", "受理点不存在", "no such point"))?;
    let channel = channel_for(req.key_algorithm)?;
    let now = state.now();
    let id = format!("OP{}", digits(10));
    let mut doc = issuance_doc(&id, req, &point, channel, now);
    doc.password_card_serial = Some(card.serial.clone());
    applications::insert(conn, &mut doc, now)?;
    records::put_password_card(conn, &card.serial, &doc.app.id, &card.hash)?;
    let row = OperatorRow {
        id: id.clone(),
        name: req.name.trim().to_string(),
        point_id: point.id.clone(),
        roles,
        status: "active".into(),
        application_id: doc.app.id.clone(),
        created_at: now,
    };
    ops::insert_operator(conn, &row)?;
    let entry = NewEntry::new(actor, Action::OperatorAdd)
        .point(Some(&point.id))
        .application(&doc.app.id)
        .detail("operator", id.as_str())
        .detail("roles", ops::roles_text(&row.roles));
    audit::append(conn, now, &entry)?;
    Ok((row, doc.app.id))
}

/// Revokes the operator: sessions end, the certificate goes on the CRL.
pub fn revoke_operator(
    conn: &Connection,
    state: &AppState,
    id: &str,
    point: Option<&str>,
    actor: Actor,
) -> ApiResult<OperatorRow> {
    let now = state.now();
    let row = ops::get_operator(conn, id)?
        .filter(|o| point.is_none_or(|p| p == o.point_id))
        .ok_or_else(ApiError::not_found)?;
    if !ops::revoke_operator(conn, id, now)? {
        return Err(ApiError::invalid_state("the operator is already revoked"));
    }
    let mut entry = NewEntry::new(actor, Action::OperatorRevoke)
        .point(Some(&row.point_id))
        .application(&row.application_id)
        .detail("operator", id);
    if let Some(cert) = certs::valid_for_application(conn, &row.application_id)? {
        let reason = reason_str(RevocationReason::CessationOfOperation);
        certs::revoke(conn, &cert.serial, reason, now)?;
        entry = entry.certificate(&cert.serial);
    }
    audit::append(conn, now, &entry)?;
    Ok(ops::get_operator(conn, id)?.unwrap_or(row))
}
