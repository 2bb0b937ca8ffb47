//! Pre-flight of the inserted tokens for one application, for the token choice in the
//! app: each token with its PIN state and the reason it cannot take the certificate.
//! The download itself checks the same rules again (nothing is trusted from the UI).

use std::path::Path;

use certdesk_ca_api::channel::KeyAlgorithm as CaKeyAlgorithm;
use certdesk_token::{PinState, TokenInfo, TokenService};

use super::download::{DownloadError, check_capabilities, key_label, token_algorithm};

/// One inserted token and whether it can take this application's certificate.
#[derive(Debug)]
pub struct TokenFitness {
    pub info: TokenInfo,
    pub pin_state: PinState,
    /// `None`: fit. A final PIN try is not a problem here (the user may confirm it).
    pub problem: Option<DownloadError>,
}

/// Lists the initialised tokens of `module` and checks each against the channel's
/// algorithm and certificate set, its memory, write protection, PIN lock, and whether
/// it already holds this application's certificate.
pub async fn token_fitness(
    svc: &TokenService,
    module: &Path,
    application_id: &str,
    algorithm: CaKeyAlgorithm,
    dual: bool,
) -> Result<Vec<TokenFitness>, DownloadError> {
    let label = key_label(application_id);
    // Modules that fix their slot list at initialisation (SoftHSM2, some vendors') see a
    // re-inserted token only after a rescan; nothing is logged in at this point.
    let _ = svc.rescan(module.to_path_buf()).await;
    let mut out = Vec::new();
    for info in svc.list_tokens(module.to_path_buf()).await? {
        if !info.token_initialized {
            continue;
        }
        let problem = match svc.capabilities(info.token.clone()).await {
            Ok(caps) => match check_capabilities(&caps, token_algorithm(algorithm), dual, true) {
                Err(e) => Some(e),
                Ok(()) => match svc.list_certificates(info.token.clone()).await {
                    Ok(certs) if certs.iter().any(|c| !c.is_ca && c.label == label) => {
                        Some(DownloadError::AlreadyOnToken)
                    }
                    Ok(_) => None,
                    Err(e) => Some(e.into()),
                },
            },
            Err(e) => Some(e.into()),
        };
        out.push(TokenFitness {
            pin_state: info.pin_state,
            info,
            problem,
        });
    }
    Ok(out)
}
