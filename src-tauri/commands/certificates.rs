//! My certificates (我的证书): list (inserted + last seen), PIN change, export through a
//! save dialog opened here in Rust (the webview has no fs or dialog permission), and
//! renewal. Token and renewal errors become IPC errors in [`token_error`] /
//! [`renewal_to_ipc`], once.

use std::path::PathBuf;

use certdesk_core::certificates::{self, CertificateCache, MyCertificate as CoreCert};
use certdesk_core::enrollment::{self, RenewalRequest};
use certdesk_core::pin_rules;
use certdesk_core::standing;
use certdesk_ipc::{
    CertificateRef, CertificateStanding, ChangePinRequest, ErrorCode, ExportFormat, IpcError,
    MyCertificate, MyCertificates, PinRuleDetails, RenewRequest, RenewalDone, RenewalProgress,
    SavedFile, TokenPinInfo, client_to_ipc, renewal_to_ipc, standing_to_ipc, store_to_ipc,
    token_to_ipc,
};
use certdesk_token::{SecretString, TokenError, TokenRef, TokenService};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::save;
use crate::state::AppState;
use crate::tokens::TokenWatch;

/// The last-seen cache, opened on first use.
pub struct CertStore(std::sync::OnceLock<CertificateCache>);

impl CertStore {
    pub fn new() -> Self {
        Self(std::sync::OnceLock::new())
    }
}

pub fn cache<'a>(app: &'a AppHandle, state: &AppState) -> Result<&'a CertificateCache, IpcError> {
    let store = app.state::<CertStore>().inner();
    if let Some(c) = store.0.get() {
        return Ok(c);
    }
    let c = state.store().certificates().map_err(storage)?;
    Ok(store.0.get_or_init(|| c))
}

use store_to_ipc as storage;

/// A token failure as every command says it (the one mapping is certdesk-ipc's).
pub fn token_error(e: TokenError) -> IpcError {
    token_to_ipc(&e)
}

/// The token worker and module, or `token_absent` when no module is configured.
fn token_service(app: &AppHandle) -> Result<(TokenService, PathBuf), IpcError> {
    let watch = app
        .try_state::<TokenWatch>()
        .ok_or_else(|| IpcError::new(ErrorCode::TokenAbsent, "no PKCS#11 module is configured"))?;
    let (svc, module) = watch.service();
    Ok((svc.clone(), module.to_path_buf()))
}

use certificates::{now_rfc3339, now_unix};

/// Inserted and last-seen certificates (the cache is refreshed on the way).
pub async fn scan(app: &AppHandle) -> Result<certificates::Scan, IpcError> {
    let state = app.state::<AppState>();
    let cache = cache(app, &state)?;
    match token_service(app) {
        Ok((svc, module)) => certificates::scan(&svc, &[module], cache, &now_rfc3339())
            .await
            .map_err(storage),
        Err(_) => Ok(certificates::Scan {
            certificates: cache.all().map_err(storage)?,
            ..Default::default()
        }),
    }
}

fn to_ipc(c: &CoreCert, now: i64, interrupted: &[enrollment::Interrupted]) -> MyCertificate {
    let days_left = c.days_left(now);
    // The core's standing and the IPC's spell the same; never asked is "unchecked".
    let standing = c
        .standing
        .as_ref()
        .map(|s| CertificateStanding::from(s.clone()))
        .unwrap_or(CertificateStanding::Unchecked);
    let revoked = matches!(standing, CertificateStanding::Revoked { .. });
    let renewal_interrupted = interrupted
        .iter()
        .any(|i| i.token == c.token && i.serial == c.serial);
    MyCertificate {
        module: c.token.module.display().to_string(),
        token_serial: c.token.serial.clone(),
        token_label: c.token_label.clone(),
        inserted: c.inserted,
        serial: c.serial.clone(),
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        chain: c.chain.clone(),
        not_before: c.not_before.clone(),
        not_after: c.not_after.clone(),
        days_left,
        key_algorithm: c.key_algorithm.clone(),
        // The CA opens renewal 90 days before expiry (see the reference CA's renewal);
        // an interrupted renewal is always offered, to be finished; never a revoked one.
        renewable: c.inserted && !revoked && ((0..90).contains(&days_left) || renewal_interrupted),
        last_seen: c.last_seen.clone(),
        standing,
        renewal_interrupted,
    }
}

#[tauri::command]
pub async fn my_certificates(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<MyCertificates, IpcError> {
    listed(&state, &scan(&app).await?)
}

/// Asks the CA whether each listed certificate is still valid (a reissue or a change
/// revokes the old one), remembers the answers and returns the list with them. Offline:
/// `ca_unreachable`, and the list keeps what was last known.
#[tauri::command]
pub async fn check_certificate_standing(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<MyCertificates, IpcError> {
    let mut scan = scan(&app).await?;
    refresh_standing(&app, &state, &mut scan.certificates).await?;
    listed(&state, &scan)
}

/// The CA's word on `certs`, recorded in the cache and attached.
pub async fn refresh_standing(
    app: &AppHandle,
    state: &AppState,
    certs: &mut [CoreCert],
) -> Result<(), IpcError> {
    let ca_url = state
        .ca_url()
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no CA service address"))?;
    let client = certdesk_ca_client::CaClient::new(&ca_url).map_err(client_to_ipc)?;
    let cache = cache(app, state)?;
    standing::refresh(&client, cache, certs, &now_rfc3339())
        .await
        .map_err(standing_to_ipc)
}

/// Removes a certificate of a token that is not inserted from the list (the token was
/// lost or handed back). Refused for an inserted token: it lists what it holds.
#[tauri::command]
pub async fn forget_certificate(
    app: AppHandle,
    state: State<'_, AppState>,
    certificate: CertificateRef,
) -> Result<(), IpcError> {
    let scan = scan(&app).await?;
    let cert = find(&scan, &certificate)?;
    if cert.inserted {
        return Err(IpcError::new(
            ErrorCode::Conflict,
            "the certificate is on an inserted token",
        ));
    }
    standing::forget(cache(&app, &state)?, &cert.token, &cert.serial).map_err(storage)?;
    tracing::info!(serial = %cert.serial, "certificate removed from the last-seen list");
    Ok(())
}

fn listed(state: &AppState, scan: &certificates::Scan) -> Result<MyCertificates, IpcError> {
    let now = now_unix();
    let interrupted =
        enrollment::interrupted(&state.store().journal().map_err(storage)?).map_err(storage)?;
    Ok(MyCertificates {
        certificates: scan
            .certificates
            .iter()
            .map(|c| to_ipc(c, now, &interrupted))
            .collect(),
        tokens: scan
            .tokens
            .iter()
            .map(|t| TokenPinInfo {
                module: t.token.module.display().to_string(),
                serial: t.serial.clone(),
                label: t.label.clone(),
                pin_status: t.pin_state,
                min_pin_len: u32::try_from(t.min_pin_len).unwrap_or(u32::MAX),
                max_pin_len: u32::try_from(t.max_pin_len).unwrap_or(u32::MAX),
                damaged: scan
                    .damaged
                    .iter()
                    .filter(|(tok, _)| *tok == t.token)
                    .filter_map(|(_, o)| certdesk_diagnostics::damaged_object(o))
                    .collect(),
                pin_change_required: scan.pin_change.contains(&t.token),
            })
            .collect(),
    })
}

fn token_ref(module: &str, serial: &str) -> TokenRef {
    TokenRef {
        module: PathBuf::from(module),
        serial: serial.to_string(),
    }
}

/// Checks the new PIN's rules, then `C_SetPIN` on the token (old PIN counts as a try).
#[tauri::command]
pub async fn change_pin(app: AppHandle, request: ChangePinRequest) -> Result<(), IpcError> {
    let (svc, _) = token_service(&app)?;
    let token = token_ref(&request.module, &request.token_serial);
    let info = svc.token_info(token.clone()).await.map_err(token_error)?;
    if let Err(rule) = pin_rules::check(
        &request.old_pin,
        &request.new_pin,
        info.min_pin_len,
        info.max_pin_len,
    ) {
        return Err(
            IpcError::new(ErrorCode::InvalidInput, "the new PIN breaks a rule").with_details(
                PinRuleDetails {
                    pin_rule: rule.into(),
                    min: Some(info.min_pin_len.max(pin_rules::MIN_LEN)),
                    max: Some(info.max_pin_len),
                },
            ),
        );
    }
    let old = SecretString::from(request.old_pin);
    let new = SecretString::from(request.new_pin);
    svc.change_pin(token.clone(), old, new.clone(), request.confirm_final_try)
        .await
        .map_err(token_error)?;
    // The mailed initial PIN is gone: so is the "change it at first use" record. A
    // failure here only means being asked again next time, so it is not the user's.
    let cleared = async {
        svc.login(token.clone(), new.clone(), false).await?;
        svc.clear_pin_change(token.clone()).await
    };
    if let Err(e) = cleared.await {
        tracing::warn!(error = %e, token = %token.serial, "first-use PIN record not cleared");
    }
    // A session logged in with the old PIN stays valid, but start clean.
    let _ = svc.logout(token.clone()).await;
    tracing::info!(token = %token.serial, "token PIN changed");
    Ok(())
}

fn find<'a>(scan: &'a certificates::Scan, r: &CertificateRef) -> Result<&'a CoreCert, IpcError> {
    scan.certificates
        .iter()
        .find(|c| {
            c.serial == r.serial
                && c.token.serial == r.token_serial
                && c.token.module == std::path::Path::new(&r.module)
        })
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no such certificate"))
}

/// Writes the certificate (never a key) where the user chooses in the save dialog.
#[tauri::command]
pub async fn export_certificate(
    app: AppHandle,
    certificate: CertificateRef,
    format: ExportFormat,
) -> Result<SavedFile, IpcError> {
    let scan = scan(&app).await?;
    let cert = find(&scan, &certificate)?;
    let (bytes, ext, filter) = match format {
        ExportFormat::Pem => (
            certificates::to_pem(&cert.der)
                .map_err(storage)?
                .into_bytes(),
            "pem",
            "PEM",
        ),
        ExportFormat::Der => (cert.der.clone(), "cer", "DER"),
    };
    let name = format!("certificate-{}.{ext}", certificate.serial);
    save::save_bytes(&app, &name, filter, &[ext], bytes).await
}

/// Renews the certificate on its token (proof of possession, new key, new certificate,
/// self-test, confirm, then the old one removed).
#[tauri::command]
pub async fn renew_certificate(
    app: AppHandle,
    state: State<'_, AppState>,
    request: RenewRequest,
) -> Result<RenewalDone, IpcError> {
    let (svc, _) = token_service(&app)?;
    let ca_url = state
        .ca_url()
        .ok_or_else(|| IpcError::new(ErrorCode::NotConfigured, "no CA service address"))?;
    let c = &request.certificate;
    let req = RenewalRequest {
        ca_url,
        token: token_ref(&c.module, &c.token_serial),
        serial: c.serial.clone(),
        pin: SecretString::from(request.pin),
        confirm_final_pin_try: request.confirm_final_try,
    };
    let mut journal = state.store().journal().map_err(storage)?;
    let serial = c.serial.clone();
    let emitter = app.clone();
    let mut progress = move |step: enrollment::RenewalStep| {
        tracing::info!(?step, "renewal step");
        let _ = emitter.emit(
            certdesk_ipc::RENEWAL_PROGRESS,
            RenewalProgress {
                serial: serial.clone(),
                step,
            },
        );
    };
    let done = enrollment::renew(&svc, &mut journal, &req, &mut progress)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, code = e.code(), "renewal failed");
            renewal_to_ipc(e)
        })?;
    // Refresh the cache so the old certificate disappears from "last seen" too.
    let _ = scan(&app).await;
    Ok(done.into())
}
