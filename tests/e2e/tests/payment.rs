//! 支付订单, paper by post and the printed form through the real window against the
//! reference CA sandbox. Orders start at "signed, awaiting payment" (or paid on the
//! paper channel) from the sandbox fixture `sandbox_flow::order_at`, the same walk as
//! `certdesk-ca sandbox order`.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona, Stop, StoppedOrder};
use certdesk_e2e::{App, eventually};
use common::{Env, seed, set_language, show, sign_in, type_into, value};

async fn order(env: &Env, channel: &str, phone: &str, stop: Stop) -> StoppedOrder {
    sandbox_flow::order_at(env.ca.url(), channel, Some(phone), stop)
        .await
        .unwrap()
}

async fn attr(app: &App, testid: &str, name: &str) -> String {
    let el = app.by_testid(testid).await.unwrap();
    el.attr(name).await.unwrap().unwrap_or_default()
}

/// Orders → the order's "continue" → the payment page; pays with `provider` by the
/// sandbox; returns the payment id.
async fn pay_in_window(app: &App, ca: &CaClient, o: &StoppedOrder, lang: &str) -> String {
    app.click("nav-orders").await.unwrap();
    app.click("orders-refresh").await.unwrap();
    app.click(&format!("order-{}-continue", o.application_id))
        .await
        .unwrap();
    app.by_testid("payment-step").await.unwrap();
    // The channel's fee as the CA states it, in yuan with two decimals.
    let channel = ca.channel("sandbox-rsa").await.unwrap();
    let fee = format!("{}.{:02}", channel.fee_fen / 100, channel.fee_fen % 100);
    let amount = app.text("[data-testid=payment-amount]").await.unwrap();
    assert!(amount.starts_with(&fee), "{amount} is not the fee {fee}");
    app.screenshot(&format!("payment-{lang}-choose"))
        .await
        .unwrap();

    // WeChat first: a QR code drawn from the CA's payment URL, with a countdown.
    app.click("payment-provider-wechat").await.unwrap();
    app.wait_for("[data-testid=payment-code][data-provider=wechat]")
        .await
        .unwrap();
    let src = attr(app, "payment-qr", "src").await;
    assert!(src.starts_with("data:image/svg+xml;base64,"), "{src}");
    let first = attr(app, "payment-code", "data-payment-id").await;
    let countdown = app
        .wait_text("[data-testid=payment-countdown]", |t| t.contains(':'))
        .await
        .unwrap();
    assert!(
        countdown.contains("14:") || countdown.contains("15:"),
        "{countdown}"
    );
    app.screenshot(&format!("payment-{lang}-wechat-qr"))
        .await
        .unwrap();

    // Refresh the code: the same payment, a fresh expiry.
    app.click("payment-renew").await.unwrap();
    app.wait_text("[data-testid=payment-renew]", |t| !t.contains('…'))
        .await
        .unwrap();
    assert_eq!(attr(app, "payment-code", "data-payment-id").await, first);

    // Alipay instead: a new payment with its own code.
    app.click("payment-provider-alipay").await.unwrap();
    app.wait_for("[data-testid=payment-code][data-provider=alipay]")
        .await
        .unwrap();
    let id = attr(app, "payment-code", "data-payment-id").await;
    assert_ne!(id, first);
    assert_ne!(attr(app, "payment-qr", "src").await, src);
    app.screenshot(&format!("payment-{lang}-alipay-qr"))
        .await
        .unwrap();

    // Paid at the provider (sandbox): the page notices by itself.
    ca.sandbox_pay(&id).await.unwrap();
    app.by_testid("payment-success").await.unwrap();
    id
}

#[tokio::test]
async fn pay_by_qr_code_then_approved_into_the_finished_tab() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let o = order(&env, "sandbox-rsa", &phone, Stop::AwaitingPayment).await;

    let app = env.launch().await;
    app.click("nav-orders").await.unwrap();
    sign_in(&app, &ca, &phone).await;
    let status = app
        .text(&format!("[data-testid=order-{}-status]", o.application_id))
        .await
        .unwrap();
    assert!(status.contains("待支付"), "{status}");
    app.screenshot("payment-zh-CN-orders").await.unwrap();

    pay_in_window(&app, &ca, &o, "zh-CN").await;
    let review = app.text("[data-testid=payment-review-note]").await.unwrap();
    assert!(review.contains("1 个工作日"), "{review}");
    let invoice = app
        .text("[data-testid=payment-invoice-note]")
        .await
        .unwrap();
    assert!(invoice.contains("电子发票"), "{invoice}");
    let stage = app.text("[data-testid=order-detail-stage]").await.unwrap();
    assert!(stage.contains("审核"), "{stage}");
    app.screenshot("payment-zh-CN-success").await.unwrap();

    // The CA's staff approve it (staff API); the order moves to the finished tab.
    let approved = env.staff().staff_approve(&o.application_id).await.unwrap();
    assert_eq!(approved.status, ApplicationStatus::Approved);
    app.click("payment-back").await.unwrap();
    app.click("orders-tab-finished").await.unwrap();
    app.by_testid(&format!("order-{}", o.application_id))
        .await
        .unwrap();
    app.screenshot("payment-zh-CN-finished").await.unwrap();

    // The same in English, on a second order of the same applicant.
    let o2 = order(&env, "sandbox-rsa", &phone, Stop::AwaitingPayment).await;
    set_language(&app, "en").await;
    pay_in_window(&app, &ca, &o2, "en").await;
    let review = app.text("[data-testid=payment-review-note]").await.unwrap();
    assert!(review.contains("one working day"), "{review}");
    app.screenshot("payment-en-success").await.unwrap();
    env.staff().staff_approve(&o2.application_id).await.unwrap();
    app.click("payment-back").await.unwrap();
    app.click("orders-tab-finished").await.unwrap();
    app.by_testid(&format!("order-{}", o2.application_id))
        .await
        .unwrap();
    app.screenshot("payment-en-finished").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn paper_channel_checklist_tracking_number_and_printed_form() {
    let env = Env::start();
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let o = order(&env, "sandbox-paper", &phone, Stop::AwaitingPaper).await;
    let saved = tempfile::tempdir().unwrap();
    let save_to = saved.path().to_str().unwrap().to_owned();
    let data = certdesk_e2e::AppData::Owned(tempfile::tempdir().unwrap());
    let app = env
        .launch_with(data, &[("CERTDESK_TEST_SAVE_DIR", &save_to)], &[])
        .await;
    app.click("nav-orders").await.unwrap();
    sign_in(&app, &ca, &phone).await;
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();

    // What to mail, stamped, where, and the note for the waybill.
    let list = app.text("[data-testid=paper-checklist]").await.unwrap();
    assert!(
        list.contains("申请表") && list.contains("营业执照"),
        "{list}"
    );
    let waybill = app.text("[data-testid=paper-waybill]").await.unwrap();
    assert!(
        waybill.contains("申请办理永城市公共资源交易中心证书"),
        "{waybill}"
    );
    let address = app.text("[data-testid=paper-address]").await.unwrap();
    assert!(address.contains("476600"), "{address}");
    show(&app, "paper").await;
    app.screenshot("paper-zh-CN-checklist").await.unwrap();

    // The printed form, saved (the dialog replaced by CERTDESK_TEST_SAVE_DIR in tests).
    app.click("form-save").await.unwrap();
    let notice = app
        .wait_text("[data-testid=form-notice]", |t| t.contains(".pdf"))
        .await
        .unwrap();
    assert!(notice.contains(&o.application_id), "{notice}");
    let pdf = saved
        .path()
        .join(format!("单位数字证书申请表-{}.pdf", o.application_id));
    let info = Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 2")),
        "{info}"
    );
    let text = common::pdf_text(&pdf);
    assert!(text.contains(&o.company_name), "{text}");
    show(&app, "form-save").await;
    app.screenshot("paper-zh-CN-form-saved").await.unwrap();

    // A malformed tracking number is flagged inline and not sent.
    app.click("paper-submit").await.unwrap();
    let err = app
        .wait_text("[data-testid=paper-courier-error]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(err.contains("快递公司"), "{err}");
    type_into(&app, "paper-number", "SF 12").await;
    app.click("paper-submit").await.unwrap();
    let err = app
        .wait_text("[data-testid=paper-number-error]", |t| !t.is_empty())
        .await
        .unwrap();
    assert!(err.contains("快递单号"), "{err}");
    show(&app, "paper-number").await;
    app.screenshot("paper-zh-CN-bad-tracking").await.unwrap();

    // Typed values survive a restart (saved as typed, before any send).
    let courier = app.by_testid("paper-courier").await.unwrap();
    courier.select_by_value("顺丰速运").await.unwrap();
    type_into(&app, "paper-number", "SF1234567890").await;
    app.wait_text("[data-testid=paper-number-error]", str::is_empty)
        .await
        .unwrap();
    let data = app.close().await.unwrap();
    let app = env
        .launch_with(data, &[("CERTDESK_TEST_SAVE_DIR", &save_to)], &[])
        .await;
    app.click("nav-orders").await.unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();
    app.wait_for("[data-testid=paper-number]").await.unwrap();
    let kept = eventually("the kept paper number", Duration::from_secs(20), || async {
        let v = value(&app, "paper-number").await;
        (!v.is_empty()).then_some(v)
    })
    .await
    .unwrap();
    assert_eq!(kept, "SF1234567890");

    // Sent: the CA has it, the page says so.
    app.click("paper-submit").await.unwrap();
    let recorded = app.text("[data-testid=paper-recorded]").await.unwrap();
    assert!(recorded.contains("SF1234567890"), "{recorded}");
    let at_ca = env
        .staff()
        .staff_applications(ApplicationStatus::InReview, None, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.id == o.application_id)
        .unwrap();
    let paper = at_ca.paper.unwrap();
    assert_eq!(paper.tracking_number.as_deref(), Some("SF1234567890"));
    assert_eq!(paper.courier.as_deref(), Some("顺丰速运"));
    show(&app, "paper-recorded").await;
    app.screenshot("paper-zh-CN-tracking-sent").await.unwrap();

    // The same page in English.
    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();
    let waybill = app.text("[data-testid=paper-waybill]").await.unwrap();
    assert!(waybill.starts_with("Write on the waybill"), "{waybill}");
    show(&app, "paper").await;
    app.screenshot("paper-en-checklist").await.unwrap();
    show(&app, "paper-recorded").await;
    app.screenshot("paper-en-tracking-sent").await.unwrap();
    set_language(&app, "zh-CN").await;
    app.click("nav-orders").await.unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();

    // The CA marks the paper received; the order shows it.
    ca.sandbox_paper_received(&o.application_id).await.unwrap();
    app.by_testid("paper-recorded").await.unwrap();
    app.click("order-back").await.unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();
    let received = app.text("[data-testid=paper-received]").await.unwrap();
    assert!(received.contains("收到"), "{received}");
    show(&app, "paper").await;
    app.screenshot("paper-zh-CN-received").await.unwrap();

    // Approved: the CA's parcel with its tracking number.
    env.staff().staff_approve(&o.application_id).await.unwrap();
    app.click("order-back").await.unwrap();
    app.click("orders-tab-finished").await.unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();
    let number = app.text("[data-testid=parcel-number]").await.unwrap();
    assert!(number.starts_with("SF"), "{number}");
    show(&app, "parcel").await;
    app.screenshot("parcel-zh-CN-shipped").await.unwrap();

    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    app.click("orders-tab-finished").await.unwrap();
    app.click(&format!("order-{}-view", o.application_id))
        .await
        .unwrap();
    let heading = app.text("#paper-h").await.unwrap();
    assert!(heading.contains("Mail"), "{heading}");
    app.by_testid("parcel-shipment").await.unwrap();
    // The CA's own data in English too: the courier, the parcel, the paper checklist.
    let parcel = app.text("[data-testid=parcel-shipment]").await.unwrap();
    assert!(
        parcel.contains("SF Express") && parcel.contains("Password card"),
        "{parcel}"
    );
    let order = app.text("[data-testid=order-detail]").await.unwrap();
    assert!(
        !order.contains("加盖单位公章") && !order.contains("顺丰"),
        "Chinese CA data in the English order: {order}"
    );
    // The step bar goes on past the applicant's steps: paid, reviewed, download next.
    for (m, state) in [
        ("payment", "done"),
        ("review", "done"),
        ("download", "current"),
    ] {
        app.wait_for(&format!(
            "[data-testid=order-milestone-{m}][data-state={state}]"
        ))
        .await
        .unwrap();
    }
    show(&app, "parcel").await;
    app.screenshot("paper-en-received-parcel").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn an_expired_code_cannot_be_paid_until_refreshed() {
    // QR codes live 8 s here instead of 15 min.
    let env = Env::start_with(&["--payment-ttl-secs", "8"]);
    let ca = env.sandbox();
    let phone = Persona::new(seed()).handler.phone;
    let o = order(&env, "sandbox-rsa", &phone, Stop::AwaitingPayment).await;
    let app = env.launch().await;
    app.click("nav-orders").await.unwrap();
    sign_in(&app, &ca, &phone).await;
    app.click(&format!("order-{}-continue", o.application_id))
        .await
        .unwrap();
    app.click("payment-provider-wechat").await.unwrap();
    let id = attr(&app, "payment-code", "data-payment-id").await;

    // Expired: the code is veiled and the provider refuses it.
    let veil = app.text("[data-testid=payment-expired]").await.unwrap();
    assert!(veil.contains("失效"), "{veil}");
    // The CA's word (the page polls it), then the provider's refusal.
    app.wait_for("[data-testid=payment-code][data-status=expired]")
        .await
        .unwrap();
    assert!(ca.sandbox_pay(&id).await.is_err());
    app.screenshot("payment-zh-CN-expired").await.unwrap();

    // Refreshed: the same payment lives again and can be paid.
    app.click("payment-renew").await.unwrap();
    app.wait_for("[data-testid=payment-step][data-state=pending]")
        .await
        .unwrap();
    ca.sandbox_pay(&id).await.unwrap();
    app.by_testid("payment-success").await.unwrap();
    app.close().await.unwrap();
}
