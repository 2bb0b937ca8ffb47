//! The scanner on a small shell written to a temporary folder, and on the real one.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use certdesk_command_scan::{Command, ScanError, scan, wrappers};

fn shell(lib: &str, commands: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("commands/nested")).unwrap();
    std::fs::write(dir.path().join("lib.rs"), lib).unwrap();
    std::fs::write(dir.path().join("commands/nested/a.rs"), commands).unwrap();
    dir
}

const LIB: &str = r#"
pub fn run() {
    tauri::Builder::default().invoke_handler(tauri::generate_handler![
        commands::a::save_draft,
        commands::a::forget,
    ]);
}
"#;

const COMMANDS: &str = r#"
use tauri::{AppHandle, State};

#[tauri::command]
pub async fn save_draft(
    app: AppHandle,
    state: State<'_, AppState>,
    local_id: String,
    fields: Vec<FieldInput>,
    note: Option<String>,
    pages: Vec<Option<u32>>,
) -> Result<Option<FormSaved>, IpcError> {
    todo!()
}

#[tauri::command]
pub fn forget(id: String) {}

fn helper(x: u8) -> u8 { x }
"#;

#[test]
fn signatures_become_typescript_in_registration_order() {
    let dir = shell(LIB, COMMANDS);
    let got = scan(dir.path()).unwrap();
    assert_eq!(
        got,
        vec![
            Command {
                name: "save_draft".into(),
                args: vec![
                    ("localId".into(), "string".into()),
                    ("fields".into(), "FieldInput[]".into()),
                    ("note".into(), "string | null".into()),
                    ("pages".into(), "(number | null)[]".into()),
                ],
                returns: "FormSaved | null".into(),
            },
            Command {
                name: "forget".into(),
                args: vec![("id".into(), "string".into())],
                returns: "null".into(),
            },
        ]
    );
    let ts = wrappers(&got);
    assert!(ts.contains(
        "  saveDraft: (localId: string, fields: FieldInput[], note: string | null, pages: (number | null)[]): Promise<FormSaved | null> => invoke(\"save_draft\", { localId, fields, note, pages }),\n"
    ), "{ts}");
    assert!(ts.contains("  forget: (id: string): Promise<null> => invoke(\"forget\", { id }),\n"));
}

#[test]
fn a_command_the_ui_could_not_call_is_an_error() {
    let unregistered = shell(&LIB.replace("commands::a::forget,", ""), COMMANDS);
    assert!(matches!(scan(unregistered.path()), Err(ScanError::NotRegistered(n)) if n == "forget"));
    let undeclared = shell(
        &LIB.replace(
            "commands::a::forget,",
            "commands::a::forget, commands::a::vanished,",
        ),
        COMMANDS,
    );
    assert!(matches!(scan(undeclared.path()), Err(ScanError::NotDeclared(n)) if n == "vanished"));
    let map = shell(
        LIB,
        &COMMANDS.replace("note: Option<String>", "note: HashMap<String, String>"),
    );
    assert!(
        matches!(scan(map.path()), Err(ScanError::Unsupported { command, .. }) if command == "save_draft")
    );
}

#[test]
fn the_real_shell_declares_every_registered_command() {
    let shell = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri");
    let got = scan(&shell).unwrap();
    assert!(got.len() >= 60, "{} commands", got.len());
    let sign_in = got.iter().find(|c| c.name == "get_settings").unwrap();
    assert_eq!(sign_in.returns, "Settings");
}
