use std::path::Path;

pub fn write(root: &Path) -> anyhow::Result<()> {
    let path = root.join("ui/src/lib/ipc/bindings.ts");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, certdesk_ipc::typescript())?;
    println!("wrote {}", path.display());
    let cap = root.join("capabilities/default.json");
    std::fs::write(&cap, certdesk_ipc::capability_json())?;
    println!("wrote {}", cap.display());
    Ok(())
}
