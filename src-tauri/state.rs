use std::sync::{Arc, Mutex};

use certdesk_core::ca_probe::CaProbe;
use certdesk_core::keychain::{DEFAULT_SERVICE, Keychain};
use certdesk_core::workflow::{Workflow, WorkflowConfig};
use certdesk_ipc::{ErrorCode, IpcError};

use certdesk_core::paths::AppPaths;
use certdesk_core::settings::{Settings, SettingsStore};
use certdesk_core::store::Store;
use certdesk_core::{CoreError, logging};
use certdesk_ipc::{CaConnection, StatusSnapshot, TokenPresence};
use tracing_appender::non_blocking::WorkerGuard;

/// State shared by all commands.
pub struct AppState {
    pub paths: AppPaths,
    pub settings_store: SettingsStore,
    pub settings: Mutex<Settings>,
    pub status: Mutex<StatusSnapshot>,
    /// The status bar's CA prober (through `certdesk-ca-client`, like every CA call).
    pub ca_probe: CaProbe,
    /// The local database (opened and migrated at its first use, after the first screen).
    store: Store,
    /// The workflow for the CA address in force (rebuilt when the address changes).
    workflow: Mutex<Option<(String, Arc<Workflow>)>>,
    /// The signed-in phone, masked, for the header; this run only (never the full number).
    pub masked_phone: Mutex<Option<String>>,
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
            store: Store::at(paths.workflow_db()),
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
            ca_probe: CaProbe::default(),
            workflow: Mutex::new(None),
            masked_phone: Mutex::new(None),
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

    /// The local database (`data/workflow.sqlite`): drafts, session, journal, certificates.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The workflow façade for the CA address in force: drafts and the resume point in
    /// `data/workflow.sqlite`, the session token and the drafts' key in the OS keychain.
    pub fn workflow(&self) -> Result<Arc<Workflow>, IpcError> {
        let url = self
            .ca_url()
            .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no CA service address"))?;
        let mut slot = self.workflow.lock().map_err(|_| crate::error::poisoned())?;
        if let Some((u, w)) = &*slot
            && *u == url
        {
            return Ok(w.clone());
        }
        let w = Arc::new(
            Workflow::open(WorkflowConfig {
                ca_url: url.clone(),
                store: self.store.clone(),
                keychain: Keychain::new(DEFAULT_SERVICE),
                client: certdesk_ca_client::ClientConfig::default(),
            })
            .map_err(crate::error::from_workflow)?,
        );
        *slot = Some((url, w.clone()));
        Ok(w)
    }
}
