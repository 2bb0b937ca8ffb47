//! Sealing at rest: the application documents (names, resident identity numbers, phones,
//! addresses of the legal representative and handler) and the stored answers of creates
//! are AES-256-GCM ciphertext in `ca.sqlite3`, under a key derived from `DIR/data-key`
//! (0600, outside the database). A copy of the database alone reveals none of them.
//!
//! SQL sees two functions registered on the connection, so every query keeps its shape
//! and no call site handles the key: `seal(context, text) -> blob` and
//! `unseal(context, blob) -> text`. The context (`application:<id>`,
//! `idempotency:<principal>:<key>:<route>`) is the AEAD's associated data: a ciphertext
//! moved to another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use zeroize::Zeroizing;

/// First byte of every sealed value: the format, so a later one can be told apart.
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// The data key; only the cipher built from it is kept.
#[derive(Clone)]
pub struct DataKey(Aes256Gcm);

#[derive(Debug, thiserror::Error)]
#[error("a sealed value does not open (wrong data key, or the row was altered)")]
pub struct SealError;

impl DataKey {
    /// Derives the AES key from the secret in `DIR/data-key` (HMAC-SHA256 with a fixed
    /// label, so the same file could key other purposes without reuse).
    pub fn derive(secret: &[u8]) -> Self {
        use hmac::{Hmac, Mac};
        // HMAC takes keys of any length: new_from_slice cannot fail for it.
        let mut mac = <Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(b"certdesk-ca data at rest v1");
        let key = Zeroizing::new(mac.finalize().into_bytes());
        Self(Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(
            key.as_slice(),
        )))
    }

    pub fn seal(&self, context: &str, plain: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let payload = Payload {
            msg: plain,
            aad: context.as_bytes(),
        };
        // Encryption fails only for messages over 64 GiB.
        let sealed = self
            .0
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn unseal(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let (&format, rest) = sealed.split_first().ok_or(SealError)?;
        if format != FORMAT_V1 || rest.len() < NONCE_LEN {
            return Err(SealError);
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let payload = Payload {
            msg: body,
            aad: context.as_bytes(),
        };
        self.0
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SealError)
    }

    /// Registers `seal` and `unseal` on `conn` (before migrations, which use them).
    pub fn register(&self, conn: &Connection) -> rusqlite::Result<()> {
        let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
        let key = self.clone();
        conn.create_scalar_function("seal", 2, flags, move |ctx| {
            let context: String = ctx.get(0)?;
            let plain: String = ctx.get(1)?;
            Ok(key.seal(&context, plain.as_bytes()))
        })?;
        let key = self.clone();
        conn.create_scalar_function(
            "unseal",
            2,
            flags | FunctionFlags::SQLITE_DETERMINISTIC,
            move |ctx| {
                let context: String = ctx.get(0)?;
                let sealed: Vec<u8> = ctx.get(1)?;
                let plain = key
                    .unseal(&context, &sealed)
                    .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
                String::from_utf8(plain)
                    .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_in_its_own_context() {
        let key = DataKey::derive(b"secret");
        let sealed = key.seal("application:a", "110101199003071234".as_bytes());
        assert!(!sealed.windows(18).any(|w| w == b"110101199003071234"));
        assert_eq!(
            key.unseal("application:a", &sealed).unwrap(),
            b"110101199003071234"
        );
        assert!(key.unseal("application:b", &sealed).is_err());
        assert!(
            DataKey::derive(b"other")
                .unseal("application:a", &sealed)
                .is_err()
        );
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(key.unseal("application:a", &altered).is_err());
        assert!(key.unseal("application:a", &[]).is_err());
    }

    #[test]
    fn sql_functions_round_trip() {
        let conn = Connection::open_in_memory().unwrap();
        DataKey::derive(b"k").register(&conn).unwrap();
        let back: String = conn
            .query_row("SELECT unseal('c', seal('c', '张三'))", [], |r| r.get(0))
            .unwrap();
        assert_eq!(back, "张三");
        let wrong = conn.query_row("SELECT unseal('d', seal('c', 'x'))", [], |r| {
            r.get::<_, String>(0)
        });
        assert!(wrong.is_err());
    }
}
