//! `certdesk-cli`: the token layer from a terminal. Secrets come from a prompt, or from
//! stdin with `--secrets-stdin`; never from the command line, where other users and
//! shell history could read them. Output speaks the app's two languages (`--lang`).

mod catalog;
mod download;
mod failure;
mod output;
mod repair;
mod secrets;
mod selfcheck;

use std::path::PathBuf;
use std::process::ExitCode;

use certdesk_token::{TokenRef, TokenService, discover};
use clap::{Args, Parser, Subcommand};

use crate::catalog::Lang;
use crate::failure::Failure;

#[derive(Parser)]
#[command(
    name = "certdesk-cli",
    version,
    about = "证书助手 CertDesk token tools"
)]
struct Cli {
    /// Output language: zh-CN or en (default: CERTDESK_LANG, else the locale; Chinese
    /// unless the locale is English).
    #[arg(long, global = true, value_enum)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// PKCS#11 module to use (repeatable); default: every known module found.
    #[arg(long = "module", value_name = "PATH")]
    modules: Vec<PathBuf>,
    /// Only the token with this serial number.
    #[arg(long = "token", value_name = "SERIAL")]
    token: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Tokens present, with PIN state and memory.
    Tokens(Common),
    /// Certificates on the tokens, with pairing state.
    Certs {
        #[command(flatten)]
        common: Common,
        /// Log in (PIN prompt) to see private keys: pairing and orphans.
        #[arg(long)]
        login: bool,
        /// Read secrets from stdin, one per line, instead of prompting.
        #[arg(long)]
        secrets_stdin: bool,
    },
    /// Modules, smart-card service, readers, tokens, the CA and the clock, each checked.
    Doctor {
        #[command(flatten)]
        common: Common,
        /// CA service to check for reachability, TLS and clock skew.
        #[arg(long, value_name = "URL")]
        ca: Option<String>,
        /// Also run the USBKey self-check on the inserted token (`--token` when several):
        /// with its PIN, a key pair, CSR, certificate, signature for each algorithm it
        /// offers, everything deleted after. Exits 1 unless every one is confirmed.
        #[arg(long)]
        deep: bool,
        /// Read the PIN from stdin instead of prompting (with --deep).
        #[arg(long)]
        secrets_stdin: bool,
    },
    /// Download an application's certificate onto a token (journaled; run again to resume).
    Download(download::DownloadArgs),
    /// List the damaged objects of a token (PIN asked) and delete exactly those, after
    /// confirmation or with --yes.
    Repair(repair::RepairArgs),
}

impl Command {
    fn json(&self) -> bool {
        match self {
            Command::Tokens(c)
            | Command::Certs { common: c, .. }
            | Command::Doctor { common: c, .. } => c.json,
            Command::Download(a) => a.json,
            Command::Repair(a) => a.common.json,
        }
    }
}

/// The modules to use: the ones named, else every known module found (each file once).
fn modules(named: &[PathBuf]) -> Vec<PathBuf> {
    if !named.is_empty() {
        return named.to_vec();
    }
    let mut seen = std::collections::HashSet::new();
    discover(&[])
        .into_iter()
        .filter(|c| c.exists)
        .map(|c| c.path)
        .filter(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())))
        .collect()
}

async fn tokens_of(
    svc: &TokenService,
    common: &Common,
) -> (Vec<certdesk_token::TokenInfo>, Vec<output::ModuleError>) {
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    for m in modules(&common.modules) {
        match svc.list_tokens(m.clone()).await {
            Ok(list) => tokens.extend(
                list.into_iter()
                    .filter(|t| t.token_initialized)
                    .filter(|t| common.token.as_ref().is_none_or(|s| *s == t.serial)),
            ),
            Err(e) => errors.push(output::ModuleError {
                module: m,
                code: e.code(),
                message: e.to_string(),
            }),
        }
    }
    (tokens, errors)
}

/// Runs the command; `Ok(false)` when it ran but found a problem (exit 1, no error text).
async fn run(svc: &TokenService, command: Command, lang: Lang) -> Result<bool, Failure> {
    let out = output::Printer::new(lang);
    match command {
        Command::Tokens(common) => {
            let (tokens, errors) = tokens_of(svc, &common).await;
            out.tokens(&tokens, &errors, common.json)?;
        }
        Command::Certs {
            common,
            login,
            secrets_stdin,
        } => {
            let (tokens, errors) = tokens_of(svc, &common).await;
            let mut secrets = secrets::Source::new(secrets_stdin);
            let t = lang.catalog();
            let mut report = Vec::new();
            for info in tokens {
                let token: TokenRef = info.token.clone();
                let mut orphans = None;
                if login {
                    let prompt = catalog::fmt(
                        &t.cli.prompt_token_pin,
                        &[("label", &info.label), ("serial", &info.serial)],
                    );
                    let pin = secrets.get(&prompt)?;
                    svc.login(token.clone(), pin, false).await?;
                    orphans = Some(svc.find_orphans(token.clone()).await?);
                }
                let certificates = svc.list_certificates(token.clone()).await?;
                // Half-written objects are shown with what is known, never a failure.
                let damaged = svc
                    .inventory(token.clone())
                    .await?
                    .damaged()
                    .cloned()
                    .collect();
                report.push(output::TokenCerts {
                    token: info,
                    certificates,
                    orphans,
                    damaged,
                    logged_in: login,
                });
            }
            out.certs(&report, &errors, common.json)?;
        }
        Command::Doctor {
            common,
            ca,
            deep,
            secrets_stdin,
        } => {
            let mut report = certdesk_diagnostics::run(
                svc,
                &certdesk_diagnostics::Scope {
                    user_modules: &common.modules,
                    only_user_modules: !common.modules.is_empty(),
                    ca_url: ca.as_deref(),
                },
            )
            .await;
            report.app_version = env!("CARGO_PKG_VERSION").to_owned();
            if !deep {
                out.doctor(&report, common.json)?;
                return Ok(true);
            }
            if !common.json {
                out.doctor(&report, false)?;
                println!();
            }
            let (tokens, _) = tokens_of(svc, &common).await;
            let token = selfcheck::choose(tokens)?;
            let mut secrets = secrets::Source::new(secrets_stdin);
            let check = selfcheck::run(svc, token, &mut secrets, lang).await?;
            if common.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "environment": report, "self_check": check })
                    )?
                );
            } else {
                selfcheck::print(&check, lang);
            }
            return Ok(check.passed());
        }
        Command::Download(args) => download::run(svc, args, lang).await?,
        Command::Repair(args) => {
            let (tokens, _) = tokens_of(svc, &args.common).await;
            repair::run(svc, selfcheck::choose(tokens)?, args, lang).await?;
        }
    }
    Ok(true)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    certdesk_core::paths::private_files();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CERTDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let lang = Lang::detect(cli.lang);
    let json = cli.command.json();
    let result = match TokenService::start() {
        Ok(svc) => {
            let r = run(&svc, cli.command, lang).await;
            // Sessions end before the process does: a module torn down with sessions
            // still open can crash at exit.
            let _ = svc.close_sessions().await;
            // The last handle dropped would end the worker, which unloads the module on
            // its own thread while this one exits and tears the same library down
            // (SIGSEGV, seen once after a resumed download). The process's end unloads it.
            std::mem::forget(svc);
            r
        }
        Err(e) => Err(Failure::Token(e)),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(f) => {
            f.print(lang, json);
            ExitCode::FAILURE
        }
    }
}
