//! Random identifiers, one-time codes, and hashes of secrets.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sha2::{Digest, Sha256};

/// `prefix_` + 20 lowercase base32-ish characters.
pub fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let s: String = (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{s}")
}

pub fn digits(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// High-entropy bearer token (256 bits, hex).
pub fn token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// For high-entropy or short-lived secrets (tokens, OTPs bound to a subject).
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// Keyed hash of a one-time code: HMAC-SHA256 under the service's own key (a file in
/// the data dir, not in ca.sqlite3), so a copy of the database alone cannot recover a
/// live six-digit code by trying all million of them.
pub fn otp_hash(key: &[u8], subject: &str, code: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    for p in ["otp", subject, code] {
        mac.update(p.as_bytes());
        mac.update(&[0u8]);
    }
    hex::encode(mac.finalize().into_bytes())
}

pub fn sha256_bytes_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Salted argon2id hash, for long-lived low-entropy secrets (password-card passwords).
pub fn argon2_hash(secret: &str) -> Result<String, argon2::password_hash::Error> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)?;
    Ok(Argon2::default()
        .hash_password(secret.as_bytes(), &salt)?
        .to_string())
}

pub fn argon2_verify(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Constant-time comparison of two secrets.
pub fn ct_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_round_trip_and_salted() {
        let a = argon2_hash("12345678").unwrap();
        let b = argon2_hash("12345678").unwrap();
        assert_ne!(a, b, "salt must differ");
        assert!(a.starts_with("$argon2id$"));
        assert!(argon2_verify("12345678", &a));
        assert!(!argon2_verify("12345679", &a));
    }

    #[test]
    fn ids_are_unique_and_prefixed() {
        let a = new_id("app");
        assert!(a.starts_with("app_") && a.len() == 24);
        assert_ne!(a, new_id("app"));
    }
}
