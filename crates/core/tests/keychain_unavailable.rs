//! With no keychain service the workflow refuses to open rather than keep personal
//! data or the session token anywhere else. Its own binary: it sets the bus address.
#![allow(clippy::unwrap_used)]

use certdesk_core::keychain::{Keychain, KeychainError};
use certdesk_core::workflow::{Workflow, WorkflowConfig, WorkflowError};

#[test]
fn no_secret_service_is_a_keychain_error() {
    // SAFETY: set before any thread of this test binary reads the environment. It also
    // keeps a developer's run away from their real keychain.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "disabled:") };
    let dir = tempfile::tempdir().unwrap();
    let e = Workflow::open(WorkflowConfig {
        ca_url: "http://127.0.0.1:9".into(),
        store: certdesk_core::store::Store::at(dir.path().join("core.sqlite")),
        keychain: Keychain::new("certdesk-test-unavailable"),
        client: Default::default(),
    })
    .unwrap_err();
    assert!(
        matches!(e, WorkflowError::Keychain(KeychainError::Unavailable(_))),
        "{e:?}"
    );
    // Nothing was written before the key was had.
    assert!(!dir.path().join("core.sqlite").exists());
}
