//! CA staff review: approve (password card, parcel), reject with reasons, paper receipt.

use certdesk_ca_api::application::{
    ApplicationStatus, RequirementKind, RequirementStatus, Shipment,
};
use certdesk_ca_api::channel::IssuanceMode;
use certdesk_ca_api::sandbox::OutboxChannel;
use certdesk_ca_api::{FieldError, ProblemCode};
use rusqlite::Connection;
use secrecy::{ExposeSecret, SecretString};

use super::{contact_phone, load_any, save, save_and_tell};
use crate::clock::rfc3339;
use crate::domain::requirements::{status_of, unmet};
use crate::error::{ApiError, ApiResult};
use crate::secrets::digits;
use crate::state::AppState;
use crate::store::applications::AppDoc;
use crate::store::records;

/// A freshly made password card: the clear password exists only until it is "mailed".
pub struct NewCard {
    pub serial: String,
    pub password: SecretString,
    pub hash: String,
}

pub fn new_card() -> Result<NewCard, ApiError> {
    let serial = format!("PC{}", digits(10));
    let password = digits(12);
    let hash =
        crate::secrets::argon2_hash(&password).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(NewCard {
        serial,
        password: SecretString::from(password),
        hash,
    })
}

/// How an approved application reaches its token.
pub enum Delivery {
    /// Online: the token and the password card go by post; the card authorises the
    /// download once.
    Mail(NewCard),
    /// At a point's counter: the maker makes the token on the spot (issue 13 item 6), so
    /// no card and no parcel for a download channel.
    Counter,
}

pub fn approve(
    conn: &Connection,
    state: &AppState,
    id: &str,
    delivery: Delivery,
) -> ApiResult<AppDoc> {
    let mut doc = load_any(conn, id)?;
    if doc.app.status != ApplicationStatus::InReview {
        return Err(ApiError::invalid_state(
            "only applications in review can be approved",
        ));
    }
    let missing = unmet(
        &doc.app,
        &[RequirementKind::Payment, RequirementKind::Paper],
    );
    if !missing.is_empty() {
        return Err(unmet_problem(&missing));
    }
    let channel = state.channel(&doc.app.channel_id)?.clone();
    crate::domain::requirements::set(
        &mut doc.app,
        RequirementKind::Review,
        RequirementStatus::Valid,
        None,
    );
    let card = match delivery {
        Delivery::Counter if channel.issuance == IssuanceMode::Download => {
            doc.app.status = ApplicationStatus::Approved;
            doc.app.rejection_reasons.clear();
            let text = format!(
                "您的订单{}材料审核已通过，请在受理点现场领取 USBKey。",
                doc.app.id
            );
            save_and_tell(conn, state, &mut doc, &text)?;
            return Ok(doc);
        }
        Delivery::Counter => None,
        Delivery::Mail(card) => Some(card),
    };
    let tracking = format!("SF{}", digits(12));
    let recipient = doc.app.input.mailing.clone();
    // What the parcel holds, in the client's two languages.
    let (status, parcel): (_, &[(&str, &str)]) = match channel.issuance {
        IssuanceMode::Download => (
            ApplicationStatus::Approved,
            &[
                ("USBKey 介质", "USBKey"),
                ("密码卡", "Password card"),
                ("发票", "Invoice"),
            ],
        ),
        IssuanceMode::MailedToken => (
            ApplicationStatus::Issued,
            &[
                ("USBKey（已写入证书）", "USBKey (certificate already on it)"),
                ("发票", "Invoice"),
            ],
        ),
    };
    let contents: Vec<String> = parcel.iter().map(|(zh, _)| (*zh).to_string()).collect();
    doc.app.status = status;
    doc.app.rejection_reasons.clear();
    doc.app.shipment = Some(Shipment {
        courier: "顺丰速运".into(),
        courier_en: "SF Express".into(),
        tracking_number: tracking.clone(),
        contents: contents.clone(),
        contents_en: parcel.iter().map(|(_, en)| (*en).to_string()).collect(),
        shipped_at: rfc3339(state.now()),
    });
    if let (IssuanceMode::Download, Some(card)) = (channel.issuance, card) {
        records::put_password_card(conn, &card.serial, &doc.app.id, &card.hash)?;
        doc.password_card_serial = Some(card.serial.clone());
        let to = recipient
            .as_ref()
            .map(|m| format!("{} {} {}", m.recipient, m.phone, m.address))
            .unwrap_or_else(|| contact_phone(&doc));
        state.notifier.send(
            conn,
            OutboxChannel::Mail,
            &to,
            &format!(
                "密码卡 {} (订单 {}，运单 {tracking})",
                card.serial, doc.app.id
            ),
            &format!(
                "密码卡序列号：{}\n密码卡密码：{}\n订单：{}\n随件：{}",
                card.serial,
                card.password.expose_secret(),
                doc.app.id,
                contents.join("、")
            ),
        )?;
    }
    let text = format!(
        "您的订单{}材料审核已通过。证书产品已由顺丰速运寄出，运单号{tracking}，请注意查收。",
        doc.app.number_or_id()
    );
    save_and_tell(conn, state, &mut doc, &text)?;
    Ok(doc)
}

pub fn reject(
    conn: &Connection,
    state: &AppState,
    id: &str,
    reasons: Vec<String>,
) -> ApiResult<AppDoc> {
    let reasons: Vec<String> = reasons
        .into_iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if reasons.is_empty() {
        return Err(ApiError::fields(vec![FieldError::new(
            "reasons",
            "empty",
            "请填写驳回原因",
            "give at least one reason",
        )]));
    }
    let mut doc = load_any(conn, id)?;
    if doc.app.status != ApplicationStatus::InReview {
        return Err(ApiError::invalid_state(
            "only applications in review can be rejected",
        ));
    }
    doc.app.status = ApplicationStatus::Rejected;
    let joined = reasons.join("；");
    crate::domain::requirements::set(
        &mut doc.app,
        RequirementKind::Review,
        RequirementStatus::Invalid,
        Some(("rejected", &joined)),
    );
    // The corrected application must be signed again before it returns to review.
    crate::domain::requirements::set(
        &mut doc.app,
        RequirementKind::ApplicationSignature,
        RequirementStatus::Pending,
        None,
    );
    doc.app.rejection_reasons = reasons;
    let text = format!(
        "您的订单{}材料审核未通过：{joined}。请修改后重新提交。",
        doc.app.number_or_id()
    );
    save_and_tell(conn, state, &mut doc, &text)?;
    Ok(doc)
}

pub fn paper_received(conn: &Connection, state: &AppState, id: &str) -> ApiResult<AppDoc> {
    let mut doc = load_any(conn, id)?;
    if status_of(&doc.app, RequirementKind::Paper) == RequirementStatus::NotRequired {
        return Err(ApiError::invalid_state("this channel needs no paper"));
    }
    if let Some(p) = doc.app.paper.as_mut() {
        p.received_at = Some(rfc3339(state.now()));
    }
    crate::domain::requirements::set(
        &mut doc.app,
        RequirementKind::Paper,
        RequirementStatus::Valid,
        None,
    );
    save(conn, state, &mut doc)?;
    Ok(doc)
}

pub fn unmet_problem(missing: &[RequirementKind]) -> ApiError {
    let errors = missing
        .iter()
        .map(|k| {
            let name = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            FieldError::new(
                &format!("requirements.{name}"),
                "pending",
                "该步骤尚未完成",
                "this step is not complete",
            )
        })
        .collect();
    ApiError::problem(
        certdesk_ca_api::Problem::new(ProblemCode::RequirementsUnmet).field_errors(errors),
    )
}
