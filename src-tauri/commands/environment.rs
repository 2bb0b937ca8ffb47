//! 环境检测: the environment check and the support bundle (`certdesk-diagnostics`).

use std::path::PathBuf;

use certdesk_diagnostics::{BundleInput, Scope, damaged_object};
use certdesk_ipc::{
    DamagedObject, DiagnosticBundle, EnvironmentReport, ErrorCode, IpcError, KeyAlgorithmName,
    SelfCheckAlgorithm, SelfCheckOutcome, SelfCheckRequest, SelfCheckResult, SelfCheckStep,
    SelfCheckStepResult,
};
use certdesk_token::{
    AlgorithmCheck, CheckStep, KeyAlgorithm, Outcome, SecretString, SelfCheckReport, TokenRef,
    TokenService,
};

use super::certificates::token_error;
use tauri::{AppHandle, Manager};

use crate::state::AppState;
use crate::tokens::TokenWatch;

/// Runs every check; always answers (each part reports its own trouble).
#[tauri::command]
pub async fn environment_check(app: AppHandle) -> Result<EnvironmentReport, IpcError> {
    let state = app.state::<AppState>();
    let (user_modules, only_user) = user_modules(&state);
    let svc = service(&app)?;
    let ca_url = state.ca_url();
    let mut report = certdesk_diagnostics::run(
        &svc,
        &Scope {
            user_modules: &user_modules,
            only_user_modules: only_user,
            ca_url: ca_url.as_deref(),
        },
    )
    .await;
    report.app_version = env!("CARGO_PKG_VERSION").to_owned();
    Ok(report)
}

/// The status bar's token service when it runs (a module is loaded once per process);
/// otherwise one just for this check.
fn service(app: &AppHandle) -> Result<TokenService, IpcError> {
    match app.try_state::<TokenWatch>() {
        Some(watch) => Ok(watch.service().0.clone()),
        None => {
            TokenService::start().map_err(|e| IpcError::new(ErrorCode::TokenModule, e.to_string()))
        }
    }
}

/// The USBKey self-check with the user's PIN; the report is kept for the support bundle.
#[tauri::command]
pub async fn self_check(
    app: AppHandle,
    request: SelfCheckRequest,
) -> Result<SelfCheckResult, IpcError> {
    let svc = service(&app)?;
    let report = svc
        .self_check(
            token(&request.module, &request.token_serial),
            SecretString::from(request.pin),
        )
        .await
        .map_err(token_error)?;
    let state = app.state::<AppState>();
    if let Err(e) = certdesk_diagnostics::self_check::save(&state.paths.data_dir, &report) {
        tracing::warn!(error = %e, "self-check report not saved for the support bundle");
    }
    tracing::info!(token = %report.token.serial, passed = report.passed(), "USBKey self-check");
    Ok(result(&report))
}

fn result(r: &SelfCheckReport) -> SelfCheckResult {
    SelfCheckResult {
        token_serial: r.token.serial.clone(),
        label: r.label.clone(),
        manufacturer: r.manufacturer.clone(),
        model: r.model.clone(),
        algorithms: r.algorithms.iter().map(algorithm).collect(),
        leftovers_removed: u32::try_from(r.leftovers_removed).unwrap_or(u32::MAX),
        untouched: r.untouched,
        changed: u32::try_from(r.changed.len()).unwrap_or(u32::MAX),
        passed: r.passed(),
    }
}

fn algorithm(a: &AlgorithmCheck) -> SelfCheckAlgorithm {
    SelfCheckAlgorithm {
        algorithm: match a.algorithm {
            KeyAlgorithm::Rsa2048 => KeyAlgorithmName::Rsa2048,
            KeyAlgorithm::Rsa3072 => KeyAlgorithmName::Rsa3072,
            KeyAlgorithm::EcP256 => KeyAlgorithmName::EcdsaP256,
            KeyAlgorithm::Sm2 => KeyAlgorithmName::Sm2,
        },
        offered: a.offered,
        vendor_row: a.vendor_row.clone(),
        confirmed: a.confirmed,
        steps: a
            .steps
            .iter()
            .map(|s| {
                let (outcome, detail) = match &s.outcome {
                    Outcome::Passed => (SelfCheckOutcome::Passed, None),
                    Outcome::NotVerifiable => (SelfCheckOutcome::NotVerifiable, None),
                    Outcome::Failed { detail } => (SelfCheckOutcome::Failed, Some(detail.clone())),
                    Outcome::NotRun => (SelfCheckOutcome::NotRun, None),
                };
                SelfCheckStepResult {
                    step: match s.step {
                        CheckStep::KeyPair => SelfCheckStep::KeyPair,
                        CheckStep::Csr => SelfCheckStep::Csr,
                        CheckStep::WriteCertificate => SelfCheckStep::WriteCertificate,
                        CheckStep::ReadBack => SelfCheckStep::ReadBack,
                        CheckStep::SignVerify => SelfCheckStep::SignVerify,
                        CheckStep::Delete => SelfCheckStep::Delete,
                    },
                    outcome,
                    detail,
                }
            })
            .collect(),
    }
}

/// The token worker of the status bar; repairing needs the module it has loaded.
fn watch_service(app: &AppHandle) -> Result<TokenService, IpcError> {
    app.try_state::<TokenWatch>()
        .map(|w| w.service().0.clone())
        .ok_or_else(|| IpcError::new(ErrorCode::TokenAbsent, "no PKCS#11 module is configured"))
}

fn token(module: &str, serial: &str) -> TokenRef {
    TokenRef {
        module: PathBuf::from(module),
        serial: serial.to_owned(),
    }
}

/// Logs in to the token (private keys are visible only then) and lists its damaged
/// objects, for the user to confirm their removal. The session stays logged in for
/// [`repair_token`].
#[tauri::command]
pub async fn inspect_token_damage(
    app: AppHandle,
    module: String,
    serial: String,
    pin: String,
) -> Result<Vec<DamagedObject>, IpcError> {
    let svc = watch_service(&app)?;
    let t = token(&module, &serial);
    svc.login(t.clone(), SecretString::from(pin), false)
        .await
        .map_err(token_error)?;
    let inv = svc.inventory(t).await.map_err(token_error)?;
    Ok(inv.damaged().filter_map(damaged_object).collect())
}

/// Deletes the damaged objects the user confirmed (named by fingerprint), each only
/// while it is still damaged and unchanged; nothing else on the token is touched.
/// Returns how many were deleted, and logs out.
#[tauri::command]
pub async fn repair_token(
    app: AppHandle,
    module: String,
    serial: String,
    fingerprints: Vec<String>,
) -> Result<u32, IpcError> {
    let svc = watch_service(&app)?;
    let t = token(&module, &serial);
    let inv = svc.inventory(t.clone()).await.map_err(token_error)?;
    let chosen: Vec<_> = inv
        .damaged()
        .filter(|o| fingerprints.contains(&o.fingerprint))
        .cloned()
        .collect();
    let n = svc
        .destroy_objects(t.clone(), chosen)
        .await
        .map_err(token_error)?;
    let _ = svc.logout(t).await;
    tracing::info!(serial = %serial, deleted = n, "damaged token objects removed");
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Runs the check again and writes the zip into the Downloads folder (else the data
/// folder), for the user to send to support.
#[tauri::command]
pub async fn diagnostic_bundle(app: AppHandle) -> Result<DiagnosticBundle, IpcError> {
    let report = environment_check(app.clone()).await?;
    let state = app.state::<AppState>();
    let out_dir = directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(PathBuf::from))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| state.paths.data_dir.join("diagnostics"));
    let about = vec![
        ("data folder", state.paths.data_dir.display().to_string()),
        ("log folder", state.paths.log_dir.display().to_string()),
        (
            "CA",
            state.ca_url().unwrap_or_else(|| "not configured".into()),
        ),
    ];
    let log_dir = state.paths.log_dir.clone();
    let self_check = certdesk_diagnostics::self_check::read(&state.paths.data_dir);
    tauri::async_runtime::spawn_blocking(move || {
        certdesk_diagnostics::write_bundle(&BundleInput {
            report: &report,
            log_dir: &log_dir,
            out_dir: &out_dir,
            about,
            self_check,
        })
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Storage, e.to_string()))?
    .map_err(|e| IpcError::new(ErrorCode::Storage, e.to_string()))
}

/// The modules the user configured, and whether to check only those (core's rule).
fn user_modules(state: &AppState) -> (Vec<PathBuf>, bool) {
    let extra = state
        .settings
        .lock()
        .map(|s| s.extra_modules.clone())
        .unwrap_or_default();
    certdesk_core::modules::ModuleChoice::from_env(&extra).checked()
}
