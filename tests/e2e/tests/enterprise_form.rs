//! 企业认证 through the real window against the reference CA sandbox: inline checks
//! (USCC check character, resident ID checksum, mobile number) before anything is sent,
//! every field kept as typed across leaving the page, the registry-mismatch dialog with
//! "return to edit", then the verified enterprise opening the handler step.

#![allow(clippy::unwrap_used)]

mod common;

use certdesk_ca_service::sandbox_flow::Persona;
use certdesk_e2e::App;
use common::{
    Env, seed, set_language, shown_order_id, sign_in, start_draft, type_enterprise, type_into,
    value,
};

/// The last character replaced by another of the same class: a broken check character.
fn broken(s: &str) -> String {
    let (head, last) = s.split_at(s.len() - 1);
    let swap = match last {
        "0" => "1",
        "X" => "0",
        c if c.chars().all(|c| c.is_ascii_digit()) => "0",
        _ => "1",
    };
    format!("{head}{swap}")
}

async fn error_of(app: &App, field: &str) -> String {
    app.text(&format!("[data-testid=\"error-{field}\"]"))
        .await
        .unwrap()
}

#[tokio::test]
async fn inline_checks_kept_values_registry_mismatch_and_return_to_edit() {
    let env = Env::start();
    let ca = env.sandbox();
    let p = Persona::new(seed());
    ca.sandbox_put_company(&p.company).await.unwrap();
    let app = env.launch().await;
    app.click("nav-apply").await.unwrap();
    sign_in(&app, &ca, &p.handler.phone).await;
    start_draft(&app, "sandbox-p256").await;

    // Malformed identity numbers are flagged inline, before anything is sent.
    let bad_uscc = broken(&p.company.uscc);
    let bad_id = broken(&p.company.legal_rep_id_number);
    type_into(&app, "field-enterprise.uscc", &bad_uscc).await;
    type_into(&app, "field-enterprise.legal_rep_id_number", &bad_id).await;
    type_into(&app, "field-enterprise.legal_rep_phone", "12345").await;
    app.click("field-enterprise.name").await.unwrap();
    let e = error_of(&app, "enterprise.uscc").await;
    assert!(e.contains("输错"), "said as a typo, not a check digit: {e}");
    let e = error_of(&app, "enterprise.legal_rep_id_number").await;
    assert!(!e.is_empty() && !e.contains(&bad_id), "{e}");
    let e = error_of(&app, "enterprise.legal_rep_phone").await;
    assert!(e.contains("手机"), "{e}");
    // Submitting names the empty fields too and sends nothing.
    app.click("enterprise-submit").await.unwrap();
    app.by_testid("enterprise-fix").await.unwrap();
    let e = error_of(&app, "enterprise.name").await;
    assert!(e.contains("必填"), "{e}");
    app.screenshot("enterprise-zh-CN-inline-errors")
        .await
        .unwrap();

    // Leaving the page keeps every value as typed (the local draft); in English now.
    set_language(&app, "en").await;
    app.click("nav-apply").await.unwrap();
    app.wait_for("[data-testid=enterprise-form][data-loaded=true]")
        .await
        .unwrap();
    assert_eq!(value(&app, "field-enterprise.uscc").await, bad_uscc);
    assert_eq!(
        value(&app, "field-enterprise.legal_rep_phone").await,
        "12345"
    );
    let e = error_of(&app, "enterprise.legal_rep_phone").await;
    assert!(e.contains("mobile"), "{e}");
    app.screenshot("enterprise-en-inline-errors").await.unwrap();

    // Valid numbers, but a name the registry does not know: the mismatch dialog.
    type_into(&app, "field-enterprise.uscc", &p.company.uscc).await;
    type_into(&app, "field-enterprise.org_code", &p.org_code).await;
    type_into(&app, "field-enterprise.name", "不存在的公司名称有限公司").await;
    type_into(
        &app,
        "field-enterprise.legal_rep_name",
        &p.company.legal_rep_name,
    )
    .await;
    type_into(
        &app,
        "field-enterprise.legal_rep_id_number",
        &p.company.legal_rep_id_number,
    )
    .await;
    type_into(&app, "field-enterprise.legal_rep_phone", &p.legal_rep_phone).await;
    app.click("enterprise-submit").await.unwrap();
    app.by_testid("mismatch-dialog").await.unwrap();
    app.screenshot("enterprise-en-registry-mismatch")
        .await
        .unwrap();
    app.click("mismatch-return").await.unwrap();
    // Back in the form, nothing lost, the name field marked.
    assert_eq!(value(&app, "field-enterprise.uscc").await, p.company.uscc);
    app.by_testid("error-enterprise.name").await.unwrap();

    // The same in Chinese.
    set_language(&app, "zh-CN").await;
    app.click("nav-apply").await.unwrap();
    app.wait_for("[data-testid=enterprise-form][data-loaded=true]")
        .await
        .unwrap();
    app.click("enterprise-submit").await.unwrap();
    let dialog = app.text("[data-testid=mismatch-dialog]").await.unwrap();
    assert!(dialog.contains("单位名称"), "{dialog}");
    app.screenshot("enterprise-zh-CN-registry-mismatch")
        .await
        .unwrap();
    app.click("mismatch-return").await.unwrap();
    app.screenshot("enterprise-zh-CN-returned-to-edit")
        .await
        .unwrap();

    // Corrected: verified, and "continue" is at the handler step.
    type_into(&app, "field-enterprise.name", &p.company.name).await;
    app.click("enterprise-submit").await.unwrap();
    let step = app.by_testid("order-continue-step").await.unwrap();
    assert_eq!(
        step.attr("data-step").await.unwrap().as_deref(),
        Some("handler")
    );
    app.wait_for("[data-testid=order-step-enterprise][data-state=done]")
        .await
        .unwrap();
    app.screenshot("enterprise-zh-CN-verified").await.unwrap();

    // 经办人认证 by phone: a number the sandbox's identity check refuses first.
    app.wait_for("[data-testid=handler-form][data-loaded=true]")
        .await
        .unwrap();
    let app_id = shown_order_id(&app).await;
    app.click("handler-method-phone").await.unwrap();
    type_into(&app, "field-handler.name", &p.handler.name).await;
    type_into(&app, "field-handler.id_number", &p.handler.id_number).await;
    type_into(&app, "field-handler.phone", "13800000000").await;
    type_into(&app, "field-handler.email", &p.handler.email).await;
    app.click("handler-submit").await.unwrap();
    let failed = app.text("[data-testid=handler-failed]").await.unwrap();
    assert!(failed.contains("未通过"), "{failed}");
    app.screenshot("handler-zh-CN-refused").await.unwrap();

    // In English, the bank-card method shows its extra field; a bad card is flagged.
    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    app.click(&format!("order-{app_id}-continue"))
        .await
        .unwrap();
    app.wait_for("[data-testid=handler-form][data-loaded=true]")
        .await
        .unwrap();
    assert_eq!(value(&app, "field-handler.phone").await, "13800000000");
    app.click("handler-method-bank_card").await.unwrap();
    type_into(&app, "field-handler_check.bank_card", "6222021234567890").await;
    app.click("field-handler.name").await.unwrap();
    app.by_testid("error-handler_check.bank_card")
        .await
        .unwrap();
    app.screenshot("handler-en-bank-card").await.unwrap();

    // Corrected, by phone: verified; the next step is information confirmation.
    app.click("handler-method-phone").await.unwrap();
    type_into(&app, "field-handler.phone", &p.handler.phone).await;
    app.click("handler-submit").await.unwrap();
    app.wait_for("[data-testid=order-continue-step][data-step=information]")
        .await
        .unwrap();
    app.wait_for("[data-testid=order-step-handler][data-state=done]")
        .await
        .unwrap();
    app.screenshot("handler-en-verified").await.unwrap();
    set_language(&app, "zh-CN").await;

    // A second application for the same organisation: the one-unfinished rule, with a
    // link to the existing order.
    start_draft(&app, "sandbox-p256").await;
    type_enterprise(&app, &p, &[]).await;
    app.click("enterprise-submit").await.unwrap();
    let dup = app
        .text("[data-testid=enterprise-duplicate]")
        .await
        .unwrap();
    assert!(dup.contains("未完成"), "{dup}");
    app.by_testid("enterprise-open-existing").await.unwrap();
    app.screenshot("enterprise-zh-CN-duplicate").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn every_field_survives_kill_9_and_the_draft_is_listed_to_continue() {
    let env = Env::start();
    let ca = env.sandbox();
    let p = Persona::new(seed());
    let app = env.launch().await;
    app.click("nav-apply").await.unwrap();
    sign_in(&app, &ca, &p.handler.phone).await;
    start_draft(&app, "sandbox-rsa").await;
    let typed = [
        ("enterprise.uscc", p.company.uscc.clone()),
        ("enterprise.org_code", p.org_code.clone()),
        ("enterprise.name", p.company.name.clone()),
        (
            "enterprise.legal_rep_name",
            p.company.legal_rep_name.clone(),
        ),
        (
            "enterprise.legal_rep_id_number",
            broken(&p.company.legal_rep_id_number),
        ),
        ("enterprise.legal_rep_phone", "1381234".to_string()),
    ];
    for (f, v) in &typed {
        type_into(&app, &format!("field-{f}"), v).await;
    }
    app.click("handles-yes").await.unwrap();
    // Each change is saved locally as it happens: kill the app as soon as the last save
    // is back.
    app.wait_for("[data-testid=enterprise-form][data-saving=false]")
        .await
        .unwrap();
    let data = app.crash().await.unwrap();

    let app = env.launch_in(data).await;
    // Still signed in (keychain); the draft is listed with the unfinished orders.
    app.click("nav-orders").await.unwrap();
    app.by_testid("local-drafts").await.unwrap();
    let listed = app.text("[data-testid=local-drafts]").await.unwrap();
    assert!(listed.contains(&p.company.name), "{listed}");
    app.screenshot("orders-zh-CN-local-draft").await.unwrap();
    let row = app.wait_for("[data-testid=local-drafts] li").await.unwrap();
    let id = row.attr("data-testid").await.unwrap().unwrap();
    app.click(&format!("{id}-continue")).await.unwrap();
    app.wait_for("[data-testid=enterprise-form][data-loaded=true]")
        .await
        .unwrap();
    for (f, v) in &typed {
        assert_eq!(&value(&app, &format!("field-{f}")).await, v, "{f}");
    }
    assert!(
        app.by_testid("handles-yes-input")
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    );
    // The bad values are flagged again at once.
    app.by_testid("error-enterprise.legal_rep_id_number")
        .await
        .unwrap();
    app.by_testid("error-enterprise.legal_rep_phone")
        .await
        .unwrap();
    app.screenshot("enterprise-zh-CN-after-kill-9")
        .await
        .unwrap();

    // Deleting the draft asks first.
    app.click("nav-orders").await.unwrap();
    app.click(&format!("{id}-discard")).await.unwrap();
    app.by_testid("cancel-dialog").await.unwrap();
    app.screenshot("orders-zh-CN-discard-draft").await.unwrap();
    app.click("cancel-yes").await.unwrap();
    app.by_testid("orders-notice").await.unwrap();
    app.close().await.unwrap();
}

#[tokio::test]
async fn legal_rep_in_person_skips_the_handler_then_information_is_reviewed_and_confirmed() {
    let env = Env::start();
    let ca = env.sandbox();
    let p = Persona::new(seed());
    ca.sandbox_put_company(&p.company).await.unwrap();
    let app = env.launch().await;
    app.click("nav-apply").await.unwrap();
    sign_in(&app, &ca, &p.handler.phone).await;
    start_draft(&app, "sandbox-p256").await;
    type_enterprise(&app, &p, &[]).await;
    app.click("handles-yes").await.unwrap();
    app.click("enterprise-submit").await.unwrap();
    app.wait_for("[data-testid=order-continue-step][data-step=information]")
        .await
        .unwrap();
    app.wait_for("[data-testid=order-step-handler][data-state=skipped]")
        .await
        .unwrap();
    app.screenshot("enterprise-zh-CN-legal-rep-in-person")
        .await
        .unwrap();
    let app_id = shown_order_id(&app).await;

    // 信息确认: a missing field and a malformed phone are flagged before the review page.
    app.wait_for("[data-testid=information-form][data-loaded=true]")
        .await
        .unwrap();
    // Known values come filled in: the legal representative in person receives the parcel.
    assert_eq!(
        value(&app, "field-invoice.tax_number").await,
        p.company.uscc
    );
    assert_eq!(
        value(&app, "field-mailing.recipient").await,
        p.company.legal_rep_name
    );
    assert_eq!(value(&app, "field-mailing.phone").await, p.legal_rep_phone);
    app.screenshot("information-zh-CN-prefilled").await.unwrap();
    let info = [
        ("invoice.email", p.handler.email.as_str()),
        ("mailing.recipient", "钱经办"),
        ("mailing.phone", "1390000"),
        ("mailing.address", "北京市海淀区示例路1号"),
    ];
    for (f, v) in info {
        type_into(&app, &format!("field-{f}"), v).await;
    }
    app.click("information-next").await.unwrap();
    app.by_testid("information-fix").await.unwrap();
    app.by_testid("error-mailing.postcode").await.unwrap();
    let e = app
        .text("[data-testid=\"error-mailing.phone\"]")
        .await
        .unwrap();
    assert!(e.contains("手机"), "{e}");
    app.screenshot("information-zh-CN-errors").await.unwrap();
    type_into(&app, "field-mailing.phone", &p.handler.phone).await;
    type_into(&app, "field-mailing.postcode", "100080").await;
    app.click("information-next").await.unwrap();
    let shown = app
        .text("[data-testid=\"review-mailing.address\"]")
        .await
        .unwrap();
    assert_eq!(shown, "北京市海淀区示例路1号");
    app.screenshot("information-zh-CN-review").await.unwrap();
    // "Back to edit" keeps everything.
    app.click("information-back").await.unwrap();
    assert_eq!(value(&app, "field-mailing.postcode").await, "100080");

    // In English: the values come back from the draft; review, then confirm.
    set_language(&app, "en").await;
    app.click("nav-orders").await.unwrap();
    app.click(&format!("order-{app_id}-continue"))
        .await
        .unwrap();
    app.wait_for("[data-testid=information-form][data-loaded=true]")
        .await
        .unwrap();
    assert_eq!(value(&app, "field-mailing.postcode").await, "100080");
    app.click("information-next").await.unwrap();
    app.wait_for("[data-testid=information-form][data-reviewing=true]")
        .await
        .unwrap();
    app.screenshot("information-en-review").await.unwrap();
    app.click("information-confirm").await.unwrap();
    app.wait_for("[data-testid=order-continue-step][data-step=documents]")
        .await
        .unwrap();
    app.wait_for("[data-testid=order-step-information][data-state=done]")
        .await
        .unwrap();
    app.screenshot("information-en-confirmed").await.unwrap();
    app.close().await.unwrap();
}
