use std::path::Path;

use crate::{deps, sh};

/// Regenerates the TypeScript bindings and the capability file. The generator is its own
/// crate (certdesk-bindgen): it links the IPC types and with them the core's system
/// libraries, which xtask installs first.
pub fn write(root: &Path) -> anyhow::Result<()> {
    deps::ensure_apt(root)?;
    sh::run(
        sh::cargo()
            .args(["run", "--quiet", "--package", "certdesk-bindgen", "--"])
            .arg(root),
    )
}
