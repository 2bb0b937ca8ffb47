//! The environment check (环境检测) and the support bundle.
//!
//! Tauri-free so the app and `certdesk-cli doctor` run the same checks: token modules
//! found and loadable (with their tokens), the smart-card service and readers, the CA's
//! reachability and TLS, and this computer's clock against the CA's.

mod bundle;
mod ca;
mod report;
mod scrub;
pub mod self_check;
mod tokens;

use std::path::PathBuf;

use certdesk_token::TokenService;

pub use bundle::{BundleError, BundleInput, write_bundle};
pub use ca::{CLOCK_TOLERANCE_SECS, check_ca};
pub use report::{
    CaCheck, ClockCheck, DamageKind, DamagedObject, DiagnosticBundle, EnvironmentReport,
    ModuleCheck, ObjectClassName, ReaderFound, SmartCardCheck, TokenFound,
};
pub use scrub::scrub;
pub use tokens::{check_modules, check_smart_card, damaged_object};

/// What to check.
pub struct Scope<'a> {
    /// Modules the user added (settings, `--module`, `CERTDESK_PKCS11_MODULE`); with
    /// `only_user_modules`, exactly these are checked, else also every known vendor
    /// module found on disk.
    pub user_modules: &'a [PathBuf],
    pub only_user_modules: bool,
    pub ca_url: Option<&'a str>,
}

/// Runs every check. Never fails: each part reports its own trouble.
pub async fn run(svc: &TokenService, scope: &Scope<'_>) -> EnvironmentReport {
    let modules = check_modules(svc, scope.user_modules, scope.only_user_modules).await;
    let smart_card = check_smart_card();
    let (ca, clock) = check_ca(scope.ca_url).await;
    EnvironmentReport {
        app_version: String::new(),
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        modules,
        smart_card,
        ca,
        clock,
    }
}
