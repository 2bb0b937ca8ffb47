//! The capability files (`capabilities/*.json`), generated from the shell's commands so
//! a new command is granted where it is declared and nowhere else. The customer-facing
//! window (`customer_*` commands) and the operator's main window get disjoint grants:
//! the applicant's window can answer its own questions and nothing else, and the main
//! window cannot answer them for the applicant.

/// Commands whose name starts with this belong to the customer window.
pub const CUSTOMER_PREFIX: &str = "customer_";

/// One generated capability file.
pub struct CapabilityFile {
    /// The file's name under `capabilities/`.
    pub file: &'static str,
    pub json: String,
}

fn document(identifier: &str, window: &str, description: &str, commands: &[&str]) -> String {
    let mut permissions = vec![
        "core:event:allow-listen".to_owned(),
        "core:event:allow-unlisten".to_owned(),
    ];
    permissions.extend(
        commands
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-"))),
    );
    let doc = serde_json::json!({
        "$schema": "../gen/schemas/desktop-schema.json",
        "identifier": identifier,
        "description": description,
        "windows": [window],
        "permissions": permissions,
    });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

/// Both capability files, as committed (two-space indent, trailing newline).
pub fn capability_files<S: AsRef<str>>(commands: &[S]) -> [CapabilityFile; 2] {
    let (customer, main): (Vec<&str>, Vec<&str>) = commands
        .iter()
        .map(AsRef::as_ref)
        .partition(|c| c.starts_with(CUSTOMER_PREFIX));
    [
        CapabilityFile {
            file: "default.json",
            json: document(
                "default",
                "main",
                "The main window may call CertDesk's own commands (not the customer window's) and listen to its events; nothing else (no fs, shell or http plugin).",
                &main,
            ),
        },
        CapabilityFile {
            file: "customer.json",
            json: document(
                "customer",
                "customer",
                "The customer-facing window may only answer what it is asked (the applicant's PIN, the hand-over code) and listen to its events.",
                &customer,
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_windows_get_disjoint_grants() {
        let [main, customer] = capability_files(&["orders", "customer_answer_pin"]);
        assert!(main.json.contains("allow-orders"));
        assert!(!main.json.contains("allow-customer-answer-pin"));
        assert!(customer.json.contains("allow-customer-answer-pin"));
        assert!(!customer.json.contains("allow-orders"));
        assert!(customer.json.contains("\"customer\""));
    }
}
