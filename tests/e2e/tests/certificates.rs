//! 我的证书 through the real window: a certificate downloaded onto a SoftHSM2 token (by
//! `certdesk-cli download` against the reference CA) is listed with its countdown and
//! chain, exported as PEM (parsed by `openssl x509`), the PIN changed (wrong old PIN
//! refused with a message, then changed, checked by logging in through the token layer),
//! and the certificate renewed (new certificate on the token, old one gone, the CA's
//! record valid). The CA issues 60-day certificates here so renewal is open at once.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::download::CertificateStatus;
use certdesk_ca_client::CaClient;
use certdesk_e2e::{App, AppData};
use certdesk_testkit::ca::CaService;
use certdesk_token::SecretString;
use common::certs::{OnToken, token_facts};
use common::type_into;

const PIN: &str = "24681357";
const NEW_PIN: &str = "86420975";
const SO_PIN: &str = "12345678";

fn openssl_serial(pem: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-serial", "-subject", "-in"])
        .arg(pem)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl x509 refused the export: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix("serial="))
        .unwrap()
        .to_ascii_lowercase()
}

#[tokio::test]
async fn my_certificates_pin_change_export_and_renewal() {
    // SAFETY: this binary's only SoftHSM2 test, before any module is loaded.
    let on = unsafe { OnToken::start("企业证书Key", SO_PIN, PIN) }.await;
    let mut env = on.app_env();
    let OnToken {
        ca,
        keyring: _keyring,
        hsm,
        svc,
        token,
        order,
        serial: old_serial,
        tmp,
    } = on;
    let serial = token.serial.clone();
    let saves = tmp.path().join("saved");
    std::fs::create_dir_all(&saves).unwrap();
    let app_data = tmp.path().join("app");
    std::fs::create_dir_all(&app_data).unwrap();
    // The native save dialog is out of WebDriver's reach: see src-tauri/save.rs.
    env.push(("CERTDESK_TEST_SAVE_DIR", saves.display().to_string()));
    let refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = App::launch_in(AppData::Borrowed(app_data.clone()), &refs)
        .await
        .unwrap();

    // ---- the certificate with its countdown, chain, algorithm and token ----
    app.click("nav-certificates").await.unwrap();
    let card = format!("cert-{old_serial}");
    app.wait_for(&format!("[data-testid={card}][data-inserted=true]"))
        .await
        .unwrap();
    let countdown = app
        .text(&format!("[data-testid={card}-countdown]"))
        .await
        .unwrap();
    assert!(
        countdown.contains("剩余 59 天") || countdown.contains("剩余 60 天"),
        "{countdown}"
    );
    // In the user's words first: who holds it and who issued it; the names as written
    // in the certificate one click away.
    let holder = app
        .text(&format!("[data-testid={card}-holder]"))
        .await
        .unwrap();
    assert!(!holder.contains('=') && !holder.is_empty(), "{holder}");
    let issuer = app
        .text(&format!("[data-testid={card}-issuer]"))
        .await
        .unwrap();
    assert!(
        issuer.contains("Issuing CA") && !issuer.contains('='),
        "{issuer}"
    );
    app.click(&format!("{card}-technical-toggle"))
        .await
        .unwrap();
    let chain = app
        .text(&format!("[data-testid={card}-chain]"))
        .await
        .unwrap();
    assert!(
        chain.contains("Issuing CA") && chain.contains("Root CA"),
        "issuer and root: {chain}"
    );
    let token_line = app
        .text(&format!("[data-testid={card}-token]"))
        .await
        .unwrap();
    assert!(
        token_line.contains("企业证书Key") && token_line.contains("已插入"),
        "{token_line}"
    );
    assert_eq!(
        app.text(&format!("[data-testid={card}-algorithm]"))
            .await
            .unwrap(),
        "EC P-256"
    );
    app.screenshot("certificates-list-zh-CN").await.unwrap();

    // ---- export: a PEM that openssl parses, with the same serial ----
    app.click(&format!("{card}-export-pem")).await.unwrap();
    app.wait_text("[data-testid=certs-notice]", |t| t.contains("已保存"))
        .await
        .unwrap();
    let pem = saves.join(format!("certificate-{old_serial}.pem"));
    let text = std::fs::read_to_string(&pem).unwrap();
    assert!(!text.contains("PRIVATE KEY"), "never a key");
    assert_eq!(
        openssl_serial(&pem).trim_start_matches('0'),
        old_serial.trim_start_matches('0')
    );

    // ---- PIN change: a wrong old PIN is refused with a message; then changed ----
    app.click(&format!("token-{serial}-change-pin"))
        .await
        .unwrap();
    app.wait_for("[data-testid=pin-dialog]").await.unwrap();
    type_into(&app, "pin-old", "11112222").await;
    type_into(&app, "pin-new", NEW_PIN).await;
    type_into(&app, "pin-again", NEW_PIN).await;
    app.click("pin-submit").await.unwrap();
    let msg = app
        .wait_text("[data-testid=pin-error]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(msg.contains("原 PIN 码错误"), "{msg}");
    app.screenshot("certificates-pin-wrong-zh-CN")
        .await
        .unwrap();
    // The new PIN typed stays; only the old one is typed again.
    assert_eq!(common::value(&app, "pin-new").await, NEW_PIN);
    type_into(&app, "pin-old", PIN).await;
    app.click("pin-submit").await.unwrap();
    app.wait_for("[data-testid=pin-changed]").await.unwrap();
    app.click("pin-close").await.unwrap();
    assert_eq!(
        token_facts(&svc, &token, PIN).await.unwrap_err(),
        "pin_incorrect",
        "the old PIN no longer works"
    );
    token_facts(&svc, &token, NEW_PIN).await.unwrap();

    // ---- renewal: new certificate on the token, the old one gone, the CA agrees ----
    app.click(&format!("{card}-renew")).await.unwrap();
    app.wait_for("[data-testid=renew-dialog]").await.unwrap();
    app.screenshot("certificates-renew-zh-CN").await.unwrap();
    type_into(&app, "renew-pin", NEW_PIN).await;
    app.click("renew-submit").await.unwrap();
    let outcome = app
        .wait_for("[data-testid=renew-done], [data-testid=renew-error]")
        .await
        .unwrap();
    let done = outcome.text().await.unwrap();
    assert!(done.contains("证书已更新"), "{done}");
    app.screenshot("certificates-renewed-zh-CN").await.unwrap();
    // Each step was announced to the window while it ran; the last one removes the old.
    app.wait_for("[data-testid=renew-which][data-last-step=remove-old]")
        .await
        .unwrap();
    app.click("renew-close").await.unwrap();
    let (after, private_keys) = token_facts(&svc, &token, NEW_PIN).await.unwrap();
    assert_eq!(after.len(), 1, "exactly one certificate: {after:?}");
    assert_ne!(after[0], old_serial);
    assert_eq!(private_keys, 1, "the old key was removed, no stray key");
    let new_serial = after[0].clone();
    let record = ca_record(&ca, &new_serial).await;
    assert_eq!(record.0, CertificateStatus::Valid);
    assert_eq!(record.1, Business::Renewal);
    app.wait_for(&format!(
        "[data-testid=cert-{new_serial}][data-inserted=true]"
    ))
    .await
    .unwrap();
    assert!(
        app.by_testid(&card).await.is_err(),
        "the old certificate is no longer listed"
    );

    // ---- English ----
    common::set_language(&app, "en").await;
    app.click("nav-certificates").await.unwrap();
    app.wait_text(&format!("[data-testid=cert-{new_serial}-countdown]"), |t| {
        t.contains("days left")
    })
    .await
    .unwrap();
    app.screenshot("certificates-list-en").await.unwrap();
    app.click(&format!("token-{serial}-change-pin"))
        .await
        .unwrap();
    app.wait_for("[data-testid=pin-dialog]").await.unwrap();
    app.screenshot("certificates-pin-en").await.unwrap();
    app.click("pin-cancel").await.unwrap();

    // ---- the token pulled: the certificate stays listed from what was seen last ----
    hsm.unplug().unwrap();
    let line = app
        .wait_text(&format!("[data-testid=cert-{new_serial}-token]"), |t| {
            t.contains("not inserted")
        })
        .await
        .unwrap();
    assert!(line.contains("last seen"), "{line}");
    app.wait_for(&format!(
        "[data-testid=cert-{new_serial}][data-inserted=false]"
    ))
    .await
    .unwrap();
    app.screenshot("certificates-last-seen-en").await.unwrap();
    common::set_language(&app, "zh-CN").await;
    app.click("nav-certificates").await.unwrap();
    app.wait_text(&format!("[data-testid=cert-{new_serial}-token]"), |t| {
        t.contains("未插入")
    })
    .await
    .unwrap();
    app.screenshot("certificates-last-seen-zh-CN")
        .await
        .unwrap();
    hsm.replug().unwrap();

    // ---- change started from the card: Apply opens with the business and the
    // certificate chosen, and the draft carries the serial the CA will be told ----
    app.click(&format!("cert-{new_serial}-change"))
        .await
        .unwrap();
    common::sign_in(&app, &CaClient::new(ca.url()).unwrap(), &order.phone).await;
    common::start_from_card(
        &app,
        "sandbox-p256",
        "change",
        &new_serial,
        "certificates-change-apply-zh-CN",
    )
    .await;
    let out = Command::new("sqlite3")
        .arg(app_data.join("data/workflow.sqlite"))
        .arg("SELECT business || ' ' || certificate_serial FROM drafts;")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("change {new_serial}")
    );
    app.close().await.unwrap();
    svc.close_sessions().await.unwrap();
}

/// The CA's record of a certificate: its status, and the business of the application
/// it was issued for (through the staff API).
async fn ca_record(ca: &CaService, serial: &str) -> (CertificateStatus, Business) {
    let c = CaClient::new(ca.url()).unwrap();
    let rec = c.certificate(serial).await.unwrap();
    let staff_token = std::fs::read_to_string(ca.data_dir().join("staff-token")).unwrap();
    let staff = c.with_token(SecretString::from(staff_token.trim().to_string()));
    let page = staff
        .staff_applications(ApplicationStatus::Completed, Some(100), None)
        .await
        .unwrap();
    let app = page
        .items
        .into_iter()
        .find(|a| a.id == rec.application_id)
        .unwrap();
    (rec.status, app.business)
}
