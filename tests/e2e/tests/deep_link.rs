//! `certdesk://` links (as in the CA's review e-mail): the app started with a link opens
//! that order; a second launch with a link, while the app runs, hands it to the running
//! window (single instance over the session D-Bus) and exits; a link that is not ours
//! is refused with a message.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use certdesk_ca_service::sandbox_flow::{self, Persona, Stop};
use certdesk_e2e::{App, app_binary};
use common::{Env, seed, set_language, sign_in};

async fn detail_id(app: &App, id: &str) {
    app.wait_for(&format!("[data-testid=order-detail-id][data-id=\"{id}\"]"))
        .await
        .unwrap();
}

/// A second `certdesk <url>` with the first one's environment; returns once it exited.
fn second_launch(env: &Env, app: &App, extra: &[(&str, &str)], url: &str) {
    let mut child = Command::new(app_binary())
        .arg(url)
        .envs(extra.iter().copied())
        .env("CERTDESK_DATA_DIR", app.data_dir())
        .env("CERTDESK_CA_URL", env.ca.url())
        .env("DBUS_SESSION_BUS_ADDRESS", env.keyring.bus_address())
        .env("CERTDESK_PKCS11_MODULE", "none")
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the second launch did not hand over and exit");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn links_open_the_order_at_start_and_in_the_running_window() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let url = env.ca.url().to_owned();
    let first = sandbox_flow::order_at(&url, "sandbox-rsa", Some(&phone), Stop::AwaitingPayment)
        .await
        .unwrap();
    let second = sandbox_flow::order_at(&url, "sandbox-rsa", Some(&phone), Stop::AwaitingPayment)
        .await
        .unwrap();
    let xdg = tempfile::tempdir().unwrap();
    let xdg_data = xdg.path().join("data").to_str().unwrap().to_owned();
    let xdg_config = xdg.path().join("config").to_str().unwrap().to_owned();
    // The dev build registers the scheme with the desktop: into private XDG dirs here.
    let extra = [
        ("XDG_DATA_HOME", xdg_data.as_str()),
        ("XDG_CONFIG_HOME", xdg_config.as_str()),
    ];

    // Without a session the link waits for the sign-in, then opens its order.
    let link = format!("certdesk://orders/{}", first.application_id);
    let app = env
        .launch_with(
            certdesk_e2e::AppData::Owned(tempfile::tempdir().unwrap()),
            &extra,
            &[&link],
        )
        .await;
    app.by_testid("link-waiting").await.unwrap();
    app.screenshot("deep-link-zh-CN-sign-in-first")
        .await
        .unwrap();
    sign_in(&app, &ca, &phone).await;
    detail_id(&app, &first.application_id).await;
    app.screenshot("deep-link-zh-CN-opened").await.unwrap();
    // The desktop now knows the scheme (dev builds register it at run time).
    let desktop = std::fs::read_dir(xdg.path().join("data/applications"))
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .ends_with("-handler.desktop")
        })
        .unwrap();
    let entry = std::fs::read_to_string(desktop.path()).unwrap();
    assert!(entry.contains("x-scheme-handler/certdesk"), "{entry}");

    // Restarted with a link while signed in: straight to the order.
    let data = app.close().await.unwrap();
    let link2 = format!("certdesk://order/{}", second.application_id);
    let app = env.launch_with(data, &extra, &[&link2]).await;
    detail_id(&app, &second.application_id).await;
    // It awaits payment: the page offers to pay it.
    app.click("order-detail-pay").await.unwrap();
    app.by_testid("payment-step").await.unwrap();

    // A second launch with a link hands it to this window and exits.
    app.click("nav-settings").await.unwrap();
    second_launch(
        &env,
        &app,
        &extra,
        &format!("certdesk://orders/{}", first.application_id),
    );
    detail_id(&app, &first.application_id).await;
    app.screenshot("deep-link-zh-CN-second-launch")
        .await
        .unwrap();

    // A link that names no order of ours is refused plainly, in either language.
    second_launch(&env, &app, &extra, "certdesk://orders/..%2Fetc");
    let err = app.text("[data-testid=link-error]").await.unwrap();
    assert!(err.contains("链接"), "{err}");
    app.screenshot("deep-link-zh-CN-bad-link").await.unwrap();
    set_language(&app, "en").await;
    second_launch(&env, &app, &extra, "certdesk://orders/app_doesnotexist");
    let err = app
        .wait_text("[data-testid=link-error]", |t| t.contains("does not exist"))
        .await
        .unwrap();
    assert!(!err.is_empty());
    app.screenshot("deep-link-en-unknown-order").await.unwrap();
    app.close().await.unwrap();
}
