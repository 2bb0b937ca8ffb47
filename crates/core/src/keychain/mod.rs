//! The OS keychain (Keychain on macOS, Credential Manager on Windows, the Secret Service
//! on Linux) through `keyring`. It holds the drafts' data key and the CA session token,
//! so neither is ever written to a file of ours. Each OS's store and its behaviour are
//! in that OS's file.

// Every OS's file is compiled everywhere (each is checked on every build).
mod linux;
mod macos;
mod windows;

/// The store the running OS keeps the secrets in, for messages and the support bundle.
pub const BACKEND: &str = if cfg!(windows) {
    windows::BACKEND
} else if cfg!(target_os = "macos") {
    macos::BACKEND
} else {
    linux::BACKEND
};

use secrecy::{ExposeSecret, SecretString};

/// The service name entries are filed under in the OS keychain.
pub const DEFAULT_SERVICE: &str = "cn.certdesk.CertDesk";

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain service (e.g. no Secret Service on the session bus), or it is locked.
    #[error("the OS keychain ({BACKEND}) is not available: {0}")]
    Unavailable(String),
    #[error("the OS keychain refused access: {0}")]
    Denied(String),
    #[error("the OS keychain entry {0} is damaged")]
    Damaged(&'static str),
}

impl From<keyring::Error> for KeychainError {
    fn from(e: keyring::Error) -> Self {
        use keyring::Error as E;
        // keyring's messages name the entry and platform cause, never the secret.
        match e {
            E::NoStorageAccess(_) | E::PlatformFailure(_) => Self::Unavailable(e.to_string()),
            other => Self::Denied(other.to_string()),
        }
    }
}

/// Named secrets in the OS keychain under one service name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new(DEFAULT_SERVICE)
    }
}

impl Keychain {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, KeychainError> {
        Ok(keyring::Entry::new(&self.service, name)?)
    }

    pub fn get(&self, name: &str) -> Result<Option<SecretString>, KeychainError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn set(&self, name: &str, value: &SecretString) -> Result<(), KeychainError> {
        Ok(self.entry(name)?.set_password(value.expose_secret())?)
    }

    /// Removes the entry; removing an absent one is not an error.
    pub fn delete(&self, name: &str) -> Result<(), KeychainError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
