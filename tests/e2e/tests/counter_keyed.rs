//! A new case keyed at the counter through the real window (issue 13 item 3b): an
//! applicant who did not apply online is served by a clerk of point BJ01 who keys the
//! application (F4). A company-name typo is refused by the CA's registry check on the
//! field (zh), nothing typed lost; the CA down at the next try says so and keeps the
//! form; fixed and sent again, the case opens. Then the counter's steps: the licence
//! scan, the handler's on-site identity check with the copy's scan, the signed
//! application form's scan and the clerk's attestation, a POS payment; a second
//! operator approves from the queue. The order is the applicant's own at the CA (the
//! contact phone). Screens of the form and the case in both languages.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use certdesk_ca_api::application::{ApplicationStatus, ListState};
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::{add_point, counter_mode_on, keys_to, launch_on, operator_on_token, sign_in};
use common::{Env, seed, set_language, type_into, value};

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
const F4: &str = "\u{E034}";

/// Puts the file at `path` into the hidden file input `testid` (as the file dialog does).
async fn upload(app: &App, testid: &str, path: &std::path::Path) {
    app.by_testid(testid)
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
}

/// The on-site identity check of the form whose test ids start with `prefix`: the copy's
/// scan uploaded (and chosen), Space on the attestation, Tab, the number and Enter.
/// Answers the key actions it took.
async fn identity_on_site(app: &App, prefix: &str, scan: &std::path::Path, number: &str) -> usize {
    let copy = format!("{prefix}-copy");
    let before = value(app, &copy).await;
    upload(app, &format!("{prefix}-copy-input"), scan).await;
    certdesk_e2e::eventually(
        "the uploaded copy chosen",
        std::time::Duration::from_secs(10),
        || async {
            let v = value(app, &copy).await;
            (v != before && v.starts_with("doc_")).then_some(v)
        },
    )
    .await
    .unwrap();
    let attest = format!("{prefix}-attest");
    app.client
        .execute(
            &format!("document.querySelector('[data-testid={attest}]').focus()"),
            vec![],
        )
        .await
        .unwrap();
    keys_to(app, &attest, &format!(" {TAB}")).await;
    keys_to(
        app,
        &format!("{prefix}-number"),
        &format!("{number}{ENTER}"),
    )
    .await;
    app.wait_for(&format!("[data-testid={prefix}-done]"))
        .await
        .unwrap();
    4
}

/// The fields a clerk types from the originals, in the form's order.
fn keyed_fields(p: &Persona, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("enterprise.uscc", p.company.uscc.clone()),
        ("enterprise.org_code", p.org_code.clone()),
        ("enterprise.name", name.to_owned()),
        (
            "enterprise.legal_rep_name",
            p.company.legal_rep_name.clone(),
        ),
        (
            "enterprise.legal_rep_id_number",
            p.company.legal_rep_id_number.clone(),
        ),
        ("enterprise.legal_rep_phone", p.legal_rep_phone.clone()),
        ("handler.name", p.handler.name.clone()),
        ("handler.id_number", p.handler.id_number.clone()),
        ("handler.phone", p.handler.phone.clone()),
        ("handler.email", p.handler.email.clone()),
        ("invoice.email", p.handler.email.clone()),
    ]
}

#[tokio::test]
async fn a_clerk_keys_a_new_case_and_another_operator_approves_it() {
    let mut env = Env::start();
    add_point(&env);
    let hsm = SoftHsm::new().unwrap();
    let reviewer_hsm = SoftHsm::new().unwrap();
    let clerk = operator_on_token(&env, &hsm, "王受理", &["clerk"]);
    let reviewer = operator_on_token(&env, &reviewer_hsm, "李审核", &["reviewer"]);

    // The applicant did not apply online; the registry knows the company.
    let persona = Persona::new(seed() % 1_000_000_000);
    let sandbox = env.sandbox();
    sandbox.sandbox_put_company(&persona.company).await.unwrap();
    let company = persona.company.name.clone();

    let app = launch_on(&env, &hsm).await;
    counter_mode_on(&app).await;
    sign_in(&app, "王受理").await;

    // F4 from the scan box opens the keyed form, shown among the shortcuts.
    app.wait_text("[data-testid=counter-shortcuts]", |t| t.contains("F4"))
        .await
        .unwrap();
    let mut keystrokes = 0usize;
    keys_to(&app, "counter-scan", F4).await;
    keystrokes += 1;
    app.wait_for("[data-testid=key-form]").await.unwrap();
    common::eventually_focused(&app, "field-enterprise.uscc").await;
    // The first channel offering a new organisation certificate (sandbox-rsa, whose
    // legal representative is checked too).
    assert_eq!(value(&app, "key-channel").await, "sandbox-rsa");
    app.screenshot("counter-keyed-form-zh-CN").await.unwrap();

    // The name as misread from the licence: every check in the form passes, the CA's
    // registry check refuses it on the field.
    let typo = format!("{company}分公司");
    for (f, v) in keyed_fields(&persona, &typo) {
        type_into(&app, &format!("field-{f}"), &v).await;
        keystrokes += 1;
    }
    // The province comes from the USCC (Beijing in the sandbox).
    certdesk_e2e::eventually(
        "the province from the USCC",
        std::time::Duration::from_secs(10),
        || async { (value(&app, "field-certificate.city").await == "北京市").then_some(()) },
    )
    .await
    .unwrap();
    app.click("key-agreed").await.unwrap();
    keystrokes += 1;
    app.click("key-submit").await.unwrap();
    keystrokes += 1;
    let said = app
        .wait_text("[data-testid=\"error-enterprise.name\"]", |t| {
            t.contains("登记信息不一致")
        })
        .await
        .unwrap();
    assert!(!said.contains(&typo), "{said}");
    assert_eq!(value(&app, "field-enterprise.name").await, typo);
    assert_eq!(
        value(&app, "field-handler.id_number").await,
        persona.handler.id_number
    );
    app.screenshot("counter-keyed-refused-zh-CN").await.unwrap();

    // Corrected; the CA is down just then: said so, the form kept.
    type_into(&app, "field-enterprise.name", &company).await;
    keystrokes += 1;
    env.ca.stop();
    app.click("key-submit").await.unwrap();
    app.wait_text("[data-testid=key-error]", |t| t.contains("无法连接"))
        .await
        .unwrap();
    assert_eq!(value(&app, "field-enterprise.name").await, company);
    app.screenshot("counter-keyed-ca-down-zh-CN").await.unwrap();
    env.ca.restart().unwrap();

    // Sent again: the case opens with the keyed application.
    let t = Instant::now();
    app.click("key-submit").await.unwrap();
    keystrokes += 1;
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    let key_ms = t.elapsed().as_millis();
    app.wait_for("[data-testid=case-keyed]").await.unwrap();
    let case_id = app
        .by_testid("counter-case")
        .await
        .unwrap()
        .attr("data-case-id")
        .await
        .unwrap()
        .unwrap();
    app.screenshot("counter-keyed-case-zh-CN").await.unwrap();

    // The scans: the licence, the handler's ID copy (for the identity check).
    let scans = tempfile::tempdir().unwrap();
    let png = scans.path().join("scan.png");
    std::fs::write(&png, sandbox_flow::png_bytes()).unwrap();
    upload(&app, "keyed-file-business_licence", &png).await;
    keystrokes += 1;
    app.wait_for("[data-testid=keyed-scan-business_licence][data-uploaded=true]")
        .await
        .unwrap();
    // The handler does not hold the legal representative's letter: it is scanned too.
    upload(&app, "keyed-file-authorisation_letter", &png).await;
    keystrokes += 1;
    app.wait_for("[data-testid=keyed-scan-authorisation_letter][data-uploaded=true]")
        .await
        .unwrap();
    keystrokes += identity_on_site(&app, "identity", &png, &persona.handler.id_number).await;
    // The channel (sandbox-rsa) checks the legal representative too: on site, the same.
    keystrokes += identity_on_site(
        &app,
        "identity-legal_rep",
        &png,
        &persona.company.legal_rep_id_number,
    )
    .await;

    // The application form, printed and signed in front of the clerk: its scan and the
    // clerk's attestation seal the submission.
    upload(&app, "keyed-file-application_form", &png).await;
    keystrokes += 1;
    app.wait_for("[data-testid=keyed-scan-application_form][data-uploaded=true]")
        .await
        .unwrap();
    app.click("keyed-attest").await.unwrap();
    app.click("keyed-sign").await.unwrap();
    keystrokes += 2;
    app.wait_for("[data-testid=keyed-signed]").await.unwrap();

    keys_to(
        &app,
        "payment-reference",
        &format!("POS-20261207-0007{ENTER}"),
    )
    .await;
    keystrokes += 1;
    app.wait_text("[data-testid=payment-done]", |t| {
        t.contains("POS-20261207-0007")
    })
    .await
    .unwrap();
    app.wait_for("[data-testid=case-complete]").await.unwrap();
    app.screenshot("counter-keyed-complete-zh-CN")
        .await
        .unwrap();

    // English: the case as it is, and the keyed form (empty for the next applicant) with
    // an inline refusal.
    set_language(&app, "en").await;
    app.click("nav-counter").await.unwrap();
    app.wait_text("[data-testid=case-keyed]", |t| t.contains("Keyed"))
        .await
        .unwrap();
    app.screenshot("counter-keyed-case-en").await.unwrap();
    app.click("counter-new-case").await.unwrap();
    app.wait_for("[data-testid=key-form]").await.unwrap();
    assert_eq!(value(&app, "field-enterprise.uscc").await, "");
    type_into(&app, "field-handler.phone", "1381234").await;
    app.click("key-submit").await.unwrap();
    app.wait_text("[data-testid=\"error-handler.phone\"]", |t| !t.is_empty())
        .await
        .unwrap();
    app.wait_text("[data-testid=\"error-enterprise.uscc\"]", |t| {
        t.contains("Required")
    })
    .await
    .unwrap();
    app.screenshot("counter-keyed-form-errors-en")
        .await
        .unwrap();
    common::show(&app, "key-form").await;
    app.screenshot("counter-keyed-form-en").await.unwrap();
    app.click("key-cancel").await.unwrap();
    set_language(&app, "zh-CN").await;

    // The clerk signs out; the reviewer's USBKey goes in and approves from the queue.
    app.click("nav-counter").await.unwrap();
    app.click("counter-sign-out").await.unwrap();
    app.wait_for("[data-testid=counter-sign-in]").await.unwrap();
    common::counter::swap_tokens(&hsm, &reviewer_hsm);
    sign_in(&app, "李审核").await;
    let q = app
        .wait_text("[data-testid=counter-queue]", |t| t.contains(&case_id))
        .await
        .unwrap();
    assert!(q.contains(&clerk), "{q}");
    app.click(&format!("counter-queue-{case_id}"))
        .await
        .unwrap();
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    app.wait_for("[data-testid=case-keyed]").await.unwrap();
    keys_to(&app, "case-approve", ENTER).await;
    app.wait_for("[data-testid=case-approved]").await.unwrap();
    app.screenshot("counter-keyed-approved-zh-CN")
        .await
        .unwrap();

    // At the CA: approved, and the applicant's own order (their phone signs them in).
    let mut applicant = env.sandbox();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let page = applicant
        .list_applications(ListState::Finished, None, None)
        .await
        .unwrap();
    let order = page
        .items
        .iter()
        .find(|a| {
            a.input
                .enterprise
                .as_ref()
                .is_some_and(|e| e.name == company)
        })
        .unwrap();
    assert_eq!(order.status, ApplicationStatus::Approved);
    println!(
        "keyed window: case shown {key_ms} ms after submit (create call, registry check \
         included); {keystrokes} key actions (a typed field, a key, a click, a file: one \
         each) from F4 to payment, the refused typo and its fix included; reviewer {reviewer}"
    );
    app.close().await.unwrap();
}
