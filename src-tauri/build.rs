// App-command permissions are derived from the commands the shell declares and
// registers (read from the source by certdesk-command-scan), so a command the UI can
// call is always a command the capability file can grant.
fn main() {
    println!("cargo::rerun-if-changed=src-tauri/commands");
    println!("cargo::rerun-if-changed=src-tauri/lib.rs");
    let shell = std::path::Path::new("src-tauri");
    let commands = match certdesk_command_scan::scan(shell) {
        Ok(c) => c,
        // A build script reports failure by panicking; the message is what cargo shows.
        Err(e) => panic!("reading the shell's commands: {e}"),
    };
    let names: Vec<&'static str> = commands
        .into_iter()
        .map(|c| &*Box::leak(c.name.into_boxed_str()))
        .collect();
    let names: &'static [&'static str] = Vec::leak(names);
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(names));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build script failed: {e:#}");
    }
}
