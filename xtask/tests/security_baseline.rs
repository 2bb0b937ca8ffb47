//! The security baseline, checked on the files that define it: a strict CSP, a frozen
//! prototype, capabilities that grant only the app's own commands and event listening,
//! and no fs/shell/http plugin anywhere in the app.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json(path: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

#[test]
fn csp_is_strict_and_prototype_frozen() {
    let conf = json("tauri.conf.json");
    let security = &conf["app"]["security"];
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    let csp = security["csp"].as_object().expect("CSP must be set");
    for (directive, value) in csp {
        let value = value.as_str().unwrap();
        assert!(!value.contains("unsafe-inline"), "{directive}: {value}");
        assert!(!value.contains("unsafe-eval"), "{directive}: {value}");
        assert!(
            !value.contains("https:") && !value.contains('*'),
            "remote origin in {directive}: {value}"
        );
    }
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
}

fn granted(file: &str) -> Vec<String> {
    json(file)["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn capabilities_grant_only_own_commands_and_events() {
    let main = granted("capabilities/default.json");
    let customer = granted("capabilities/customer.json");
    let shell = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src-tauri");
    let own: Vec<String> = certdesk_command_scan::scan(&shell)
        .unwrap()
        .iter()
        .map(|c| format!("allow-{}", c.name.replace('_', "-")))
        .collect();
    let events = |p: &str| matches!(p, "core:event:allow-listen" | "core:event:allow-unlisten");
    for p in main.iter().chain(&customer) {
        assert!(
            own.contains(p) || events(p),
            "capability grants {p}, which is not one of the app's own commands"
        );
    }
    // The applicant's window answers its own questions and nothing else; the operator's
    // window cannot answer them for the applicant.
    for p in &customer {
        assert!(
            events(p) || p.starts_with("allow-customer-"),
            "customer window granted {p}"
        );
    }
    for p in &main {
        assert!(!p.starts_with("allow-customer-"), "main window granted {p}");
    }
    for o in &own {
        assert!(
            main.contains(o) || customer.contains(o),
            "command permission {o} not granted: the UI could not call it"
        );
    }
}

#[test]
fn no_fs_shell_or_http_plugin() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let ui = std::fs::read_to_string(root().join("ui/package.json")).unwrap();
    for plugin in ["tauri-plugin-fs", "tauri-plugin-shell", "tauri-plugin-http"] {
        assert!(!manifest.contains(plugin), "{plugin} in Cargo.toml");
    }
    for plugin in ["plugin-fs", "plugin-shell", "plugin-http"] {
        assert!(!ui.contains(plugin), "{plugin} in ui/package.json");
    }
}
