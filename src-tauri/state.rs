use std::sync::Mutex;

use certdesk_core::paths::AppPaths;
use certdesk_core::settings::{Settings, SettingsStore};
use certdesk_core::{CoreError, logging};
use certdesk_ipc::{CaConnection, StatusSnapshot, TokenPresence};
use tracing_appender::non_blocking::WorkerGuard;

/// State shared by all commands.
pub struct AppState {
    pub paths: AppPaths,
    pub settings_store: SettingsStore,
    pub settings: Mutex<Settings>,
    pub status: Mutex<StatusSnapshot>,
    pub http: reqwest::Client,
    _log_guard: WorkerGuard,
}

impl AppState {
    pub fn init() -> Result<Self, CoreError> {
        let paths = AppPaths::from_env()?;
        paths.create_all()?;
        let log_guard = logging::init(&paths.log_dir)?;
        let settings_store = SettingsStore::new(&paths.config_dir);
        let settings = settings_store.load().unwrap_or_else(|e| {
            // Keep the corrupt file for support; run on defaults instead of refusing to start.
            tracing::error!(error = %e, "settings unreadable, using defaults");
            Settings::default()
        });
        Ok(Self {
            paths,
            settings_store,
            settings: Mutex::new(settings),
            status: Mutex::new(StatusSnapshot {
                ca: CaConnection::NotConfigured,
                // Until the token layer reports, say so rather than claim "no token".
                token: TokenPresence::Unavailable {
                    reason: certdesk_ipc::ErrorCode::NotConfigured,
                },
            }),
            http: reqwest::Client::new(),
            _log_guard: log_guard,
        })
    }

    /// The CA address in force: the user's setting, else `CERTDESK_CA_URL` (set by the
    /// demo and the tests to the sandbox reference CA).
    pub fn ca_url(&self) -> Option<String> {
        let from_settings = self.settings.lock().ok().and_then(|s| s.ca_url.clone());
        from_settings.or_else(|| {
            std::env::var("CERTDESK_CA_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
    }
}
