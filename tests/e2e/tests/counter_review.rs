//! Corrections reach the CA and the reviewer sees the scans (issue 13 items 3a and 5),
//! through the real window: an applicant's paid online order has real scans (the
//! business licence and the handler's ID card, drawn as images). The clerk of point BJ01
//! opens it, types a wrong postcode as a correction — the CA's message is at the field
//! and the typed value stays — then the right one. The app is restarted: the case, read
//! from the CA again, still shows the applicant's postcode struck through and the
//! corrected one. The clerk signs out; the reviewer signs in, opens the case from the
//! queue, sees the correction and the scans' thumbnails, opens the larger preview with
//! the keyboard, and approves. Screens of the reviewer's view in zh-CN and en; the CA
//! has the corrected postcode and an audit entry for each scan read, none with a value.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::Business;
use certdesk_ca_service::sandbox_flow::{self, Persona, Scans};
use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::{
    add_point, counter_mode_on, keys_to, launch_on, launch_on_in, operator_on_token, scroll_to,
    sign_in, swap_tokens,
};
use common::{Env, seed, set_language};

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// The scan box has the cursor: the order's id and Enter, as the scanner types it.
async fn open_order(app: &App, order_id: &str, company: &str) {
    keys_to(app, "counter-scan", &format!("{order_id}{ENTER}")).await;
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
}

/// The postcode row says the applicant's value (struck) and the corrected one.
async fn shows_correction(app: &App, original: &str, corrected: &str) {
    app.wait_text("[data-testid=field-state-mailing-postcode]", |t| {
        t.contains(corrected)
    })
    .await
    .unwrap();
    let struck = app
        .wait_for("[data-testid=field-value-mailing-postcode].struck")
        .await
        .unwrap();
    assert_eq!(struck.text().await.unwrap(), original);
}

/// How many of `css` are drawn images now (decoded, not only in the page), and the
/// widest one's natural width.
async fn drawn(app: &App, css: &str) -> (u64, u64) {
    let js = format!(
        "const imgs = [...document.querySelectorAll('{css}')].filter(i => i.complete && i.naturalWidth > 0); \
         return [imgs.length, Math.max(0, ...imgs.map(i => i.naturalWidth))];"
    );
    let v = app.client.execute(&js, vec![]).await.unwrap();
    let n = |i: usize| v[i].as_u64().unwrap_or(0);
    (n(0), n(1))
}

/// How many of the case's scans show their thumbnail now.
async fn thumbnails(app: &App) -> u64 {
    drawn(app, "[data-testid^=case-doc-thumb-]").await.0
}

/// Waits until `want` thumbnails are drawn; answers how long that took.
async fn thumbnails_shown(app: &App, want: u64) -> Duration {
    let t = Instant::now();
    certdesk_e2e::eventually("the scans' thumbnails", Duration::from_secs(20), || async {
        (thumbnails(app).await >= want).then_some(())
    })
    .await
    .unwrap();
    t.elapsed()
}

/// Two frames, so the screenshot has what the DOM has.
async fn settle(app: &App) {
    app.client
        .execute_async(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
            vec![],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_correction_survives_a_restart_and_the_reviewer_sees_it_and_the_scans() {
    let env = Env::start();
    add_point(&env);
    let hsm = SoftHsm::new().unwrap();
    let reviewer_hsm = SoftHsm::new().unwrap();
    operator_on_token(&env, &hsm, "王受理", &["clerk"]);
    let reviewer = operator_on_token(&env, &reviewer_hsm, "李审核", &["reviewer"]);

    // The applicant's order, submitted with real scans and paid online: in review.
    let persona = Persona::new(seed() % 1_000_000_000);
    let scans_dir = tempfile::tempdir().unwrap();
    let licence = sandbox_flow::licence_png(
        scans_dir.path(),
        &[
            "营业执照".into(),
            format!("名称：{}", persona.company.name),
            format!("统一社会信用代码：{}", persona.company.uscc),
            "法定代表人：赵法人".into(),
        ],
    )
    .unwrap();
    let id_card = sandbox_flow::licence_png(
        scans_dir.path(),
        &[
            "居民身份证（复印件）".into(),
            format!("姓名：{}", persona.handler.name),
            "仅供证书申请使用".into(),
        ],
    )
    .unwrap();
    let mut applicant = env.sandbox();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted_with(
        &applicant,
        &persona,
        "sandbox-rsa",
        Business::NewOrgCertificate,
        None,
        Scans {
            licence,
            handler_id_card: id_card,
        },
    )
    .await
    .unwrap();
    let order = sandbox_flow::paid(&applicant, &order.id).await.unwrap();
    assert_eq!(order.status, ApplicationStatus::InReview);
    let company = persona.company.name.clone();
    let postcode = order.input.mailing.as_ref().unwrap().postcode.clone();
    let corrected = if postcode == "100020" {
        "100021"
    } else {
        "100020"
    };

    // The clerk opens the case and corrects the postcode: a wrong one first.
    let app = launch_on(&env, &hsm).await;
    counter_mode_on(&app).await;
    sign_in(&app, "王受理").await;
    open_order(&app, &order.id, &company).await;
    app.click("field-correct-mailing-postcode").await.unwrap();
    common::eventually_focused(&app, "field-correction-mailing-postcode").await;
    let box_ = app
        .by_testid("field-correction-mailing-postcode")
        .await
        .unwrap();
    box_.clear().await.unwrap();
    box_.send_keys(&format!("1000A{ENTER}")).await.unwrap();
    app.wait_text(
        "[data-testid=field-correction-error-mailing-postcode]",
        |t| t.contains("邮编应为6位数字"),
    )
    .await
    .unwrap();
    assert_eq!(
        common::value(&app, "field-correction-mailing-postcode").await,
        "1000A"
    );
    app.wait_text("[data-testid=field-state-mailing-postcode]", |t| {
        t.contains("待核对")
    })
    .await
    .unwrap();
    app.screenshot("counter-review-correction-refused-zh-CN")
        .await
        .unwrap();
    let box_ = app
        .by_testid("field-correction-mailing-postcode")
        .await
        .unwrap();
    box_.clear().await.unwrap();
    box_.send_keys(&format!("{corrected}{ENTER}"))
        .await
        .unwrap();
    shows_correction(&app, &postcode, corrected).await;
    common::eventually_gone(&app, "field-correction-error-mailing-postcode").await;

    // A restart: nothing of the correction is kept in the app; the CA has it.
    let data = app.close().await.unwrap();
    let app = launch_on_in(&env, &hsm, data).await;
    app.click("nav-counter").await.unwrap();
    sign_in(&app, "王受理").await;
    open_order(&app, &order.id, &company).await;
    shows_correction(&app, &postcode, corrected).await;
    scroll_to(&app, "field-mailing-address").await;
    settle(&app).await;
    app.screenshot("counter-review-after-restart-zh-CN")
        .await
        .unwrap();

    // The clerk signs out; the reviewer's USBKey goes in.
    app.click("counter-sign-out").await.unwrap();
    app.wait_for("[data-testid=counter-sign-in]").await.unwrap();
    swap_tokens(&hsm, &reviewer_hsm);
    sign_in(&app, "李审核").await;
    let item = app
        .wait_for("[data-testid^=counter-queue-case_]")
        .await
        .unwrap();
    let opened = Instant::now();
    item.click().await.unwrap();
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    shows_correction(&app, &postcode, corrected).await;
    let thumbs_after_open = opened.elapsed();
    let shown = thumbnails_shown(&app, 2).await;
    let thumbs_ms = (thumbs_after_open + shown).as_millis();
    scroll_to(&app, "field-mailing-address").await;
    settle(&app).await;
    app.screenshot("counter-review-reviewer-zh-CN")
        .await
        .unwrap();

    // The larger preview, from the keyboard: Enter on the licence's tile, Escape closes.
    let tile = app
        .wait_for("[data-testid=case-doc-business_licence] button")
        .await
        .unwrap();
    let t = Instant::now();
    tile.send_keys(ENTER).await.unwrap();
    certdesk_e2e::eventually("the preview drawn", Duration::from_secs(10), || async {
        // The scan itself, not its thumbnail (at most 240 pixels wide).
        let (n, width) = drawn(&app, "[data-testid=case-doc-preview-image]").await;
        (n == 1 && width > 1000).then_some(())
    })
    .await
    .unwrap();
    let preview_ms = t.elapsed().as_millis();
    settle(&app).await;
    app.screenshot("counter-review-preview-zh-CN")
        .await
        .unwrap();
    let focused = app.client.active_element().await.unwrap();
    focused.send_keys(ESCAPE).await.unwrap();
    common::eventually_gone(&app, "case-doc-preview").await;

    // The same in English.
    set_language(&app, "en").await;
    app.click("nav-counter").await.unwrap();
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    app.wait_text("[data-testid=field-state-mailing-postcode]", |t| {
        t.contains("Corrected to") && t.contains(corrected)
    })
    .await
    .unwrap();
    thumbnails_shown(&app, 2).await;
    scroll_to(&app, "field-mailing-address").await;
    settle(&app).await;
    app.screenshot("counter-review-reviewer-en").await.unwrap();
    app.click(&format!(
        "case-doc-open-{}",
        order
            .documents
            .iter()
            .find(|d| d.kind == certdesk_ca_api::channel::DocumentKind::HandlerIdCard)
            .unwrap()
            .id
    ))
    .await
    .unwrap();
    app.wait_for("[data-testid=case-doc-preview-image]")
        .await
        .unwrap();
    settle(&app).await;
    app.screenshot("counter-review-preview-en").await.unwrap();
    app.click("case-doc-close").await.unwrap();
    common::eventually_gone(&app, "case-doc-preview").await;

    // The reviewer approves.
    app.click("case-approve").await.unwrap();
    app.wait_for("[data-testid=case-approved]").await.unwrap();

    // The CA: the corrected postcode in the application, approved; every scan read by
    // an operator in the audit log, no entry with the value.
    let read = applicant.application(&order.id).await.unwrap();
    assert_eq!(read.status, ApplicationStatus::Approved);
    assert_eq!(read.input.mailing.as_ref().unwrap().postcode, corrected);
    let db = env.ca.data_dir().join("ca.sqlite3");
    let count = |sql: &str| {
        let out = std::process::Command::new("sqlite3")
            .arg(&db)
            .arg(sql)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u32>()
            .unwrap()
    };
    let views = count(&format!(
        "SELECT count(*) FROM audit_log WHERE action = 'case.document_view' \
         AND actor = 'operator:{reviewer}'"
    ));
    assert!(views >= 2, "{views}");
    assert_eq!(
        count(&format!(
            "SELECT count(*) FROM audit_log WHERE details LIKE '%{corrected}%'"
        )),
        0
    );
    println!(
        "review window: the reviewer's case shown and both thumbnails drawn {thumbs_ms} ms after \
         the click in the queue; the preview drawn {preview_ms} ms after Enter; {views} scan reads audited"
    );
    app.close().await.unwrap();
}
