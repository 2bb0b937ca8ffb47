//! When an application's enterprise verification passes, it holds its organisation:
//! other accounts' unfinished applications for the same USCC that never passed it are
//! cancelled with a reason, so a stranger's early draft cannot block the organisation.

use certdesk_ca_api::application::{ApplicationStatus, RequirementKind, RequirementStatus};
use rusqlite::Connection;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::applications::{self, AppDoc};
use crate::workflow::{load_any, save_and_tell};

/// Stable reason code on the superseded application's enterprise-verification requirement.
pub const SUPERSEDED: &str = "superseded";

/// Cancels the unbound unfinished applications for `winner`'s organisation; returns
/// how many. Their owners are told by SMS/e-mail, without the winner's id.
pub fn supersede_unbound(conn: &Connection, state: &AppState, winner: &AppDoc) -> ApiResult<usize> {
    let Some(ent) = &winner.app.input.enterprise else {
        return Ok(0);
    };
    let ids = applications::unbound_with_identity(conn, &ent.uscc, &winner.app.id)?;
    for id in &ids {
        let mut doc = load_any(conn, id)?;
        doc.app.status = ApplicationStatus::Cancelled;
        crate::domain::requirements::set(
            &mut doc.app,
            RequirementKind::EnterpriseVerification,
            RequirementStatus::Invalid,
            Some((SUPERSEDED, "该单位的另一笔订单已通过企业认证，本订单已取消")),
        );
        let text = format!(
            "您的订单{}已取消：该单位的另一笔订单已通过企业认证。如有疑问请联系CA。",
            doc.app.number_or_id()
        );
        save_and_tell(conn, state, &mut doc, &text)?;
        tracing::info!(application = %doc.app.id, "unverified application superseded");
    }
    Ok(ids.len())
}
