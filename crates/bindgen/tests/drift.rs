//! Fails when the committed TypeScript bindings or the capability files drift from the
//! Rust code (the IPC types, the shell's command functions).

use std::path::PathBuf;

fn root() -> PathBuf {
    // The runtime value (cargo sets it for tests) follows the checkout the test runs in,
    // even when a target dir shared by two checkouts reuses a binary built in the other.
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    PathBuf::from(dir).join("../..")
}

fn committed(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn committed_bindings_and_capabilities_match_the_rust_code() {
    let (ts, capabilities) = certdesk_bindgen::generate(&root()).unwrap();
    assert!(
        committed("ui/src/lib/ipc/bindings.ts") == ts,
        "ui/src/lib/ipc/bindings.ts is out of date: run `cargo xtask bindings` and commit it"
    );
    for c in capabilities {
        let rel = format!("capabilities/{}", c.file);
        assert!(
            committed(&rel) == c.json,
            "{rel} is out of date: run `cargo xtask bindings` and commit it"
        );
    }
}
