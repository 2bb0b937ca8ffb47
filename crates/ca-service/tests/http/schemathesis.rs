//! Property-based run of schemathesis (PyPI) against the served `/openapi.json`:
//! zero server errors and zero responses that violate the schema.

use std::process::Command;

use secrecy::ExposeSecret;

use crate::common::*;

#[tokio::test]
async fn schemathesis_finds_no_server_errors_or_schema_violations() {
    let ca = Ca::start();
    // A signed-in applicant, so the authenticated operations are exercised too.
    let (c, _) = ca.signed_in(seed()).await;
    let token = c.token().unwrap().expose_secret().to_string();
    let url = ca.url.clone();
    let work = tempfile::TempDir::new().unwrap();
    let cwd = work.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("schemathesis")
            .current_dir(&cwd)
            .env("SCHEMATHESIS_HOOKS", "")
            .args(["run", &format!("{url}/openapi.json")])
            .args(["-H", &format!("Authorization: Bearer {token}")])
            // Logout would end the session the run authenticates with.
            .args(["--exclude-path", "/v1/auth/logout"])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-time",
                "75",
                "--workers",
                "2",
                "--seed",
                "20261121",
                "--suppress-health-check",
                "all",
                // Network-level failures only (a loaded CI machine): a server error is
                // still a failure.
                "--request-timeout",
                "30",
                "--request-retries",
                "2",
                "--generation-database",
                "none",
                "--no-color",
            ])
            .output()
    })
    .await
    .unwrap()
    .expect("schemathesis must be on PATH (cargo xtask test installs it into target/pyenv from xtask/deps/pip.txt)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: String = stdout
        .lines()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    // The section that says what went wrong (it may be far above the tail).
    let errors: String = stdout
        .split_once("ERRORS")
        .map(|(_, rest)| rest.split("SUMMARY").next().unwrap_or(rest).to_owned())
        .unwrap_or_default();
    assert!(
        out.status.success(),
        "schemathesis failed:\n{errors}\n{tail}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("passed"), "{tail}");
    assert!(
        !ca.log().contains("request failed"),
        "server logged internal errors"
    );
}
