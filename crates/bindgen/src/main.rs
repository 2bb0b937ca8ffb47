//! `certdesk-bindgen [WORKSPACE_ROOT]`: regenerates the bindings (see the library).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = match std::env::args_os().nth(1) {
        Some(root) => PathBuf::from(root),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."),
    };
    certdesk_bindgen::write(&root)
}
