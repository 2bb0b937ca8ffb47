//! `certdesk://` deep links (as in the CA's review e-mail): open the app at an order.

use certdesk_ca_api::FieldError;
use serde::Serialize;

use super::error::WorkflowError;

pub const SCHEME: &str = "certdesk://";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "target", rename_all = "snake_case")]
pub enum DeepLink {
    /// `certdesk://orders/<application id>` (or `order/`)
    Order { application_id: String },
}

/// The link for an order, for the CA's e-mails and for sharing.
pub fn order_link(application_id: &str) -> String {
    format!("{SCHEME}orders/{application_id}")
}

fn invalid() -> WorkflowError {
    WorkflowError::InvalidInput {
        fields: vec![FieldError::new(
            "link",
            "invalid_link",
            "链接无法识别",
            "not a CertDesk link",
        )],
    }
}

/// Parses a link handed to the app by the OS. Anything else is refused: a link is
/// input from outside (an e-mail), so only plain ids pass.
pub fn parse(url: &str) -> Result<DeepLink, WorkflowError> {
    let rest = url.trim().strip_prefix(SCHEME).ok_or_else(invalid)?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut parts = rest.trim_end_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next()) {
        // `order/` as well: the spelling people type and some mails carry.
        (Some("orders" | "order"), Some(id), None)
            if !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            Ok(DeepLink::Order {
                application_id: id.to_string(),
            })
        }
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn order_links_round_trip() {
        let l = order_link("app_0123abcd");
        assert_eq!(
            parse(&l).unwrap(),
            DeepLink::Order {
                application_id: "app_0123abcd".into()
            }
        );
        assert_eq!(
            parse("certdesk://order/app_2").unwrap(),
            DeepLink::Order {
                application_id: "app_2".into()
            }
        );
        assert_eq!(
            parse("certdesk://orders/app_1/?from=mail").unwrap(),
            DeepLink::Order {
                application_id: "app_1".into()
            }
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "https://orders/app_1",
            "certdesk://orders/",
            "certdesk://orders/../../etc",
            "certdesk://orders/app_1/cancel",
            "certdesk://payments/p_1",
            "certdesk://orders/app%201",
        ] {
            assert!(
                matches!(parse(bad), Err(WorkflowError::InvalidInput { .. })),
                "{bad}"
            );
        }
    }
}
