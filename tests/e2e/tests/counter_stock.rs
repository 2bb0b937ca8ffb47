//! The point's USBKey stock (库存, issue 14 item 2) through the real window: a
//! supervisor who also makes tokens opens 库存 from the counter's navigation, pastes
//! serials one per line as a scanner types them (a malformed line is named and nothing
//! typed is lost), receives them (a repeated serial is refused alone), sees the counts
//! per model and state, spoils one with a reason, and switches "make only onto the
//! stock" on. Screenshots in both languages.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::{add_point, counter_mode_on, launch_on, operator_on_token, sign_in};
use common::{Env, set_language, type_into, value};

/// What a USB scanner types after each serial.
const ENTER: &str = "\u{E007}";

/// Serials as a scanner types them: each followed by Enter.
fn scanned(serials: &[&str]) -> String {
    serials.iter().map(|s| format!("{s}{ENTER}")).collect()
}

async fn count(app: &App, model: &str, state: &str) -> String {
    app.text(&format!(
        "[data-testid=stock-count-{model}] td[data-state={state}]"
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn a_supervisor_receives_tokens_sees_the_counts_and_spoils_one_with_a_reason() {
    let env = Env::start();
    add_point(&env);
    let hsm = SoftHsm::new().unwrap();
    operator_on_token(&env, &hsm, "李主管", &["maker", "supervisor"]);
    let app = launch_on(&env, &hsm).await;
    counter_mode_on(&app).await;
    sign_in(&app, "李主管").await;

    app.click("counter-view-stock").await.unwrap();
    app.wait_for("[data-testid=stock-none]").await.unwrap();

    // Scanned one per line; the fourth line is a misread: named, nothing sent or lost.
    type_into(&app, "stock-model", "ePass3003").await;
    type_into(
        &app,
        "stock-serials",
        &scanned(&["EP-0001", "EP-0002", "EP-0003", "EP 0004"]),
    )
    .await;
    app.click("stock-receive").await.unwrap();
    let said = app
        .wait_text("[data-testid=stock-serials-lines]", |t| t.contains("第4行"))
        .await
        .unwrap();
    assert!(said.contains("序列号"), "{said}");
    assert_eq!(
        value(&app, "stock-serials").await.trim_end(),
        "EP-0001\nEP-0002\nEP-0003\nEP 0004"
    );
    app.wait_for("[data-testid=stock-none]").await.unwrap();
    app.screenshot("counter-stock-bad-line-zh-CN")
        .await
        .unwrap();
    // Off to the desk and back: what was typed is still there.
    app.click("counter-view-desk").await.unwrap();
    app.click("counter-view-stock").await.unwrap();
    assert_eq!(value(&app, "stock-model").await, "ePass3003");
    assert!(value(&app, "stock-serials").await.contains("EP 0004"));

    // Fixed, with one serial scanned twice: three received, the repeat refused alone.
    type_into(
        &app,
        "stock-serials",
        &scanned(&["EP-0001", "EP-0002", "EP-0003", "EP-0002"]),
    )
    .await;
    app.click("stock-receive").await.unwrap();
    let receipt = app
        .wait_text("[data-testid=stock-receipt]", |t| t.contains("已入库 3 个"))
        .await
        .unwrap();
    assert!(
        receipt.contains("EP-0002") && receipt.contains("本次列表中重复"),
        "{receipt}"
    );
    app.wait_for("[data-testid=stock-count-ePass3003]")
        .await
        .unwrap();
    assert_eq!(count(&app, "ePass3003", "in_stock").await, "3");
    assert_eq!(count(&app, "ePass3003", "spoiled").await, "0");
    // The refused serial stays in the box for a second look.
    assert_eq!(value(&app, "stock-serials").await, "EP-0002");
    common::show(&app, "stock-receipt").await;
    app.screenshot("counter-stock-received-zh-CN")
        .await
        .unwrap();

    // Spoiled with a reason, from the keyboard: the dialog's reason field has the focus.
    app.click("stock-take-EP-0002").await.unwrap();
    common::counter::keys_to(&app, "stock-reason", &format!("外壳破裂{ENTER}")).await;
    common::eventually_gone(&app, "stock-take-dialog").await;
    let row = app
        .wait_text(
            "[data-testid=stock-item-EP-0002][data-state=spoiled]",
            |t| t.contains("外壳破裂"),
        )
        .await
        .unwrap();
    assert!(row.contains("已报废"), "{row}");
    assert_eq!(count(&app, "ePass3003", "in_stock").await, "2");
    assert_eq!(count(&app, "ePass3003", "spoiled").await, "1");
    // A spoiled token offers no second change.
    assert!(
        app.client
            .find_all(fantoccini::Locator::Css("[data-testid=stock-take-EP-0002]"))
            .await
            .unwrap()
            .is_empty()
    );

    // The supervisor's switch, kept by the CA (seen again after leaving the view).
    app.click("stock-required").await.unwrap();
    app.wait_for("[data-testid=stock-required]:checked:not([disabled])")
        .await
        .unwrap();
    app.click("counter-view-desk").await.unwrap();
    app.click("counter-view-stock").await.unwrap();
    app.wait_for("[data-testid=stock-required]:checked")
        .await
        .unwrap();
    common::show(&app, "stock").await;
    app.screenshot("counter-stock-zh-CN").await.unwrap();

    set_language(&app, "en").await;
    app.click("nav-counter").await.unwrap();
    app.click("counter-view-stock").await.unwrap();
    let counts = app
        .wait_text("[data-testid=stock-counts]", |t| t.contains("Spoiled"))
        .await
        .unwrap();
    assert!(counts.contains("In stock"), "{counts}");
    common::show(&app, "stock").await;
    app.screenshot("counter-stock-en").await.unwrap();
    app.click("stock-take-EP-0001").await.unwrap();
    app.wait_for("[data-testid=stock-take-dialog]")
        .await
        .unwrap();
    app.screenshot("counter-stock-take-out-en").await.unwrap();
}
