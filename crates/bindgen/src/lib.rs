//! The generated side of the IPC boundary: the TypeScript types and command wrappers the
//! windows call, and the capability files granting exactly those commands.

use std::path::Path;

use certdesk_ipc::CapabilityFile;

/// `ui/src/lib/ipc/bindings.ts` and `capabilities/*.json` as they must be: the IPC types
/// from crates/ipc, the command wrappers and grants from the shell's functions.
pub fn generate(root: &Path) -> anyhow::Result<(String, [CapabilityFile; 2])> {
    let commands = certdesk_command_scan::scan(&root.join("src-tauri"))?;
    let ts = certdesk_ipc::typescript() + &certdesk_command_scan::wrappers(&commands);
    let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    Ok((ts, certdesk_ipc::capability_files(&names)))
}

/// Writes the bindings and the capability files under the workspace `root`.
pub fn write(root: &Path) -> anyhow::Result<()> {
    let (ts, capabilities) = generate(root)?;
    let path = root.join("ui/src/lib/ipc/bindings.ts");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, ts)?;
    println!("wrote {}", path.display());
    for c in capabilities {
        let path = root.join("capabilities").join(c.file);
        std::fs::write(&path, c.json)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
