//! Token modules (PKCS#11 drivers) and the smart-card service.

use std::collections::HashSet;
use std::path::PathBuf;

use certdesk_token::{
    Damage, ModuleSource, ObjectKind, TokenInfo, TokenObject, TokenService, discover,
};

use crate::report::{
    DamageKind, DamagedObject, ModuleCheck, ObjectClassName, ReaderFound, SmartCardCheck,
    TokenFound,
};

/// Loads each candidate module and lists its tokens. Candidates are the user's modules
/// (reported even when the file is missing: the user named it) plus, unless `only_user`,
/// the known vendor modules present on disk; each file once.
pub async fn check_modules(
    svc: &TokenService,
    user_modules: &[PathBuf],
    only_user: bool,
) -> Vec<ModuleCheck> {
    let mut seen = HashSet::new();
    let candidates: Vec<_> = discover(user_modules)
        .into_iter()
        .filter(|c| c.exists || c.source == ModuleSource::User)
        .filter(|c| !only_user || c.source == ModuleSource::User)
        // Distribution symlinks often name one library twice.
        .filter(|c| seen.insert(c.path.canonicalize().unwrap_or_else(|_| c.path.clone())))
        .collect();
    let mut checks = Vec::with_capacity(candidates.len());
    for c in candidates {
        let path = c.path.display().to_string();
        let vendor = if c.product.is_empty() {
            c.vendor.clone()
        } else {
            format!("{} {}", c.vendor, c.product)
        };
        let loaded = match svc.module_info(c.path.clone()).await {
            Ok(info) => svc
                .list_tokens(c.path.clone())
                .await
                .map(|tokens| (info, tokens)),
            Err(e) => Err(e),
        };
        let loaded = match loaded {
            Ok((info, tokens)) => {
                let mut found = Vec::new();
                // A blank token without even a serial is an empty slot (SoftHSM2 always
                // offers one), not a USBKey.
                for t in tokens
                    .iter()
                    .filter(|t| t.token_initialized || !t.serial.trim().is_empty())
                {
                    found.push(token_found(t, damaged(svc, t).await));
                }
                Ok((info, found))
            }
            Err(e) => Err(e),
        };
        checks.push(match loaded {
            Ok((info, tokens)) => ModuleCheck::Loaded {
                path,
                vendor,
                library: format!("{} {}", info.manufacturer, info.description)
                    .trim()
                    .to_owned(),
                version: info.library_version,
                tokens,
            },
            Err(e) => {
                tracing::warn!(module = %c.path.display(), error = %e, "module check failed");
                ModuleCheck::Broken {
                    path,
                    vendor,
                    detail: e.to_string(),
                }
            }
        });
    }
    checks
}

/// The token's damaged objects as far as the session sees them (no PIN here: public
/// objects, private ones too if the app is logged in). A token that cannot be read is
/// reported by the other checks, not here.
async fn damaged(svc: &TokenService, t: &TokenInfo) -> Vec<DamagedObject> {
    if !t.token_initialized {
        return Vec::new();
    }
    match svc.inventory(t.token.clone()).await {
        Ok(inv) => inv.damaged().filter_map(damaged_object).collect(),
        Err(e) => {
            tracing::warn!(serial = %t.serial, error = %e, "token objects could not be read");
            Vec::new()
        }
    }
}

/// The IPC form of a damaged object (`None` for a whole one).
pub fn damaged_object(o: &TokenObject) -> Option<DamagedObject> {
    Some(DamagedObject {
        kind: match o.kind {
            ObjectKind::Certificate => ObjectClassName::Certificate,
            ObjectKind::PublicKey => ObjectClassName::PublicKey,
            ObjectKind::PrivateKey => ObjectClassName::PrivateKey,
            ObjectKind::SecretKey => ObjectClassName::SecretKey,
            ObjectKind::Data => ObjectClassName::Data,
        },
        handle: o.handle,
        id: o.id.clone(),
        label: o.label.clone(),
        damage: match o.damage? {
            Damage::EmptyCertificate => DamageKind::EmptyCertificate,
            Damage::UnreadableCertificate => DamageKind::UnreadableCertificate,
            Damage::KeyWithoutId => DamageKind::KeyWithoutId,
            Damage::Unreadable => DamageKind::Unreadable,
        },
        fingerprint: o.fingerprint.clone(),
    })
}

fn token_found(t: &TokenInfo, damaged: Vec<DamagedObject>) -> TokenFound {
    TokenFound {
        label: t.label.clone(),
        serial: t.serial.clone(),
        manufacturer: t.manufacturer.clone(),
        model: t.model.clone(),
        initialized: t.token_initialized,
        pin: t.pin_state,
        damaged,
    }
}

/// The PC/SC service and its readers.
pub fn check_smart_card() -> SmartCardCheck {
    match certdesk_token::pcsc_status() {
        Ok(readers) => SmartCardCheck::Running {
            readers: readers
                .into_iter()
                .map(|r| ReaderFound {
                    name: r.name,
                    card_present: r.card_present,
                })
                .collect(),
        },
        Err(e) => SmartCardCheck::NotRunning {
            detail: e.to_string(),
        },
    }
}
