//! 环境检测 through the real window: SoftHSM2 as the token driver with an initialised
//! token, the reference CA on loopback, live re-checks when the token is pulled, and a
//! diagnostic bundle read back from disk.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::process::Command;

use certdesk_e2e::App;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use common::{set_language, type_into};

#[tokio::test]
async fn environment_check_lists_driver_token_ca_and_clock_and_writes_a_bundle() {
    let ca = CaService::start().unwrap();
    let hsm = SoftHsm::new().unwrap();
    let serial = hsm
        .init_token("企业证书Key", "87654321", "12345678")
        .unwrap();
    let app = App::launch_on_softhsm(&hsm, &[("CERTDESK_CA_URL", ca.url())])
        .await
        .unwrap();
    app.click("nav-environment").await.unwrap();

    let modules = app
        .wait_text("[data-testid=check-modules]", |t| t.contains("SoftHSM"))
        .await
        .unwrap();
    let module = SoftHsm::module().unwrap();
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
    let (path, mut zip) = written_bundle(&app).await;
    app.screenshot("environment-bundle-zh-CN").await.unwrap();
    let report = entry(&mut zip, "report.json");
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

/// The token's objects as pkcs11-tool, another program, lists them (logged in).
fn objects(hsm: &SoftHsm, pin: &str) -> String {
    let out = certdesk_testkit::process::run(
        Command::new("pkcs11-tool")
            .env(hsm.env().0, hsm.env().1)
            .arg("--module")
            .arg(SoftHsm::module().unwrap())
            .args(["--login", "--pin", pin, "--list-objects"]),
    )
    .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn self_check_from_the_environment_page_leaves_the_token_as_found() {
    const PIN: &str = "24682468";
    let hsm = SoftHsm::new().unwrap();
    let serial = hsm.init_token("自检Key", "87654321", PIN).unwrap();
    // Something of the user's on the token, which the check must not touch.
    certdesk_testkit::process::run(
        Command::new("pkcs11-tool")
            .env(hsm.env().0, hsm.env().1)
            .arg("--module")
            .arg(SoftHsm::module().unwrap())
            .args([
                "--login",
                "--pin",
                PIN,
                "--keypairgen",
                "--key-type",
                "EC:prime256v1",
            ])
            .args(["--label", "my key", "--id", "0101"]),
    )
    .unwrap();
    let before = objects(&hsm, PIN);
    let app = App::launch_on_softhsm(&hsm, &[]).await.unwrap();
    app.click("nav-environment").await.unwrap();
    let button = format!("self-check-{serial}");
    app.wait_for(&format!("[data-testid={button}]"))
        .await
        .unwrap();
    app.screenshot("self-check-offer-zh-CN").await.unwrap();

    // A wrong PIN: said in words, nothing made.
    app.click(&button).await.unwrap();
    type_into(&app, "self-check-pin", "11111111").await;
    app.click("self-check-start").await.unwrap();
    let err = app
        .wait_text("[data-testid=self-check-error]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(err.contains("PIN"), "{err}");
    assert_eq!(objects(&hsm, PIN), before);

    type_into(&app, "self-check-pin", PIN).await;
    app.click("self-check-start").await.unwrap();
    let result = app
        .wait_text("[data-testid=self-check-result]", |t| {
            t.contains("自检通过")
        })
        .await
        .unwrap();
    assert!(
        result.contains("椭圆曲线 P-256") && result.contains("已确认"),
        "{result}"
    );
    assert!(result.contains("SM2（国密）") && result.contains("USBKey 不支持"));
    app.wait_for("[data-testid=self-check-result][data-passed=true]")
        .await
        .unwrap();
    app.wait_for("[data-testid=self-check-ecdsa_p256][data-confirmed=true]")
        .await
        .unwrap();
    app.screenshot("self-check-result-zh-CN").await.unwrap();
    assert_eq!(objects(&hsm, PIN), before, "the token is as it was found");
    app.click("self-check-close").await.unwrap();

    // The report goes into the support bundle.
    app.click("environment-bundle").await.unwrap();
    let (path, mut zip) = written_bundle(&app).await;
    let check = entry(&mut zip, "self-check.json");
    assert!(
        check.contains(&serial) && check.contains("\"untouched\": true"),
        "{check}"
    );
    assert!(!check.contains(PIN));
    std::fs::remove_file(&path).unwrap();

    set_language(&app, "en").await;
    app.click("nav-environment").await.unwrap();
    app.click(&button).await.unwrap();
    type_into(&app, "self-check-pin", PIN).await;
    app.click("self-check-start").await.unwrap();
    let result = app
        .wait_text("[data-testid=self-check-result]", |t| {
            t.contains("Self-check passed")
        })
        .await
        .unwrap();
    assert!(result.contains("confirmed"), "{result}");
    app.screenshot("self-check-result-en").await.unwrap();
    assert_eq!(objects(&hsm, PIN), before);
    app.close().await.unwrap();
}

/// The diagnostic bundle the app says it wrote: its path and the opened archive.
async fn written_bundle(app: &App) -> (String, zip::ZipArchive<std::fs::File>) {
    let path = app
        .wait_for("[data-testid=environment-bundle-path]")
        .await
        .unwrap()
        .attr("data-path")
        .await
        .unwrap()
        .unwrap();
    let zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    (path, zip)
}

/// The text of the bundle's entry `name`.
fn entry(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> String {
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// No PC/SC service (the client library pointed at a socket that does not exist) while
/// the USBKey works through its module: a notice with nothing to do, not a red ✖, and no
/// fix anywhere on the page sends the user to a terminal. Both languages.
#[tokio::test]
async fn a_missing_smart_card_service_is_a_notice_while_the_usbkey_works() {
    let ca = CaService::start().unwrap();
    let hsm = SoftHsm::new().unwrap();
    hsm.init_token("企业证书Key", "87654321", "12345678")
        .unwrap();
    let nowhere = tempfile::tempdir().unwrap();
    let socket = nowhere.path().join("pcscd.comm");
    let app = App::launch_on_softhsm(
        &hsm,
        &[
            ("CERTDESK_CA_URL", ca.url()),
            ("PCSCLITE_CSOCK_NAME", socket.to_str().unwrap()),
        ],
    )
    .await
    .unwrap();
    for (lang, says) in [("zh-CN", "无需处理"), ("en", "nothing needs doing")] {
        set_language(&app, lang).await;
        app.click("nav-environment").await.unwrap();
        let row = app
            .wait_text("[data-testid=check-smart-card][data-verdict=info]", |t| {
                t.contains(says)
            })
            .await
            .unwrap();
        assert!(!row.contains("✖"), "{row}");
        app.wait_for("[data-testid=check-tokens][data-verdict=ok]")
            .await
            .unwrap();
        let page = app.text("[data-testid=environment-checks]").await.unwrap();
        for terminal in ["sudo", "systemctl", "终端", "terminal"] {
            assert!(!page.contains(terminal), "{terminal} in: {page}");
        }
        app.screenshot(&format!("environment-{lang}-no-pcscd"))
            .await
            .unwrap();
    }
    app.close().await.unwrap();
}
