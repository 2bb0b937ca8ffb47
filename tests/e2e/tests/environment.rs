//! 环境检测 through the real window: SoftHSM2 as the token driver with an initialised
//! token, the reference CA on loopback, live re-checks when the token is pulled, and a
//! diagnostic bundle read back from disk.

#![allow(clippy::unwrap_used)]

use std::io::Read;

use certdesk_e2e::App;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;

#[tokio::test]
async fn environment_check_lists_driver_token_ca_and_clock_and_writes_a_bundle() {
    let ca = CaService::start().unwrap();
    let hsm = SoftHsm::new().unwrap();
    let serial = hsm
        .init_token("企业证书Key", "87654321", "12345678")
        .unwrap();
    let module = SoftHsm::module().unwrap();
    let (conf_var, conf) = hsm.env();
    let app = App::launch(&[
        (conf_var, conf.to_str().unwrap()),
        ("CERTDESK_PKCS11_MODULE", module.to_str().unwrap()),
        ("CERTDESK_CA_URL", ca.url()),
    ])
    .await
    .unwrap();
    app.click("nav-environment").await.unwrap();

    let modules = app
        .wait_text("[data-testid=check-modules]", |t| t.contains("SoftHSM"))
        .await
        .unwrap();
    assert!(modules.contains(module.to_str().unwrap()), "{modules}");
    app.wait_for("[data-testid=check-modules][data-verdict=ok]")
        .await
        .unwrap();
    let tokens = app
        .wait_text("[data-testid=check-tokens]", |t| t.contains(&serial))
        .await
        .unwrap();
    assert!(
        tokens.contains("企业证书Key") && tokens.contains("PIN 正常"),
        "{tokens}"
    );
    // Loopback sandbox over plain HTTP: connected, flagged as unencrypted.
    let ca_row = app
        .wait_text("[data-testid=check-ca]", |t| t.contains("已连接"))
        .await
        .unwrap();
    assert!(ca_row.contains("未加密"), "{ca_row}");
    let clock = app.text("[data-testid=check-clock]").await.unwrap();
    assert!(clock.contains("准确"), "{clock}");
    // Every failing row carries a fix (the smart-card service may or may not run here).
    for row in ["modules", "smart-card", "tokens", "ca", "clock"] {
        let sel = format!("[data-testid=check-{row}]");
        let el = app.wait_for(&sel).await.unwrap();
        if el.attr("data-verdict").await.unwrap().as_deref() == Some("fail") {
            assert!(app.text(&sel).await.unwrap().contains("修复建议"), "{row}");
        }
    }
    app.screenshot("environment-zh-CN").await.unwrap();

    // The token is pulled: the page follows the status bar without a click.
    hsm.unplug().unwrap();
    let tokens = app
        .wait_text("[data-testid=check-tokens]", |t| t.contains("未插入"))
        .await
        .unwrap();
    assert!(tokens.contains("请插入 USBKey"), "{tokens}");
    hsm.replug().unwrap();
    app.wait_text("[data-testid=check-tokens]", |t| t.contains(&serial))
        .await
        .unwrap();

    app.click("environment-bundle").await.unwrap();
    app.wait_text("[data-testid=environment-bundle-path]", |t| {
        t.contains(".zip")
    })
    .await
    .unwrap();
    let path = app
        .wait_for("[data-testid=environment-bundle-path]")
        .await
        .unwrap()
        .attr("data-path")
        .await
        .unwrap()
        .unwrap();
    app.screenshot("environment-bundle-zh-CN").await.unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut report = String::new();
    zip.by_name("report.json")
        .unwrap()
        .read_to_string(&mut report)
        .unwrap();
    assert!(
        report.contains(&serial) && report.contains("SoftHSM"),
        "{report}"
    );
    let logs: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("logs/"))
        .map(|n| n.into_owned())
        .collect();
    assert!(!logs.is_empty(), "the app's log is in the bundle");
    std::fs::remove_file(&path).unwrap();

    app.click("nav-settings").await.unwrap();
    app.click("lang-en").await.unwrap();
    app.click("nav-environment").await.unwrap();
    app.wait_text("[data-testid=check-ca]", |t| t.contains("Connected"))
        .await
        .unwrap();
    app.wait_text("[data-testid=check-tokens]", |t| t.contains("PIN fine"))
        .await
        .unwrap();
    app.screenshot("environment-en").await.unwrap();
    app.close().await.unwrap();
}
