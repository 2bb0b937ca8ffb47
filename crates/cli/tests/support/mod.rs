//! What the CLI download suites share: `certdesk-cli download` for an approved order
//! onto a token of any module, and the CA's issuance count.
#![allow(clippy::unwrap_used, dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use certdesk_testkit::ca::{ApprovedOrder, CaService};

/// Where the download goes: the module, its store's environment variable, the token.
pub struct Onto<'a> {
    pub module: &'a Path,
    pub env: (&'a str, &'a Path),
    pub serial: &'a str,
}

/// Runs `certdesk-cli download --json` with the card password and `pin` on stdin, the
/// journal in `data`, aborting itself at `fault` when given.
pub fn download(
    onto: &Onto<'_>,
    data: &Path,
    ca: &CaService,
    order: &ApprovedOrder,
    pin: &str,
    fault: Option<&str>,
) -> Output {
    let mut args = download_args(ca.url(), order, onto.module, onto.serial);
    args.push("--json");
    let stdin = format!("{}\n{pin}\n", order.card_password);
    cli(&args, onto.env, data, &stdin, fault)
}

/// `download` with what the order and the token say (the secrets come on stdin, the
/// captcha from the sandbox CA).
pub fn download_args<'a>(
    ca_url: &'a str,
    order: &'a ApprovedOrder,
    module: &'a Path,
    token: &'a str,
) -> Vec<&'a str> {
    vec![
        "download",
        "--ca",
        ca_url,
        "--application",
        &order.application_id,
        "--card-serial",
        &order.card_serial,
        "--phone",
        &order.phone,
        "--org-code",
        &order.org_code,
        "--module",
        module.to_str().unwrap(),
        "--token",
        token,
        "--secrets-stdin",
        "--sandbox-captcha",
    ]
}

/// Runs `certdesk-cli` with `args`, the token store's environment variable, the data
/// dir `data` and `stdin`; aborting itself at `fault` when given. No backtraces: what
/// a user sees.
pub fn cli(
    args: &[&str],
    env: (&str, &Path),
    data: &Path,
    stdin: &str,
    fault: Option<&str>,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certdesk-cli"));
    cmd.args(args)
        .env(env.0, env.1)
        .env("CERTDESK_DATA_DIR", data)
        // English output: the assertions below read words (the Chinese texts have their own test).
        .env("CERTDESK_LANG", "en")
        .env_remove("CERTDESK_FAULT_AFTER")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(f) = fault {
        cmd.env("CERTDESK_FAULT_AFTER", f);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Certificates the CA issued for the application.
pub fn issued_by_ca(ca: &CaService, application_id: &str) -> i64 {
    certdesk_testkit::ca::issued_for(ca.data_dir(), application_id).unwrap()
}
