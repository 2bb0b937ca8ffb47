//! My certificates, renewals and e-invoices: the domain's values in their IPC shapes.

use certdesk_ca_api::download::RevocationReason as CaReason;
use certdesk_ca_api::payment::Invoice;
use certdesk_core::enrollment::Renewed;
use certdesk_core::standing::Standing;
use certdesk_core::workflow::OrderInvoices as CoreOrderInvoices;

use crate::{CertificateStanding, InvoiceInfo, OrderInvoices, RenewalDone, RevocationReason};

impl From<CaReason> for RevocationReason {
    fn from(r: CaReason) -> Self {
        match r {
            CaReason::Unspecified => Self::Unspecified,
            CaReason::KeyCompromise => Self::KeyCompromise,
            CaReason::AffiliationChanged => Self::AffiliationChanged,
            CaReason::Superseded => Self::Superseded,
            CaReason::CessationOfOperation => Self::CessationOfOperation,
        }
    }
}

impl From<Standing> for CertificateStanding {
    fn from(s: Standing) -> Self {
        match s {
            Standing::Valid { checked_at } => Self::Valid { checked_at },
            Standing::Revoked {
                revoked_at,
                reason,
                checked_at,
            } => Self::Revoked {
                revoked_at,
                reason: reason.map(Into::into),
                checked_at,
            },
        }
    }
}

impl From<Renewed> for RenewalDone {
    fn from(r: Renewed) -> Self {
        Self {
            application_id: r.application_id,
            old_serial: r.old_serial,
            new_serial: r.new_serial,
            not_after: r.not_after,
            resumed: r.resumed,
        }
    }
}

/// The tax number is not shown: it has no field here.
impl From<Invoice> for InvoiceInfo {
    fn from(i: Invoice) -> Self {
        Self {
            id: i.id,
            number: i.number,
            application_id: i.application_id,
            title: i.title,
            amount_fen: i.amount_fen,
            email: i.email,
            issued_at: i.issued_at,
        }
    }
}

impl From<CoreOrderInvoices> for OrderInvoices {
    fn from(o: CoreOrderInvoices) -> Self {
        Self {
            application_id: o.application_id,
            number: o.number,
            business: o.business,
            status: o.status,
            enterprise_name: o.enterprise_name,
            amount_fen: o.amount_fen,
            invoices: o.invoices.into_iter().map(Into::into).collect(),
        }
    }
}
