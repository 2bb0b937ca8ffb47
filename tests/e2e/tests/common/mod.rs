//! Helpers shared by the window tests that talk to the reference CA sandbox.
#![allow(dead_code, clippy::unwrap_used)]

pub mod apply;
pub mod certs;
pub mod counter;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use certdesk_ca_api::sandbox::ApprovedOrder;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::{App, AppData, eventually};
use certdesk_testkit::ca::{CaService, bin_dir};
use certdesk_testkit::keychain::PrivateKeyring;
use certdesk_testkit::process::run;
use certdesk_testkit::softhsm::SoftHsm;

pub struct Env {
    pub ca: CaService,
    pub keyring: PrivateKeyring,
}

impl Env {
    pub fn start() -> Env {
        Self::start_with(&[])
    }

    /// With extra options for the CA's `serve` (e.g. `--payment-ttl-secs`).
    pub fn start_with(ca_options: &[&str]) -> Env {
        Env {
            ca: CaService::start_with(ca_options).unwrap(),
            keyring: PrivateKeyring::start().unwrap(),
        }
    }

    pub async fn launch(&self) -> App {
        self.launch_in(AppData::Owned(tempfile::tempdir().unwrap()))
            .await
    }

    /// Launches the app on an existing data dir (a restart), with the same CA and keychain.
    pub async fn launch_in(&self, data: AppData) -> App {
        self.launch_with(data, &[], &[]).await
    }

    /// A launch with extra environment and command-line arguments.
    pub async fn launch_with(&self, data: AppData, env: &[(&str, &str)], args: &[&str]) -> App {
        let mut all = vec![
            ("CERTDESK_CA_URL", self.ca.url()),
            ("DBUS_SESSION_BUS_ADDRESS", self.keyring.bus_address()),
        ];
        all.extend_from_slice(env);
        App::launch_with_args(data, &all, args).await.unwrap()
    }

    /// A client with the sandbox CA's staff token (approve, reject, paper received).
    pub fn staff(&self) -> CaClient {
        let token = std::fs::read_to_string(self.ca.data_dir().join("staff-token"))
            .expect("the sandbox CA writes its staff token");
        self.sandbox()
            .with_token(secrecy::SecretString::from(token.trim().to_owned()))
    }

    pub fn sandbox(&self) -> CaClient {
        CaClient::new(self.ca.url()).unwrap()
    }

    /// The serials the CA issued for an application, read from its database.
    pub fn issued(&self, application_id: &str) -> Vec<String> {
        let out = run(Command::new("sqlite3")
            .arg(self.ca.data_dir().join("ca.sqlite3"))
            .arg(format!(
                "SELECT serial FROM certificates WHERE application_id = '{application_id}';"
            )))
        .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The CA ends every session (as on expiry, or a sign-out elsewhere).
    pub fn end_sessions(&self) {
        run(Command::new("sqlite3")
            .arg(self.ca.data_dir().join("ca.sqlite3"))
            .arg("DELETE FROM sessions;"))
        .unwrap();
    }
}

pub fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

pub async fn type_into(app: &App, testid: &str, text: &str) {
    let el = app.by_testid(testid).await.unwrap();
    // As `App::click` does: the middle of the scrolling pane, never under its edge.
    let arg = serde_json::to_value(&el).unwrap();
    app.client
        .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
        .await
        .unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

pub async fn value(app: &App, testid: &str) -> String {
    let el = app.by_testid(testid).await.unwrap();
    el.prop("value").await.unwrap().unwrap_or_default()
}

/// The id of the order the detail page shows (the page shows its number; the id is on
/// the element for links and look-ups).
pub async fn shown_order_id(app: &App) -> String {
    let el = app.by_testid("order-detail-id").await.unwrap();
    el.attr("data-id").await.unwrap().unwrap()
}

/// The answer to the captcha the window shows now (its id is on the image).
pub async fn captcha_answer(app: &App, ca: &CaClient, previous: Option<&str>) -> (String, String) {
    let id = new_captcha(app, "sign-in-captcha", previous).await;
    let answer = ca.sandbox_captcha_answer(&id).await.unwrap();
    (id, answer)
}

/// The id of the captcha shown under `testid` once it differs from `previous`.
pub async fn new_captcha(app: &App, testid: &str, previous: Option<&str>) -> String {
    let image = format!("{testid}-image");
    eventually("a new captcha", Duration::from_secs(10), || async {
        let img = app.by_testid(&image).await.ok()?;
        let id = img.attr("data-captcha-id").await.ok()??;
        (Some(id.as_str()) != previous).then_some(id)
    })
    .await
    .unwrap()
}

/// Phone, captcha, "get code": returns the captcha id used.
pub async fn request_code(app: &App, ca: &CaClient, phone: &str) -> String {
    type_into(app, "sign-in-phone", phone).await;
    let (id, answer) = captcha_answer(app, ca, None).await;
    type_into(app, "sign-in-captcha", &answer).await;
    app.click("sign-in-send").await.unwrap();
    app.by_testid("sign-in-sent").await.unwrap();
    id
}

pub async fn sign_in(app: &App, ca: &CaClient, phone: &str) {
    request_code(app, ca, phone).await;
    let code = sandbox_flow::latest_code(ca, phone).await.unwrap();
    type_into(app, "sign-in-code", &code).await;
    app.click("sign-in-submit").await.unwrap();
    app.by_testid("account").await.unwrap();
}

/// The window itself never scrolls: the page is exactly the window's height (only the
/// content pane and the sidebar scroll inside it), so the wheel cannot shift the shell.
pub async fn only_the_pane_scrolls(app: &App) {
    let overflow = app
        .client
        .execute(
            "const s = document.scrollingElement; window.scrollTo(0, 10000); \
             const y = window.scrollY; window.scrollTo(0, 0); \
             return [s.scrollHeight - s.clientHeight, y];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        serde_json::json!([0, 0]),
        "the page is taller than the window (extra height, scrolled by)"
    );
}

pub async fn set_language(app: &App, lang: &str) {
    app.click("nav-settings").await.unwrap();
    app.click(&format!("lang-{lang}")).await.unwrap();
    // The switch is immediate, but the next step must not race it: wait until the whole
    // document says the new language and the choice shows as made.
    app.wait_for(&format!("html[lang=\"{lang}\"]"))
        .await
        .unwrap();
    app.wait_for(&format!("[data-testid=lang-{lang}]:checked"))
        .await
        .unwrap();
}

/// 申请证书 → channel → business → agreements: the enterprise form of a new draft.
pub async fn start_draft(app: &App, channel: &str) {
    app.click("nav-apply").await.unwrap();
    app.click(&format!("channel-{channel}")).await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    agree_and_start(app).await;
}

/// The business page's "next", the agreements, "start": the enterprise form.
async fn agree_and_start(app: &App) {
    app.click("apply-business-next").await.unwrap();
    app.click("agree-service").await.unwrap();
    app.click("agree-privacy").await.unwrap();
    app.click("apply-start").await.unwrap();
    app.wait_for("[data-testid=enterprise-form][data-loaded=true]")
        .await
        .unwrap();
}

/// Apply opened from a certificate's card (change / reissue): the channel, then the
/// business already chosen and the certificate named (screenshot `shot`), then the
/// agreements, to the enterprise form.
pub async fn start_from_card(app: &App, channel: &str, business: &str, serial: &str, shot: &str) {
    app.click(&format!("channel-{channel}")).await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    app.wait_for(&format!("[data-testid=business-{business}].chosen"))
        .await
        .unwrap();
    let note = app
        .text("[data-testid=apply-for-certificate]")
        .await
        .unwrap();
    assert!(note.contains(serial), "{note}");
    app.screenshot(shot).await.unwrap();
    agree_and_start(app).await;
}

/// Types the persona's enterprise facts into the form, except the fields in `skip`.
pub async fn type_enterprise(app: &App, p: &Persona, skip: &[&str]) {
    for (f, v) in [
        ("enterprise.uscc", p.company.uscc.as_str()),
        ("enterprise.org_code", p.org_code.as_str()),
        ("enterprise.name", p.company.name.as_str()),
        (
            "enterprise.legal_rep_name",
            p.company.legal_rep_name.as_str(),
        ),
        (
            "enterprise.legal_rep_id_number",
            p.company.legal_rep_id_number.as_str(),
        ),
        ("enterprise.legal_rep_phone", p.legal_rep_phone.as_str()),
    ] {
        if !skip.contains(&f) {
            type_into(app, &format!("field-{f}"), v).await;
        }
    }
}
/// Scrolls the element to the top of its scrolling pane, so a screenshot shows it.
pub async fn show(app: &App, testid: &str) {
    app.by_testid(testid).await.unwrap();
    app.client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'start'})",
            vec![serde_json::json!(format!("[data-testid=\"{testid}\"]"))],
        )
        .await
        .unwrap();
}

/// `certdesk-cli download` of the order onto the token (card password, PIN on stdin).
pub fn cli_download(
    hsm: &SoftHsm,
    data: &Path,
    ca_url: &str,
    o: &ApprovedOrder,
    token: &str,
    pin: &str,
) {
    let module = SoftHsm::module().unwrap();
    let mut child = Command::new(bin_dir().unwrap().join("certdesk-cli"))
        .args([
            "download",
            "--ca",
            ca_url,
            "--application",
            &o.application_id,
        ])
        .args(["--card-serial", &o.card_serial, "--phone", &o.phone])
        .args([
            "--org-code",
            &o.org_code,
            "--module",
            module.to_str().unwrap(),
        ])
        .args([
            "--token",
            token,
            "--secrets-stdin",
            "--sandbox-captcha",
            "--json",
        ])
        .env(hsm.env().0, hsm.env().1)
        .env("CERTDESK_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n{pin}\n", o.card_password).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "download failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The focused element once it is the one with `testid` (focus moves after a render).
pub async fn eventually_focused(app: &App, testid: &str) -> fantoccini::elements::Element {
    let want = testid.to_owned();
    eventually(
        &format!("{testid} focused"),
        Duration::from_secs(10),
        || {
            let want = want.clone();
            async move {
                let el = app.client.active_element().await.ok()?;
                let id = el.attr("data-testid").await.ok()??;
                (id == want).then_some(el)
            }
        },
    )
    .await
    .unwrap()
}

/// Waits until no element with `testid` is in the page.
pub async fn eventually_gone(app: &App, testid: &str) {
    let css = format!("[data-testid={testid}]");
    eventually(&format!("{testid} gone"), Duration::from_secs(10), || {
        let css = css.clone();
        async move {
            match app.client.find_all(fantoccini::Locator::Css(&css)).await {
                Ok(v) if v.is_empty() => Some(()),
                _ => None,
            }
        }
    })
    .await
    .unwrap()
}

/// Asserts that none of `secrets` is in any file under `dir` (the app's log, settings,
/// databases); returns how many files were read.
pub fn assert_in_no_file(dir: &std::path::Path, secrets: &[&str]) -> usize {
    let mut files = 0;
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            files += 1;
            for s in secrets {
                assert!(
                    !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                    "a secret in {}",
                    path.display()
                );
            }
        }
    }
    files
}

/// A saved PDF's text by poppler's `pdftotext`, whitespace removed (CJK has none to
/// keep, and a wrapped line joins up again).
pub fn pdf_text(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect()
}
