//! The status bar follows a real token: SoftHSM2 through its PKCS#11 module, in a
//! private token store, "unplugged" by moving its token directory away.

#![allow(clippy::unwrap_used)]

use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;

#[tokio::test]
async fn status_bar_follows_insert_and_remove() {
    let hsm = SoftHsm::new().unwrap();
    hsm.init_token("企业证书Key", "87654321", "12345678")
        .unwrap();
    let app = App::launch_on_softhsm(&hsm, &[]).await.unwrap();

    app.wait_for("[data-testid=status-token][data-state=present]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-token]").await.unwrap();
    assert!(
        text.contains("已插入") && text.contains("企业证书Key"),
        "{text}"
    );
    app.screenshot("status-token-present-zh-CN").await.unwrap();

    hsm.unplug().unwrap();
    app.wait_for("[data-testid=status-token][data-state=no_token]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-token]").await.unwrap();
    assert!(text.contains("未插入"), "{text}");

    hsm.replug().unwrap();
    app.wait_for("[data-testid=status-token][data-state=present]")
        .await
        .unwrap();
    app.click("nav-settings").await.unwrap();
    app.click("lang-en").await.unwrap();
    let text = app
        .wait_text("[data-testid=status-token]", |t| t.contains("inserted"))
        .await
        .unwrap();
    assert!(text.contains("企业证书Key"), "{text}");
    app.screenshot("status-token-present-en").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn without_a_module_the_bar_says_no_driver_was_found() {
    let app = App::launch(&[]).await.unwrap();
    app.wait_for("[data-testid=status-token][data-state=unavailable]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-token]").await.unwrap();
    assert!(text.contains("未找到 USBKey 驱动"), "{text}");
    app.close().await.unwrap();
}
