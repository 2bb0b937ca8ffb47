//! Fails when the committed TypeScript bindings drift from the Rust types.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    // The runtime value (cargo sets it for tests) follows the checkout the test runs in,
    // even when a target dir shared by two checkouts reuses a binary built in the other.
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    PathBuf::from(dir).join("../../ui/src/lib/ipc/bindings.ts")
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let path = committed_path();
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let generated = certdesk_ipc::typescript();
    assert!(
        committed == generated,
        "ui/src/lib/ipc/bindings.ts is out of date: run `cargo xtask bindings` and commit it"
    );
}
