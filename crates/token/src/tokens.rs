//! Token and mechanism information.

use cryptoki::slot::Slot;

use crate::error::{PinState, Result};
use crate::modules::{Module, ModuleInfo};
use crate::worker::{TokenRef, TokenService, Worker};

/// What a token reports about itself.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub token: TokenRef,
    /// Informational only: never use it to address the token.
    pub slot_id: u64,
    pub slot_description: String,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub pin_state: PinState,
    pub so_pin_state: PinState,
    pub user_pin_initialized: bool,
    pub user_pin_to_be_changed: bool,
    pub token_initialized: bool,
    pub login_required: bool,
    pub write_protected: bool,
    pub min_pin_len: usize,
    pub max_pin_len: usize,
    pub free_public_memory: Option<usize>,
    pub total_public_memory: Option<usize>,
    pub free_private_memory: Option<usize>,
    pub total_private_memory: Option<usize>,
    pub hardware_version: String,
    pub firmware_version: String,
}

/// One mechanism the token supports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MechanismEntry {
    pub id: u64,
    pub name: String,
    pub min_key_size: Option<u64>,
    pub max_key_size: Option<u64>,
}

pub(crate) fn pin_state(count_low: bool, final_try: bool, locked: bool) -> PinState {
    if locked {
        PinState::Locked
    } else if final_try {
        PinState::FinalTry
    } else if count_low {
        PinState::CountLow
    } else {
        PinState::Ok
    }
}

pub(crate) fn token_info(m: &Module, slot: Slot) -> Result<TokenInfo> {
    let t = m.ctx.get_token_info(slot)?;
    let s = m.ctx.get_slot_info(slot)?;
    Ok(TokenInfo {
        token: TokenRef {
            module: m.path.clone(),
            serial: t.serial_number().trim().to_string(),
        },
        slot_id: slot.id(),
        slot_description: s.slot_description().trim().to_string(),
        label: t.label().trim().to_string(),
        manufacturer: t.manufacturer_id().trim().to_string(),
        model: t.model().trim().to_string(),
        serial: t.serial_number().trim().to_string(),
        pin_state: pin_state(
            t.user_pin_count_low(),
            t.user_pin_final_try(),
            t.user_pin_locked(),
        ),
        so_pin_state: pin_state(
            t.so_pin_count_low(),
            t.so_pin_final_try(),
            t.so_pin_locked(),
        ),
        user_pin_initialized: t.user_pin_initialized(),
        user_pin_to_be_changed: t.user_pin_to_be_changed(),
        token_initialized: t.token_initialized(),
        login_required: t.login_required(),
        write_protected: t.write_protected(),
        min_pin_len: t.min_pin_length(),
        max_pin_len: t.max_pin_length(),
        free_public_memory: t.free_public_memory(),
        total_public_memory: t.total_public_memory(),
        free_private_memory: t.free_private_memory(),
        total_private_memory: t.total_private_memory(),
        hardware_version: t.hardware_version().to_string(),
        firmware_version: t.firmware_version().to_string(),
    })
}

pub(crate) fn list(w: &mut Worker, module: &std::path::Path) -> Result<Vec<TokenInfo>> {
    let m = w.module(module)?;
    let mut out = Vec::new();
    for slot in m.ctx.get_slots_with_token()? {
        // A token pulled between the two calls is simply not listed.
        if let Ok(info) = token_info(&m, slot) {
            out.push(info);
        }
    }
    Ok(out)
}

pub(crate) fn mechanisms(w: &mut Worker, token: &TokenRef) -> Result<Vec<MechanismEntry>> {
    let (m, slot) = w.find_slot(token)?;
    let known = m.ctx.get_mechanism_list(slot)?;
    let mut out = Vec::new();
    for id in m.raw_mechanisms(slot.id())? {
        let typed = known.iter().find(|k| u64::from(**k) == id);
        let info = typed.and_then(|k| m.ctx.get_mechanism_info(slot, *k).ok());
        out.push(MechanismEntry {
            id,
            name: typed
                .map(|k| k.to_string())
                .unwrap_or_else(|| crate::mechanisms::name_of(id)),
            min_key_size: info.as_ref().map(|i| i.min_key_size() as u64),
            max_key_size: info.as_ref().map(|i| i.max_key_size() as u64),
        });
    }
    Ok(out)
}

impl TokenService {
    /// Library information of a module (loads it if needed).
    pub async fn module_info(&self, module: std::path::PathBuf) -> Result<ModuleInfo> {
        self.call(move |w| w.module(&module)?.info()).await
    }

    /// Tokens currently present in a module's slots.
    pub async fn list_tokens(&self, module: std::path::PathBuf) -> Result<Vec<TokenInfo>> {
        self.call(move |w| list(w, &module)).await
    }

    /// Fresh information for one token.
    pub async fn token_info(&self, token: TokenRef) -> Result<TokenInfo> {
        self.call(move |w| {
            let (m, slot) = w.find_slot(&token)?;
            token_info(&m, slot)
        })
        .await
    }

    /// Every mechanism the token reports, including numbers cryptoki does not name.
    pub async fn mechanisms(&self, token: TokenRef) -> Result<Vec<MechanismEntry>> {
        self.call(move |w| mechanisms(w, &token)).await
    }

    /// `C_Finalize` + `C_Initialize` of a module so it rescans its slots; drops its open
    /// sessions. Skipped while one of them is logged in (see `Worker::rescan`).
    pub async fn rescan(&self, module: std::path::PathBuf) -> Result<()> {
        self.call(move |w| w.rescan(&module)).await
    }
}
