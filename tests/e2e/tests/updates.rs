//! Signed updates through the real window: a feed served on loopback with a newer
//! version signed by a throwaway minisign key (the debug build's
//! `CERTDESK_UPDATE_PUBKEY`; release builds trust only the key in tauri.conf.json). The
//! check at start announces it in the status bar; Settings shows what is new in the
//! window's language, downloads it and verifies the signature; a package whose signature
//! does not match is refused with a clear message; an administrator's policy turns checks
//! off and no request leaves the app.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use certdesk_e2e::App;
use common::set_language;

/// A static file server on loopback: path → body; counts the requests it answered.
struct Feed {
    url: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Feed {
    /// Serves the files `make` returns for the server's base URL.
    fn serve(make: impl FnOnce(&str) -> Vec<(String, Vec<u8>)>) -> Feed {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let files = make(&url);
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, done) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            // Bounded: stops when the test ends or after five minutes.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
            while !done.load(Ordering::Relaxed) && std::time::Instant::now() < deadline {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                }
                count.fetch_add(1, Ordering::Relaxed);
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let mut out = stream;
                match files.iter().find(|(p, _)| *p == path) {
                    Some((_, body)) => {
                        let _ = write!(
                            out,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = out.write_all(body);
                    }
                    None => {
                        let _ = write!(
                            out,
                            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                }
            }
        });
        Feed {
            url,
            requests,
            stop,
        }
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn tauri_cli() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/.bin/tauri")
}

/// A throwaway minisign key pair (public key text, private key file), as the release
/// pipeline makes its own with `tauri signer generate`.
fn key(dir: &Path) -> (String, PathBuf) {
    let private = dir.join("update.key");
    certdesk_testkit::process::run(
        Command::new(tauri_cli())
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(&private),
    )
    .unwrap();
    let public = std::fs::read_to_string(dir.join("update.key.pub")).unwrap();
    (public.trim().to_owned(), private)
}

fn sign(private: &Path, file: &Path) -> String {
    certdesk_testkit::process::run(
        Command::new(tauri_cli())
            .args(["signer", "sign", "-p", "", "-f"])
            .arg(private)
            .arg(file),
    )
    .unwrap();
    let mut sig = file.as_os_str().to_owned();
    sig.push(".sig");
    std::fs::read_to_string(sig).unwrap().trim().to_owned()
}

fn manifest(version: &str, url: &str, signature: &str) -> Vec<u8> {
    let notes = serde_json::json!({
        "zh-CN": "新增：环境检测中的 USBKey 深度自检。",
        "en": "New: the USBKey self-check in the environment check."
    });
    serde_json::to_vec(&serde_json::json!({
        "version": version,
        "notes": notes.to_string(),
        "pub_date": "2026-12-01T08:00:00Z",
        "platforms": { "linux-x86_64": { "url": url, "signature": signature } }
    }))
    .unwrap()
}

#[tokio::test]
async fn a_signed_update_is_found_downloaded_and_verified_and_a_forged_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (public, private) = key(dir.path());
    // The "package": its bytes are what the signature covers.
    let package = dir.path().join("certdesk_9.9.0_amd64.deb");
    let good: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&package, &good).unwrap();
    let signature = sign(&private, &package);
    let mut forged = good.clone();
    forged[1000] ^= 0xff;

    let feed = Feed::serve(|base| {
        vec![
            (
                "/stable/latest.json".to_owned(),
                manifest("9.9.0", &format!("{base}/pkg/good.deb"), &signature),
            ),
            (
                "/beta/latest.json".to_owned(),
                manifest(
                    "9.9.1-beta.1",
                    &format!("{base}/pkg/forged.deb"),
                    &signature,
                ),
            ),
            ("/pkg/good.deb".to_owned(), good.clone()),
            ("/pkg/forged.deb".to_owned(), forged),
        ]
    });
    let base = feed.url.clone();
    let feed_url = format!("{base}/{{channel}}/latest.json");
    let app = App::launch(&[
        ("CERTDESK_UPDATE_FEED", feed_url.as_str()),
        ("CERTDESK_UPDATE_PUBKEY", public.as_str()),
    ])
    .await
    .unwrap();

    // The check at start: the status bar says so, in Chinese.
    let notice = app
        .wait_text("[data-testid=status-update]", |t| t.contains("9.9.0"))
        .await
        .unwrap();
    assert!(notice.contains("发现新版本"), "{notice}");
    app.screenshot("update-notice-zh-CN").await.unwrap();

    app.click("nav-settings").await.unwrap();
    app.click("update-check").await.unwrap();
    let found = app
        .wait_text("[data-testid=update-found]", |t| t.contains("9.9.0"))
        .await
        .unwrap();
    assert!(found.contains("USBKey 深度自检"), "{found}");
    app.click("update-download").await.unwrap();
    let ready = app
        .wait_text("[data-testid=update-ready]", |t| t.contains("签名校验通过"))
        .await
        .unwrap();
    assert!(ready.contains("9.9.0"), "{ready}");
    app.wait_for("[data-testid=update-install]").await.unwrap();
    app.screenshot("update-verified-zh-CN").await.unwrap();

    // Beta serves a package whose bytes do not match the signature: refused.
    set_language(&app, "en").await;
    app.click("update-channel-beta").await.unwrap();
    app.click("update-check").await.unwrap();
    let found = app
        .wait_text("[data-testid=update-found]", |t| t.contains("9.9.1-beta.1"))
        .await
        .unwrap();
    assert!(found.contains("USBKey self-check"), "{found}");
    app.click("update-download").await.unwrap();
    let err = app
        .wait_text("[data-testid=update-error]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(err.contains("signature is not valid"), "{err}");
    assert!(
        app.by_testid("update-install").await.is_err(),
        "nothing to install after a refused package"
    );
    assert!(
        app.by_testid("status-update").await.is_err(),
        "a refused package is no longer announced"
    );
    app.screenshot("update-refused-en").await.unwrap();
    // The channel choice is kept.
    let settings: serde_json::Value = serde_json::from_slice(
        &std::fs::read(app.data_dir().join("config/settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(settings["update_channel"], "beta");
    app.close().await.unwrap();
    assert!(feed.requests.load(Ordering::Relaxed) >= 5);
}

#[tokio::test]
async fn an_administrator_turns_update_checks_off() {
    let feed = Feed::serve(|_| Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{"updates": {"enabled": false}}"#).unwrap();
    let feed_url = format!("{}/{{channel}}/latest.json", feed.url);
    let app = App::launch(&[
        ("CERTDESK_UPDATE_FEED", feed_url.as_str()),
        ("CERTDESK_POLICY_FILE", policy.to_str().unwrap()),
    ])
    .await
    .unwrap();
    app.click("nav-settings").await.unwrap();
    let text = app
        .wait_text("[data-testid=updates-disabled]", |t| t.contains("管理员"))
        .await
        .unwrap();
    assert!(text.contains("关闭"), "{text}");
    assert!(app.by_testid("update-check").await.is_err());
    app.screenshot("updates-disabled-zh-CN").await.unwrap();
    // An absence can only be seen by waiting: past the check at start (3 s), nothing
    // was asked.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(feed.requests.load(Ordering::Relaxed), 0);
    app.close().await.unwrap();
}
