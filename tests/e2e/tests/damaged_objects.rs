//! Damaged objects on a USBKey (issue 12) through the real window: a certificate
//! downloaded by `certdesk-cli`, then the half-written objects a token pulled in the
//! middle of a write leaves (made with `C_CreateObject` on SoftHSM2: a private key
//! without CKA_ID, empty label, not sensitive; a certificate object without value).
//! My certificates still lists the token and its certificate and offers a repair;
//! 环境检测 reports the objects with what is known and repairs them after the PIN and a
//! confirmation, deleting exactly them. In Chinese and in English, with screenshots.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_e2e::{App, AppData};
use certdesk_token::testing::Debris;
use certdesk_token::{SecretString, TokenRef, TokenService};
use common::certs::{OnToken, token_facts};

const SO_PIN: &str = "87654321";
const PIN: &str = "12345678";

async fn plant(svc: &TokenService, token: &TokenRef) {
    svc.rescan(token.module.clone()).await.unwrap();
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    for d in [Debris::PrivateKeyWithoutId, Debris::EmptyCertificate] {
        svc.plant_debris(token.clone(), d).await.unwrap();
    }
    svc.logout(token.clone()).await.unwrap();
}

/// (damaged objects, fingerprints of the whole ones) as another program sees the token.
async fn objects(svc: &TokenService, token: &TokenRef) -> (usize, Vec<String>) {
    svc.rescan(token.module.clone()).await.unwrap();
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let inv = svc.inventory(token.clone()).await.unwrap();
    svc.logout(token.clone()).await.unwrap();
    let mut whole: Vec<String> = inv
        .objects
        .iter()
        .filter(|o| o.damage.is_none())
        .map(|o| o.fingerprint.clone())
        .collect();
    whole.sort();
    (inv.damaged().count(), whole)
}

/// Clicks the repair button `button`, types the PIN, and returns the listed objects' kinds.
async fn open_repair(app: &App, button: &str) -> Vec<String> {
    app.click(button).await.unwrap();
    common::type_into(app, "repair-pin", PIN).await;
    app.click("repair-inspect").await.unwrap();
    app.wait_for("[data-testid=repair-list]").await.unwrap();
    let mut kinds = Vec::new();
    for el in app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=repair-object]"))
        .await
        .unwrap()
    {
        kinds.push(el.attr("data-kind").await.unwrap().unwrap_or_default());
    }
    kinds
}

#[tokio::test]
async fn damaged_objects_are_listed_reported_and_repaired() {
    // SAFETY: this binary's only SoftHSM2 test, before any module is loaded.
    let on = unsafe { OnToken::start("企业证书Key", SO_PIN, PIN) }.await;
    let env = on.app_env();
    let serial = on.token.serial.clone();
    let (_, whole_before) = objects(&on.svc, &on.token).await;
    plant(&on.svc, &on.token).await;
    let (damaged, _) = objects(&on.svc, &on.token).await;
    assert!(damaged >= 2, "{damaged}");

    let app_data = on.tmp.path().join("app");
    std::fs::create_dir_all(&app_data).unwrap();
    let refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = App::launch_in(AppData::Borrowed(app_data), &refs)
        .await
        .unwrap();

    // ---- My certificates: the token and its certificate listed, the debris flagged ----
    app.click("nav-certificates").await.unwrap();
    app.wait_for(&format!(
        "[data-testid=cert-{}][data-inserted=true]",
        on.serial
    ))
    .await
    .unwrap();
    let flag = app
        .wait_text(&format!("[data-testid=token-{serial}-damaged]"), |t| {
            t.contains("损坏的对象")
        })
        .await
        .unwrap();
    assert!(!flag.is_empty());
    app.by_testid(&format!("token-{serial}-repair"))
        .await
        .unwrap();
    app.screenshot("damaged-certificates-zh-CN").await.unwrap();

    // ---- 环境检测: reported with what is known, a warning, never a failure ----
    app.click("nav-environment").await.unwrap();
    app.wait_for("[data-testid=check-tokens][data-verdict=warn]")
        .await
        .unwrap();
    let tokens = app.text("[data-testid=check-tokens]").await.unwrap();
    assert!(
        tokens.contains("损坏的对象") && tokens.contains("修复"),
        "{tokens}"
    );
    let section = app
        .wait_text(&format!("[data-testid=damaged-{serial}]"), |t| {
            t.contains("证书")
        })
        .await
        .unwrap();
    assert!(
        section.contains("无标识") && section.contains("无标签"),
        "{section}"
    );
    common::show(&app, &format!("damaged-{serial}")).await;
    app.screenshot("damaged-environment-zh-CN").await.unwrap();

    // The PIN shows the private debris too; cancelling deletes nothing.
    let kinds = open_repair(&app, &format!("repair-{serial}")).await;
    assert_eq!(kinds.len(), damaged, "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "private_key") && kinds.iter().any(|k| k == "certificate"));
    app.screenshot("damaged-repair-zh-CN").await.unwrap();
    app.click("repair-cancel").await.unwrap();
    assert_eq!(objects(&on.svc, &on.token).await.0, damaged);

    // Confirmed: exactly the damaged objects go, the certificate and its key stay.
    open_repair(&app, &format!("repair-{serial}")).await;
    app.click("repair-delete").await.unwrap();
    let done = app
        .wait_text("[data-testid=repair-done]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(done.contains(&damaged.to_string()), "{done}");
    app.screenshot("damaged-repaired-zh-CN").await.unwrap();
    app.click("repair-close").await.unwrap();
    let (left, whole_after) = objects(&on.svc, &on.token).await;
    assert_eq!(left, 0);
    assert_eq!(whole_after, whole_before, "nothing whole was touched");
    let (certs, keys) = token_facts(&on.svc, &on.token, PIN).await.unwrap();
    assert_eq!((certs, keys), (vec![on.serial.clone()], 1));
    app.wait_for("[data-testid=check-tokens][data-verdict=ok]")
        .await
        .unwrap();

    // ---- in English, repaired from My certificates ----
    plant(&on.svc, &on.token).await;
    common::set_language(&app, "en").await;
    app.click("nav-environment").await.unwrap();
    app.wait_text(&format!("[data-testid=damaged-{serial}]"), |t| {
        t.contains("no id")
    })
    .await
    .unwrap();
    common::show(&app, &format!("damaged-{serial}")).await;
    app.screenshot("damaged-environment-en").await.unwrap();
    app.click("nav-certificates").await.unwrap();
    app.wait_text(&format!("[data-testid=token-{serial}-damaged]"), |t| {
        t.contains("damaged object")
    })
    .await
    .unwrap();
    app.screenshot("damaged-certificates-en").await.unwrap();
    let kinds = open_repair(&app, &format!("token-{serial}-repair")).await;
    assert_eq!(kinds.len(), damaged, "{kinds:?}");
    app.screenshot("damaged-repair-en").await.unwrap();
    app.click("repair-delete").await.unwrap();
    app.wait_text("[data-testid=repair-done]", |t| t.contains("deleted"))
        .await
        .unwrap();
    app.click("repair-close").await.unwrap();
    assert_eq!(objects(&on.svc, &on.token).await.0, 0);
    let (certs, keys) = token_facts(&on.svc, &on.token, PIN).await.unwrap();
    assert_eq!((certs, keys), (vec![on.serial.clone()], 1));
    app.close().await.unwrap();
    on.svc.close_sessions().await.unwrap();
}
