//! Production provider configuration (`certdesk-ca serve --providers FILE`, TOML).
//! Every provider must be named; keys are refused when they are the sandbox's
//! published ones (`sandbox-<provider>-secret`) or too short to be secret. Nothing
//! here ever falls back to a sandbox provider.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use certdesk_ca_api::payment::PaymentProvider;
use serde::Deserialize;

/// Shortest key or token accepted: 128 bits of hex or base64.
pub const MIN_SECRET_CHARS: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("no {0} provider is configured (payment method keys are [payment.<method>])")]
    Missing(String),
    #[error("{0}: the published sandbox key cannot be used outside --sandbox")]
    SandboxKey(String),
    #[error("{0}: a key or token needs at least {MIN_SECRET_CHARS} characters")]
    WeakKey(String),
    #[error("unknown payment method [payment.{0}] (known: wechat, alipay, bank_gateway)")]
    UnknownMethod(String),
    #[error("{0}: needs an http:// or https:// URL")]
    BadUrl(String),
}

/// A payment method (WeChat Pay, Alipay, bank gateway) as the merchant account knows it.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethod {
    /// HMAC-SHA256 key the provider signs its notifications with (`X-Payment-Signature`).
    pub notify_key: String,
    /// QR-code content; `{payment_id}` and `{amount_fen}` are filled in.
    pub code_url: String,
}

/// An HTTP adapter: the service POSTs JSON to `url` with `Authorization: Bearer token`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub url: String,
    pub token: String,
}

/// The face-check provider: started through its webhook (`url`, `token`); the person
/// opens `check_url` (`{id}` filled in); the result comes back signed with `result_key`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaceProvider {
    pub url: String,
    pub token: String,
    pub check_url: String,
    pub result_key: String,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvidersConfig {
    /// Keyed by method: `wechat`, `alipay`, `bank_gateway`; every method is required.
    pub payment: BTreeMap<String, PaymentMethod>,
    pub sms: Option<Webhook>,
    pub email: Option<Webhook>,
    /// Physical mail (password cards, paper): the mail house's order intake.
    pub mail: Option<Webhook>,
    /// Enterprise registry (工商登记) look-up.
    pub registry: Option<Webhook>,
    /// Phone three-factor and bank-card four-factor checks.
    pub identity: Option<Webhook>,
    pub face: Option<FaceProvider>,
}

/// The checked configuration: everything present, nothing sandbox.
pub struct Providers {
    pub payment: HashMap<PaymentProvider, PaymentMethod>,
    pub sms: Webhook,
    pub email: Webhook,
    pub mail: Webhook,
    pub registry: Webhook,
    pub identity: Webhook,
    pub face: FaceProvider,
}

const METHODS: [PaymentProvider; 3] = [
    PaymentProvider::Wechat,
    PaymentProvider::Alipay,
    PaymentProvider::BankGateway,
];

/// `sandbox-<anything>-secret`, the shape of every published sandbox key.
fn is_sandbox_key(s: &str) -> bool {
    let s = s.trim();
    s.starts_with("sandbox-") && s.ends_with("-secret")
}

fn secret(what: &str, value: &str) -> Result<(), ConfigError> {
    if is_sandbox_key(value) {
        return Err(ConfigError::SandboxKey(what.into()));
    }
    if value.trim().chars().count() < MIN_SECRET_CHARS {
        return Err(ConfigError::WeakKey(what.into()));
    }
    Ok(())
}

fn url(what: &str, value: &str) -> Result<(), ConfigError> {
    if value.starts_with("https://") || value.starts_with("http://") {
        Ok(())
    } else {
        Err(ConfigError::BadUrl(what.into()))
    }
}

fn webhook(what: &str, w: Option<Webhook>) -> Result<Webhook, ConfigError> {
    let w = w.ok_or_else(|| ConfigError::Missing(what.into()))?;
    url(&format!("[{what}] url"), &w.url)?;
    secret(&format!("[{what}] token"), &w.token)?;
    Ok(w)
}

impl ProvidersConfig {
    pub fn load(path: &Path) -> Result<Providers, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let cfg: ProvidersConfig = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.display().to_string(),
            source: Box::new(source),
        })?;
        cfg.check()
    }

    pub fn check(mut self) -> Result<Providers, ConfigError> {
        let mut payment = HashMap::new();
        for method in METHODS {
            let name = method.as_str();
            let m = self
                .payment
                .remove(name)
                .ok_or_else(|| ConfigError::Missing(format!("payment.{name}")))?;
            secret(&format!("[payment.{name}] notify_key"), &m.notify_key)?;
            if m.code_url.trim().is_empty() {
                return Err(ConfigError::Missing(format!("payment.{name}.code_url")));
            }
            payment.insert(method, m);
        }
        if let Some(unknown) = self.payment.keys().next() {
            return Err(ConfigError::UnknownMethod(unknown.clone()));
        }
        let face = self
            .face
            .ok_or_else(|| ConfigError::Missing("face".into()))?;
        webhook(
            "face",
            Some(Webhook {
                url: face.url.clone(),
                token: face.token.clone(),
            }),
        )?;
        url("[face] check_url", &face.check_url)?;
        secret("[face] result_key", &face.result_key)?;
        Ok(Providers {
            payment,
            sms: webhook("sms", self.sms)?,
            email: webhook("email", self.email)?,
            mail: webhook("mail", self.mail)?,
            registry: webhook("registry", self.registry)?,
            identity: webhook("identity", self.identity)?,
            face,
        })
    }
}
