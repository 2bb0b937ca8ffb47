//! 申请证书's start pages through the real window against the reference CA sandbox:
//! the CA's channels, the business choice, the verification-method page with the
//! materials and agreements, and the local draft it creates.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_ca_service::sandbox_flow::Persona;
use common::{Env, seed, set_language, sign_in};

#[tokio::test]
async fn channel_business_methods_and_agreements_create_the_draft() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let app = env.launch().await;
    app.click("nav-apply").await.unwrap();
    sign_in(&app, &ca, &phone).await;

    // Channels come from the CA: all six sandbox channels, none chosen yet.
    app.by_testid("channel-sandbox-rsa").await.unwrap();
    app.by_testid("channel-sandbox-paper").await.unwrap();
    let next = app.by_testid("apply-channel-next").await.unwrap();
    assert!(!next.is_enabled().await.unwrap());
    app.screenshot("apply-zh-CN-channels").await.unwrap();

    // The RSA channel: face check for the legal rep, three handler methods.
    app.click("channel-sandbox-rsa").await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    let current = app
        .text("[data-testid=apply-current-channel]")
        .await
        .unwrap();
    // The channel is named in the user's words, not by its algorithm.
    assert_eq!(current, "沙箱 · 单位数字证书");
    // Only the new organisation certificate is applied for here.
    let renewal = app
        .wait_for("[data-testid=business-renewal] input")
        .await
        .unwrap();
    assert!(!renewal.is_enabled().await.unwrap());
    app.screenshot("apply-zh-CN-business").await.unwrap();
    // "choose another channel" goes back; the choice is kept.
    app.click("apply-other-channel").await.unwrap();
    app.click("channel-sandbox-paper").await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    app.click("apply-business-next").await.unwrap();
    app.by_testid("method-paper").await.unwrap();
    app.screenshot("apply-zh-CN-methods-paper").await.unwrap();

    // Back to RSA: its methods page.
    app.click("nav-orders").await.unwrap();
    app.click("nav-apply").await.unwrap();
    app.click("channel-sandbox-rsa").await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    app.click("apply-business-next").await.unwrap();
    app.by_testid("method-legal-rep-face").await.unwrap();
    for h in ["phone", "bank_card", "face"] {
        app.by_testid(&format!("method-handler-{h}")).await.unwrap();
    }
    let docs = app.text("[data-testid=method-documents]").await.unwrap();
    assert!(
        docs.contains("营业执照") && docs.contains("经办人身份证"),
        "{docs}"
    );
    assert!(docs.contains("授权委托书"), "{docs}");

    // Agreements must be accepted first.
    app.click("apply-start").await.unwrap();
    let hint = app.text("[data-testid=agree-required]").await.unwrap();
    assert!(hint.contains("协议"), "{hint}");
    app.screenshot("apply-zh-CN-methods-agreements-missing")
        .await
        .unwrap();
    // The agreements are the CA's own text, readable here; "accept" in the text ticks it.
    app.click("read-service").await.unwrap();
    let text = app.text("[data-testid=agreement-service]").await.unwrap();
    assert!(
        text.contains("数字证书服务协议")
            && text.contains("私钥")
            && text.contains("版本：2026-01"),
        "{text}"
    );
    app.screenshot("apply-zh-CN-agreement-service")
        .await
        .unwrap();
    app.click("agreement-accept").await.unwrap();
    let ticked = "return document.querySelector('[data-testid=agree-service]').checked";
    assert_eq!(app.client.execute(ticked, vec![]).await.unwrap(), true);
    app.click("agree-privacy").await.unwrap();
    app.click("apply-start").await.unwrap();
    let ready = app.by_testid("apply-ready").await.unwrap();
    assert_eq!(
        ready.attr("data-page").await.unwrap().as_deref(),
        Some("ready")
    );
    assert!(!ready.attr("data-draft").await.unwrap().unwrap().is_empty());
    app.screenshot("apply-zh-CN-ready").await.unwrap();

    // Leaving and coming back reopens the started draft's form; "choose again" starts over.
    set_language(&app, "en").await;
    app.click("nav-apply").await.unwrap();
    app.by_testid("apply-ready").await.unwrap();
    app.click("apply-again").await.unwrap();
    app.by_testid("channel-sandbox-p256").await.unwrap();
    app.screenshot("apply-en-channels").await.unwrap();
    app.click("channel-sandbox-p256").await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    app.screenshot("apply-en-business").await.unwrap();
    app.click("apply-business-next").await.unwrap();
    let methods = app.text("[data-testid=apply-method]").await.unwrap();
    assert!(
        methods.contains("Bank card") && !methods.contains("Face:"),
        "{methods}"
    );
    app.click("apply-start").await.unwrap();
    let hint = app.text("[data-testid=agree-required]").await.unwrap();
    assert!(hint.contains("accept"), "{hint}");
    app.screenshot("apply-en-methods").await.unwrap();
    app.click("read-privacy").await.unwrap();
    let text = app.text("[data-testid=agreement-privacy]").await.unwrap();
    assert!(
        text.contains("Personal Information Protection Policy")
            && text.contains("never use it for marketing"),
        "{text}"
    );
    app.screenshot("apply-en-agreement-privacy").await.unwrap();
    // Closing without accepting leaves it unticked.
    app.click("agreement-close").await.unwrap();
    let ticked = "return document.querySelector('[data-testid=agree-privacy]').checked";
    assert_eq!(app.client.execute(ticked, vec![]).await.unwrap(), false);
    app.click("agree-service").await.unwrap();
    app.click("agree-privacy").await.unwrap();
    app.click("apply-start").await.unwrap();
    app.by_testid("apply-ready").await.unwrap();
    app.screenshot("apply-en-ready").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn sign_in_and_start_pages_follow_the_dark_theme() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let app = certdesk_e2e::App::launch(&[
        ("CERTDESK_CA_URL", env.ca.url()),
        ("DBUS_SESSION_BUS_ADDRESS", env.keyring.bus_address()),
        ("GTK_THEME", "Adwaita:dark"),
    ])
    .await
    .unwrap();
    let background = "return getComputedStyle(document.body).backgroundColor";
    assert_eq!(
        app.client.execute(background, vec![]).await.unwrap(),
        "rgb(20, 24, 31)"
    );
    app.click("nav-apply").await.unwrap();
    app.by_testid("sign-in-captcha-image").await.unwrap();
    app.screenshot("theme-dark-zh-CN-sign-in").await.unwrap();
    sign_in(&app, &ca, &phone).await;
    app.click("channel-sandbox-rsa").await.unwrap();
    app.click("apply-channel-next").await.unwrap();
    app.click("apply-business-next").await.unwrap();
    app.by_testid("method-legal-rep-face").await.unwrap();
    app.screenshot("theme-dark-zh-CN-methods").await.unwrap();
    app.close().await.unwrap();
}
