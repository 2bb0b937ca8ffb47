//! What a token can do for an enrolment, read from its mechanism list and token info,
//! for pre-flight checks before a one-time password card is spent (issue 7).

use cryptoki::mechanism::MechanismType;
use cryptoki_sys as sys;

use crate::error::{PinState, Result};
use crate::mechanisms::{self, Sm2Mechanisms};
use crate::pubkey::KeyAlgorithm;
use crate::tokens::token_info;
use crate::worker::{TokenRef, TokenService, Worker};

/// Enrolment capabilities of one token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Capabilities {
    /// Algorithms the token can generate and sign with, as CertDesk uses them.
    pub key_algorithms: Vec<KeyAlgorithm>,
    /// SM2 vendor row matched in the mechanism list (always unverified for now).
    pub sm2: Option<Sm2Mechanisms>,
    /// Envelope import possible: RSA-OAEP plus AES key wrap with padding.
    pub envelope_wrap_mechanism: Option<String>,
    pub pin_state: PinState,
    pub free_public_memory: Option<usize>,
    pub free_private_memory: Option<usize>,
    pub write_protected: bool,
}

impl Capabilities {
    pub fn supports(&self, algorithm: KeyAlgorithm) -> bool {
        self.key_algorithms.contains(&algorithm)
    }
}

fn read(w: &mut Worker, token: &TokenRef) -> Result<Capabilities> {
    let (m, slot) = w.find_slot(token)?;
    let mechs = m.raw_mechanisms(slot.id())?;
    let info = token_info(&m, slot)?;
    // Key sizes come from C_GetMechanismInfo; a module that does not say is trusted.
    let rsa_max = MechanismType::try_from(sys::CKM_RSA_PKCS_KEY_PAIR_GEN)
        .ok()
        .and_then(|t| m.ctx.get_mechanism_info(slot, t).ok())
        .map(|i| i.max_key_size())
        .unwrap_or(usize::MAX);
    let mut key_algorithms = Vec::new();
    let rsa_sign = mechs.contains(&sys::CKM_SHA256_RSA_PKCS) || mechs.contains(&sys::CKM_RSA_PKCS);
    if mechs.contains(&sys::CKM_RSA_PKCS_KEY_PAIR_GEN) && rsa_sign {
        if rsa_max >= 2048 {
            key_algorithms.push(KeyAlgorithm::Rsa2048);
        }
        if rsa_max >= 3072 {
            key_algorithms.push(KeyAlgorithm::Rsa3072);
        }
    }
    if mechs.contains(&sys::CKM_EC_KEY_PAIR_GEN) && mechs.contains(&sys::CKM_ECDSA) {
        key_algorithms.push(KeyAlgorithm::EcP256);
    }
    let sm2 = mechanisms::sm2_for(&mechs);
    if sm2.is_some() {
        key_algorithms.push(KeyAlgorithm::Sm2);
    }
    let envelope_wrap_mechanism = if mechs.contains(&sys::CKM_RSA_PKCS_OAEP) {
        mechanisms::aes_wrap_pad(&mechs).map(mechanisms::name_of)
    } else {
        None
    };
    Ok(Capabilities {
        key_algorithms,
        sm2,
        envelope_wrap_mechanism,
        pin_state: info.pin_state,
        free_public_memory: info.free_public_memory,
        free_private_memory: info.free_private_memory,
        write_protected: info.write_protected,
    })
}

impl TokenService {
    /// Enrolment capabilities of a token (no login needed).
    pub async fn capabilities(&self, token: TokenRef) -> Result<Capabilities> {
        self.call(move |w| read(w, &token)).await
    }
}
