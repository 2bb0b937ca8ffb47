//! Field encryption at rest: AES-256-GCM under a data key kept in the OS keychain.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::db::StoreError;
use crate::keychain::{Keychain, KeychainError};

const NONCE_LEN: usize = 12;
/// Keychain entry holding the data key (hex).
pub const KEY_ENTRY: &str = "drafts-data-key";

/// The 256-bit data key. Never logged, zeroed on drop.
pub struct DraftKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DraftKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DraftKey(‹redacted›)")
    }
}

impl DraftKey {
    /// A key from its raw bytes (e.g. handed to a helper process in a test).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn generate() -> Self {
        Self(Zeroizing::new(rand::random()))
    }

    /// The key in the keychain, created and stored on first use.
    pub fn load_or_create(keychain: &Keychain) -> Result<Self, KeychainError> {
        if let Some(hex_key) = keychain.get(KEY_ENTRY)? {
            let mut bytes = Zeroizing::new([0u8; 32]);
            hex::decode_to_slice(hex_key.expose_secret(), bytes.as_mut_slice())
                .map_err(|_| KeychainError::Damaged(KEY_ENTRY))?;
            return Ok(Self(bytes));
        }
        let key = Self::generate();
        keychain.set(
            KEY_ENTRY,
            &SecretString::from(hex::encode(key.0.as_slice())),
        )?;
        Ok(key)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(self.0.as_slice().into())
    }

    /// nonce ‖ ciphertext. `aad` binds the value to its row, so a value copied into
    /// another draft or field does not decrypt.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, StoreError> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let ct = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce_bytes),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| StoreError::Corrupt("encryption failed".into()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        if sealed.len() < NONCE_LEN {
            return Err(StoreError::Decrypt);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| StoreError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let k = DraftKey::generate();
        let s = k
            .seal("11010519491231002X".as_bytes(), b"d1/handler.id_number")
            .unwrap();
        assert!(!s.windows(18).any(|w| w == b"11010519491231002X"));
        assert_eq!(
            &k.open(&s, b"d1/handler.id_number").unwrap()[..],
            b"11010519491231002X"
        );
        // Another row, another key, or a flipped bit: refused.
        assert!(matches!(
            k.open(&s, b"d2/handler.id_number"),
            Err(StoreError::Decrypt)
        ));
        assert!(matches!(
            DraftKey::generate().open(&s, b"d1/handler.id_number"),
            Err(StoreError::Decrypt)
        ));
        let mut bad = s.clone();
        bad[20] ^= 1;
        assert!(k.open(&bad, b"d1/handler.id_number").is_err());
        // Same value twice: different ciphertexts (fresh nonce), so equal values don't show.
        assert_ne!(
            s,
            k.seal("11010519491231002X".as_bytes(), b"d1/handler.id_number")
                .unwrap()
        );
        assert!(!format!("{k:?}").contains(&hex::encode(k.0.as_slice())));
    }
}
