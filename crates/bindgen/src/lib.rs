//! The generated side of the IPC boundary: the TypeScript types and command wrappers the
//! window calls, and the capability file granting exactly those commands.

use std::path::Path;

/// `ui/src/lib/ipc/bindings.ts` and `capabilities/default.json` as they must be: the IPC
/// types from crates/ipc, the command wrappers and grants from the shell's functions.
pub fn generate(root: &Path) -> anyhow::Result<(String, String)> {
    let commands = certdesk_command_scan::scan(&root.join("src-tauri"))?;
    let ts = certdesk_ipc::typescript() + &certdesk_command_scan::wrappers(&commands);
    let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    Ok((ts, certdesk_ipc::capability_json(&names)))
}

/// Writes both files under the workspace `root`.
pub fn write(root: &Path) -> anyhow::Result<()> {
    let (ts, capability) = generate(root)?;
    let path = root.join("ui/src/lib/ipc/bindings.ts");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, ts)?;
    println!("wrote {}", path.display());
    let cap = root.join("capabilities/default.json");
    std::fs::write(&cap, capability)?;
    println!("wrote {}", cap.display());
    Ok(())
}
