//! Sign-in and order management through the real window against the reference CA
//! sandbox, with the OS keychain being a private gnome-keyring on a private D-Bus
//! (started and killed by PID, handed to the app through WebKitWebDriver's environment).

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use certdesk_ca_api::application::ListState;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::{App, eventually};
use certdesk_testkit::keychain::PrivateKeyring;
use common::{Env, captcha_answer, request_code, seed, set_language, sign_in, type_into, value};

#[tokio::test]
async fn sign_in_with_bad_inputs_then_sign_out() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let masked = format!("{}****{}", &phone[..3], &phone[7..]);
    let app = env.launch().await;

    // Orders need a session: the sign-in form is shown in its place.
    app.click("nav-orders").await.unwrap();
    app.by_testid("sign-in").await.unwrap();
    app.by_testid("sign-in-captcha-image").await.unwrap();
    app.screenshot("sign-in-zh-CN").await.unwrap();

    // A malformed phone is flagged before anything is sent.
    type_into(&app, "sign-in-phone", "1381234").await;
    app.click("sign-in-send").await.unwrap();
    let err = app.text("[data-testid=sign-in-phone-error]").await.unwrap();
    assert!(err.contains("手机号"), "{err}");
    app.screenshot("sign-in-zh-CN-bad-phone").await.unwrap();

    // A wrong captcha: translated, the phone kept, a new image shown.
    type_into(&app, "sign-in-phone", &phone).await;
    let (first, _) = captcha_answer(&app, &ca, None).await;
    type_into(&app, "sign-in-captcha", "zzzz").await;
    app.click("sign-in-send").await.unwrap();
    let err = app
        .wait_text("[data-testid=sign-in-error]", |t| t.contains("图形验证码"))
        .await
        .unwrap();
    assert!(err.contains("错误"), "{err}");
    assert_eq!(value(&app, "sign-in-phone").await, phone);
    captcha_answer(&app, &ca, Some(&first)).await;
    app.screenshot("sign-in-zh-CN-wrong-captcha").await.unwrap();

    // The right captcha: the code is sent and the resend button counts down.
    let (_, answer) = captcha_answer(&app, &ca, Some(&first)).await;
    type_into(&app, "sign-in-captcha", &answer).await;
    app.click("sign-in-send").await.unwrap();
    let sent = app.text("[data-testid=sign-in-sent]").await.unwrap();
    assert!(sent.contains(&masked), "{sent}");
    let countdown = app
        .wait_text("[data-testid=sign-in-send]", |t| t.contains("秒后"))
        .await
        .unwrap();
    assert!(
        !app.by_testid("sign-in-send")
            .await
            .unwrap()
            .is_enabled()
            .await
            .unwrap(),
        "{countdown}"
    );

    // A wrong code: translated, the phone kept.
    let code = sandbox_flow::latest_code(&ca, &phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    type_into(&app, "sign-in-code", wrong).await;
    app.click("sign-in-submit").await.unwrap();
    let err = app
        .wait_text("[data-testid=sign-in-error]", |t| t.contains("短信验证码"))
        .await
        .unwrap();
    assert!(err.contains("错误"), "{err}");
    assert_eq!(value(&app, "sign-in-phone").await, phone);
    app.screenshot("sign-in-zh-CN-code-sent-wrong-code")
        .await
        .unwrap();

    // The right code: signed in, the phone shown masked, the (empty) order list.
    type_into(&app, "sign-in-code", &code).await;
    app.click("sign-in-submit").await.unwrap();
    let shown = app.text("[data-testid=account-phone]").await.unwrap();
    assert_eq!(shown, masked);
    app.by_testid("orders-empty").await.unwrap();
    app.screenshot("sign-in-zh-CN-signed-in").await.unwrap();

    // Restarted, the app is still signed in: the token came from the keychain.
    let data = app.close().await.unwrap();
    let app = env.launch_in(data).await;
    app.click("nav-orders").await.unwrap();
    app.by_testid("account").await.unwrap();
    app.by_testid("orders-empty").await.unwrap();
    // The token is in no file of the app's.
    let token_file_hits = Command::new("grep")
        .args(["-rl", "token", "--include=*.json"])
        .arg(app.data_dir())
        .output()
        .unwrap();
    assert!(token_file_hits.stdout.is_empty(), "{token_file_hits:?}");

    // Sign out: back to the sign-in form, in English this time.
    app.click("sign-out").await.unwrap();
    // Signing out ends on 申请证书's sign-in form; wait for it, or that page would
    // replace the settings page the next step is on.
    app.wait_for("[data-testid=nav-apply][aria-current=page]")
        .await
        .unwrap();
    app.by_testid("sign-in").await.unwrap();
    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    app.by_testid("sign-in").await.unwrap();
    type_into(&app, "sign-in-phone", "1381234").await;
    app.click("sign-in-send").await.unwrap();
    let err = app.text("[data-testid=sign-in-phone-error]").await.unwrap();
    assert!(err.contains("mobile"), "{err}");
    app.screenshot("sign-in-en-bad-phone").await.unwrap();
    type_into(&app, "sign-in-phone", &phone).await;
    type_into(&app, "sign-in-captcha", "zzzz").await;
    app.click("sign-in-send").await.unwrap();
    let err = app
        .wait_text("[data-testid=sign-in-error]", |t| t.contains("image code"))
        .await
        .unwrap();
    assert!(err.contains("wrong"), "{err}");
    app.screenshot("sign-in-en-wrong-captcha").await.unwrap();
    app.close().await.unwrap();
}

/// The sign-in's refusal once it is back: a refused code empties the code field.
async fn refused(app: &App) -> String {
    eventually("the code refused", Duration::from_secs(20), || async {
        let emptied = value(app, "sign-in-code").await.is_empty();
        let shown = app
            .client
            .find(fantoccini::Locator::Css("[data-testid=sign-in-error]"))
            .await
            .ok();
        match (emptied, shown) {
            (true, Some(e)) => e.text().await.ok(),
            _ => None,
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn too_many_wrong_codes_lock_sign_in() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let app = env.launch().await;
    app.click("nav-apply").await.unwrap();
    request_code(&app, &ca, &phone).await;
    let code = sandbox_flow::latest_code(&ca, &phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut last = String::new();
    for _ in 0..6 {
        type_into(&app, "sign-in-code", wrong).await;
        app.click("sign-in-submit").await.unwrap();
        last = refused(&app).await;
        if last.contains("锁定") {
            break;
        }
    }
    assert!(last.contains("锁定") && last.contains("15 分钟"), "{last}");
    app.screenshot("sign-in-zh-CN-locked-out").await.unwrap();
    // Even the right code is refused while locked.
    type_into(&app, "sign-in-code", &code).await;
    app.click("sign-in-submit").await.unwrap();
    let err = refused(&app).await;
    assert!(err.contains("锁定"), "{err}");
    set_language(&app, "en").await;
    app.click("nav-apply").await.unwrap();
    app.by_testid("sign-in").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn ca_down_is_said_plainly() {
    let keyring = PrivateKeyring::start().unwrap();
    let port = certdesk_e2e::free_port().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let app = App::launch(&[
        ("CERTDESK_CA_URL", url.as_str()),
        ("DBUS_SESSION_BUS_ADDRESS", keyring.bus_address()),
    ])
    .await
    .unwrap();
    app.click("nav-orders").await.unwrap();
    let err = app
        .text("[data-testid=sign-in-captcha-error]")
        .await
        .unwrap();
    assert!(err.contains("无法连接 CA 服务"), "{err}");
    app.screenshot("sign-in-zh-CN-ca-down").await.unwrap();
    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    let err = app
        .text("[data-testid=sign-in-captcha-error]")
        .await
        .unwrap();
    assert!(
        err.contains("cannot be reached") || err.contains("Cannot"),
        "{err}"
    );
    app.screenshot("sign-in-en-ca-down").await.unwrap();
    app.close().await.unwrap();
}

/// Three orders of one handler: one stopped at the handler step (editable), one paid
/// and in review (view only), one approved (finished).
/// Scrolls the order's counter code into view (it sits below the steps).
async fn show_counter_code(app: &App) {
    app.by_testid("order-counter-code").await.unwrap();
    app.client
        .execute(
            "document.querySelector('[data-testid=order-counter-code]').scrollIntoView({block: 'end'})",
            vec![],
        )
        .await
        .unwrap();
}

async fn three_orders(env: &Env) -> (String, [String; 3]) {
    let base = seed();
    let a = Persona::new(base);
    let phone = a.handler.phone.clone();
    let mut b = Persona::new(base.wrapping_add(1000));
    b.handler.phone = phone.clone();
    let mut c = Persona::new(base.wrapping_add(2000));
    c.handler.phone = phone.clone();

    let mut ca = env.sandbox();
    sandbox_flow::sign_in(&mut ca, &phone).await.unwrap();
    ca.sandbox_put_company(&a.company).await.unwrap();
    let mut req = a.new_org_on("sandbox-p256");
    req.input.handler = None;
    let draft = ca.create_application(&req, None).await.unwrap();
    ca.verify_enterprise(&draft.id).await.unwrap();
    let review = sandbox_flow::submitted(&ca, &b, "sandbox-p256")
        .await
        .unwrap();
    sandbox_flow::paid(&ca, &review.id).await.unwrap();
    let done = sandbox_flow::submitted(&ca, &c, "sandbox-p256")
        .await
        .unwrap();
    sandbox_flow::paid(&ca, &done.id).await.unwrap();
    ca.sandbox_approve(&done.id).await.unwrap();
    let finished = ca
        .list_applications(ListState::Finished, None, None)
        .await
        .unwrap();
    assert!(finished.items.iter().any(|x| x.id == done.id));
    (phone, [draft.id, review.id, done.id])
}

#[tokio::test]
async fn orders_tabs_continue_cancel_and_expired_session_return() {
    let env = Env::start();
    let ca = env.sandbox();
    let (phone, [draft, review, done]) = three_orders(&env).await;
    let app = env.launch().await;
    app.click("nav-orders").await.unwrap();
    sign_in(&app, &ca, &phone).await;

    // Unfinished: the draft (continue, cancel) and the one in review (view only).
    app.by_testid(&format!("order-{draft}")).await.unwrap();
    app.by_testid(&format!("order-{draft}-continue"))
        .await
        .unwrap();
    app.by_testid(&format!("order-{draft}-cancel"))
        .await
        .unwrap();
    app.by_testid(&format!("order-{review}")).await.unwrap();
    app.by_testid(&format!("order-{review}-view-only"))
        .await
        .unwrap();
    assert!(
        app.client
            .find(fantoccini::Locator::Css(&format!(
                "[data-testid=\"order-{review}-continue\"], [data-testid=\"order-{review}-cancel\"]"
            )))
            .await
            .is_err(),
        "an order in review is view-only"
    );
    let status = app
        .text(&format!("[data-testid=\"order-{review}-status\"]"))
        .await
        .unwrap();
    assert_eq!(status, "材料审核中");
    let rule = app.text("[data-testid=orders-rule]").await.unwrap();
    assert!(rule.contains("同一证件号"), "{rule}");
    app.screenshot("orders-zh-CN-unfinished").await.unwrap();

    // Finished: the approved one.
    app.click("orders-tab-finished").await.unwrap();
    app.by_testid(&format!("order-{done}")).await.unwrap();
    let status = app
        .text(&format!("[data-testid=\"order-{done}-status\"]"))
        .await
        .unwrap();
    assert_eq!(status, "审核通过");
    app.screenshot("orders-zh-CN-finished").await.unwrap();

    // The session ends at the CA while the list is shown: "continue" meets the expired
    // session, sign-in takes its place, and signing in again comes back to that page.
    app.click("orders-tab-unfinished").await.unwrap();
    env.end_sessions();
    app.click(&format!("order-{draft}-continue")).await.unwrap();
    app.by_testid("sign-in-expired").await.unwrap();
    app.screenshot("sign-in-zh-CN-expired").await.unwrap();
    sign_in(&app, &ca, &phone).await;

    // Continue opens the step where the application stopped.
    let step = app.by_testid("order-continue-step").await.unwrap();
    assert_eq!(
        step.attr("data-step").await.unwrap().as_deref(),
        Some("handler")
    );
    let current = app.text("[data-testid=order-detail-step]").await.unwrap();
    assert_eq!(current, "经办人认证");
    app.wait_for("[data-testid=order-step-enterprise][data-state=done]")
        .await
        .unwrap();
    app.wait_for("[data-testid=order-step-handler][data-state=current]")
        .await
        .unwrap();
    app.screenshot("orders-zh-CN-continue").await.unwrap();
    app.click("order-back").await.unwrap();

    // Details of the order in review: no cancel, view only.
    app.click(&format!("order-{review}-view")).await.unwrap();
    app.by_testid("order-detail-view-only").await.unwrap();
    // The code an acceptance point scans: the order's QR code, drawn by the app.
    let code = app.by_testid("order-counter-code-image").await.unwrap();
    let src = code.attr("src").await.unwrap().unwrap_or_default();
    assert!(src.starts_with("data:image/svg+xml;base64,"), "{src:.40}");
    show_counter_code(&app).await;
    app.screenshot("orders-zh-CN-in-review-counter-code")
        .await
        .unwrap();
    assert!(
        app.client
            .find(fantoccini::Locator::Css(
                "[data-testid=order-detail-cancel]"
            ))
            .await
            .is_err()
    );
    app.click("order-back").await.unwrap();

    // Cancel asks first; "keep it" keeps it.
    app.click(&format!("order-{draft}-cancel")).await.unwrap();
    app.by_testid("cancel-dialog").await.unwrap();
    app.screenshot("orders-zh-CN-cancel-dialog").await.unwrap();
    app.click("cancel-no").await.unwrap();
    app.by_testid(&format!("order-{draft}")).await.unwrap();

    // English.
    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    let status = app
        .text(&format!("[data-testid=\"order-{review}-status\"]"))
        .await
        .unwrap();
    assert_eq!(status, "Under review");
    app.screenshot("orders-en-unfinished").await.unwrap();
    app.click(&format!("order-{draft}-continue")).await.unwrap();
    let current = app.text("[data-testid=order-detail-step]").await.unwrap();
    assert_eq!(current, "Handler verification");
    app.screenshot("orders-en-continue").await.unwrap();
    app.click("order-back").await.unwrap();
    app.click(&format!("order-{review}-view")).await.unwrap();
    show_counter_code(&app).await;
    app.screenshot("orders-en-in-review-counter-code")
        .await
        .unwrap();
    app.click("order-back").await.unwrap();
    app.click(&format!("order-{draft}-cancel")).await.unwrap();
    app.screenshot("orders-en-cancel-dialog").await.unwrap();

    // Cancel for real: gone from the CA's unfinished list.
    app.click("cancel-yes").await.unwrap();
    app.by_testid("orders-notice").await.unwrap();
    eventually(
        "the cancelled order gone",
        Duration::from_secs(10),
        || async {
            let listed = app
                .client
                .find(fantoccini::Locator::Css(&format!(
                    "[data-testid=\"order-{draft}\"]"
                )))
                .await;
            listed.is_err().then_some(())
        },
    )
    .await
    .unwrap();
    app.by_testid(&format!("order-{review}")).await.unwrap();
    app.screenshot("orders-en-cancelled").await.unwrap();
    app.close().await.unwrap();
}
