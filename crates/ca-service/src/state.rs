//! Everything a request handler may reach.

use std::path::PathBuf;
use std::sync::Arc;

use certdesk_ca_api::channel::Channel;
use secrecy::SecretString;

use crate::channels::Channels;
use crate::clock::{Clock, ClockControl};
use crate::error::{ApiError, ApiResult};
use crate::providers::{EnterpriseRegistry, FaceChecks, IdentityChecks, Notifier, PaymentGateway};
use crate::store::Db;

pub struct AppState {
    pub db: Db,
    pub channels: Channels,
    pub base_url: String,
    pub sandbox: bool,
    pub staff_token: SecretString,
    /// The CLI's own staff credential (`DIR/cli-token`), so its actions are audited as `cli`.
    pub cli_token: SecretString,
    /// Key of the one-time-code hashes (`DIR/otp-key`, 0600).
    pub otp_key: SecretString,
    pub data_dir: PathBuf,
    pub otp_ttl_secs: i64,
    pub payment_ttl_secs: i64,
    /// A request unanswered after this gets `request_timeout` (408).
    pub request_timeout: std::time::Duration,
    /// Sandbox only: added to the time `/healthz` reports.
    pub reported_clock_offset_secs: i64,
    pub registry: Arc<dyn EnterpriseRegistry>,
    pub checks: Arc<dyn IdentityChecks>,
    pub notifier: Arc<dyn Notifier>,
    pub payments: Arc<dyn PaymentGateway>,
    pub face: Arc<dyn FaceChecks>,
    pub pki: crate::pki::Pki,
    /// The one source of the time (see `clock`).
    pub clock: Clock,
    /// Moves `clock`: only in a sandbox started with `--test-clock`, never in production.
    pub clock_control: Option<ClockControl>,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// Now, in Unix seconds (the service's clock).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn channel(&self, id: &str) -> ApiResult<&Channel> {
        self.channels.get_any(id).ok_or_else(|| {
            ApiError::Internal(format!("application refers to unknown channel {id}"))
        })
    }
}
