//! 发票 through the real window: an order paid in the sandbox (and approved) shows its
//! e-invoice; the PDF is saved (a real PDF on disk); re-sending refuses a malformed
//! address with a message and sends to a valid one (seen in the CA's outbox).

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_ca_api::sandbox::OutboxChannel;
use certdesk_ca_service::sandbox_flow;
use certdesk_e2e::App;
use common::{Env, type_into};

#[tokio::test]
async fn paid_order_shows_its_invoice_saved_and_resent() {
    let env = Env::start();
    let order = sandbox_flow::approved_order(env.ca.url(), "sandbox-rsa")
        .await
        .unwrap();
    let saves = tempfile::tempdir().unwrap();
    let app = App::launch(&[
        ("CERTDESK_CA_URL", env.ca.url()),
        ("DBUS_SESSION_BUS_ADDRESS", env.keyring.bus_address()),
        // The native save dialog is out of WebDriver's reach: see src-tauri/save.rs.
        ("CERTDESK_TEST_SAVE_DIR", saves.path().to_str().unwrap()),
    ])
    .await
    .unwrap();
    app.click("nav-invoices").await.unwrap();
    common::sign_in(&app, &env.sandbox(), &order.phone).await;

    let row = app
        .wait_for(&format!(
            "[data-testid=invoices-order-{}] .invoice",
            order.application_id
        ))
        .await
        .unwrap();
    let testid = row.attr("data-testid").await.unwrap().unwrap();
    let id = testid.strip_prefix("invoice-").unwrap().to_string();
    let number = app
        .text(&format!("[data-testid=invoice-{id}-number]"))
        .await
        .unwrap();
    assert!(!number.trim().is_empty());
    let outbox = env.sandbox().sandbox_outbox(None).await.unwrap();
    assert!(
        outbox
            .items
            .iter()
            .any(|m| m.channel == OutboxChannel::Email && m.body.contains(number.trim())),
        "the invoice shown is the one the CA e-mailed ({number})"
    );
    app.screenshot("invoices-list-zh-CN").await.unwrap();

    // ---- save the PDF ----
    app.click(&format!("invoice-{id}-save")).await.unwrap();
    app.wait_text("[data-testid=invoices-notice]", |t| t.contains("已保存"))
        .await
        .unwrap();
    let pdf = std::fs::read(saves.path().join(format!("invoice-{id}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    assert!(pdf.len() > 1000);

    // ---- resend: a malformed address is refused, a valid one is sent to ----
    app.click(&format!("invoice-{id}-resend")).await.unwrap();
    type_into(&app, "invoice-email", "caiwu@").await;
    app.click("invoice-send").await.unwrap();
    let msg = app
        .wait_text("[data-testid=invoice-email-error]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(msg.contains("邮箱地址格式不正确"), "{msg}");
    assert_eq!(common::value(&app, "invoice-email").await, "caiwu@");
    app.screenshot("invoices-resend-bad-zh-CN").await.unwrap();
    let to = format!("caiwu{}@example.com", common::seed() % 100_000);
    type_into(&app, "invoice-email", &to).await;
    app.click("invoice-send").await.unwrap();
    app.wait_text("[data-testid=invoices-notice]", |t| t.contains(&to))
        .await
        .unwrap();
    let sent = env.sandbox().sandbox_outbox(Some(&to)).await.unwrap();
    assert!(
        sent.items
            .iter()
            .any(|m| m.channel == OutboxChannel::Email && m.to == to),
        "resent to {to}"
    );

    common::set_language(&app, "en").await;
    app.click("nav-invoices").await.unwrap();
    app.wait_for(&format!("[data-testid=invoice-{id}]"))
        .await
        .unwrap();
    app.wait_text("[data-testid=section-invoices] h1", |t| t == "Invoices")
        .await
        .unwrap();
    app.screenshot("invoices-list-en").await.unwrap();
    app.close().await.unwrap();
}
