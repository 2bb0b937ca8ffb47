//! The one HTTP stack every call to the CA goes through: reqwest on rustls (ring),
//! verifying the CA's certificate against the OS trust store (rustls-platform-verifier,
//! so a root installed only in the OS store is trusted) plus the roots named by
//! [`EXTRA_ROOTS_ENV`]. Clients are built only here, so no caller can trust differently.

use std::path::Path;

use crate::{ClientConfig, ClientError, Result};

/// A PEM file of extra root certificates trusted next to the OS store, for a private
/// CA root that cannot be put into the OS store (tests on Linux, where the platform
/// verifier reads the system bundle only). Unset or empty: the OS store alone.
pub const EXTRA_ROOTS_ENV: &str = "CERTDESK_CA_EXTRA_ROOTS";

pub(crate) fn client(config: &ClientConfig) -> Result<reqwest::Client> {
    // reqwest is built without a bundled crypto provider: use ring for rustls.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .user_agent(concat!("certdesk-ca-client/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = std::env::var_os(EXTRA_ROOTS_ENV).filter(|p| !p.is_empty()) {
        builder = builder.tls_certs_merge(extra_roots(Path::new(&path))?);
    }
    Ok(builder.build()?)
}

/// Read on every client build (not cached), so the setting in force is the one used.
fn extra_roots(path: &Path) -> Result<Vec<reqwest::Certificate>> {
    let trust =
        |why: String| ClientError::Trust(format!("{EXTRA_ROOTS_ENV}={}: {why}", path.display()));
    let pem = std::fs::read(path).map_err(|e| trust(e.to_string()))?;
    let roots = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| trust(e.to_string()))?;
    if roots.is_empty() {
        return Err(trust("no PEM certificate in the file".into()));
    }
    Ok(roots)
}
