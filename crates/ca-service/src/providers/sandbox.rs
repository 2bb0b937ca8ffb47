//! Sandbox providers: deterministic, documented behaviour for testers.

use certdesk_ca_api::payment::PaymentProvider;
use certdesk_ca_api::sandbox::{OutboxChannel, RegistryCompany};
use rusqlite::Connection;

use super::{
    EnterpriseRegistry, FaceChecks, IdentityChecks, Notifier, PaymentGateway, ProviderError,
};
use crate::clock::Clock;
use crate::store::{StoreError, outbox, records};
use certdesk_ca_api::application::Person;

/// Registry fixture in the service's own database (`/sandbox/registry` adds companies).
pub struct SandboxRegistry;

impl EnterpriseRegistry for SandboxRegistry {
    fn lookup(
        &self,
        conn: &Connection,
        uscc: &str,
    ) -> Result<Option<RegistryCompany>, ProviderError> {
        Ok(records::registry_get(conn, uscc)?)
    }
}

/// Companies present on first start.
pub fn registry_fixture() -> Vec<RegistryCompany> {
    use certdesk_ident::testing;
    [
        ("北京示例科技有限公司", "张三", 1, "active"),
        ("永城市示例建设工程有限公司", "李四", 2, "active"),
        ("北京已注销贸易有限公司", "王五", 3, "deregistered"),
    ]
    .into_iter()
    .map(|(name, rep, seed, status)| RegistryCompany {
        uscc: testing::uscc(seed),
        name: name.to_string(),
        legal_rep_name: rep.to_string(),
        legal_rep_id_number: testing::resident_id(seed),
        status: status.to_string(),
    })
    .collect()
}

/// Sandbox rule (documented on the sandbox page): a phone number or bank card ending
/// in `0000` fails its check; everything else well-formed passes.
pub struct SandboxIdentityChecks;

impl IdentityChecks for SandboxIdentityChecks {
    fn phone_three_factor(
        &self,
        _name: &str,
        _id: &str,
        phone: &str,
    ) -> Result<bool, ProviderError> {
        Ok(!phone.ends_with("0000"))
    }
    fn bank_card_four_factor(
        &self,
        _name: &str,
        _id: &str,
        phone: &str,
        card: &str,
    ) -> Result<bool, ProviderError> {
        Ok(!phone.ends_with("0000") && !card.ends_with("0000"))
    }
}

/// Face checks completed on the sandbox page (`/sandbox/face/{id}`).
pub struct SandboxFaceChecks {
    pub base_url: String,
}

impl FaceChecks for SandboxFaceChecks {
    fn start(&self, id: &str, _person: Person) -> Result<String, ProviderError> {
        Ok(self.url(id))
    }
    fn url(&self, id: &str) -> String {
        format!("{}/sandbox/face/{id}", self.base_url)
    }
    /// The sandbox face provider signs with its published key, `sandbox-face-secret`.
    fn verify_result(&self, body: &[u8], signature_hex: &str) -> bool {
        super::signed_by("sandbox-face-secret", body, signature_hex)
    }
}

/// Keeps every message, body included, for the sandbox page and the tests.
pub struct OutboxNotifier {
    pub clock: Clock,
}

impl Notifier for OutboxNotifier {
    fn send(
        &self,
        conn: &Connection,
        channel: OutboxChannel,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        tracing::info!(?channel, "notification queued");
        outbox::push(conn, channel, to, subject, body, self.clock.now())
    }
}

/// HMAC-SHA256 secret each sandbox provider signs its notifications with.
pub fn sandbox_secret(provider: PaymentProvider) -> String {
    format!("sandbox-{}-secret", provider.as_str())
}

pub use super::sign;

pub struct SandboxPayments {
    pub base_url: String,
}

impl PaymentGateway for SandboxPayments {
    fn code_url(&self, provider: PaymentProvider, payment_id: &str, amount_fen: u64) -> String {
        match provider {
            PaymentProvider::Wechat => format!("weixin://wxpay/bizpayurl?pr={payment_id}"),
            PaymentProvider::Alipay => format!("https://qr.alipay.com/sandbox/{payment_id}"),
            PaymentProvider::BankGateway => {
                format!(
                    "{}/sandbox/pay/{payment_id}?amount_fen={amount_fen}",
                    self.base_url
                )
            }
        }
    }

    fn verify_notify(&self, provider: PaymentProvider, body: &[u8], signature_hex: &str) -> bool {
        super::signed_by(&sandbox_secret(provider), body, signature_hex)
    }
}
