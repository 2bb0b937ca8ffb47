//! Production providers as HTTP adapters: the service POSTs JSON to the configured URL
//! with `Authorization: Bearer <token>`. The contract of each (request → answer):
//!
//! - registry: `{"uscc"}` → 200 `RegistryCompany` JSON, or 404 when unknown;
//! - identity: `{"check":"phone_three_factor"|"bank_card_four_factor","name","id_number",
//!   "phone","bank_card"?}` → 200 `{"match": bool}`;
//! - face: `{"check_id","person"}` → 2xx (the person then opens `check_url`);
//! - sms / email / mail: `{"channel","to","subject","body"}` → 2xx, sent after the
//!   request by a background task. The outbox row keeps channel, recipient, subject and
//!   time — never the body (one-time codes, card passwords).
//!
//! Payments verify the provider's HMAC with the configured merchant key; face results
//! arrive at `POST /v1/face-checks/{id}/result` signed with `[face] result_key`.

use std::collections::HashMap;
use std::time::Duration;

use certdesk_ca_api::application::Person;
use certdesk_ca_api::payment::PaymentProvider;
use certdesk_ca_api::sandbox::{OutboxChannel, RegistryCompany};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::config::{PaymentMethod, Providers, Webhook};
use super::{
    EnterpriseRegistry, FaceChecks, IdentityChecks, Notifier, PaymentGateway, ProviderError,
};
use crate::clock::Clock;
use crate::store::{StoreError, outbox};

const TIMEOUT: Duration = Duration::from_secs(10);

fn client() -> reqwest::Client {
    // reqwest is built without a bundled crypto provider: ring, as in ca-client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .unwrap_or_default()
}

fn unavailable(provider: &'static str, reason: impl ToString) -> ProviderError {
    ProviderError::Unavailable {
        provider,
        reason: reason.to_string(),
    }
}

/// One synchronous call (the callers hold a database transaction): 404 → `None`.
fn call(
    http: &reqwest::Client,
    hook: &Webhook,
    provider: &'static str,
    body: &Value,
) -> Result<Option<Value>, ProviderError> {
    let handle = tokio::runtime::Handle::try_current().map_err(|e| unavailable(provider, e))?;
    let request = http.post(&hook.url).bearer_auth(&hook.token).json(body);
    tokio::task::block_in_place(|| {
        handle.block_on(async {
            let resp = request.send().await.map_err(|e| unavailable(provider, e))?;
            match resp.status().as_u16() {
                404 => Ok(None),
                200..=299 => {
                    let v = resp.json::<Value>().await.unwrap_or(Value::Null);
                    Ok(Some(v))
                }
                s => Err(unavailable(provider, format!("answered {s}"))),
            }
        })
    })
}

pub struct WebhookRegistry {
    pub http: reqwest::Client,
    pub hook: Webhook,
}

impl EnterpriseRegistry for WebhookRegistry {
    fn lookup(
        &self,
        _conn: &Connection,
        uscc: &str,
    ) -> Result<Option<RegistryCompany>, ProviderError> {
        match call(&self.http, &self.hook, "registry", &json!({ "uscc": uscc }))? {
            None => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| unavailable("registry", e)),
        }
    }
}

pub struct WebhookIdentityChecks {
    pub http: reqwest::Client,
    pub hook: Webhook,
}

#[derive(Deserialize)]
struct MatchAnswer {
    #[serde(rename = "match")]
    matched: bool,
}

impl WebhookIdentityChecks {
    fn ask(&self, body: Value) -> Result<bool, ProviderError> {
        let v = call(&self.http, &self.hook, "identity", &body)?
            .ok_or_else(|| unavailable("identity", "answered 404"))?;
        serde_json::from_value::<MatchAnswer>(v)
            .map(|a| a.matched)
            .map_err(|e| unavailable("identity", e))
    }
}

impl IdentityChecks for WebhookIdentityChecks {
    fn phone_three_factor(
        &self,
        name: &str,
        id_number: &str,
        phone: &str,
    ) -> Result<bool, ProviderError> {
        self.ask(json!({"check": "phone_three_factor", "name": name,
            "id_number": id_number, "phone": phone}))
    }
    fn bank_card_four_factor(
        &self,
        name: &str,
        id_number: &str,
        phone: &str,
        card: &str,
    ) -> Result<bool, ProviderError> {
        self.ask(json!({"check": "bank_card_four_factor", "name": name,
            "id_number": id_number, "phone": phone, "bank_card": card}))
    }
}

pub struct WebhookFaceChecks {
    pub http: reqwest::Client,
    pub hook: Webhook,
    pub check_url: String,
    pub result_key: String,
}

impl FaceChecks for WebhookFaceChecks {
    fn start(&self, id: &str, person: Person) -> Result<String, ProviderError> {
        call(
            &self.http,
            &self.hook,
            "face",
            &json!({ "check_id": id, "person": person }),
        )?;
        Ok(self.url(id))
    }
    fn url(&self, id: &str) -> String {
        self.check_url.replace("{id}", id)
    }
    fn verify_result(&self, body: &[u8], signature_hex: &str) -> bool {
        super::signed_by(&self.result_key, body, signature_hex)
    }
}

/// Delivers through the SMS, e-mail and mail adapters; records no bodies.
pub struct WebhookNotifier {
    queue: mpsc::UnboundedSender<(Webhook, Value)>,
    sms: Webhook,
    email: Webhook,
    mail: Webhook,
    clock: Clock,
}

impl WebhookNotifier {
    /// Starts the delivery task (needs a Tokio runtime).
    pub fn start(http: reqwest::Client, [sms, email, mail]: [Webhook; 3], clock: Clock) -> Self {
        let (queue, mut rx) = mpsc::unbounded_channel::<(Webhook, Value)>();
        tokio::spawn(async move {
            while let Some((hook, body)) = rx.recv().await {
                let sent = http
                    .post(&hook.url)
                    .bearer_auth(&hook.token)
                    .json(&body)
                    .send()
                    .await
                    .and_then(|r| r.error_for_status());
                if let Err(e) = sent {
                    // The body (a code, a password) is never logged.
                    tracing::warn!(channel = %body["channel"], error = %e, "notification not delivered");
                }
            }
        });
        Self {
            queue,
            sms,
            email,
            mail,
            clock,
        }
    }
}

impl Notifier for WebhookNotifier {
    fn send(
        &self,
        conn: &Connection,
        channel: OutboxChannel,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        outbox::push(conn, channel, to, subject, "", self.clock.now())?;
        let hook = match channel {
            OutboxChannel::Sms => &self.sms,
            OutboxChannel::Email => &self.email,
            OutboxChannel::Mail => &self.mail,
        };
        let message = json!({ "channel": channel, "to": to, "subject": subject, "body": body });
        if self.queue.send((hook.clone(), message)).is_err() {
            tracing::error!("notification queue closed");
        }
        Ok(())
    }
}

/// Merchant payment accounts: QR content from the template, HMAC with the merchant key.
pub struct HmacPayments {
    pub methods: HashMap<PaymentProvider, PaymentMethod>,
}

impl PaymentGateway for HmacPayments {
    fn code_url(&self, provider: PaymentProvider, payment_id: &str, amount_fen: u64) -> String {
        self.methods
            .get(&provider)
            .map(|m| {
                m.code_url
                    .replace("{payment_id}", payment_id)
                    .replace("{amount_fen}", &amount_fen.to_string())
            })
            .unwrap_or_default()
    }

    fn verify_notify(&self, provider: PaymentProvider, body: &[u8], signature_hex: &str) -> bool {
        self.methods
            .get(&provider)
            .is_some_and(|m| super::signed_by(&m.notify_key, body, signature_hex))
    }
}

/// The production set, from a checked configuration.
pub struct Production {
    pub registry: WebhookRegistry,
    pub checks: WebhookIdentityChecks,
    pub face: WebhookFaceChecks,
    pub notifier: WebhookNotifier,
    pub payments: HmacPayments,
}

impl Production {
    pub fn start(p: Providers, clock: Clock) -> Self {
        let http = client();
        Production {
            registry: WebhookRegistry {
                http: http.clone(),
                hook: p.registry,
            },
            checks: WebhookIdentityChecks {
                http: http.clone(),
                hook: p.identity,
            },
            face: WebhookFaceChecks {
                http: http.clone(),
                hook: Webhook {
                    url: p.face.url,
                    token: p.face.token,
                },
                check_url: p.face.check_url,
                result_key: p.face.result_key,
            },
            notifier: WebhookNotifier::start(http, [p.sms, p.email, p.mail], clock),
            payments: HmacPayments { methods: p.payment },
        }
    }
}
