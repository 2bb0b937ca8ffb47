//! From a signed-in order straight to the download (订单 → 处理 → 下载): the look-up's
//! answer and the facts the password-card step checks, taken from the order instead of
//! being typed again.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::Action;
use certdesk_ca_api::download::DownloadCandidate;

use super::desk::{Result, Workflow};
use super::error::WorkflowError;

/// What the download page needs to skip the look-up for one of the applicant's orders.
#[derive(Clone)]
pub struct OrderDownload {
    pub candidate: DownloadCandidate,
    /// The phone the CA checks with the password card.
    pub phone: String,
    /// The organisation code the CA checks with the password card.
    pub org_code: String,
}

/// Without the phone and the organisation code (personal numbers never reach a log).
impl std::fmt::Debug for OrderDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderDownload")
            .field("candidate", &self.candidate)
            .finish_non_exhaustive()
    }
}

impl Workflow {
    /// The signed-in applicant's order, ready for the password card. An order the CA
    /// does not offer for download (not approved yet, mailed on a USBKey, done) is
    /// refused as the CA would refuse it.
    pub async fn order_download(&self, application_id: &str) -> Result<OrderDownload> {
        let app = self
            .client()
            .application(application_id)
            .await
            .map_err(|e| self.fail(e))?;
        let org_code = app.input.enterprise.as_ref().map(|e| e.org_code.clone());
        let phone = app.input.contact_phone().map(str::to_owned);
        let (Some(org_code), Some(phone)) = (org_code, phone) else {
            return Err(not_downloadable());
        };
        if !app.actions.contains(&Action::Download) {
            return Err(not_downloadable());
        }
        let channel = self.channel(&app.channel_id).await?;
        Ok(OrderDownload {
            candidate: DownloadCandidate {
                organisation_name: app
                    .input
                    .enterprise
                    .as_ref()
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                number: app.number,
                application_id: app.id,
                status: app.status,
                key_algorithm: channel.key_algorithm,
                certificate_set: channel.certificate_set,
                actions: app.actions,
            },
            phone,
            org_code,
        })
    }
}

fn not_downloadable() -> WorkflowError {
    WorkflowError::CaRejected {
        code: ProblemCode::InvalidState,
        fields: Vec::new(),
        retry_after: None,
    }
}
