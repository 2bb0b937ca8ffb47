//! E-invoices (电子发票) of the signed-in account: listed per paid order, the PDF fetched
//! for saving, and re-sent to an e-mail address checked before anything is sent.

use certdesk_ca_api::FieldError;
use certdesk_ca_api::application::{Application, ApplicationStatus, ListState};
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::payment::Invoice;
use serde::Serialize;

use super::desk::{Result, Workflow};
use super::error::WorkflowError;

/// One paid order and its invoices (an order is listed once paid, even before its
/// invoice is issued, so the page can say the invoice is on its way).
#[derive(Debug, Clone, Serialize)]
pub struct OrderInvoices {
    pub application_id: String,
    /// The order number to show (empty from a CA that gives none).
    pub number: String,
    pub business: Business,
    pub status: ApplicationStatus,
    pub enterprise_name: Option<String>,
    pub amount_fen: u64,
    pub invoices: Vec<Invoice>,
}

/// Orders that have been paid: every status after payment except a cancelled draft.
fn paid(app: &Application) -> bool {
    !matches!(
        app.status,
        ApplicationStatus::Draft
            | ApplicationStatus::AwaitingPayment
            | ApplicationStatus::Cancelled
    ) && app.amount_fen > 0
}

/// The e-mail address, trimmed, or the field error the form shows.
pub fn check_email(email: &str) -> Result<String> {
    let email = email.trim();
    certdesk_ident::email(email).map_err(|_| WorkflowError::InvalidInput {
        fields: vec![FieldError::new(
            "email",
            "email_format",
            "邮箱地址格式不正确",
            "the e-mail address is not valid",
        )],
    })?;
    Ok(email.to_string())
}

impl Workflow {
    /// Paid orders (first page of each tab) with their invoices, newest first.
    pub async fn invoices_by_order(&self) -> Result<Vec<OrderInvoices>> {
        let c = self.client();
        let mut out = Vec::new();
        for state in [ListState::Unfinished, ListState::Finished] {
            let page = c
                .list_applications(state, None, None)
                .await
                .map_err(|e| self.fail(e))?;
            for app in page.items.into_iter().filter(paid) {
                let invoices = c.invoices(&app.id).await.map_err(|e| self.fail(e))?;
                out.push(OrderInvoices {
                    enterprise_name: app.input.enterprise.as_ref().map(|e| e.name.clone()),
                    number: app.number,
                    application_id: app.id,
                    business: app.business,
                    status: app.status,
                    amount_fen: app.amount_fen,
                    invoices,
                });
            }
        }
        Ok(out)
    }

    /// The invoice's PDF bytes (checked to be a PDF before the shell writes them).
    pub async fn invoice_pdf(&self, invoice_id: &str) -> Result<Vec<u8>> {
        let pdf = self
            .client()
            .invoice_pdf(invoice_id)
            .await
            .map_err(|e| self.fail(e))?;
        if !pdf.starts_with(b"%PDF-") {
            return Err(WorkflowError::CaProtocol(
                certdesk_ca_client::ClientError::Decode("the invoice download is not a PDF".into()),
            ));
        }
        Ok(pdf)
    }

    /// Sends the invoice again, to `email` (checked first; nothing is sent if invalid).
    pub async fn resend_invoice(&self, invoice_id: &str, email: &str) -> Result<Invoice> {
        let email = check_email(email)?;
        self.client()
            .resend_invoice(invoice_id, &email)
            .await
            .map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_checked_and_trimmed() {
        assert_eq!(
            check_email("  caiwu@example.com.cn ").ok().as_deref(),
            Some("caiwu@example.com.cn")
        );
        for bad in ["", "caiwu", "caiwu@", "@example.com", "a b@example.com"] {
            assert!(
                matches!(check_email(bad), Err(WorkflowError::InvalidInput { .. })),
                "{bad}"
            );
        }
    }
}
