//! Nothing is lost offline: edits typed while the CA is unreachable are shown as queued
//! on this computer, sent when the CA is back, and a field the CA changed meanwhile is
//! shown as a conflict with both versions instead of being overwritten. The CA is the
//! real sandbox process, stopped and restarted on the same port and data.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_ca_api::application::Application;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::App;
use common::{Env, seed, set_language, show, sign_in, type_into};

/// An application of `p` verified up to the handler step (the form "continue" opens);
/// `sandbox-p256` checks the enterprise against the registry only.
async fn at_handler_step(ca: &CaClient, p: &Persona) -> Application {
    ca.sandbox_put_company(&p.company).await.unwrap();
    let app = ca
        .create_application(&p.new_org_on("sandbox-p256"), None)
        .await
        .unwrap();
    ca.verify_enterprise(&app.id).await.unwrap()
}

async fn open_continue(app: &App, id: &str) {
    app.click("nav-orders").await.unwrap();
    app.click("orders-refresh").await.unwrap();
    app.click(&format!("order-{id}-continue")).await.unwrap();
    app.wait_for("[data-testid=handler-form][data-loaded=true]")
        .await
        .unwrap();
}

#[tokio::test]
async fn offline_edits_are_queued_sent_when_back_and_conflicts_shown() {
    let mut env = Env::start();
    let p = Persona::new(seed());
    let mut ca = env.sandbox();
    sandbox_flow::sign_in(&mut ca, &p.handler.phone)
        .await
        .unwrap();
    let order = at_handler_step(&ca, &p).await;

    let app = env.launch().await;
    app.click("nav-orders").await.unwrap();
    sign_in(&app, &env.sandbox(), &p.handler.phone).await;
    open_continue(&app, &order.id).await;

    // Meanwhile someone changes the handler's e-mail at the CA (another device).
    let now = ca.application(&order.id).await.unwrap();
    let mut theirs = now.input.clone();
    theirs.handler.as_mut().unwrap().email = "theirs@example.com".into();
    ca.edit_application(&order.id, &now.etag, &theirs)
        .await
        .unwrap();

    // The CA goes away; the applicant keeps typing.
    env.ca.stop();
    type_into(&app, "field-handler.email", "mine@example.com").await;
    type_into(&app, "field-handler.name", "孙经办").await;
    let queued = app.text("[data-testid=sync-offline]").await.unwrap();
    assert!(
        queued.contains("2 项修改") && queued.contains("本机"),
        "{queued}"
    );
    show(&app, "sync-offline").await;
    app.screenshot("offline-zh-CN-queued").await.unwrap();

    // Back: the queue is sent; the e-mail changed on both sides is a conflict.
    env.ca.restart().unwrap();
    app.by_testid("sync-conflict").await.unwrap();
    let mine = app
        .text("[data-testid=\"conflict-handler.email\"]")
        .await
        .unwrap();
    assert!(
        mine.contains("mine@example.com") && mine.contains("theirs@example.com"),
        "{mine}"
    );
    // Nothing was overwritten at the CA.
    let at_ca = ca.application(&order.id).await.unwrap();
    let h = at_ca.input.handler.as_ref().unwrap();
    assert_eq!(h.email, "theirs@example.com");
    assert_ne!(h.name, "孙经办");
    show(&app, "sync-conflict").await;
    app.screenshot("offline-zh-CN-conflict").await.unwrap();

    // In English too, after leaving and coming back (the queue is still there).
    set_language(&app, "en").await;
    open_continue(&app, &order.id).await;
    let title = app.text("#conflict-h").await.unwrap();
    assert!(title.contains("changed both here and at the CA"), "{title}");
    show(&app, "sync-conflict").await;
    app.screenshot("offline-en-conflict").await.unwrap();

    // Keep mine: both queued edits reach the CA.
    app.click("conflict-handler.email-mine").await.unwrap();
    app.click("conflict-resolve").await.unwrap();
    app.by_testid("sync-sent").await.unwrap();
    let at_ca = ca.application(&order.id).await.unwrap();
    let h = at_ca.input.handler.as_ref().unwrap();
    assert_eq!(h.email, "mine@example.com");
    assert_eq!(h.name, "孙经办");
    show(&app, "sync-sent").await;
    app.screenshot("offline-en-sent").await.unwrap();

    // Offline once more, in English: queued, then sent by itself when the CA is back.
    env.ca.stop();
    type_into(&app, "field-handler.name", "李经办").await;
    let queued = app.text("[data-testid=sync-offline]").await.unwrap();
    assert!(queued.contains("1 change(s)"), "{queued}");
    show(&app, "sync-offline").await;
    app.screenshot("offline-en-queued").await.unwrap();
    env.ca.restart().unwrap();
    app.by_testid("sync-sent").await.unwrap();
    let at_ca = ca.application(&order.id).await.unwrap();
    assert_eq!(at_ca.input.handler.as_ref().unwrap().name, "李经办");
    app.close().await.unwrap();
}
