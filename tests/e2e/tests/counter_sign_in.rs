//! Counter mode (受理台) through the real window: a point and an operator are made with
//! `certdesk-ca`, the operator certificate downloaded onto a SoftHSM2 token with
//! `certdesk-cli download`; the app switches counter mode on, the operator signs in with
//! the keyboard only (the cursor is in the PIN field, Enter submits), the header names
//! them; pulling the token locks the whole window, putting it back and the PIN unlock it.
//! Both languages, screenshots of each screen.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::{PIN, add_point, launch_on, operator_on_token};
use common::{Env, set_language};

const ENTER: &str = "\u{E007}";

/// Types the PIN into whatever has the focus (it must be the PIN field) and presses Enter.
async fn pin_and_enter(app: &App, field: &str) {
    app.wait_for(&format!("[data-testid={field}]:not([disabled])"))
        .await
        .unwrap();
    let focused = common::eventually_focused(app, field).await;
    focused.send_keys(&format!("{PIN}{ENTER}")).await.unwrap();
}

#[tokio::test]
async fn operator_signs_in_and_the_counter_locks_when_the_token_is_pulled() {
    let env = Env::start();
    add_point(&env);
    let hsm = SoftHsm::new().unwrap();
    let op = operator_on_token(&env, &hsm, "王受理", &["clerk", "maker"]);

    let app = launch_on(&env, &hsm).await;

    // Counter mode is off at first: no 受理台 in the navigation.
    let nav = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=nav-counter]"))
        .await
        .unwrap();
    assert!(nav.is_empty());
    common::counter::counter_mode_on(&app).await;
    app.click("nav-settings").await.unwrap();
    app.screenshot("counter-settings-zh-CN").await.unwrap();
    app.click("nav-counter").await.unwrap();

    // The operator's token is found and named before any PIN; the cursor is in the PIN.
    let owner = app
        .wait_text("[data-testid=counter-sign-in-token-owner]", |t| {
            t.contains("王受理")
        })
        .await
        .unwrap();
    assert!(owner.contains(&op), "{owner}");
    app.screenshot("counter-sign-in-zh-CN").await.unwrap();

    // A wrong PIN: the token's own refusal in words, the field emptied and focused again.
    let focused = common::eventually_focused(&app, "counter-sign-in-pin").await;
    focused
        .send_keys(&format!("97310864{ENTER}"))
        .await
        .unwrap();
    let said = app
        .wait_text("[data-testid=counter-sign-in-pin-error]", |t| {
            t.contains("PIN")
        })
        .await
        .unwrap();
    assert!(!said.contains("97310864"), "{said}");
    app.screenshot("counter-wrong-pin-zh-CN").await.unwrap();
    pin_and_enter(&app, "counter-sign-in-pin").await;

    let header = app
        .wait_text("[data-testid=counter-header]", |t| t.contains("王受理"))
        .await
        .unwrap();
    for want in [op.as_str(), "BJ01", "受理员", "制证员", "退出登录"] {
        assert!(header.contains(want), "{want} in {header}");
    }
    app.screenshot("counter-signed-in-zh-CN").await.unwrap();

    // Pulled: the whole window locks (the app polls its module every 2 s).
    let pulled = std::time::Instant::now();
    hsm.unplug().unwrap();
    app.wait_text("[data-testid=counter-lock-reason]", |t| t.contains("拔出"))
        .await
        .unwrap();
    println!(
        "counter window: locked {} ms after the pull",
        pulled.elapsed().as_millis()
    );
    app.wait_for("[data-testid=counter-unlock-token-none]")
        .await
        .unwrap();
    app.screenshot("counter-locked-zh-CN").await.unwrap();

    // Back in, the PIN again (a fresh challenge at the CA), Enter: open.
    hsm.replug().unwrap();
    app.wait_text("[data-testid=counter-unlock-token-owner]", |t| {
        t.contains("王受理")
    })
    .await
    .unwrap();
    pin_and_enter(&app, "counter-unlock-pin").await;
    common::eventually_gone(&app, "counter-lock").await;
    app.wait_for("[data-testid=counter-header]").await.unwrap();

    // English: the same screens.
    set_language(&app, "en").await;
    common::show(&app, "counter-settings").await;
    app.screenshot("counter-settings-en").await.unwrap();
    let header = app
        .wait_text("[data-testid=counter-header]", |t| t.contains("Clerk"))
        .await
        .unwrap();
    assert!(
        header.contains("Maker") && header.contains("Sign out"),
        "{header}"
    );
    app.click("nav-counter").await.unwrap();
    app.screenshot("counter-signed-in-en").await.unwrap();
    hsm.unplug().unwrap();
    app.wait_text("[data-testid=counter-lock-reason]", |t| {
        t.contains("pulled")
    })
    .await
    .unwrap();
    app.screenshot("counter-locked-en").await.unwrap();
    hsm.replug().unwrap();
    app.wait_text("[data-testid=counter-unlock-token-owner]", |t| {
        t.contains(&op)
    })
    .await
    .unwrap();
    pin_and_enter(&app, "counter-unlock-pin").await;
    common::eventually_gone(&app, "counter-lock").await;
    app.click("counter-sign-out").await.unwrap();
    app.wait_for("[data-testid=counter-sign-in-token-owner]")
        .await
        .unwrap();
    app.screenshot("counter-sign-in-en").await.unwrap();
    let data = app.close().await.unwrap();

    // The PINs typed (right and wrong) are in no file the app wrote: log, settings, database.
    let files = common::assert_in_no_file(data.path(), &[PIN, "97310864"]);
    assert!(files > 0, "the app wrote its log and settings");
}
