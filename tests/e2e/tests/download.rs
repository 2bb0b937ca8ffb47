//! Certificate download (证书下载) through the real window: a SoftHSM2 token through its
//! PKCS#11 module, the reference CA sandbox over loopback HTTP, approved orders made by
//! `certdesk-ca sandbox approved-order`. After each download the token is read with
//! `pkcs11-tool` (a tool no one here wrote) and the CA's database is counted.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use certdesk_ca_client::CaClient;
use certdesk_e2e::{App, AppData};
use certdesk_testkit::ca::{self, ApprovedOrder};
use certdesk_testkit::softhsm::SoftHsm;
use common::{Env, set_language, type_into, value};

const PIN: &str = "12345678";
const SO_PIN: &str = "87654321";

fn approved_order(url: &str, channel: &str) -> ApprovedOrder {
    ca::approved_order(url, channel).unwrap()
}

struct Rig {
    env: Env,
    hsm: SoftHsm,
    serial: String,
}

impl Rig {
    fn new() -> Rig {
        let hsm = SoftHsm::new().unwrap();
        let serial = hsm.init_token("企业证书Key", SO_PIN, PIN).unwrap();
        Rig {
            env: Env::start(),
            hsm,
            serial,
        }
    }

    async fn launch_in(&self, data: AppData, fault: Option<&str>) -> App {
        let module = SoftHsm::module().unwrap();
        let (conf_var, conf) = self.hsm.env();
        let conf = conf.to_str().unwrap().to_string();
        let mut vars = vec![
            ("CERTDESK_CA_URL", self.env.ca.url().to_string()),
            (
                "DBUS_SESSION_BUS_ADDRESS",
                self.env.keyring.bus_address().to_string(),
            ),
            (conf_var, conf),
            (
                "CERTDESK_PKCS11_MODULE",
                module.to_str().unwrap().to_string(),
            ),
        ];
        if let Some(f) = fault {
            vars.push(("CERTDESK_FAULT_AFTER", f.to_string()));
        }
        let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        App::launch_in(data, &refs).await.unwrap()
    }

    fn ca(&self) -> CaClient {
        self.env.sandbox()
    }

    /// Certificates the CA issued for the application.
    fn issued(&self, application_id: &str) -> i64 {
        let out = Command::new("sqlite3")
            .arg(self.env.ca.data_dir().join("ca.sqlite3"))
            .arg(format!(
                "SELECT COUNT(*) FROM certificates WHERE application_id = '{application_id}';"
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// (private keys, certificates) labelled for the application, as `pkcs11-tool` lists
    /// them after a login.
    fn on_token(&self, application_id: &str) -> (usize, usize) {
        self.labelled(&format!("CertDesk {application_id}"))
    }

    fn labelled(&self, object_label: &str) -> (usize, usize) {
        let (conf_var, conf) = self.hsm.env();
        let out = Command::new("pkcs11-tool")
            .env(conf_var, conf)
            .args([
                "--module",
                SoftHsm::module().unwrap().to_str().unwrap(),
                "--token-label",
                "企业证书Key",
                "--login",
                "--pin",
                PIN,
                "--list-objects",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let label = format!("label:      {object_label}");
        let mut keys = 0;
        let mut certs = 0;
        // Count by header lines followed by this label.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let labelled = lines.get(i + 1).is_some_and(|l| l.trim() == label);
            if labelled && line.starts_with("Private Key Object") {
                keys += 1;
            }
            if labelled && line.starts_with("Certificate Object") {
                certs += 1;
            }
        }
        (keys, certs)
    }
}

/// The answer to the captcha shown under `testid` now (its id is on the image).
async fn captcha(app: &App, ca: &CaClient, testid: &str, previous: Option<&str>) -> String {
    let started = Instant::now();
    loop {
        let img = app.by_testid(&format!("{testid}-image")).await.unwrap();
        let id = img.attr("data-captcha-id").await.unwrap().unwrap();
        if Some(id.as_str()) != previous {
            let answer = ca.sandbox_captcha_answer(&id).await.unwrap();
            type_into(app, testid, &answer).await;
            return id;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "captcha never changed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn enabled(app: &App, testid: &str) {
    let started = Instant::now();
    while !app
        .by_testid(testid)
        .await
        .unwrap()
        .is_enabled()
        .await
        .unwrap()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{testid} never enabled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Look-up (by organisation code, or by the handler's ID number) → 处理 → card form →
/// token stage (checks passed), with screenshots.
async fn to_pin(rig: &Rig, app: &App, o: &ApprovedOrder, shots: &str) {
    let ca = rig.ca();
    app.click("nav-download").await.unwrap();
    app.by_testid("download-lookup").await.unwrap();
    if shots == "kill" {
        app.click("download-by-handler").await.unwrap();
        type_into(app, "download-handler-id", &o.handler_id).await;
    } else {
        type_into(app, "download-org-code", &o.org_code).await;
    }
    type_into(app, "download-phone", &o.phone).await;
    captcha(app, &ca, "download-lookup-captcha", None).await;
    app.screenshot(&format!("download-{shots}-1-lookup"))
        .await
        .unwrap();
    app.click("download-search").await.unwrap();
    let shown = app
        .wait_for("[data-testid=download-results], [data-testid=download-lookup-error]")
        .await
        .unwrap();
    let text = shown.text().await.unwrap();
    assert!(text.contains(&o.application_id), "{text}");
    app.screenshot(&format!("download-{shots}-2-results"))
        .await
        .unwrap();
    app.click(&format!("download-process-{}", o.application_id))
        .await
        .unwrap();
    // The look-up's phone (and organisation code) are carried over.
    assert_eq!(value(app, "download-card-phone").await, o.phone);
    if shots == "kill" {
        type_into(app, "download-card-org", &o.org_code).await;
    } else {
        assert_eq!(value(app, "download-card-org").await, o.org_code);
    }
    type_into(app, "download-card-serial", &o.card_serial).await;
    type_into(app, "download-card-password", &o.card_password).await;
    captcha(app, &ca, "download-card-captcha", None).await;
    app.screenshot(&format!("download-{shots}-3-card"))
        .await
        .unwrap();
    app.click("download-card-next").await.unwrap();
    app.wait_for("[data-testid=download-check-ca][data-state=ok]")
        .await
        .unwrap();
    app.wait_for(&format!(
        "[data-testid=download-token-{}] input:checked",
        rig.serial
    ))
    .await
    .unwrap();
    enabled(app, "download-token-next").await;
    app.screenshot(&format!("download-{shots}-4-token"))
        .await
        .unwrap();
    app.click("download-token-next").await.unwrap();
    app.by_testid("download-pin").await.unwrap();
}

async fn start_with_pin(app: &App, pin: &str) {
    type_into(app, "download-pin-input", pin).await;
    app.click("download-start").await.unwrap();
}

#[tokio::test]
async fn p256_download_with_a_wrong_pin_then_the_right_one() {
    let rig = Rig::new();
    let o = approved_order(rig.env.ca.url(), "sandbox-p256");
    let app = rig
        .launch_in(AppData::Owned(tempfile::tempdir().unwrap()), None)
        .await;
    to_pin(&rig, &app, &o, "zh-CN").await;

    // A wrong PIN: said with the tries left, nothing spent, everything typed kept.
    start_with_pin(&app, "00000000").await;
    let err = app
        .wait_text("[data-testid=download-pin-input-error]", |t| {
            t.contains("PIN")
        })
        .await
        .unwrap();
    assert!(err.contains("PIN 码错误"), "{err}");
    app.screenshot("download-zh-CN-5-wrong-pin").await.unwrap();
    assert_eq!(rig.issued(&o.application_id), 0);
    assert_eq!(rig.on_token(&o.application_id), (0, 0));

    start_with_pin(&app, PIN).await;
    app.by_testid("download-progress").await.unwrap();
    app.screenshot("download-zh-CN-6-progress").await.unwrap();
    app.by_testid("download-done").await.unwrap();
    let kind = app.text("[data-testid=download-done-kind]").await.unwrap();
    assert_eq!(kind, "单证书");
    let alg = app
        .text("[data-testid=download-done-algorithm]")
        .await
        .unwrap();
    assert!(alg.contains("P-256"), "{alg}");
    let serial = app
        .text("[data-testid=download-done-serial]")
        .await
        .unwrap();
    assert!(!serial.is_empty());
    app.screenshot("download-zh-CN-7-done").await.unwrap();
    assert_eq!(rig.on_token(&o.application_id), (1, 1));
    assert_eq!(rig.issued(&o.application_id), 1);
    app.close().await.unwrap();
}

#[tokio::test]
async fn dual_certificate_download_in_english() {
    let rig = Rig::new();
    let o = approved_order(rig.env.ca.url(), "sandbox-dual");
    let app = rig
        .launch_in(AppData::Owned(tempfile::tempdir().unwrap()), None)
        .await;
    set_language(&app, "en").await;
    to_pin(&rig, &app, &o, "en").await;

    // The USBKey pulled before the start: said so, back to the token choice with the
    // PIN and the card kept; re-inserted, the download continues.
    rig.hsm.unplug().unwrap();
    start_with_pin(&app, PIN).await;
    let notice = app
        .text("[data-testid=download-token-notice]")
        .await
        .unwrap();
    assert!(notice.contains("removed"), "{notice}");
    app.screenshot("download-en-5-token-pulled").await.unwrap();
    assert_eq!(rig.issued(&o.application_id), 0);
    rig.hsm.replug().unwrap();
    app.wait_for(&format!(
        "[data-testid=download-token-{}] input:checked",
        rig.serial
    ))
    .await
    .unwrap();
    enabled(&app, "download-token-next").await;
    app.click("download-token-next").await.unwrap();
    assert_eq!(value(&app, "download-pin-input").await, PIN);
    app.click("download-start").await.unwrap();
    app.by_testid("download-progress").await.unwrap();
    // The envelope import is a step of its own on dual channels.
    app.by_testid("download-step-import-envelope")
        .await
        .unwrap();
    app.screenshot("download-en-6-progress").await.unwrap();
    app.by_testid("download-done").await.unwrap();
    let kind = app.text("[data-testid=download-done-kind]").await.unwrap();
    assert!(kind.starts_with("Dual"), "{kind}");
    app.screenshot("download-en-7-done").await.unwrap();
    // Signing key + certificate, and the imported encryption key + certificate.
    assert_eq!(rig.on_token(&o.application_id), (1, 1), "signing pair");
    assert_eq!(
        rig.labelled(&format!("CertDesk {} encryption", o.application_id)),
        (1, 1),
        "encryption pair"
    );
    // The CA records the signing and the encryption certificate, once each.
    assert_eq!(rig.issued(&o.application_id), 2);
    app.close().await.unwrap();
}

/// Waits until the app under the driver has ended on its own (the injected fault
/// aborted it), then stops the driver (the data dir is the test's own).
async fn aborted(app: App) {
    let started = Instant::now();
    loop {
        // The window is gone once the process aborted: WebDriver calls fail.
        if app.text("body").await.is_err() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the app did not abort at the fault point"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Nothing is left to kill; dropping the handle stops the driver.
    drop(app);
}

#[tokio::test]
async fn killed_after_issuance_resumes_from_the_banner_to_one_key_and_one_certificate() {
    let rig = Rig::new();
    let o = approved_order(rig.env.ca.url(), "sandbox-p256");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let app = rig
        .launch_in(AppData::Borrowed(data.clone()), Some("finalize"))
        .await;
    to_pin(&rig, &app, &o, "kill").await;
    start_with_pin(&app, PIN).await;
    aborted(app).await;
    // Killed after the CA issued: the key is on the token, the certificate is not yet.
    assert_eq!(rig.issued(&o.application_id), 1);
    assert_eq!(rig.on_token(&o.application_id), (1, 0));

    let app = rig.launch_in(AppData::Borrowed(data.clone()), None).await;
    // At start, whatever section opens offers to finish it; the link leads to 证书下载.
    app.by_testid("download-resume-open").await.unwrap();
    app.screenshot("download-zh-CN-8-resume-at-start")
        .await
        .unwrap();
    app.click("download-resume-open").await.unwrap();
    app.by_testid("download").await.unwrap();
    let banner = app
        .text(&format!(
            "[data-testid=download-resume-{}]",
            o.application_id
        ))
        .await
        .unwrap();
    assert!(banner.contains("中断"), "{banner}");
    app.screenshot("download-zh-CN-8-resume-banner")
        .await
        .unwrap();
    app.click("download-resume-start").await.unwrap();
    // The card's serial is known from the journal; the password is asked again.
    assert_eq!(value(&app, "download-card-serial").await, o.card_serial);
    type_into(&app, "download-card-password", &o.card_password).await;
    type_into(&app, "download-card-phone", &o.phone).await;
    type_into(&app, "download-card-org", &o.org_code).await;
    captcha(&app, &rig.ca(), "download-card-captcha", None).await;
    app.click("download-card-next").await.unwrap();
    app.wait_for("[data-testid=download-check-ca][data-state=ok]")
        .await
        .unwrap();
    app.click("download-token-next").await.unwrap();
    start_with_pin(&app, PIN).await;
    app.by_testid("download-done").await.unwrap();
    app.screenshot("download-zh-CN-9-resumed-done")
        .await
        .unwrap();
    assert_eq!(rig.on_token(&o.application_id), (1, 1));
    assert_eq!(
        rig.issued(&o.application_id),
        1,
        "never a second certificate"
    );
    app.close().await.unwrap();
    drop(dir);
}
