use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use serde_json::Value;
use tempfile::TempDir;

pub struct Ca {
    pub url: String,
    pub child: Option<Child>,
    pub dir: PathBuf,
    _tmp: Option<TempDir>,
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_certdesk-ca")
}

impl Ca {
    pub fn start() -> Ca {
        Self::start_with(&["--sandbox"])
    }

    pub fn start_with(extra: &[&str]) -> Ca {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut ca = Self::start_in(&dir, extra);
        ca._tmp = Some(tmp);
        ca
    }

    /// Production mode (no `--sandbox`): every provider named in a providers file whose
    /// adapters point at `providers_base` (a test double, or nothing listening).
    pub fn start_production(providers_base: &str) -> Ca {
        let tmp = TempDir::new().unwrap();
        let dir = tmp.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        let cfg = tmp.path().join("providers.toml");
        std::fs::write(&cfg, providers_config(providers_base, PROVIDER_KEY)).unwrap();
        let mut ca = Self::start_in(&dir, &["--providers", cfg.to_str().unwrap()]);
        ca._tmp = Some(tmp);
        ca
    }

    /// Starts on an existing data dir (restart tests).
    pub fn start_in(dir: &Path, extra: &[&str]) -> Ca {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.with_extension("log"))
            .unwrap();
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        let (child, url) = certdesk_testkit::ca::spawn_serve(
            Path::new(bin()),
            dir,
            "127.0.0.1:0",
            &extra,
            Stdio::from(log),
        )
        .unwrap();
        Ca {
            url,
            child: Some(child),
            dir: dir.to_path_buf(),
            _tmp: None,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.with_extension("log")).unwrap_or_default()
    }

    pub fn client(&self) -> CaClient {
        CaClient::new(&self.url).unwrap()
    }

    pub fn staff_token(&self) -> String {
        std::fs::read_to_string(self.dir.join("staff-token"))
            .unwrap()
            .trim()
            .to_string()
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    pub fn sigterm(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().unwrap();
        let st = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        c.wait().unwrap()
    }

    /// A signed-in client for a fresh persona (seeded so tests do not collide).
    pub async fn signed_in(&self, seed: u64) -> (CaClient, Persona) {
        let p = Persona::new(seed);
        let mut c = self.client();
        sandbox_flow::sign_in(&mut c, &p.handler.phone)
            .await
            .unwrap();
        c.sandbox_put_company(&p.company).await.unwrap();
        (c, p)
    }

    pub fn http(&self) -> reqwest::Client {
        // reqwest comes without a crypto provider here (as in the CA): ring, as the
        // client crate installs it, so a test that builds this client first works alone.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::new()
    }

    /// Moves the CA's clock `secs` forward (a CA started with `--test-clock`): the test
    /// reaches an expiry without sleeping.
    pub async fn advance_clock(&self, secs: u32) {
        let r = raw(self
            .http()
            .post(format!("{}/sandbox/clock", self.url))
            .json(&serde_json::json!({ "secs": secs })))
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

impl Drop for Ca {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A raw response: status, headers, JSON body.
pub struct Raw {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub async fn raw(rb: reqwest::RequestBuilder) -> Raw {
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let bytes = r.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Raw {
        status,
        headers,
        body,
    }
}

impl Raw {
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.headers.get("content-type").unwrap().to_str().unwrap(),
            "application/problem+json"
        );
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert!(!self.body["title"].as_str().unwrap().is_empty());
        assert!(!self.body["title_zh"].as_str().unwrap().is_empty());
        self
    }
}

pub fn bearer(c: &CaClient) -> String {
    use secrecy::ExposeSecret;
    format!("Bearer {}", c.token().unwrap().expose_secret())
}

pub fn seed() -> u64 {
    rand::random::<u64>() >> 1
}

/// The face provider's result key in the test providers files.
pub const FACE_KEY: &str = "fedcba9876543210fedcba9876543210";

/// The merchant/provider key of the test providers files (not a sandbox key).
pub const PROVIDER_KEY: &str = "0123456789abcdef0123456789abcdef";

/// A complete providers file: every payment method signed with `wechat_key` (WeChat) or
/// [`PROVIDER_KEY`], every adapter at `<base>/<provider>`.
pub fn providers_config(base: &str, wechat_key: &str) -> String {
    let hook =
        |name: &str| format!("[{name}]\nurl = \"{base}/{name}\"\ntoken = \"{PROVIDER_KEY}\"\n");
    let mut s = String::new();
    for (m, key) in [
        ("wechat", wechat_key),
        ("alipay", PROVIDER_KEY),
        ("bank_gateway", PROVIDER_KEY),
    ] {
        s += &format!(
            "[payment.{m}]\nnotify_key = \"{key}\"\ncode_url = \"https://pay.example/{m}/{{payment_id}}\"\n"
        );
    }
    for name in ["sms", "email", "mail", "registry", "identity"] {
        s += &hook(name);
    }
    s += &format!(
        "{}check_url = \"https://face.example/{{id}}\"\nresult_key = \"{FACE_KEY}\"\n",
        hook("face")
    );
    s
}

/// Sends a request with a big body over a plain socket: the CA answers (413) before
/// reading such a body and closes, which reqwest reports as a broken pipe instead of
/// the answer. Writes until the CA closes, then reads and parses its answer.
pub async fn send_tcp(base: &str, head: &str, body: &[u8]) -> Raw {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = head.replace("{addr}", addr);
    s.write_all(head.as_bytes()).await.unwrap();
    for piece in body.chunks(0x2000) {
        if s.write_all(piece).await.is_err() {
            break;
        }
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    parse_http(&out)
}

pub fn parse_http(out: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(out).to_string();
    let status: u16 = text[9..12].parse().unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    for line in head.lines().skip(1) {
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(
                reqwest::header::HeaderName::from_bytes(k.trim().to_ascii_lowercase().as_bytes())
                    .unwrap(),
                v.trim().parse().unwrap(),
            );
        }
    }
    let body = body.find('{').map(|i| &body[i..]).unwrap_or("");
    let body = body.rfind('}').map(|j| &body[..=j]).unwrap_or("");
    Raw {
        status,
        headers,
        body: serde_json::from_str(body).unwrap_or_default(),
    }
}

/// A new-organisation application on `sandbox-rsa` with the persona's whole input.
pub fn new_org(p: &Persona) -> certdesk_ca_api::application::CreateApplication {
    p.new_org_on("sandbox-rsa")
}
