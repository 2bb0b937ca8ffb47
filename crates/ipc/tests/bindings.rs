//! Fails when the committed TypeScript bindings drift from the Rust types.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/ipc/bindings.ts")
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    let generated = certdesk_ipc::typescript();
    assert!(
        committed == generated,
        "ui/src/lib/ipc/bindings.ts is out of date: run `cargo xtask bindings` and commit it"
    );
}
