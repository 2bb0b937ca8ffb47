//! `certdesk-cli download`: the journaled certificate download of the core, headless.
//! Secrets (card password, then PIN) from a prompt or `--secrets-stdin`. An interrupted
//! download is resumed by running the same command again.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use certdesk_ca_api::auth::Captcha;
use certdesk_ca_client::CaClient;
use certdesk_core::enrollment::{
    self, CaptchaSolver, DownloadError, DownloadRequest, Journal, Progress, SandboxCaptcha,
    StepPhase, TokenChoice,
};
use certdesk_token::{TokenService, discover};
use clap::Args;

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
    #[arg(long)]
    sandbox_captcha: bool,
    /// Spend the PIN's final try.
    #[arg(long)]
    confirm_final_pin_try: bool,
    /// Machine-readable result on stdout (progress stays on stderr).
    #[arg(long)]
    json: bool,
}

/// Shows the captcha image's file and asks for the answer on the terminal.
struct PromptCaptcha;

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
        eprint!("验证码 captcha (image: {}): ", path.display());
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| DownloadError::BadIssuance(format!("reading the captcha: {e}")))?;
        Ok(line.trim().to_string())
    }
}

enum Solver {
    Sandbox(SandboxCaptcha),
    Prompt(PromptCaptcha),
}

impl CaptchaSolver for Solver {
    async fn solve(&self, client: &CaClient, captcha: &Captcha) -> Result<String, DownloadError> {
        match self {
            Solver::Sandbox(s) => s.solve(client, captcha).await,
            Solver::Prompt(p) => p.solve(client, captcha).await,
        }
    }
}

fn step_name_zh(step: enrollment::Step) -> &'static str {
    use enrollment::Step::*;
    match step {
        Preflight => "检查",
        Authorise => "密码卡授权",
        Login => "PIN 登录",
        Keygen => "生成密钥",
        Csr => "生成证书请求",
        Finalize => "签发证书",
        WriteCertificate => "写入证书",
        ImportEnvelope => "导入加密密钥",
        SelfTest => "自检",
        Confirm => "确认下载",
    }
}

pub async fn run(svc: &TokenService, args: DownloadArgs) -> anyhow::Result<()> {
    let modules = if args.modules.is_empty() {
        let mut seen = std::collections::HashSet::new();
        discover(&[])
            .into_iter()
            .filter(|c| c.exists)
            .map(|c| c.path)
            .filter(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())))
            .collect()
    } else {
        args.modules.clone()
    };
    let paths = certdesk_core::paths::AppPaths::from_env()?;
    paths.create_all()?;
    let mut journal = Journal::open(&paths.data_dir.join("workflow.sqlite"))
        .context("opening the download journal")?;
    let mut secrets = secrets::Source::new(args.secrets_stdin);
    let card_password = secrets.get("密码卡密码 card password: ")?;
    let pin = secrets.get("PIN: ")?;
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
    let solver = if args.sandbox_captcha {
        Solver::Sandbox(SandboxCaptcha)
    } else {
        Solver::Prompt(PromptCaptcha)
    };
    let mut progress = |p: Progress| {
        let phase = match p.phase {
            StepPhase::Started => "started",
            StepPhase::Done => "done",
            StepPhase::Skipped => "skipped (done before)",
        };
        eprintln!(
            "step {} ({}) {phase}{}",
            p.step,
            step_name_zh(p.step),
            if p.resumed { " [resume]" } else { "" }
        );
    };
    match enrollment::download(svc, &mut journal, &req, &solver, &mut progress).await {
        Ok(done) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&done)?);
            } else if done.already_on_token {
                // A finished download run again: done, not an error.
                println!(
                    "证书已在 USBKey {} 上，无需再次下载 / the certificate is already on USBKey {}: serial {}\n  subject {}\n  valid until {}",
                    done.token.serial,
                    done.token.serial,
                    done.certificate_serial,
                    done.subject,
                    done.not_after
                );
            } else {
                println!(
                    "证书下载完成 certificate downloaded: serial {} on token {}\n  subject {}\n  valid until {}",
                    done.certificate_serial, done.token.serial, done.subject, done.not_after
                );
            }
            Ok(())
        }
        Err(e) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}})
                );
            }
            Err(anyhow::anyhow!("download failed ({}): {e}", e.code()))
        }
    }
}
