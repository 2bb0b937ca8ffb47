use std::io::{BufRead, BufReader};
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

    /// Starts on an existing data dir (restart tests).
    pub fn start_in(dir: &Path, extra: &[&str]) -> Ca {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.with_extension("log"))
            .unwrap();
        let mut child = Command::new(bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "first stdout line was {url:?}"
        );
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
        reqwest::Client::new()
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
