//! `certdesk-ca serve`: open the data dir, bind, print the base URL, serve until signalled.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use secrecy::SecretString;

use crate::channels::Channels;
use crate::clock::Clock;
use crate::providers::config::ProvidersConfig;
use crate::providers::sandbox::{
    OutboxNotifier, SandboxFaceChecks, SandboxIdentityChecks, SandboxPayments, SandboxRegistry,
    registry_fixture,
};
use crate::providers::webhook::Production;
use crate::providers::{EnterpriseRegistry, FaceChecks, IdentityChecks, Notifier, PaymentGateway};
use crate::state::AppState;
use crate::store::seal::DataKey;
use crate::store::{Db, records};

/// `certdesk-ca serve`: the command line is the options.
#[derive(clap::Args)]
pub struct ServeOptions {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[arg(long)]
    pub data: PathBuf,
    /// Sandbox providers, the /sandbox page and fixtures.
    #[arg(long, conflicts_with = "providers")]
    pub sandbox: bool,
    /// Production providers (TOML: payment methods, sms, email, mail, registry,
    /// identity, face); required without --sandbox.
    #[arg(long, required_unless_present = "sandbox")]
    pub providers: Option<PathBuf>,
    /// Channels TOML (default: the shipped sandbox channels).
    #[arg(long)]
    pub channels: Option<PathBuf>,
    /// Lifetime of SMS one-time codes.
    #[arg(long, default_value_t = 300, hide = true)]
    pub otp_ttl_secs: i64,
    /// Lifetime of a payment's QR code before it must be renewed.
    #[arg(long, default_value_t = 900, hide = true)]
    pub payment_ttl_secs: i64,
    /// A request still unanswered after this gets 408 `request_timeout` (issuance
    /// with a new CA hierarchy takes seconds on a slow machine, never a minute).
    #[arg(long, default_value_t = 60, hide = true)]
    pub request_timeout_secs: u64,
    /// Sandbox only: report a clock this many seconds off in /healthz, to show the
    /// client's clock-skew check.
    #[arg(long, default_value_t = 0, hide = true, allow_negative_numbers = true)]
    pub reported_clock_offset_secs: i64,
    /// Sandbox only: a clock the tests move forward with `POST /sandbox/clock`
    /// instead of sleeping.
    #[arg(long, hide = true)]
    pub test_clock: bool,
}

/// Reads the staff token, creating it (mode 0600) on first start.
pub fn staff_token(data: &Path) -> anyhow::Result<String> {
    private_token(data, "staff-token")
}

/// Reads the CLI's staff credential, creating it (mode 0600) on first start.
pub fn cli_token(data: &Path) -> anyhow::Result<String> {
    private_token(data, "cli-token")
}

/// Reads `DIR/<name>`, creating it with a fresh 256-bit token (mode 0600) on first start.
fn private_token(data: &Path, name: &str) -> anyhow::Result<String> {
    let path = data.join(name);
    if let Ok(t) = std::fs::read_to_string(&path) {
        return Ok(t.trim().to_string());
    }
    let t = crate::secrets::token();
    write_private(&path, t.as_bytes())?;
    Ok(t)
}

/// Writes a file only the service's user can read.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// The third parties, chosen explicitly: the sandbox's with `--sandbox`, otherwise the
/// configured ones — every one of them, never a sandbox fallback.
struct ProviderSet {
    registry: Arc<dyn EnterpriseRegistry>,
    checks: Arc<dyn IdentityChecks>,
    notifier: Arc<dyn Notifier>,
    payments: Arc<dyn PaymentGateway>,
    face: Arc<dyn FaceChecks>,
}

enum Mode {
    Sandbox,
    Production(Box<crate::providers::config::Providers>),
}

/// Decided before anything opens: a misconfigured production CA never starts.
fn mode(opts: &ServeOptions) -> anyhow::Result<Mode> {
    if opts.reported_clock_offset_secs != 0 && !opts.sandbox {
        anyhow::bail!("--reported-clock-offset-secs is for the sandbox only");
    }
    if opts.test_clock && !opts.sandbox {
        anyhow::bail!("--test-clock is for the sandbox only (with --sandbox)");
    }
    match (opts.sandbox, &opts.providers) {
        (true, Some(_)) => anyhow::bail!(
            "--sandbox uses the sandbox providers; --providers is for production only"
        ),
        (true, None) => Ok(Mode::Sandbox),
        (false, None) => anyhow::bail!(
            "without --sandbox every provider must be configured: --providers FILE \
             (payment methods, sms, email, mail, registry, identity, face; see the README)"
        ),
        (false, Some(path)) => Ok(Mode::Production(Box::new(ProvidersConfig::load(path)?))),
    }
}

fn provider_set(mode: Mode, base_url: &str, clock: &Clock) -> ProviderSet {
    match mode {
        Mode::Sandbox => ProviderSet {
            registry: Arc::new(SandboxRegistry),
            checks: Arc::new(SandboxIdentityChecks),
            notifier: Arc::new(OutboxNotifier {
                clock: clock.clone(),
            }),
            payments: Arc::new(SandboxPayments {
                base_url: base_url.to_string(),
            }),
            face: Arc::new(SandboxFaceChecks {
                base_url: base_url.to_string(),
            }),
        },
        Mode::Production(config) => {
            let p = Production::start(*config, clock.clone());
            ProviderSet {
                registry: Arc::new(p.registry),
                checks: Arc::new(p.checks),
                notifier: Arc::new(p.notifier),
                payments: Arc::new(p.payments),
                face: Arc::new(p.face),
            }
        }
    }
}

pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let mode = mode(&opts)?;
    std::fs::create_dir_all(&opts.data)
        .with_context(|| format!("creating {}", opts.data.display()))?;
    let channels = Channels::load(opts.channels.as_deref())?;
    let data_key = DataKey::derive(private_token(&opts.data, "data-key")?.as_bytes());
    let db = Db::open(&opts.data.join("ca.sqlite3"), &data_key)?;
    if opts.sandbox {
        db.tx(|tx| {
            if records::registry_list(tx)?.is_empty() {
                for c in registry_fixture() {
                    records::registry_put(tx, &c)?;
                }
            }
            Ok::<_, crate::store::StoreError>(())
        })?;
    }
    let staff = staff_token(&opts.data)?;
    // Before the URL is announced: a CLI command run as soon as the service says where it
    // listens reads this file.
    let cli = cli_token(&opts.data)?;
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    {
        // Scripts read the first stdout line to find the service.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{base_url}")?;
        out.flush()?;
    }
    let (clock, clock_control) = if opts.test_clock {
        let (clock, control) = Clock::settable();
        (clock, Some(control))
    } else {
        (Clock::system(), None)
    };
    let providers = provider_set(mode, &base_url, &clock);
    let state = Arc::new(AppState {
        db,
        channels,
        base_url: base_url.clone(),
        sandbox: opts.sandbox,
        staff_token: SecretString::from(staff),
        cli_token: SecretString::from(cli),
        otp_key: SecretString::from(private_token(&opts.data, "otp-key")?),
        data_dir: opts.data.clone(),
        otp_ttl_secs: opts.otp_ttl_secs,
        payment_ttl_secs: opts.payment_ttl_secs,
        request_timeout: std::time::Duration::from_secs(opts.request_timeout_secs.max(1)),
        reported_clock_offset_secs: opts.reported_clock_offset_secs,
        registry: providers.registry,
        checks: providers.checks,
        notifier: providers.notifier,
        payments: providers.payments,
        face: providers.face,
        pki: crate::pki::Pki::new(&opts.data, &base_url, clock.clone()),
        clock,
        clock_control,
    });
    tracing::info!(%base_url, sandbox = opts.sandbox, test_clock = opts.test_clock, "listening");
    axum::serve(listener, crate::http::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
