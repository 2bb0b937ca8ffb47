//! Certificate download (证书下载) through the real window: a SoftHSM2 token through its
//! PKCS#11 module, the reference CA sandbox over loopback HTTP, approved orders made by
//! `certdesk-ca sandbox approved-order`. After each download the token is read with
//! `pkcs11-tool` (a tool no one here wrote) and the CA's database is counted.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::download::{CertificateStatus, RevocationReason};
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::{App, AppData, eventually};
use certdesk_testkit::ca::{self, ApprovedOrder};
use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_testkit::softhsm::SoftHsm;
use common::apply::{
    at_step, choose, confirm_information, files, pay_approve_and_find_finished, sign,
};
use common::{Env, set_language, sign_in, type_enterprise, type_into, value};

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
        Self::with_ca(&[])
    }

    /// With extra options for the CA's `serve`.
    fn with_ca(options: &[&str]) -> Rig {
        let hsm = SoftHsm::new().unwrap();
        let serial = hsm.init_token("企业证书Key", SO_PIN, PIN).unwrap();
        Rig {
            env: Env::start_with(options),
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
    fn issued(&self, application_id: &str) -> usize {
        self.env.issued(application_id).len()
    }

    /// The serials the CA issued for the application.
    fn serials(&self, application_id: &str) -> Vec<String> {
        self.env.issued(application_id)
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
    let id = common::new_captcha(app, testid, previous).await;
    let answer = ca.sandbox_captcha_answer(&id).await.unwrap();
    type_into(app, testid, &answer).await;
    id
}

async fn enabled(app: &App, testid: &str) {
    eventually(
        &format!("{testid} enabled"),
        Duration::from_secs(20),
        || async {
            let el = app.by_testid(testid).await.ok()?;
            el.is_enabled().await.ok()?.then_some(())
        },
    )
    .await
    .unwrap();
}

/// Look-up, 处理, card form, token stage (checks passed), then the PIN stage.
async fn to_pin(ca: &CaClient, serial: &str, app: &App, o: &ApprovedOrder, shots: &str) {
    to_token(ca, serial, app, o, shots).await;
    app.click("download-token-next").await.unwrap();
    app.by_testid("download-pin").await.unwrap();
}

/// Look-up, 处理, card form, then the token stage with its checks passed.
async fn to_token(ca: &CaClient, serial: &str, app: &App, o: &ApprovedOrder, shots: &str) {
    to_token_step(ca, app, o, shots).await;
    at_token_ready(serial, app).await;
    app.screenshot(&format!("download-{shots}-4-token"))
        .await
        .unwrap();
}

/// Download → look-up (by organisation code, or by the handler's ID number for
/// `shots == "kill"`) → the results, with screenshots.
async fn lookup(ca: &CaClient, app: &App, o: &ApprovedOrder, shots: &str) {
    app.click("nav-download").await.unwrap();
    app.by_testid("download-lookup").await.unwrap();
    if shots == "kill" {
        app.click("download-by-handler").await.unwrap();
        type_into(app, "download-handler-id", &o.handler_id).await;
    } else {
        type_into(app, "download-org-code", &o.org_code).await;
    }
    type_into(app, "download-phone", &o.phone).await;
    captcha(app, ca, "download-lookup-captcha", None).await;
    app.screenshot(&format!("download-{shots}-1-lookup"))
        .await
        .unwrap();
    app.click("download-search").await.unwrap();
    let shown = app
        .wait_for("[data-testid=download-results], [data-testid=download-lookup-error]")
        .await
        .unwrap();
    let text = shown.text().await.unwrap();
    // The row is this order's; it shows the number people read out, not the id.
    if shown.attr("data-testid").await.unwrap().as_deref() == Some("download-results") {
        let number = app
            .text(&format!(
                "[data-testid=download-row-{}-number]",
                o.application_id
            ))
            .await
            .unwrap();
        assert!(
            number.len() == 12 && number.bytes().all(|b| b.is_ascii_digit()),
            "{number}"
        );
    } else {
        assert!(text.contains(&o.application_id), "{text}");
    }
    app.screenshot(&format!("download-{shots}-2-results"))
        .await
        .unwrap();
}

/// Look-up (by organisation code, or by the handler's ID number) → 处理 → card form →
/// "next", with screenshots; the token step's checks may still fail.
async fn to_token_step(ca: &CaClient, app: &App, o: &ApprovedOrder, shots: &str) {
    lookup(ca, app, o, shots).await;
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
    captcha(app, ca, "download-card-captcha", None).await;
    app.screenshot(&format!("download-{shots}-3-card"))
        .await
        .unwrap();
    app.click("download-card-next").await.unwrap();
}

/// The token step with its checks passed: the CA reachable with a sane clock, the
/// rig's token chosen.
async fn at_token_ready(serial: &str, app: &App) {
    app.wait_for("[data-testid=download-check-ca][data-state=ok]")
        .await
        .unwrap();
    app.wait_for(&format!(
        "[data-testid=download-token-{serial}] input:checked"
    ))
    .await
    .unwrap();
    enabled(app, "download-token-next").await;
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
    to_pin(&rig.ca(), &rig.serial, &app, &o, "zh-CN").await;

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
    let holder = app
        .text("[data-testid=download-done-holder]")
        .await
        .unwrap();
    assert!(!holder.is_empty() && !holder.contains('='), "{holder}");
    app.click("download-done-technical-toggle").await.unwrap();
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

    // Looked up again: done, on this USBKey (not "not ready"), and nothing to start.
    app.click("download-another").await.unwrap();
    lookup(&rig.ca(), &app, &o, "zh-CN-8-again").await;
    let row = app
        .wait_text(
            &format!("[data-testid=download-on-token-{}]", o.application_id),
            |t| t.contains(&rig.serial),
        )
        .await
        .unwrap();
    assert!(row.contains("已在 USBKey"), "{row}");
    app.screenshot("download-zh-CN-9-already-on-token")
        .await
        .unwrap();
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
    to_pin(&rig.ca(), &rig.serial, &app, &o, "en").await;

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

/// The token step's CA check before the password card is spent: a CA whose clock is
/// ten minutes off, then a CA that is down, are each said with a fix (zh-CN and en); the
/// card typed stays; once the clock is right and the CA is back, the check passes by
/// itself and the download goes through.
#[tokio::test]
async fn ca_clock_skew_and_ca_down_are_said_before_the_card_is_spent() {
    let mut rig = Rig::with_ca(&["--reported-clock-offset-secs", "600"]);
    let o = approved_order(rig.env.ca.url(), "sandbox-p256");
    let app = rig
        .launch_in(AppData::Owned(tempfile::tempdir().unwrap()), None)
        .await;
    to_token_step(&rig.ca(), &app, &o, "skew").await;

    // The CA's clock reads ten minutes ahead: the check fails with the fix.
    app.wait_for("[data-testid=download-check-ca][data-state=fail]")
        .await
        .unwrap();
    let said = app
        .text("[data-testid=download-check-ca-error]")
        .await
        .unwrap();
    assert!(
        said.contains("约 10 分钟") && said.contains("自动设置时间"),
        "{said}"
    );
    assert!(
        !app.by_testid("download-token-next")
            .await
            .unwrap()
            .is_enabled()
            .await
            .unwrap(),
        "no download with a skewed clock"
    );
    app.screenshot("download-zh-CN-clock-skewed").await.unwrap();
    set_language(&app, "en").await;
    app.click("nav-download").await.unwrap();
    let said = app
        .wait_text("[data-testid=download-check-ca-error]", |t| {
            t.contains("clock")
        })
        .await
        .unwrap();
    assert!(said.contains("about 10 minutes"), "{said}");
    app.screenshot("download-en-clock-skewed").await.unwrap();

    // The clock set right (the CA answers with the true time): the check passes by itself.
    rig.env.ca.restart_with(&[]).unwrap();
    at_token_ready(&rig.serial, &app).await;

    // The CA goes down: said, with nothing typed lost; back up, the check passes again.
    rig.env.ca.stop();
    app.click("download-recheck").await.unwrap();
    let said = app
        .wait_text("[data-testid=download-check-ca-error]", |t| {
            t.contains("cannot be reached")
        })
        .await
        .unwrap();
    assert!(said.contains("nothing you entered is lost"), "{said}");
    app.screenshot("download-en-ca-down").await.unwrap();
    assert_eq!(rig.issued(&o.application_id), 0, "the card is not spent");
    rig.env.ca.restart().unwrap();
    at_token_ready(&rig.serial, &app).await;
    app.click("download-token-next").await.unwrap();
    start_with_pin(&app, PIN).await;
    app.by_testid("download-done").await.unwrap();
    assert_eq!(rig.on_token(&o.application_id), (1, 1));
    assert_eq!(rig.issued(&o.application_id), 1);
    app.close().await.unwrap();
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
    to_pin(&rig.ca(), &rig.serial, &app, &o, "kill").await;
    start_with_pin(&app, PIN).await;
    // The injected fault aborted the app; the driver goes with it.
    app.exited().await.unwrap();
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

/// 补办 (reissue) after a lost USBKey, from "My certificates" to the new certificate on
/// a new USBKey: the first certificate is downloaded onto the old token (by
/// `certdesk-cli download`) and seen by the app; the old token is deleted (lost); its
/// card, listed from what was seen last, starts the reissue; the application is walked
/// in the window (the legal representative in person), paid and approved; the new
/// certificate is downloaded in the window onto the new token; the CA revokes the old
/// one, and My certificates shows it revoked (zh-CN and en) until it is removed.
#[tokio::test]
async fn reissue_after_a_lost_usbkey_from_my_certificates_to_the_new_usbkey() {
    let rig = Rig::new();
    let old_token = rig.hsm.init_token("旧Key", SO_PIN, PIN).unwrap();
    let ca = rig.ca();
    let p = Persona::new(common::seed());
    let first = sandbox_flow::approved_order_for(
        rig.env.ca.url(),
        "sandbox-p256",
        &p,
        Business::NewOrgCertificate,
        None,
    )
    .await
    .unwrap();
    let cli_data = tempfile::tempdir().unwrap();
    common::cli_download(
        &rig.hsm,
        cli_data.path(),
        rig.env.ca.url(),
        &first,
        &old_token,
        PIN,
    );
    let old_serial = rig.serials(&first.application_id).remove(0);

    let app = rig
        .launch_in(AppData::Owned(tempfile::tempdir().unwrap()), None)
        .await;
    app.click("nav-certificates").await.unwrap();
    let old_card = format!("cert-{old_serial}");
    app.wait_for(&format!("[data-testid={old_card}][data-inserted=true]"))
        .await
        .unwrap();
    app.wait_for(&format!("[data-testid={old_card}][data-standing=valid]"))
        .await
        .unwrap();

    // The old USBKey is lost: the certificate stays listed from what was seen last.
    rig.hsm.delete_token(&old_token).unwrap();
    app.click("certs-refresh").await.unwrap();
    app.wait_for(&format!("[data-testid={old_card}][data-inserted=false]"))
        .await
        .unwrap();
    app.screenshot("reissue-zh-CN-1-token-lost").await.unwrap();

    // ---- 补办 from its card: Apply opens with the business and the certificate ----
    app.click(&format!("{old_card}-reissue")).await.unwrap();
    sign_in(&app, &ca, &p.legal_rep_phone).await;
    common::start_from_card(
        &app,
        "sandbox-p256",
        "reissue",
        &old_serial,
        "reissue-zh-CN-2-business",
    )
    .await;

    // ---- the application, the legal representative in person ----
    type_enterprise(&app, &p, &[]).await;
    app.click("handles-yes").await.unwrap();
    app.click("enterprise-submit").await.unwrap();
    // The organisation was verified for the first certificate: no face check this time.
    at_step(&app, "information").await;
    app.screenshot("reissue-zh-CN-3-information").await.unwrap();
    confirm_information(&app, &p).await;
    at_step(&app, "documents").await;
    let f = files(&p);
    choose(&app, "doc-business_licence", &f.licence).await;
    app.wait_for("[data-testid=doc-business_licence][data-state=uploaded]")
        .await
        .unwrap();
    sign(&app, &ca, &p.legal_rep_phone, "zh-CN", false).await;
    let id = pay_approve_and_find_finished(&app, &ca, &rig.env.staff(), "zh-CN").await;

    // ---- the new certificate downloaded in the window onto the new USBKey ----
    let (card_serial, card_password) = sandbox_flow::mailed_card(&ca, &id).await.unwrap();
    let order = ApprovedOrder {
        application_id: id.clone(),
        uscc: p.company.uscc.clone(),
        org_code: p.org_code.clone(),
        phone: p.legal_rep_phone.clone(),
        handler_id: p.company.legal_rep_id_number.clone(),
        card_serial,
        card_password,
        ca_url: rig.env.ca.url().to_string(),
    };
    to_pin(&rig.ca(), &rig.serial, &app, &order, "reissue").await;
    start_with_pin(&app, PIN).await;
    app.by_testid("download-done").await.unwrap();
    app.screenshot("reissue-zh-CN-4-downloaded").await.unwrap();
    assert_eq!(rig.on_token(&id), (1, 1), "one key, one certificate");
    assert_eq!(rig.issued(&id), 1, "one certificate from the CA");
    let new_serial = rig.serials(&id).remove(0);

    // The CA: the new certificate valid for the reissue, the lost one revoked.
    let new_rec = ca.certificate(&new_serial).await.unwrap();
    assert_eq!(new_rec.status, CertificateStatus::Valid);
    assert_eq!(new_rec.application_id, id);
    let staff_view = rig
        .env
        .staff()
        .staff_applications(ApplicationStatus::Completed, Some(100), None)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.id == id)
        .expect("the reissue is completed");
    assert_eq!(staff_view.business, Business::Reissue);
    assert_eq!(
        staff_view.certificate_serial.as_deref(),
        Some(old_serial.as_str())
    );
    let old_rec = ca.certificate(&old_serial).await.unwrap();
    assert_eq!(old_rec.status, CertificateStatus::Revoked);
    assert_eq!(old_rec.reason, Some(RevocationReason::KeyCompromise));

    // ---- My certificates: the new one on the new USBKey, the lost one revoked ----
    app.click("nav-certificates").await.unwrap();
    app.wait_for(&format!(
        "[data-testid=cert-{new_serial}][data-inserted=true][data-standing=valid]"
    ))
    .await
    .unwrap();
    app.wait_for(&format!("[data-testid={old_card}][data-standing=revoked]"))
        .await
        .unwrap();
    let revoked = app
        .text(&format!("[data-testid={old_card}-revoked]"))
        .await
        .unwrap();
    assert!(revoked.contains("已补办"), "{revoked}");
    assert_eq!(
        app.text(&format!("[data-testid={old_card}-countdown]"))
            .await
            .unwrap(),
        "已吊销"
    );
    // Nothing to renew, change or reissue on a revoked certificate.
    assert!(
        app.client
            .find(fantoccini::Locator::Css(&format!(
                "[data-testid={old_card}-reissue]"
            )))
            .await
            .is_err()
    );
    app.screenshot("reissue-zh-CN-5-old-revoked").await.unwrap();
    set_language(&app, "en").await;
    app.click("nav-certificates").await.unwrap();
    let revoked = app
        .wait_text(&format!("[data-testid={old_card}-revoked]"), |t| {
            t.contains("reissued")
        })
        .await
        .unwrap();
    assert!(revoked.contains("revoked"), "{revoked}");
    app.screenshot("reissue-en-4-old-revoked").await.unwrap();

    // Removed from the list (this computer's only): the new one stays.
    app.click(&format!("{old_card}-forget")).await.unwrap();
    app.by_testid(&format!("{old_card}-forget-ask"))
        .await
        .unwrap();
    app.screenshot("reissue-en-5-forget").await.unwrap();
    app.click(&format!("{old_card}-forget-confirm"))
        .await
        .unwrap();
    app.wait_text("[data-testid=certs-notice]", |t| t.contains("removed"))
        .await
        .unwrap();
    assert!(
        app.client
            .find(fantoccini::Locator::Css(&format!(
                "[data-testid={old_card}]"
            )))
            .await
            .is_err(),
        "the lost token's certificate is no longer listed"
    );
    app.by_testid(&format!("cert-{new_serial}")).await.unwrap();
    app.close().await.unwrap();
}

/// `n` wrong PIN logins through `pkcs11-tool` (another program, as a user trying PINs in
/// another tool would), each refused.
fn wrong_logins(kry: &Kryoptic, n: usize) {
    let (conf_var, conf) = kry.env();
    for _ in 0..n {
        let out = Command::new("pkcs11-tool")
            .env(conf_var, &conf)
            .arg("--module")
            .arg(kry.module_path())
            .args(["--login", "--pin", "00000000", "--list-objects"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "a wrong PIN was accepted");
    }
}

/// PIN tries against Kryoptic, a real PKCS#11 module that counts wrong PINs and locks
/// (SoftHSM2 never locks): on its final try the USBKey is still offered with a warning,
/// the PIN step needs the tick before the PIN is tried, and the download succeeds;
/// locked (after more wrong PINs elsewhere), the USBKey is refused for a download with
/// what to do, and My certificates says it is locked.
#[tokio::test]
async fn kryoptic_final_pin_try_needs_the_tick_and_a_locked_usbkey_is_refused() {
    let kry = Kryoptic::new().unwrap();
    let serial = kry.init_token("Kryoptic Key", SO_PIN, PIN).unwrap();
    // Kryoptic allows 10 tries: after 9 wrong ones the next is the last.
    wrong_logins(&kry, 9);
    let env = Env::start();
    let o = approved_order(env.ca.url(), "sandbox-p256");
    let data = tempfile::tempdir().unwrap();
    let (conf_var, conf) = kry.env();
    let conf = conf.to_str().unwrap().to_owned();
    let module = kry.module_path().to_str().unwrap().to_owned();
    let vars = [
        (conf_var, conf.as_str()),
        ("CERTDESK_PKCS11_MODULE", module.as_str()),
    ];
    let app = env
        .launch_with(AppData::Borrowed(data.path().to_path_buf()), &vars, &[])
        .await;
    to_token(&env.sandbox(), &serial, &app, &o, "kryoptic").await;
    // Still offered (the right PIN works), with the warning.
    let pin_line = app
        .text(&format!("[data-testid=download-token-{serial}]"))
        .await
        .unwrap();
    assert!(pin_line.contains("最后一次"), "{pin_line}");
    app.click("download-token-next").await.unwrap();

    // The PIN step: warned, and "start" stays off until the tick.
    app.by_testid("download-final-warning").await.unwrap();
    type_into(&app, "download-pin-input", PIN).await;
    let start = app.by_testid("download-start").await.unwrap();
    assert!(
        !start.is_enabled().await.unwrap(),
        "no try without the tick"
    );
    app.screenshot("download-kryoptic-final-try-zh-CN")
        .await
        .unwrap();
    app.click("download-final-confirm").await.unwrap();
    enabled(&app, "download-start").await;
    app.click("download-start").await.unwrap();
    app.by_testid("download-done").await.unwrap();
    assert_eq!(env.issued(&o.application_id).len(), 1);
    app.close().await.unwrap();

    // Locked by ten wrong PINs in another program, then the app again.
    wrong_logins(&kry, 10);
    let second = approved_order(env.ca.url(), "sandbox-p256");
    let app = env
        .launch_with(AppData::Borrowed(data.path().to_path_buf()), &vars, &[])
        .await;
    set_language(&app, "en").await;
    app.click("nav-certificates").await.unwrap();
    let pin_state = app
        .text(&format!("[data-testid=token-{serial}-pin]"))
        .await
        .unwrap();
    assert!(pin_state.contains("locked"), "{pin_state}");
    app.click(&format!("token-{serial}-change-pin"))
        .await
        .unwrap();
    let said = app.text("[data-testid=pin-error]").await.unwrap();
    assert!(said.contains("locked"), "{said}");
    app.screenshot("certificates-kryoptic-locked-en")
        .await
        .unwrap();
    app.click("pin-close").await.unwrap();

    to_token_step(&env.sandbox(), &app, &second, "kryoptic-locked").await;
    let refused = app
        .text(&format!("[data-testid=download-token-problem-{serial}]"))
        .await
        .unwrap();
    assert!(
        refused.contains("locked") && refused.contains("acceptance point"),
        "{refused}"
    );
    assert!(
        !app.by_testid("download-token-next")
            .await
            .unwrap()
            .is_enabled()
            .await
            .unwrap()
    );
    app.screenshot("download-kryoptic-locked-en").await.unwrap();
    assert!(env.issued(&second.application_id).is_empty());
    app.close().await.unwrap();
}

/// 订单管理 → the order → 下载证书: a signed-in applicant's approved order opens the
/// download at the password card, the look-up done and the phone and organisation code
/// taken from the order (shown, not asked). Returns the order with its card.
async fn from_the_order(rig: &Rig, app: &App, lang: &str) -> ApprovedOrder {
    let ca = rig.ca();
    let p = Persona::new(common::seed());
    let o = sandbox_flow::approved_order_for(
        rig.env.ca.url(),
        "sandbox-p256",
        &p,
        Business::NewOrgCertificate,
        None,
    )
    .await
    .unwrap();
    app.click("nav-orders").await.unwrap();
    sign_in(app, &ca, &o.phone).await;
    app.click("orders-tab-finished").await.unwrap();
    // The list offers it directly, and so does the order itself.
    app.by_testid(&format!("order-{}-download", o.application_id))
        .await
        .unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();
    let next = app
        .text("[data-testid=order-detail-next-download]")
        .await
        .unwrap();
    let says = if lang == "en" {
        "password card"
    } else {
        "密码卡"
    };
    assert!(next.contains(says), "{next}");
    app.screenshot(&format!("journey-{lang}-1-approved-order"))
        .await
        .unwrap();

    app.click("order-detail-download").await.unwrap();
    let known = app.text("[data-testid=download-card-known]").await.unwrap();
    assert!(
        known.contains(&o.org_code) && known.contains(&o.phone[7..]),
        "{known}"
    );
    assert!(
        !known.contains(&o.phone),
        "the phone is shown masked: {known}"
    );
    for retyped in [
        "download-card-phone",
        "download-card-org",
        "download-lookup",
    ] {
        assert!(
            app.client
                .find(fantoccini::Locator::Css(&format!(
                    "[data-testid={retyped}]"
                )))
                .await
                .is_err(),
            "{retyped} is asked again"
        );
    }
    type_into(app, "download-card-serial", &o.card_serial).await;
    type_into(app, "download-card-password", &o.card_password).await;
    captcha(app, &ca, "download-card-captcha", None).await;
    app.screenshot(&format!("journey-{lang}-2-card-from-order"))
        .await
        .unwrap();
    app.click("download-card-next").await.unwrap();
    o
}

#[tokio::test]
async fn an_approved_order_leads_to_the_download_in_one_click() {
    let rig = Rig::new();
    let app = rig
        .launch_in(AppData::Owned(tempfile::tempdir().unwrap()), None)
        .await;
    let o = from_the_order(&rig, &app, "zh-CN").await;
    at_token_ready(&rig.serial, &app).await;
    let check = app
        .text("[data-testid=download-check-token]")
        .await
        .unwrap();
    assert_eq!(check, "已选择可用的 USBKey");
    app.click("download-token-next").await.unwrap();
    start_with_pin(&app, PIN).await;
    app.by_testid("download-done").await.unwrap();
    app.screenshot("journey-zh-CN-3-done").await.unwrap();
    assert_eq!(rig.on_token(&o.application_id), (1, 1));
    assert_eq!(rig.issued(&o.application_id), 1);
    app.close().await.unwrap();
}

/// In English, and the token step's check with the USBKey pulled: it says none is usable
/// (it said "a usable USBKey is chosen" beside a red dot), in both languages.
#[tokio::test]
async fn from_the_order_in_english_and_a_pulled_usbkey_is_not_called_usable() {
    let rig = Rig::new();
    let app = rig
        .launch_in(AppData::Owned(tempfile::tempdir().unwrap()), None)
        .await;
    set_language(&app, "en").await;
    from_the_order(&rig, &app, "en").await;
    at_token_ready(&rig.serial, &app).await;

    rig.hsm.unplug().unwrap();
    let check = app
        .wait_text("[data-testid=download-check-token][data-state=fail]", |t| {
            !t.is_empty()
        })
        .await
        .unwrap();
    assert!(check.starts_with("No usable USBKey"), "{check}");
    app.screenshot("journey-en-3-token-pulled").await.unwrap();
    set_language(&app, "zh-CN").await;
    app.click("nav-download").await.unwrap();
    let check = app
        .wait_text("[data-testid=download-check-token]", |t| {
            t.contains("USBKey")
        })
        .await
        .unwrap();
    assert!(check.starts_with("还没有可用的 USBKey"), "{check}");
    app.screenshot("journey-zh-CN-4-token-pulled")
        .await
        .unwrap();

    rig.hsm.replug().unwrap();
    app.wait_for("[data-testid=download-check-token][data-state=ok]")
        .await
        .unwrap();
    app.close().await.unwrap();
}
