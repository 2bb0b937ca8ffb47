//! Fails when the committed TypeScript bindings or the capability file drift from crates/ipc.

use std::path::PathBuf;

fn committed(rel: &str) -> String {
    let path = manifest_dir().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn committed_capability_grants_exactly_the_commands() {
    assert!(
        committed("../../capabilities/default.json") == certdesk_ipc::capability_json(),
        "capabilities/default.json is out of date: run `cargo xtask bindings` and commit it"
    );
}

fn manifest_dir() -> PathBuf {
    // The runtime value (cargo sets it for tests) follows the checkout the test runs in,
    // even when a target dir shared by two checkouts reuses a binary built in the other.
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    PathBuf::from(dir)
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed = committed("../../ui/src/lib/ipc/bindings.ts");
    let generated = certdesk_ipc::typescript();
    assert!(
        committed == generated,
        "ui/src/lib/ipc/bindings.ts is out of date: run `cargo xtask bindings` and commit it"
    );
}
