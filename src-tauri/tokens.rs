//! Token presence for the status bar: one module is watched (polling, which also wakes
//! on PC/SC card events) and every change re-lists its tokens, so the bar always shows
//! what the module itself reports, by module + serial.

use std::path::PathBuf;

use certdesk_ipc::{ErrorCode, TokenPresence, TokenSummary};
use certdesk_token::{PresenceConfig, TokenInfo, TokenService, Watcher};
use tauri::{AppHandle, Manager};

use crate::state::AppState;
use crate::status;

/// Keeps the token service and its watchers alive for the life of the app; the
/// download uses the same service (one worker thread per process) and module.
pub struct TokenWatch {
    pub service: TokenService,
    pub module: PathBuf,
    /// Every module batch making takes blank tokens from (the watched one among them).
    pub making_modules: Vec<PathBuf>,
    _watchers: Vec<Watcher>,
}

impl TokenWatch {
    /// The token worker and the module it watches, for commands that use the token.
    pub fn service(&self) -> (&TokenService, &std::path::Path) {
        (&self.service, &self.module)
    }
}

pub fn start(app: &AppHandle) {
    let extra = app
        .state::<AppState>()
        .settings
        .lock()
        .map(|s| s.extra_modules.clone())
        .unwrap_or_default();
    let choice = certdesk_core::modules::ModuleChoice::from_env(&extra);
    let Some(module) = choice.watched() else {
        tracing::info!("no PKCS#11 module found; token detection off");
        set(
            app,
            TokenPresence::Unavailable {
                reason: ErrorCode::NotConfigured,
            },
        );
        return;
    };
    let service = match TokenService::start() {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "token service failed to start");
            set(
                app,
                TokenPresence::Unavailable {
                    reason: ErrorCode::TokenModule,
                },
            );
            return;
        }
    };
    let mut events = service.subscribe();
    let mut watchers = Vec::new();
    match service.watch_module(module.clone(), PresenceConfig::default()) {
        Ok(w) => watchers.push(w),
        Err(e) => tracing::error!(error = %e, "cannot start the PKCS#11 poller"),
    }
    // PC/SC events only speed the poller up; without a smart-card service it still works.
    match service.watch_pcsc(PresenceConfig::default()) {
        Ok(w) => watchers.push(w),
        Err(e) => tracing::info!(error = %e, "no PC/SC watcher"),
    }
    let svc = service.clone();
    app.manage(TokenWatch {
        service,
        module: module.clone(),
        making_modules: choice.making(),
        _watchers: watchers,
    });
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            relist(&app, &svc, &module).await;
            // Any event (a token or card came or went) means: look again.
            if let Err(tokio::sync::broadcast::error::RecvError::Closed) = events.recv().await {
                break;
            }
        }
    });
}

async fn relist(app: &AppHandle, svc: &TokenService, module: &std::path::Path) {
    let presence = match svc.list_tokens(module.to_path_buf()).await {
        Ok(tokens) => {
            // The counter locks at once when its operator's token is not among them.
            let present = tokens
                .iter()
                .map(|t| certdesk_token::TokenRef {
                    module: module.to_path_buf(),
                    serial: t.serial.clone(),
                })
                .collect();
            crate::counter::on_tokens(app, present).await;
            presence_of(module, &tokens)
        }
        Err(e) => {
            tracing::warn!(error = %e, code = e.code(), module = %module.display(), "listing tokens failed");
            // A counter whose operator token cannot be seen is not left open.
            crate::counter::on_tokens(app, Vec::new()).await;
            TokenPresence::Unavailable {
                reason: ErrorCode::TokenModule,
            }
        }
    };
    set(app, presence);
}

fn presence_of(module: &std::path::Path, tokens: &[TokenInfo]) -> TokenPresence {
    let tokens: Vec<TokenSummary> = tokens
        .iter()
        .filter(|t| t.token_initialized)
        .map(|t| TokenSummary {
            module: module.display().to_string(),
            serial: t.serial.clone(),
            label: t.label.clone(),
            manufacturer: t.manufacturer.clone(),
        })
        .collect();
    if tokens.is_empty() {
        TokenPresence::NoToken
    } else {
        TokenPresence::Present { tokens }
    }
}

fn set(app: &AppHandle, presence: TokenPresence) {
    if let Err(e) = status::update(app, |s| s.token = presence) {
        tracing::warn!(error = %e, "status update failed");
    }
}
