//! The app shell through the real window: every section in both languages, the
//! language choice kept across restarts, the status bar telling the truth.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use certdesk_e2e::{App, AppData, eventually};

const SECTIONS: [&str; 7] = [
    "apply",
    "orders",
    "download",
    "certificates",
    "invoices",
    "environment",
    "settings",
];

const ZH_TITLES: [&str; 7] = [
    "申请证书",
    "订单管理",
    "证书下载",
    "我的证书",
    "发票",
    "环境检测",
    "设置",
];
const EN_TITLES: [&str; 7] = [
    "Apply for a certificate",
    "Orders",
    "Certificate download",
    "My certificates",
    "Invoices",
    "Environment check",
    "Settings",
];

async fn visit_all(app: &App, lang: &str, titles: &[&str; 7]) {
    for (id, title) in SECTIONS.iter().zip(titles) {
        app.click(&format!("nav-{id}")).await.unwrap();
        app.wait_for(&format!("[data-testid=\"section-{id}\"]"))
            .await
            .unwrap();
        let h1 = app.wait_text("main h1", |t| t == *title).await.unwrap();
        assert_eq!(h1, *title);
        app.screenshot(&format!("shell-{lang}-{id}")).await.unwrap();
    }
}

#[tokio::test]
async fn every_section_in_both_languages_and_the_choice_persists() {
    let app = App::launch(&[]).await.unwrap();
    // Chinese is the default, window and brand included.
    assert_eq!(app.client.title().await.unwrap(), "证书助手 CertDesk");
    assert_eq!(app.text("[data-testid=brand]").await.unwrap(), "证书助手");
    visit_all(&app, "zh-CN", &ZH_TITLES).await;

    app.click("nav-settings").await.unwrap();
    app.click("lang-en").await.unwrap();
    app.wait_text("main h1", |t| t == "Settings").await.unwrap();
    visit_all(&app, "en", &EN_TITLES).await;
    let lang = app
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "en");

    // Restart on the same data dir: English is kept.
    let data = app.close().await.unwrap();
    let AppData::Owned(dir) = data else {
        panic!("owned data dir expected")
    };
    let app = App::launch_in(AppData::Borrowed(dir.path().to_path_buf()), &[])
        .await
        .unwrap();
    app.wait_text("[data-testid=brand]", |t| t == "CertDesk")
        .await
        .unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn status_bar_says_when_no_ca_is_configured_or_reachable() {
    let app = App::launch(&[]).await.unwrap();
    app.wait_for("[data-testid=status-ca][data-state=not_configured]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-ca]").await.unwrap();
    assert!(text.contains("未配置"), "{text}");
    app.close().await.unwrap();

    // A CA address where nothing listens: offline, with a retry button.
    let port = certdesk_e2e::free_port().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let app = App::launch(&[("CERTDESK_CA_URL", &url)]).await.unwrap();
    app.wait_for("[data-testid=status-ca][data-state=offline]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-ca]").await.unwrap();
    assert!(text.contains("无法连接") && text.contains("重试"), "{text}");
    app.click("nav-environment").await.unwrap();
    let env = app
        .wait_text("[data-testid=environment-ca]", |t| t.contains("无法连接"))
        .await
        .unwrap();
    assert!(env.contains("无法连接 CA 服务"), "{env}");
    app.screenshot("status-ca-offline").await.unwrap();
    app.close().await.unwrap();

    // A CA behind TLS whose root this computer does not trust: not "unreachable" (the
    // network is fine, a retry will not help) but "certificate not trusted", with what
    // to tell IT. The handshake fails before anything is forwarded upstream.
    let proxy = certdesk_testkit::tls_proxy::TlsProxy::start(&url).unwrap();
    let app = App::launch(&[("CERTDESK_CA_URL", proxy.url())])
        .await
        .unwrap();
    app.wait_for("[data-testid=status-ca][data-state=untrusted]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-ca]").await.unwrap();
    assert!(
        text.contains("证书不受信任") && !text.contains("无法连接"),
        "{text}"
    );
    app.screenshot("status-ca-untrusted-zh-CN").await.unwrap();
    app.click("nav-settings").await.unwrap();
    app.click("lang-en").await.unwrap();
    let text = app
        .wait_text("[data-testid=status-ca]", |t| {
            t.contains("certificate not trusted")
        })
        .await
        .unwrap();
    assert!(text.contains("Retry") || text.contains("retry"), "{text}");
    app.screenshot("status-ca-untrusted-en").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn keyboard_moves_between_sections() {
    let app = App::launch(&[]).await.unwrap();
    app.client
        .execute(
            "document.querySelector('[data-testid=nav-apply]').focus()",
            vec![],
        )
        .await
        .unwrap();
    // ArrowDown twice then Enter opens the third section.
    let focused = app.client.active_element().await.unwrap();
    focused.send_keys("\u{E015}").await.unwrap();
    let focused = app.client.active_element().await.unwrap();
    focused.send_keys("\u{E015}").await.unwrap();
    let focused = app.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("data-testid").await.unwrap().as_deref(),
        Some("nav-download")
    );
    focused.send_keys("\u{E007}").await.unwrap();
    app.wait_for("[data-testid=section-download]")
        .await
        .unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn a_bad_ca_address_is_refused_and_the_typed_text_kept() {
    let app = App::launch(&[]).await.unwrap();
    app.click("nav-settings").await.unwrap();
    let field = app.by_testid("ca-url").await.unwrap();
    field.send_keys("ftp://ca.example.cn").await.unwrap();
    app.click("ca-url-save").await.unwrap();
    let err = app.text("[data-testid=ca-url-error]").await.unwrap();
    assert!(err.contains("填写的内容有误"), "{err}");
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some("ftp://ca.example.cn")
    );
    app.screenshot("settings-ca-url-invalid-zh-CN")
        .await
        .unwrap();

    // A well-formed address is saved and checked at once; nothing listens there.
    let port = certdesk_e2e::free_port().unwrap();
    field.clear().await.unwrap();
    field
        .send_keys(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    app.click("ca-url-save").await.unwrap();
    app.wait_for("[data-testid=status-ca][data-state=offline]")
        .await
        .unwrap();
    let settings = std::fs::read_to_string(app.data_dir().join("config/settings.json")).unwrap();
    assert!(
        settings.contains(&format!("127.0.0.1:{port}")),
        "{settings}"
    );
    app.close().await.unwrap();
}

#[tokio::test]
async fn status_bar_shows_the_reference_ca_online_and_notices_it_going_down() {
    let ca = certdesk_testkit::ca::CaService::start().unwrap();
    let app = App::launch(&[("CERTDESK_CA_URL", ca.url())]).await.unwrap();
    app.wait_for("[data-testid=status-ca][data-state=online]")
        .await
        .unwrap();
    let text = app.text("[data-testid=status-ca]").await.unwrap();
    assert!(text.contains("已连接"), "{text}");
    app.click("nav-environment").await.unwrap();
    app.wait_text("[data-testid=environment-ca]", |t| t.contains("已连接"))
        .await
        .unwrap();
    app.screenshot("status-ca-online-zh-CN").await.unwrap();

    // The CA stops. Rather than wait for the monitor's next probe, ask for a check
    // through the same command the status bar's "retry" uses; the bar must follow.
    drop(ca);
    app.client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke('check_ca').then(() => done(true), () => done(false));",
            vec![],
        )
        .await
        .unwrap();
    app.wait_for("[data-testid=status-ca][data-state=offline]")
        .await
        .unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn follows_the_os_dark_theme() {
    let background = "return getComputedStyle(document.body).backgroundColor";
    let app = App::launch(&[("GTK_THEME", "Adwaita")]).await.unwrap();
    let light = app.client.execute(background, vec![]).await.unwrap();
    app.close().await.unwrap();
    assert_eq!(light, "rgb(255, 255, 255)");

    let app = App::launch(&[("GTK_THEME", "Adwaita:dark")]).await.unwrap();
    let dark = app.client.execute(background, vec![]).await.unwrap();
    app.click("nav-environment").await.unwrap();
    app.screenshot("theme-dark-zh-CN-environment")
        .await
        .unwrap();
    app.close().await.unwrap();
    assert_eq!(dark, "rgb(20, 24, 31)");
}

#[tokio::test]
async fn the_window_opens_where_it_was_left() {
    let app = App::launch(&[]).await.unwrap();
    let first = app.client.get_window_rect().await.unwrap();
    // Moved and resized (as a user's drag would), then settled long enough to be written.
    app.client.set_window_rect(40, 30, 1000, 650).await.unwrap();
    let placed = app.client.get_window_rect().await.unwrap();
    assert_ne!(placed, first, "the window did not move");
    // WebDriver moves, then resizes; wait for the write after both have settled.
    let file = app.data_dir().join("config/window.json");
    let saved = eventually(
        "window.json after the resize",
        Duration::from_secs(10),
        || async {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
            (v["normal"]["width"] == 1000.0).then_some(v)
        },
    )
    .await
    .unwrap();
    assert_eq!(saved["normal"]["width"], 1000.0, "{saved}");
    assert_eq!(saved["normal"]["height"], 650.0, "{saved}");
    assert_eq!(saved["maximized"], false, "{saved}");

    // Restarted on the same data dir: the same size and place.
    let data = app.close().await.unwrap();
    let AppData::Owned(dir) = data else {
        panic!("owned data dir expected")
    };
    let app = App::launch_in(AppData::Borrowed(dir.path().to_path_buf()), &[])
        .await
        .unwrap();
    let again = app.client.get_window_rect().await.unwrap();
    assert_eq!(again, placed);
    app.close().await.unwrap();

    // A placement left on a screen that is gone opens centred on this one, at its size.
    let off = serde_json::json!({
        "normal": { "x": 5000.0, "y": 100.0, "width": 1000.0, "height": 650.0 },
        "maximized": false
    });
    std::fs::write(dir.path().join("config/window.json"), off.to_string()).unwrap();
    let app = App::launch_in(AppData::Borrowed(dir.path().to_path_buf()), &[])
        .await
        .unwrap();
    let (x, y, w, h) = app.client.get_window_rect().await.unwrap();
    assert_eq!((w, h), (1000, 650));
    // Xvfb's screen is 1280×800: centred means inside it.
    assert!((0..=280).contains(&x) && (0..=150).contains(&y), "{x},{y}");
    app.close().await.unwrap();
}
