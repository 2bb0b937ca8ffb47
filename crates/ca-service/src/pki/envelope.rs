//! Dual certificates: the CA (as key-management centre) generates the encryption key
//! pair and delivers its private key enveloped to the subscriber's signing key:
//! a fresh AES-256 key, RSA-OAEP (SHA-1, MGF1-SHA-1, empty label) encrypted under the
//! signing certificate's public key, and the PKCS#8 private key wrapped under that AES
//! key with AES key wrap with padding (RFC 5649). SoftHSM2 and common tokens unwrap both.

use aes_kw::KwpAes256;
use aes_kw::cipher::KeyInit;
use spki::{DecodePublicKey, SubjectPublicKeyInfoOwned};

use super::PkiError;
use super::keys::rng;

pub struct Envelope {
    pub wrapped_aes_key: Vec<u8>,
    pub wrapped_private_key: Vec<u8>,
}

pub fn kwp_wrap(kek: &[u8; 32], data: &[u8]) -> Result<Vec<u8>, PkiError> {
    let kw = KwpAes256::new(kek.into());
    let mut buf = vec![0u8; data.len() + 16];
    let out = kw
        .wrap_key(data, &mut buf)
        .map_err(|e| PkiError::Key(e.to_string()))?;
    Ok(out.to_vec())
}

pub fn kwp_unwrap(kek: &[u8; 32], data: &[u8]) -> Result<Vec<u8>, PkiError> {
    let kw = KwpAes256::new(kek.into());
    let mut buf = vec![0u8; data.len()];
    let out = kw
        .unwrap_key(data, &mut buf)
        .map_err(|e| PkiError::Key(e.to_string()))?;
    Ok(out.to_vec())
}

/// Envelopes `pkcs8` to the RSA signing key in `signing_spki`.
pub fn seal(signing_spki: &SubjectPublicKeyInfoOwned, pkcs8: &[u8]) -> Result<Envelope, PkiError> {
    let der = der::Encode::to_der(signing_spki)?;
    let pk =
        rsa::RsaPublicKey::from_public_key_der(&der).map_err(|e| PkiError::Key(e.to_string()))?;
    let aes: [u8; 32] = rand::random();
    let wrapped_aes_key = pk
        .encrypt(&mut rng(), rsa::Oaep::<sha1::Sha1>::new(), &aes)
        .map_err(|e| PkiError::Key(e.to_string()))?;
    Ok(Envelope {
        wrapped_aes_key,
        wrapped_private_key: kwp_wrap(&aes, pkcs8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kwp_round_trip_and_tamper_detection() {
        let kek: [u8; 32] = rand::random();
        let data = b"a PKCS#8 key of odd length....".to_vec();
        let w = kwp_wrap(&kek, &data).unwrap();
        assert_eq!(w.len() % 8, 0);
        assert_eq!(kwp_unwrap(&kek, &w).unwrap(), data);
        let mut bad = w.clone();
        bad[3] ^= 1;
        assert!(kwp_unwrap(&kek, &bad).is_err());
    }
}
