//! The applicant's steps on an application: enterprise and handler verification
//! (`verification`), information confirmation and the application signature
//! (`signature`), the letter of authorisation (`authorisation`), paper and receipt
//! (`paper`); face checks are in `http::face`. Each handler runs in the shape of
//! `http::txn` and states only its own rule.

pub mod authorisation;
pub mod paper;
pub mod signature;
pub mod verification;

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{EnterpriseInfo, HandlerInfo};
use certdesk_ca_api::channel::HandlerVerification;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::applications::AppDoc;

fn missing(field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::fields(vec![FieldError::new(field, "empty", zh, en)])
}

pub(super) fn need_enterprise(doc: &AppDoc) -> ApiResult<&EnterpriseInfo> {
    doc.app.input.enterprise.as_ref().ok_or_else(|| {
        missing(
            "enterprise",
            "请先填写企业信息",
            "enterprise information missing",
        )
    })
}

pub(super) fn need_handler(doc: &AppDoc) -> ApiResult<&HandlerInfo> {
    doc.app.input.handler.as_ref().ok_or_else(|| {
        missing(
            "handler",
            "请先填写经办人信息",
            "handler information missing",
        )
    })
}

/// The channel decides which handler verification methods it accepts.
pub(super) fn method_offered(
    state: &AppState,
    doc: &AppDoc,
    m: HandlerVerification,
) -> ApiResult<()> {
    if state
        .channel(&doc.app.channel_id)?
        .handler_verification
        .contains(&m)
    {
        Ok(())
    } else {
        Err(ApiError::fields(vec![FieldError::new(
            "method",
            "method_not_offered",
            "该渠道不支持此经办人核验方式",
            "this channel does not offer this handler verification method",
        )]))
    }
}
