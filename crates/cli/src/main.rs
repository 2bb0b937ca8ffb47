//! `certdesk-cli`: the token layer from a terminal. Secrets come from a prompt, or from
//! stdin with `--secrets-stdin`; never from the command line, where other users and
//! shell history could read them.

mod download;
mod output;
mod repair;
mod secrets;

use std::path::PathBuf;

use anyhow::Context;
use certdesk_token::{TokenRef, TokenService, discover};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "certdesk-cli", version, about = "CertDesk token tools")]
struct Cli {
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
    },
    /// Download an application's certificate onto a token (journaled; run again to resume).
    Download(download::DownloadArgs),
    /// List the damaged objects of a token (PIN asked) and delete exactly those, after
    /// confirmation or with --yes.
    Repair(repair::RepairArgs),
}

fn modules(common: &Common) -> Vec<PathBuf> {
    modules_or_known(&common.modules)
}

fn modules_or_known(given: &[PathBuf]) -> Vec<PathBuf> {
    if !given.is_empty() {
        return given.to_vec();
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
    for m in modules(common) {
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

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CERTDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let svc = TokenService::start().context("cannot start the token worker")?;
    match cli.command {
        Command::Tokens(common) => {
            let (tokens, errors) = tokens_of(&svc, &common).await;
            output::tokens(&tokens, &errors, common.json)?;
        }
        Command::Certs {
            common,
            login,
            secrets_stdin,
        } => {
            let (tokens, errors) = tokens_of(&svc, &common).await;
            let mut secrets = secrets::Source::new(secrets_stdin);
            let mut report = Vec::new();
            for t in tokens {
                let token: TokenRef = t.token.clone();
                let mut orphans = None;
                if login {
                    let pin =
                        secrets.get(&format!("PIN for token {} ({}): ", t.label, t.serial))?;
                    svc.login(token.clone(), pin, false).await?;
                    orphans = Some(svc.find_orphans(token.clone()).await?);
                }
                let certs = svc.list_certificates(token.clone()).await?;
                // Half-written objects are shown with what is known, never a failure.
                let damaged = svc
                    .inventory(token.clone())
                    .await?
                    .damaged()
                    .cloned()
                    .collect();
                report.push(output::TokenCerts {
                    token: t,
                    certificates: certs,
                    orphans,
                    damaged,
                    logged_in: login,
                });
            }
            output::certs(&report, &errors, common.json)?;
        }
        Command::Doctor { common, ca } => {
            let mut report = certdesk_diagnostics::run(
                &svc,
                &reqwest::Client::new(),
                &certdesk_diagnostics::Scope {
                    user_modules: &common.modules,
                    only_user_modules: !common.modules.is_empty(),
                    ca_url: ca.as_deref(),
                },
            )
            .await;
            report.app_version = env!("CARGO_PKG_VERSION").to_owned();
            output::print_doctor(&report, common.json)?;
        }
        Command::Repair(args) => {
            let modules = modules_or_known(&args.modules_given());
            let r = repair::run(&svc, args, modules).await;
            let _ = svc.close_sessions().await;
            r?
        }
        Command::Download(args) => {
            let r = download::run(&svc, args).await;
            let _ = svc.close_sessions().await;
            r?
        }
    }
    let _ = svc.close_sessions().await;
    Ok(())
}
