// App-command permissions are derived from the one command list in crates/ipc, so a
// command the UI can call is always a command the capability file can grant. The list
// is a dependency-free file read here by path: the build script need not compile the
// IPC crate (which knows the whole domain).
#[allow(dead_code)]
#[path = "../crates/ipc/src/commands.rs"]
mod commands;

fn main() {
    println!("cargo::rerun-if-changed=crates/ipc/src/commands.rs");
    let commands: Vec<&'static str> = commands::COMMANDS.iter().map(|c| c.name).collect();
    let commands: &'static [&'static str] = Vec::leak(commands);
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attrs) {
        // A build script reports failure by panicking; the message is what cargo shows.
        panic!("tauri build script failed: {e:#}");
    }
}
