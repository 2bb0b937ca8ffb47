//! Payment at the counter by WeChat Pay / Alipay (issue 13 item 4), for a case opened
//! from the order number typed by hand with the organisation's USCC: the clerk picks the
//! method, the provider's QR code is shown to the applicant on the customer window (not
//! on the operator's), a withdrawn code takes the window back, and when the applicant
//! pays (the sandbox provider's signed notification) both windows say so and the
//! application moves on to review. Screens in both languages.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::Env;
use common::counter::customer::{back_to, switch_to_window_with};
use common::counter::{
    add_point, counter_mode_on, keys_to, launch_on, operator_on_token, sign_in, submitted_order,
};

const ENTER: &str = "\u{E007}";

/// The newest provider payment recorded at the counter, from the CA's database.
fn newest_qr_payment(env: &Env) -> String {
    let out = std::process::Command::new("sqlite3")
        .arg(env.ca.data_dir().join("ca.sqlite3"))
        .arg("SELECT payment_id FROM counter_payments WHERE payment_id IS NOT NULL ORDER BY rowid DESC LIMIT 1")
        .output()
        .unwrap();
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(id.starts_with("pay_"), "{id}");
    id
}

async fn choose_and_show(app: &App, method: &str) {
    app.click(&format!("payment-method-{method}"))
        .await
        .unwrap();
    app.click("payment-submit").await.unwrap();
}

#[tokio::test]
async fn the_applicant_pays_by_the_qr_code_on_the_customer_window() {
    let env = Env::start();
    add_point(&env);
    let hsm = SoftHsm::new().unwrap();
    operator_on_token(&env, &hsm, "王受理", &["clerk"]);
    let (applicant, persona, order) = submitted_order(&env).await;

    let app = launch_on(&env, &hsm).await;
    counter_mode_on(&app).await;
    sign_in(&app, "王受理").await;
    // No QR code at hand: the clerk types the 12-digit order number; Enter goes on to
    // the organisation's USCC from the licence (a typo in it refused in place, both
    // kept), then the case opens.
    keys_to(&app, "counter-scan", &format!("{}{ENTER}", order.number)).await;
    let typo = certdesk_ident::testing::uscc_bad_check(3);
    keys_to(&app, "counter-scan-uscc", &format!("{typo}{ENTER}")).await;
    app.wait_text("[data-testid=counter-scan-uscc-error]", |t| {
        t.contains("格式")
    })
    .await
    .unwrap();
    assert_eq!(common::value(&app, "counter-scan").await, order.number);
    app.screenshot("counter-typed-number-zh-CN").await.unwrap();
    // The refused code is selected: what is typed replaces it.
    keys_to(
        &app,
        "counter-scan-uscc",
        &format!("{}{ENTER}", persona.company.uscc),
    )
    .await;
    app.wait_text("[data-testid=case-company]", |t| t == persona.company.name)
        .await
        .unwrap();

    // WeChat Pay first: the code goes to the customer window; the clerk withdraws it.
    choose_and_show(&app, "wechat").await;
    let main = switch_to_window_with(&app, "customer-pay-qr").await;
    let title = app.text("[data-testid=customer-pay]").await.unwrap();
    assert!(title.contains("微信"), "{title}");
    back_to(&app, main.clone()).await;
    app.wait_text("[data-testid=payment-pending]", |t| t.contains("微信支付"))
        .await
        .unwrap();
    app.click("payment-withdraw").await.unwrap();
    common::eventually_gone(&app, "payment-pending").await;

    // Alipay: shown, the applicant reads it in both languages and pays.
    choose_and_show(&app, "alipay").await;
    let main = switch_to_window_with(&app, "customer-pay-qr").await;
    let amount = app.text("[data-testid=customer-pay-amount]").await.unwrap();
    assert!(
        amount.contains(&format!("{:.2}", order.amount_fen as f64 / 100.0)),
        "{amount}"
    );
    let qr = app.by_testid("customer-pay-qr").await.unwrap();
    let src = qr.attr("src").await.unwrap().unwrap();
    assert!(src.starts_with("data:image/svg+xml;base64,"), "{src}");
    app.screenshot("customer-pay-zh-CN").await.unwrap();
    app.click("customer-language").await.unwrap();
    app.wait_text("[data-testid=customer-pay]", |t| t.contains("Alipay"))
        .await
        .unwrap();
    app.screenshot("customer-pay-en").await.unwrap();
    back_to(&app, main.clone()).await;
    // The code is the applicant's to scan, not on the operator's page.
    let page = app.client.source().await.unwrap();
    assert!(!page.contains("customer-pay-qr"));
    app.wait_text("[data-testid=payment-pending]", |t| t.contains("支付宝"))
        .await
        .unwrap();
    app.screenshot("counter-payment-qr-pending-zh-CN")
        .await
        .unwrap();

    let t = Instant::now();
    applicant
        .sandbox_pay(&newest_qr_payment(&env))
        .await
        .unwrap();
    let main = switch_to_window_with(&app, "customer-paid").await;
    let paid = app.text("[data-testid=customer-paid]").await.unwrap();
    assert!(paid.contains("¥"), "{paid}");
    app.screenshot("customer-paid-en").await.unwrap();
    back_to(&app, main).await;
    app.wait_text("[data-testid=payment-done]", |t| t.contains("支付宝"))
        .await
        .unwrap();
    println!(
        "counter QR payment: paid at the provider → shown paid {} ms",
        t.elapsed().as_millis()
    );
    app.screenshot("counter-payment-qr-paid-zh-CN")
        .await
        .unwrap();

    let read = applicant.application(&order.id).await.unwrap();
    assert_eq!(read.status, ApplicationStatus::InReview);
    // One paid payment at the counter; the withdrawn WeChat code is still only pending.
    let rows = std::process::Command::new("sqlite3")
        .arg(env.ca.data_dir().join("ca.sqlite3"))
        .arg("SELECT count(*) FROM counter_payments")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&rows.stdout).trim(), "2");
    app.close().await.unwrap();
}
