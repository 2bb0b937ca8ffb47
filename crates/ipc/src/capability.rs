//! The main window's capability file (`capabilities/default.json`), generated from the
//! shell's commands so a new command is granted where it is declared and nowhere else.

const DESCRIPTION: &str = "The main window may call CertDesk's own commands and listen to its events; nothing else (no fs, shell or http plugin).";

/// The capability JSON, as committed (two-space indent, trailing newline).
pub fn capability_json<S: AsRef<str>>(commands: &[S]) -> String {
    let mut permissions = vec![
        "core:event:allow-listen".to_owned(),
        "core:event:allow-unlisten".to_owned(),
    ];
    permissions.extend(
        commands
            .iter()
            .map(|c| format!("allow-{}", c.as_ref().replace('_', "-"))),
    );
    let doc = serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": "default",
        "description": DESCRIPTION,
        "windows": ["main"],
        "permissions": permissions,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
