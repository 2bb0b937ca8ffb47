//! Drives the real CertDesk window through Debian's WebKitWebDriver (no tauri-driver
//! needed on Linux). Each [`App`] gets its own WebKitWebDriver process, data dir and
//! environment, started and stopped by PID.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use hyper_util::client::legacy::connect::HttpConnector;
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(20);

/// The one deadline loop: polls `probe` every 100 ms until it gives `Some`, and fails
/// naming `what` once `within` has passed.
pub async fn eventually<T, F, Fut>(what: &str, within: Duration, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return Ok(v);
        }
        if started.elapsed() > within {
            bail!("{what}: not within {} s", within.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The app binary under test: `CERTDESK_APP_BINARY`, else the debug build.
pub fn app_binary() -> PathBuf {
    std::env::var_os("CERTDESK_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug/certdesk"))
}

/// Where screenshots go, for people to look at.
pub fn screens_dir() -> PathBuf {
    target_dir().join("screens")
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// How often a click that lost a race with a re-render is retried.
const CLICK_RETRIES: usize = 5;

enum ClickError {
    /// The click never reached the node: it was replaced, covered or not yet
    /// interactable while Svelte re-rendered. Safe to retry on a fresh lookup.
    Raced(anyhow::Error),
    Other(anyhow::Error),
}

impl ClickError {
    fn from_cmd(e: fantoccini::error::CmdError) -> Self {
        use fantoccini::error::{CmdError, ErrorStatus};
        let CmdError::Standard(ref wd) = e else {
            return Self::Other(e.into());
        };
        // WebKitWebDriver reports a replaced node as "Node with identifier … was not
        // found" (no such element) and, while a re-render is in flight, sometimes as an
        // unknown error with an empty message; its Display shows only the message, so
        // the status goes into the context.
        let raced = matches!(
            wd.error,
            ErrorStatus::StaleElementReference
                | ErrorStatus::NoSuchElement
                | ErrorStatus::ElementNotInteractable
                | ErrorStatus::ElementClickIntercepted
        ) || (wd.error == ErrorStatus::UnknownError && wd.message.trim().is_empty());
        let status = format!("webdriver {:?}", wd.error);
        let err = anyhow::Error::from(e).context(status);
        if raced {
            Self::Raced(err)
        } else {
            Self::Other(err)
        }
    }
}

pub struct App {
    pub client: Client,
    driver: Child,
    data: AppData,
}

/// The app's data dir: owned by this test, or shared between launches to test persistence.
pub enum AppData {
    Owned(TempDir),
    Borrowed(PathBuf),
}

impl AppData {
    pub fn path(&self) -> &Path {
        match self {
            AppData::Owned(t) => t.path(),
            AppData::Borrowed(p) => p,
        }
    }
}

/// An update feed address where nothing answers, so no test reaches the real one.
pub const NO_UPDATE_FEED: &str = "http://127.0.0.1:9/{channel}/latest.json";

impl App {
    /// Launches the app in a fresh data dir with the given extra environment.
    pub async fn launch(env: &[(&str, &str)]) -> anyhow::Result<App> {
        Self::launch_in(AppData::Owned(tempfile::tempdir()?), env).await
    }

    /// Launches the app with the SoftHSM2 store `hsm` as its token module (its
    /// configuration and `CERTDESK_PKCS11_MODULE`) and the `extra` environment.
    pub async fn launch_on_softhsm(
        hsm: &certdesk_testkit::softhsm::SoftHsm,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<App> {
        let module = certdesk_testkit::softhsm::SoftHsm::module()?;
        let (conf_var, conf) = hsm.env();
        let mut env = vec![
            (conf_var, conf.to_str().context("SoftHSM2 config path")?),
            (
                "CERTDESK_PKCS11_MODULE",
                module.to_str().context("module path")?,
            ),
        ];
        env.extend_from_slice(extra);
        Self::launch(&env).await
    }

    pub async fn launch_in(data: AppData, env: &[(&str, &str)]) -> anyhow::Result<App> {
        Self::launch_with_args(data, env, &[]).await
    }

    /// As [`Self::launch_in`], with command-line arguments for the app (a `certdesk://` link).
    pub async fn launch_with_args(
        data: AppData,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> anyhow::Result<App> {
        let binary = app_binary();
        if !binary.exists() {
            bail!(
                "{} missing: build it with `cargo build -p certdesk`",
                binary.display()
            );
        }
        let port = free_port()?;
        let mut cmd = Command::new("WebKitWebDriver");
        cmd.arg(format!("--port={port}"))
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("CERTDESK_DATA_DIR", data.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
            .env_remove("CERTDESK_CA_URL")
            // No token detection unless a test names a module: never the system's store.
            .env("CERTDESK_PKCS11_MODULE", "none")
            // The update check at start stays on this machine (nothing listens there)
            // unless a test serves a feed.
            .env("CERTDESK_UPDATE_FEED", NO_UPDATE_FEED)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut driver = cmd
            .spawn()
            .context("starting WebKitWebDriver (apt: webkit2gtk-driver)")?;
        let url = format!("http://127.0.0.1:{port}");
        let caps = serde_json::json!({
            "webkitgtk:browserOptions": { "binary": binary, "args": args }
        });
        let serde_json::Value::Object(caps) = caps else {
            bail!("capabilities must be an object");
        };
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    let _ = driver.kill();
                    return Err(e).context("WebDriver session");
                }
            }
        };
        let app = App {
            client,
            driver,
            data,
        };
        app.wait_for("[data-ready=true]").await?;
        Ok(app)
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Waits for `css`; on a timeout the window is saved as `timeout-*.png` beside the
    /// screenshots, so a failure in CI shows what the window showed instead.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<Element> {
        let found = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await;
        if found.is_err() {
            let name: String = css
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .take(80)
                .collect();
            if let Ok(path) = self.screenshot(&format!("timeout-{name}")).await {
                eprintln!("window at the timeout: {}", path.display());
            }
        }
        found.with_context(|| format!("waiting for {css}"))
    }

    pub async fn by_testid(&self, id: &str) -> anyhow::Result<Element> {
        self.wait_for(&format!("[data-testid=\"{id}\"]")).await
    }

    /// Clicks the element, first scrolled to the middle of its scrolling container (the
    /// content pane scrolls inside the window, under a fixed status bar).
    ///
    /// The UI re-renders asynchronously (a section mounting, a language switch), so the
    /// node found can be replaced before the click lands; a click on a node that went
    /// stale is retried on the fresh one. Any other error fails at once.
    pub async fn click(&self, id: &str) -> anyhow::Result<()> {
        let mut attempts = 0;
        loop {
            match self.try_click(id).await {
                Err(ClickError::Raced(_)) if attempts < CLICK_RETRIES => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
                Err(ClickError::Raced(e) | ClickError::Other(e)) => {
                    return Err(e.context(format!("clicking {id}")));
                }
                Ok(()) => return Ok(()),
            }
        }
    }

    async fn try_click(&self, id: &str) -> Result<(), ClickError> {
        let el = self.by_testid(id).await.map_err(ClickError::Other)?;
        let arg = serde_json::to_value(&el).map_err(|e| ClickError::Other(e.into()))?;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
            .await
            .map_err(ClickError::from_cmd)?;
        el.click().await.map_err(ClickError::from_cmd)
    }

    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Waits until `css` has text satisfying `pred` (the UI updates asynchronously).
    pub async fn wait_text(
        &self,
        css: &str,
        pred: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let last = std::cell::RefCell::new(String::new());
        let found = eventually(css, WAIT, || async {
            let el = match self.wait_for(css).await {
                Ok(el) => el,
                Err(e) => return Some(Err(e)),
            };
            match el.text().await {
                Ok(text) if pred(&text) => Some(Ok(text)),
                Ok(text) => {
                    *last.borrow_mut() = text;
                    None
                }
                // The node was replaced between finding and reading it (a re-render, as
                // a click can race one): read the fresh one.
                Err(e) => match ClickError::from_cmd(e) {
                    ClickError::Raced(_) => None,
                    ClickError::Other(e) => Some(Err(e)),
                },
            }
        })
        .await;
        match found {
            Ok(r) => r,
            Err(_) => bail!("{css} still reads {:?}", last.borrow()),
        }
    }

    /// Saves a screenshot of the window's content as `target/screens/<name>.png`,
    /// after two animation frames so the picture matches the DOM.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let dir = screens_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Kills the app with SIGKILL (no chance to save or clean up), then stops its driver;
    /// returns the data dir for a relaunch. The app is the driver's child, found by PID.
    pub async fn crash(mut self) -> anyhow::Result<AppData> {
        let driver = self.driver.id();
        let mut killed = 0;
        for pid in self.app_pids()? {
            let status = Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()?;
            if status.success() {
                killed += 1;
            }
        }
        if killed == 0 {
            bail!("no app process under WebKitWebDriver {driver}");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        Ok(std::mem::replace(
            &mut self.data,
            AppData::Borrowed(PathBuf::new()),
        ))
    }

    /// Waits until the app ended on its own (an injected fault aborted it), then stops
    /// its driver; returns the data dir for a relaunch.
    pub async fn exited(mut self) -> anyhow::Result<AppData> {
        let started = Instant::now();
        while !self.app_pids()?.is_empty() {
            if started.elapsed() > WAIT {
                bail!("the app is still running");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        Ok(std::mem::replace(
            &mut self.data,
            AppData::Borrowed(PathBuf::new()),
        ))
    }

    /// The app processes this test's WebKitWebDriver started.
    fn app_pids(&self) -> anyhow::Result<Vec<u32>> {
        let driver = self.driver.id();
        let mut pids = Vec::new();
        for entry in std::fs::read_dir("/proc")? {
            let entry = entry?;
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // "pid (comm) state ppid …": the comm may hold spaces, so split after ')'.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            let exe = std::fs::read_link(entry.path().join("exe")).unwrap_or_default();
            if ppid == Some(driver) && exe.file_name() == app_binary().file_name() {
                pids.push(pid);
            }
        }
        Ok(pids)
    }

    /// Ends the session (which closes the app) and stops the driver. The app must be
    /// gone before the next launch: one still running would hold the single-instance
    /// name on the session bus and take the next launch's arguments instead.
    pub async fn close(mut self) -> anyhow::Result<AppData> {
        let pids = self.app_pids().unwrap_or_default();
        let closed = self.client.clone().close().await;
        let started = Instant::now();
        let alive = |pid: u32| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')
                        .and_then(|(_, r)| r.split_whitespace().next().map(str::to_owned))
                })
                .is_some_and(|state| state != "Z" && state != "X")
        };
        while pids.iter().any(|p| alive(*p)) && started.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for pid in pids.into_iter().filter(|p| alive(*p)) {
            eprintln!("app {pid} still running 10 s after its session closed: killed");
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        closed?;
        Ok(std::mem::replace(
            &mut self.data,
            AppData::Borrowed(PathBuf::new()),
        ))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // A failed test never reaches close(): still stop the driver, and with it the app.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
