//! Making the applicant's USBKey at the counter through the real windows (issue 13 item
//! 6): a clerk of point BJ01 signs in with their SoftHSM2 operator token; an applicant's
//! paid online order is scanned at the desk and approved (here by the CA's staff, the
//! case closing with it); scanned again, the approved case offers making. The clerk
//! starts it; the customer window asks the applicant for the PIN (a trivial one is
//! refused there, in both languages), the blank token in the reader is initialised and
//! made; the clerk hands it over and the applicant types the SMS code on the customer
//! window (a wrong one first). The PIN is never on the operator's page, and in no file
//! the app wrote.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::{App, AppData};
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::{PIN, add_point, operator_on_token};
use common::{Env, seed};

const ENTER: &str = "\u{E007}";
const F2: &str = "\u{E032}";
/// The applicant's PIN, typed on the customer window only.
const APPLICANT_PIN: &str = "735194";

async fn keys_to(app: &App, testid: &str, keys: &str) {
    let el = common::eventually_focused(app, testid).await;
    el.send_keys(keys).await.unwrap();
}

/// Switches the WebDriver session to the window whose page has `testid`, waiting for
/// it to open; returns the handle of the window it was on.
async fn switch_to_window_with(app: &App, testid: &str) -> fantoccini::wd::WindowHandle {
    let from = app.client.window().await.unwrap();
    let started = Instant::now();
    loop {
        for h in app.client.windows().await.unwrap() {
            app.client.switch_to_window(h.clone()).await.unwrap();
            let found = app
                .client
                .find(fantoccini::Locator::Css(&format!("[data-testid={testid}]")))
                .await
                .is_ok();
            if found {
                return from;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no window shows {testid}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Types into the element with `testid` (on the customer window, whose focus the
/// window system under Xvfb does not report).
async fn type_in(app: &App, testid: &str, keys: &str) {
    app.wait_for(&format!("[data-testid={testid}]"))
        .await
        .unwrap();
    let el = app
        .client
        .find(fantoccini::Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .unwrap();
    el.send_keys(keys).await.unwrap();
}

/// Enter in `testid` when the answer closes the customer window (one display): the
/// window may be gone before WebDriver answers, which is then no error.
async fn submit_closing(app: &App, testid: &str) {
    let el = app
        .client
        .find(fantoccini::Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .unwrap();
    let _ = el.send_keys(ENTER).await;
}

async fn back_to(app: &App, h: fantoccini::wd::WindowHandle) {
    app.client.switch_to_window(h).await.unwrap();
}

async fn page_source(app: &App) -> String {
    app.client.source().await.unwrap()
}

#[tokio::test]
async fn a_clerk_makes_the_applicants_usbkey_with_the_pin_typed_on_the_customer_window() {
    let env = Env::start();
    add_point(&env);
    let hsm = SoftHsm::new().unwrap();
    operator_on_token(&env, &hsm, "王制证", &["clerk", "maker"]);

    // The applicant's paid online order (in review).
    let persona = Persona::new(seed() % 1_000_000_000);
    let mut applicant = env.sandbox();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, "sandbox-rsa")
        .await
        .unwrap();
    sandbox_flow::paid(&applicant, &order.id).await.unwrap();

    let module = SoftHsm::module().unwrap();
    let (conf_var, conf) = hsm.env();
    let app = env
        .launch_with(
            AppData::Owned(tempfile::tempdir().unwrap()),
            &[
                (conf_var, conf.to_str().unwrap()),
                ("CERTDESK_PKCS11_MODULE", module.to_str().unwrap()),
            ],
            &[],
        )
        .await;
    app.click("nav-settings").await.unwrap();
    app.click("counter-mode").await.unwrap();
    app.click("counter-settings-save").await.unwrap();
    app.wait_for("[data-testid=counter-settings-saved]")
        .await
        .unwrap();
    app.click("nav-counter").await.unwrap();
    app.wait_text("[data-testid=counter-sign-in-token-owner]", |t| {
        t.contains("王制证")
    })
    .await
    .unwrap();
    keys_to(&app, "counter-sign-in-pin", &format!("{PIN}{ENTER}")).await;
    app.wait_text("[data-testid=counter-header]", |t| t.contains("王制证"))
        .await
        .unwrap();

    // The order scanned: its case opens. The CA's staff approve the application, which
    // closes the case as approved; scanned again, the approved case offers making.
    keys_to(&app, "counter-scan", &format!("{}{ENTER}", order.id)).await;
    app.wait_text("[data-testid=case-company]", |t| t == persona.company.name)
        .await
        .unwrap();
    env.staff().staff_approve(&order.id).await.unwrap();
    // F2 from wherever the cursor is: back to the scan box for the same order.
    let focused = app.client.active_element().await.unwrap();
    focused.send_keys(F2).await.unwrap();
    keys_to(&app, "counter-scan", &format!("{}{ENTER}", order.id)).await;
    app.wait_for("[data-testid=making-start]").await.unwrap();
    app.screenshot("counter-making-ready-zh-CN").await.unwrap();

    // Start: the customer window asks for the PIN; the operator's page says it waits.
    let t0 = Instant::now();
    app.click("making-start").await.unwrap();
    let main = switch_to_window_with(&app, "customer-pin").await;
    app.screenshot("customer-pin-zh-CN").await.unwrap();
    // A trivial PIN is refused on the customer window, in its own words.
    type_in(&app, "customer-pin", "123456").await;
    type_in(&app, "customer-pin-again", &format!("123456{ENTER}")).await;
    app.wait_text("[data-testid=customer-pin-problem]", |t| t.contains("简单"))
        .await
        .unwrap();
    app.screenshot("customer-pin-refused-zh-CN").await.unwrap();
    // The applicant reads English: the window's own switch.
    app.click("customer-language").await.unwrap();
    app.wait_text("[data-testid=customer-pin-problem]", |t| t.contains("easy"))
        .await
        .unwrap();
    app.screenshot("customer-pin-refused-en").await.unwrap();
    type_in(&app, "customer-pin", APPLICANT_PIN).await;
    type_in(
        &app,
        "customer-pin-again",
        &format!("{APPLICANT_PIN}{ENTER}"),
    )
    .await;

    // Made: initialised, key and certificate on the blank token, test signature verified.
    back_to(&app, main.clone()).await;
    let made = app
        .wait_text("[data-testid=making-made]", |t| t.contains("USBKey"))
        .await
        .unwrap();
    let make_ms = t0.elapsed().as_millis();
    assert!(made.contains("测试签名已通过"), "{made}");
    assert!(!page_source(&app).await.contains(APPLICANT_PIN));
    app.screenshot("counter-making-made-zh-CN").await.unwrap();

    // Hand-over: the SMS code on the customer window; a wrong one first.
    let t1 = Instant::now();
    app.click("making-hand-over").await.unwrap();
    let main = switch_to_window_with(&app, "customer-code").await;
    let code = {
        let started = Instant::now();
        loop {
            // The hand-over code is the newest code sent to the handler's phone.
            let c = sandbox_flow::latest_code(&applicant, &persona.handler.phone).await;
            if let Ok(c) = c
                && started.elapsed() > Duration::from_millis(300)
            {
                break c;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    type_in(&app, "customer-code", &format!("{wrong}{ENTER}")).await;
    app.wait_for("[data-testid=customer-code-problem]")
        .await
        .unwrap();
    app.screenshot("customer-code-wrong-en").await.unwrap();
    type_in(&app, "customer-code", &code).await;
    submit_closing(&app, "customer-code").await;
    back_to(&app, main).await;
    app.wait_for("[data-testid=making-handed-over]")
        .await
        .unwrap();
    let hand_ms = t1.elapsed().as_millis();
    app.screenshot("counter-making-handed-over-zh-CN")
        .await
        .unwrap();
    println!("making (PIN typed, init, keygen … record) {make_ms} ms; hand-over {hand_ms} ms");

    let data = app.close().await.unwrap();
    let files = common::assert_in_no_file(data.path(), &[APPLICANT_PIN, PIN, &code]);
    assert!(files > 0);
}
