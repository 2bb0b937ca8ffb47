//! `certdesk-cli download`: the journaled certificate download of the core, headless.
//! Secrets (card password, then PIN) from a prompt or `--secrets-stdin`. An interrupted
//! download is resumed by running the same command again.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use certdesk_ca_api::auth::Captcha;
use certdesk_ca_client::CaClient;
#[cfg(feature = "sandbox")]
use certdesk_core::enrollment::SandboxCaptcha;
use certdesk_core::enrollment::{
    self, CaptchaSolver, DownloadError, DownloadRequest, Progress, StepPhase, TokenChoice,
};
use certdesk_token::TokenService;
use clap::Args;

use crate::catalog::{Lang, fmt};
use crate::failure::Failure;
use crate::secrets;

#[derive(Args, Clone)]
pub struct DownloadArgs {
    /// CA base URL.
    #[arg(long)]
    ca: String,
    /// Application (order) id.
    #[arg(long)]
    application: String,
    /// Password-card serial (printed on the card; not a secret).
    #[arg(long)]
    card_serial: String,
    /// The handler's phone number, as on the application.
    #[arg(long)]
    phone: String,
    /// Organisation code (or the USCC's characters 9-17).
    #[arg(long)]
    org_code: String,
    /// PKCS#11 module (repeatable); default: every known module found.
    #[arg(long = "module", value_name = "PATH")]
    modules: Vec<PathBuf>,
    /// The token's serial number (required when several tokens are inserted).
    #[arg(long = "token", value_name = "SERIAL")]
    token: Option<String>,
    /// Read the card password, then the PIN, from stdin, one per line.
    #[arg(long)]
    secrets_stdin: bool,
    /// Answer the captchas from the sandbox CA's answer page (sandbox CAs only).
    #[cfg(feature = "sandbox")]
    #[arg(long)]
    sandbox_captcha: bool,
    /// Spend the PIN's final try.
    #[arg(long)]
    confirm_final_pin_try: bool,
    /// Machine-readable result on stdout (progress stays on stderr).
    #[arg(long)]
    pub json: bool,
}

/// Shows the captcha image's file and asks for the answer on the terminal.
struct PromptCaptcha {
    lang: Lang,
}

impl CaptchaSolver for PromptCaptcha {
    async fn solve(&self, _client: &CaClient, captcha: &Captcha) -> Result<String, DownloadError> {
        use base64::Engine as _;
        let path =
            std::env::temp_dir().join(format!("certdesk-captcha-{}.svg", captcha.captcha_id));
        if let Some(b64) = captcha.image.split(",").nth(1)
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let _ = std::fs::write(&path, bytes);
        }
        let prompt = &self.lang.catalog().cli.prompt_captcha;
        eprint!("{}", fmt(prompt, &[("path", &path.display())]));
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| DownloadError::BadIssuance(format!("reading the captcha: {e}")))?;
        Ok(line.trim().to_string())
    }
}

enum Solver {
    #[cfg(feature = "sandbox")]
    Sandbox(SandboxCaptcha),
    Prompt(PromptCaptcha),
}

impl CaptchaSolver for Solver {
    async fn solve(&self, client: &CaClient, captcha: &Captcha) -> Result<String, DownloadError> {
        match self {
            #[cfg(feature = "sandbox")]
            Solver::Sandbox(s) => s.solve(client, captcha).await,
            Solver::Prompt(p) => p.solve(client, captcha).await,
        }
    }
}

pub async fn run(svc: &TokenService, args: DownloadArgs, lang: Lang) -> Result<(), Failure> {
    let t = lang.catalog();
    let modules = crate::modules(&args.modules);
    let paths =
        certdesk_core::paths::AppPaths::from_env().map_err(|e| Failure::Storage(e.to_string()))?;
    paths
        .create_all()
        .map_err(|e| Failure::Storage(e.to_string()))?;
    let mut journal = certdesk_core::store::Store::at(paths.workflow_db())
        .journal()
        .map_err(|e| Failure::Storage(format!("opening the download journal: {e}")))?;
    let mut secrets = secrets::Source::new(args.secrets_stdin);
    let card_password = secrets.get(&t.cli.prompt_card_password)?;
    let pin = secrets.get(&t.cli.prompt_pin)?;
    let req = DownloadRequest {
        ca_url: args.ca.clone(),
        application_id: args.application.clone(),
        card_serial: args.card_serial.clone(),
        card_password,
        phone: args.phone.clone(),
        org_code: args.org_code.clone(),
        pin,
        token: TokenChoice {
            modules,
            serial: args.token.clone(),
        },
        confirm_final_pin_try: args.confirm_final_pin_try,
        channel: None,
    };
    #[cfg(feature = "sandbox")]
    let solver = if args.sandbox_captcha {
        Solver::Sandbox(SandboxCaptcha)
    } else {
        Solver::Prompt(PromptCaptcha { lang })
    };
    #[cfg(not(feature = "sandbox"))]
    let solver = Solver::Prompt(PromptCaptcha { lang });
    // Whether the password card has authorised this download (now or in the run that
    // was interrupted): the failure message says whether the card is still unspent.
    let card_authorised = AtomicBool::new(false);
    let mut progress = |p: Progress| {
        let phase = match p.phase {
            StepPhase::Started => &t.download_phases.started,
            StepPhase::Done => &t.download_phases.done,
            StepPhase::Skipped => &t.download_phases.skipped,
        };
        if p.step == enrollment::DownloadStep::Authorise && p.phase != StepPhase::Started {
            card_authorised.store(true, Ordering::Relaxed);
        }
        // `step <id>` stays first on the line: scripts follow the progress by it.
        eprintln!(
            "step {} {}: {phase}{}",
            p.step,
            t.step(p.step.as_str()),
            if p.resumed {
                format!(" [{}]", t.cli.resumed)
            } else {
                String::new()
            }
        );
    };
    let done = enrollment::download(svc, &mut journal, &req, &solver, &mut progress)
        .await
        .map_err(|e| Failure::download(e, card_authorised.load(Ordering::Relaxed)))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&done)?);
    } else {
        // A finished download run again is done, not an error: it says so.
        let headline = if done.already_on_token {
            &t.cli.already_on_token
        } else {
            &t.cli.downloaded
        };
        println!(
            "{}",
            fmt(
                headline,
                &[
                    ("serial", &done.certificate_serial),
                    ("token", &done.token.serial)
                ]
            )
        );
        println!(
            "  {}",
            fmt(&t.cli.downloaded_subject, &[("subject", &done.subject)])
        );
        println!(
            "  {}",
            fmt(&t.cli.downloaded_until, &[("until", &done.not_after)])
        );
    }
    Ok(())
}
