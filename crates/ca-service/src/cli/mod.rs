//! Command line: `serve`, `review list|approve|reject`, `audit verify|list`, `close verify`,
//! `point add|list`, `operator add|list|revoke`, `sandbox approved-order|order`.

mod audit;
mod close;
mod operators;

use std::path::PathBuf;
use std::process::ExitCode;

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::server::{ServeOptions, serve};
use clap::{Parser, Subcommand};
use secrecy::SecretString;

#[derive(Parser)]
#[command(
    name = "certdesk-ca",
    version,
    about = "CertDesk reference CA service (证书助手参考CA)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the service; prints the base URL alone on the first stdout line.
    Serve(ServeOptions),
    /// CA staff review.
    Review {
        #[command(subcommand)]
        cmd: ReviewCmd,
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        ca: String,
        /// Data dir of the service (its cli-token file is read: the audit log names `cli`).
        #[arg(long, global = true)]
        data: Option<PathBuf>,
    },
    /// Acceptance points (受理点).
    Point {
        #[command(subcommand)]
        cmd: operators::PointCmd,
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        ca: String,
        /// Data dir of the service (its cli-token file is read).
        #[arg(long, global = true)]
        data: Option<PathBuf>,
    },
    /// Operators of the points; `operator add` also bootstraps a point's first supervisor.
    Operator {
        #[command(subcommand)]
        cmd: operators::OperatorCmd,
        #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
        ca: String,
        /// Data dir of the service (its cli-token file is read).
        #[arg(long, global = true)]
        data: Option<PathBuf>,
    },
    /// The audit log: verify its hash chain, list entries.
    Audit {
        #[command(subcommand)]
        cmd: audit::AuditCmd,
    },
    /// Signed daily closes (日结): verify their signatures.
    Close {
        #[command(subcommand)]
        cmd: close::CloseCmd,
    },
    /// Sandbox helpers.
    Sandbox {
        #[command(subcommand)]
        cmd: SandboxCmd,
    },
}

#[derive(Subcommand)]
enum ReviewCmd {
    /// Applications waiting for review.
    List,
    Approve {
        id: String,
    },
    Reject {
        id: String,
        /// Reason(s) shown to the applicant.
        #[arg(long = "reason", required = true)]
        reasons: Vec<String>,
    },
}

#[derive(Subcommand)]
enum SandboxCmd {
    /// Create a fully approved, download-ready application.
    ApprovedOrder {
        #[arg(long)]
        ca: String,
        #[arg(long, default_value = "sandbox-rsa")]
        channel: String,
        /// Print JSON (the only format for now; kept for script clarity).
        #[arg(long)]
        json: bool,
    },
    /// Create an application stopped at `--stop` (awaiting payment, or paid on a
    /// paper channel and awaiting the mailed paper); prints
    /// `{application_id, phone, company_name, ca_url}`. Sign in with `phone` to continue it.
    Order {
        #[arg(long)]
        ca: String,
        #[arg(long, default_value = "sandbox-rsa")]
        channel: String,
        /// The handler's (sign-in) phone; a fresh one when absent.
        #[arg(long)]
        phone: Option<String>,
        #[arg(long, value_enum, default_value = "awaiting-payment")]
        stop: certdesk_ca_service::sandbox_flow::Stop,
        #[arg(long)]
        json: bool,
    },
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `CERTDESK_CA_STAFF_TOKEN`, else the CLI's own credential `DIR/cli-token`.
fn staff_credential(data: Option<PathBuf>) -> anyhow::Result<String> {
    match (data, std::env::var("CERTDESK_CA_STAFF_TOKEN").ok()) {
        (_, Some(t)) => Ok(t),
        (Some(d), None) => Ok(std::fs::read_to_string(d.join("cli-token"))?
            .trim()
            .to_string()),
        (None, None) => anyhow::bail!("give --data DIR or set CERTDESK_CA_STAFF_TOKEN"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.cmd {
        Cmd::Serve(opts) => serve(opts).await,
        Cmd::Point { cmd, ca, data } => {
            let api = operators::StaffApi::new(&ca, staff_credential(data)?)?;
            operators::point(&api, cmd).await
        }
        Cmd::Operator { cmd, ca, data } => {
            let api = operators::StaffApi::new(&ca, staff_credential(data)?)?;
            operators::operator(&api, &ca, cmd).await
        }
        Cmd::Review { cmd, ca, data } => {
            let token = staff_credential(data)?;
            let client = CaClient::new(&ca)?.with_token(SecretString::from(token));
            match cmd {
                ReviewCmd::List => {
                    let page = client
                        .staff_applications(ApplicationStatus::InReview, Some(100), None)
                        .await?;
                    for a in page.items {
                        let name = a
                            .input
                            .enterprise
                            .as_ref()
                            .map(|e| e.name.as_str())
                            .unwrap_or("-");
                        println!("{}\t{}\t{}\t{}", a.id, a.channel_id, name, a.updated_at);
                    }
                }
                ReviewCmd::Approve { id } => {
                    let a = client.staff_approve(&id).await?;
                    println!("{}\t{:?}", a.id, a.status);
                }
                ReviewCmd::Reject { id, reasons } => {
                    let a = client.staff_reject(&id, reasons).await?;
                    println!("{}\t{:?}", a.id, a.status);
                }
            }
            Ok(())
        }
        Cmd::Audit { cmd } => audit::run(cmd),
        Cmd::Close { cmd } => close::run(cmd),
        Cmd::Sandbox {
            cmd:
                SandboxCmd::ApprovedOrder {
                    ca,
                    channel,
                    json: _,
                },
        } => {
            let order = certdesk_ca_service::sandbox_flow::approved_order(&ca, &channel).await?;
            println!("{}", serde_json::to_string(&order)?);
            Ok(())
        }
        Cmd::Sandbox {
            cmd:
                SandboxCmd::Order {
                    ca,
                    channel,
                    phone,
                    stop,
                    json: _,
                },
        } => {
            let order =
                certdesk_ca_service::sandbox_flow::order_at(&ca, &channel, phone.as_deref(), stop)
                    .await?;
            println!("{}", serde_json::to_string(&order)?);
            Ok(())
        }
    }
}
