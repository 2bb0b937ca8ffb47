//! The walk-in case through the real window (issue 13 items 2-5, 9): a clerk and a
//! reviewer of point BJ01 are made with `certdesk-ca operator add`, each certificate
//! downloaded onto its own SoftHSM2 token; an applicant's online order is submitted in
//! the sandbox. The clerk signs in, types scanner garbage and then the order id into the
//! scan box (Enter), checks the fields with the keyboard and corrects one, records the
//! on-site identity check and a POS payment, and is refused approving their own case.
//! The clerk signs out, the tokens are swapped, the reviewer signs in and approves from
//! the point's queue; the CA says the application is approved. Screens in both languages.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::App;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::{
    PIN, add_point, counter_mode_on, keys_to, launch_saving, operator_on_token, sign_in,
    submitted_order,
};
use common::{Env, set_language};

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";
/// Ctrl+E (the modifier is released by the NULL key).
const CTRL_E: &str = "\u{E009}e\u{E000}";

/// Scrolls the element into the middle of the pane (for the screenshot).
async fn scroll_to(app: &App, testid: &str) {
    let js = format!(
        "document.querySelector('[data-testid={testid}]').scrollIntoView({{block: 'center'}})"
    );
    app.client.execute(&js, vec![]).await.unwrap();
}

/// The `data-testid`s of the fields' "matches" buttons, in the page's order.
async fn field_buttons(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    for el in app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid^=field-check-]"))
        .await
        .unwrap()
    {
        out.push(el.attr("data-testid").await.unwrap().unwrap());
    }
    out
}

#[tokio::test]
async fn a_clerk_serves_a_walk_in_and_another_operator_approves_it() {
    let mut env = Env::start();
    add_point(&env);
    // Each operator's token in its own store; the reviewer's is moved into the app's
    // store at the swap, as a USBKey is handed over.
    let hsm = SoftHsm::new().unwrap();
    let reviewer_hsm = SoftHsm::new().unwrap();
    let clerk = operator_on_token(&env, &hsm, "王受理", &["clerk", "reviewer"]);
    // A small point: the reviewer also makes the USBKeys (entry and approval never
    // combine; approval and making may).
    let reviewer = operator_on_token(
        &env,
        &reviewer_hsm,
        "李审核",
        &["reviewer", "maker", "supervisor"],
    );

    // The applicant's submitted online order (awaiting payment).
    let (applicant, persona, order) = submitted_order(&env).await;
    let company = persona.company.name.clone();

    let saves = tempfile::tempdir().unwrap();
    let app = launch_saving(&env, &hsm, saves.path()).await;
    counter_mode_on(&app).await;
    sign_in(&app, "王受理").await;

    // The scan box has the cursor; the shortcuts are on screen.
    app.wait_text("[data-testid=counter-shortcuts]", |t| t.contains("F2"))
        .await
        .unwrap();
    let mut keystrokes = 0usize;
    // Scanner garbage (a wrong keyboard layout turned `_` into `8`): refused in place,
    // nothing sent, the text kept (selected, so the next scan replaces it).
    let garbage = format!("app8{}", &order.id[4..]);
    keys_to(&app, "counter-scan", &format!("{garbage}{ENTER}")).await;
    let said = app
        .wait_text("[data-testid=counter-scan-error]", |t| t.contains("格式"))
        .await
        .unwrap();
    assert!(!said.contains(&garbage), "{said}");
    assert_eq!(common::value(&app, "counter-scan").await, garbage);
    app.screenshot("counter-walk-in-garbage-zh-CN")
        .await
        .unwrap();

    // The order's id and Enter, as the scanner types it: the case opens pre-filled.
    let t = Instant::now();
    keys_to(&app, "counter-scan", &format!("{}{ENTER}", order.id)).await;
    keystrokes += 1;
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    let open_ms = t.elapsed().as_millis();
    app.wait_for("[data-testid=case-doc-business_licence]")
        .await
        .unwrap();
    app.screenshot("counter-walk-in-opened-zh-CN")
        .await
        .unwrap();

    // Every field with Enter, except the mailing address, corrected with Ctrl+E.
    let buttons = field_buttons(&app).await;
    assert!(buttons.len() >= 8, "{buttons:?}");
    let t = Instant::now();
    for b in &buttons {
        let field = b.trim_start_matches("field-check-");
        if field == "mailing-address" {
            keys_to(&app, b, CTRL_E).await;
            keys_to(
                &app,
                "field-correction-mailing-address",
                &format!("北京市朝阳区受理路 8 号{ENTER}"),
            )
            .await;
            keystrokes += 3;
            app.wait_text("[data-testid=field-state-mailing-address]", |t| {
                t.contains("更正为") && t.contains("受理路 8 号")
            })
            .await
            .unwrap();
        } else {
            keys_to(&app, b, ENTER).await;
            keystrokes += 1;
            app.wait_text(&format!("[data-testid=field-state-{field}]"), |t| {
                t.contains("已核对")
            })
            .await
            .unwrap();
        }
    }
    let checks_ms = t.elapsed().as_millis();
    app.wait_text("[data-testid=case-editors]", |t| t.contains(&clerk))
        .await
        .unwrap();
    scroll_to(&app, "field-mailing-address").await;
    app.screenshot("counter-walk-in-checked-zh-CN")
        .await
        .unwrap();

    // On-site identity: the cursor is on the attestation. The copy of the handler's ID
    // card is scanned here (a file from the scanner), uploaded to the CA and chosen as the
    // copy; then Space, Tab, the number, Enter.
    common::eventually_focused(&app, "identity-attest").await;
    let scans = tempfile::tempdir().unwrap();
    let copy = scans.path().join("copy.png");
    std::fs::write(&copy, sandbox_flow::png_bytes()).unwrap();
    let before = common::value(&app, "identity-copy").await;
    app.by_testid("identity-copy-input")
        .await
        .unwrap()
        .send_keys(copy.to_str().unwrap())
        .await
        .unwrap();
    let copy_id = certdesk_e2e::eventually(
        "the uploaded copy chosen",
        std::time::Duration::from_secs(10),
        || async {
            let v = common::value(&app, "identity-copy").await;
            (v != before && v.starts_with("doc_")).then_some(v)
        },
    )
    .await
    .unwrap();
    assert!(order.documents.iter().all(|d| d.id != copy_id));
    scroll_to(&app, "case-identity").await;
    app.screenshot("counter-walk-in-identity-zh-CN")
        .await
        .unwrap();
    // Back on the attestation (the file dialog had the focus): Space ticks it.
    app.client
        .execute(
            "document.querySelector('[data-testid=identity-attest]').focus()",
            vec![],
        )
        .await
        .unwrap();
    keys_to(&app, "identity-attest", &format!(" {TAB}")).await;
    keys_to(
        &app,
        "identity-number",
        &format!("{}{ENTER}", persona.handler.id_number),
    )
    .await;
    keystrokes += 4;
    app.wait_for("[data-testid=identity-done]").await.unwrap();

    // POS: the cursor is in the slip number. The CA goes down just then: the message is
    // in place, the slip number stays; Enter again once it is back records it once.
    env.ca.stop();
    keys_to(
        &app,
        "payment-reference",
        &format!("POS-20261206-0042{ENTER}"),
    )
    .await;
    keystrokes += 2;
    app.wait_text("[data-testid=payment-error]", |t| t.contains("无法连接"))
        .await
        .unwrap();
    assert_eq!(
        common::value(&app, "payment-reference").await,
        "POS-20261206-0042"
    );
    app.screenshot("counter-walk-in-ca-down-zh-CN")
        .await
        .unwrap();
    env.ca.restart().unwrap();
    // The retry is not counted: the main path has the CA up.
    keys_to(&app, "payment-reference", ENTER).await;
    app.wait_text("[data-testid=payment-done]", |t| {
        t.contains("POS-20261206-0042")
    })
    .await
    .unwrap();
    app.wait_for("[data-testid=case-complete]").await.unwrap();
    app.screenshot("counter-walk-in-complete-zh-CN")
        .await
        .unwrap();

    // The clerk's own approval (Enter on the focused button) is refused by the CA.
    keys_to(&app, "case-approve", ENTER).await;
    app.wait_text("[data-testid=case-review-error]", |t| {
        t.contains("不能自己审核")
    })
    .await
    .unwrap();
    app.wait_text("[data-testid=case-status]", |t| t.contains("办理中"))
        .await
        .unwrap();
    app.screenshot("counter-walk-in-own-approval-zh-CN")
        .await
        .unwrap();

    // English: the same desk, nothing lost by leaving it; the refusal again.
    set_language(&app, "en").await;
    app.click("nav-counter").await.unwrap();
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    app.wait_text("[data-testid=field-state-mailing-address]", |t| {
        t.contains("Corrected to")
    })
    .await
    .unwrap();
    app.click("case-approve").await.unwrap();
    app.wait_text("[data-testid=case-review-error]", |t| {
        t.contains("cannot review it yourself")
    })
    .await
    .unwrap();
    app.screenshot("counter-walk-in-own-approval-en")
        .await
        .unwrap();
    scroll_to(&app, "field-mailing-address").await;
    app.screenshot("counter-walk-in-corrected-en")
        .await
        .unwrap();
    // F2: back to the scan box for the next applicant; the garbage again, in English.
    keys_to(&app, "case-approve", "\u{E032}").await;
    keys_to(&app, "counter-scan", &format!("{garbage}{ENTER}")).await;
    app.wait_text("[data-testid=counter-scan-error]", |t| t.contains("format"))
        .await
        .unwrap();
    app.screenshot("counter-walk-in-garbage-en").await.unwrap();

    // The clerk signs out and takes their USBKey; the reviewer's goes in.
    app.click("counter-sign-out").await.unwrap();
    app.wait_for("[data-testid=counter-sign-in]").await.unwrap();
    common::counter::swap_tokens(&hsm, &reviewer_hsm);
    sign_in(&app, "李审核").await;
    // A fresh desk: nothing of the clerk's case is shown until opened from the queue.
    common::eventually_gone(&app, "counter-case").await;
    let q = app
        .wait_text("[data-testid=counter-queue]", |t| t.contains("case_"))
        .await
        .unwrap();
    assert!(q.contains(&clerk), "{q}");
    app.screenshot("counter-walk-in-queue-en").await.unwrap();
    let item = app
        .wait_for("[data-testid^=counter-queue-case_]")
        .await
        .unwrap();
    item.click().await.unwrap();
    app.wait_text("[data-testid=case-company]", |t| t == company)
        .await
        .unwrap();
    keys_to(&app, "case-approve", ENTER).await;
    app.wait_for("[data-testid=case-approved]").await.unwrap();
    app.wait_text("[data-testid=case-status]", |t| t.contains("Approved"))
        .await
        .unwrap();
    app.screenshot("counter-walk-in-approved-en").await.unwrap();
    set_language(&app, "zh-CN").await;
    app.click("nav-counter").await.unwrap();
    app.wait_text("[data-testid=case-status]", |t| t.contains("已审核通过"))
        .await
        .unwrap();
    app.wait_for("[data-testid=counter-queue-empty]")
        .await
        .unwrap();
    app.screenshot("counter-walk-in-approved-zh-CN")
        .await
        .unwrap();

    // The CA says so too, with the one payment.
    let read = applicant.application(&order.id).await.unwrap();
    assert_eq!(read.status, ApplicationStatus::Approved);
    assert!(read.documents.iter().any(|d| d.id == copy_id));
    assert_eq!(read.documents.len(), order.documents.len() + 1);
    let payments = std::process::Command::new("sqlite3")
        .arg(env.ca.data_dir().join("ca.sqlite3"))
        .arg("SELECT count(*) FROM counter_payments")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&payments.stdout).trim(), "1");
    println!(
        "walk-in window: case shown {open_ms} ms after Enter; {} fields checked in {checks_ms} ms; \
         {keystrokes} key actions (a scan, an Enter/Space/Tab/Ctrl+E, a typed entry: one each) from scan to complete, plus one file dialog for the copy; \
         reviewer {reviewer}",
        buttons.len()
    );

    make_and_hand_over(&app, &applicant, &persona).await;
    let facts = [
        order.number.as_str(),
        company.as_str(),
        "POS-20261206-0042",
        clerk.as_str(),
        reviewer.as_str(),
    ];
    receipt_read_back(&app, &env, saves.path(), &facts).await;
    audit_seen_and_verified(&app, &env).await;
    let data = app.close().await.unwrap();
    // The applicant's PIN and the codes were typed on the customer window only, and are
    // in no file the app wrote.
    let files = common::assert_in_no_file(data.path(), &[APPLICANT_PIN, PIN]);
    assert!(files > 0);
}

/// The counter receipt (受理回执) saved from the handed-over case and read back with
/// `pdftotext`: the order, the organisation, the payment's slip, the USBKey's serial as
/// the CA recorded it and the operators who served the case.
async fn receipt_read_back(app: &App, env: &Env, saves: &std::path::Path, facts: &[&str]) {
    common::show(app, "case-receipt-save").await;
    app.click("case-receipt-save").await.unwrap();
    let notice = app
        .wait_text("[data-testid=case-receipt-notice]", |t| {
            t.contains("受理回执-")
        })
        .await
        .unwrap();
    app.screenshot("counter-receipt-saved-zh-CN").await.unwrap();
    let pdf = std::fs::read_dir(saves)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| notice.contains(&*p.file_name().unwrap().to_string_lossy()))
        .unwrap();
    let text = common::pdf_text(&pdf);
    let token = std::process::Command::new("sqlite3")
        .arg(env.ca.data_dir().join("ca.sqlite3"))
        .arg("SELECT token_serial FROM case_tokens")
        .output()
        .unwrap();
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert!(!token.is_empty());
    assert!(text.contains("受理回执"), "{text}");
    for fact in facts.iter().copied().chain([token.as_str()]) {
        let fact: String = fact.split_whitespace().collect();
        assert!(text.contains(&fact), "{fact} not on the receipt: {text}");
    }
}

/// The supervisor reads the point's audit log in the app (the whole case is there, each
/// entry with its chained hash); `certdesk-ca audit verify` passes on the untouched log
/// and names the one entry altered in SQLite afterwards (issue 13 item 8).
async fn audit_seen_and_verified(app: &App, env: &Env) {
    app.click("counter-view-audit").await.unwrap();
    for action in ["case.open", "case.approve", "case.token", "case.handover"] {
        app.wait_for(&format!(
            "[data-testid=audit-entries] tr[data-action=\"{action}\"]"
        ))
        .await
        .unwrap();
    }
    let handover = app
        .text("[data-testid=audit-entries] tr[data-action=\"case.handover\"]")
        .await
        .unwrap();
    assert!(handover.contains("交付 USBKey"), "{handover}");
    app.screenshot("counter-audit-zh-CN").await.unwrap();
    set_language(app, "en").await;
    app.click("nav-counter").await.unwrap();
    app.click("counter-view-audit").await.unwrap();
    app.wait_text("[data-testid=audit-entries]", |t| {
        t.contains("USBKey handed over")
    })
    .await
    .unwrap();
    app.screenshot("counter-audit-en").await.unwrap();

    let data = env.ca.data_dir().to_str().unwrap().to_owned();
    let clean = certdesk_testkit::ca::ca_command(&["audit", "verify", "--data", &data]).unwrap();
    assert!(clean.contains("entries"), "{clean}");
    let db = env.ca.data_dir().join("ca.sqlite3");
    let seq = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg(
            "DROP TRIGGER audit_log_no_update; \
             UPDATE audit_log SET token_serial = 'FORGED' WHERE action = 'case.token'; \
             SELECT seq FROM audit_log WHERE action = 'case.token';",
        )
        .output()
        .unwrap();
    assert!(seq.status.success(), "{seq:?}");
    let seq = String::from_utf8_lossy(&seq.stdout).trim().to_owned();
    let refused = certdesk_testkit::ca::ca_command(&["audit", "verify", "--data", &data])
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains(&format!("entry {seq} was altered")),
        "{refused}"
    );
}

/// The applicant's PIN, typed on the customer window only.
const APPLICANT_PIN: &str = "735194";

/// Making the approved case's USBKey on the blank token in the reader (issue 13 item 6):
/// the customer window asks the applicant for the PIN (a trivial one is refused there,
/// in both languages), the token is initialised and made, a test signature verified;
/// the hand-over code sent by SMS is typed on the customer window (a wrong one first).
/// The PIN never appears on the operator's page.
async fn make_and_hand_over(app: &App, applicant: &CaClient, persona: &Persona) {
    use common::counter::customer::{back_to, submit_closing, switch_to_window_with, type_in};

    app.wait_for("[data-testid=making-start]").await.unwrap();
    app.screenshot("counter-making-ready-zh-CN").await.unwrap();
    let t0 = Instant::now();
    app.click("making-start").await.unwrap();
    let main = switch_to_window_with(app, "customer-pin").await;
    app.screenshot("customer-pin-zh-CN").await.unwrap();
    type_in(app, "customer-pin", "123456").await;
    type_in(app, "customer-pin-again", &format!("123456{ENTER}")).await;
    app.wait_text("[data-testid=customer-pin-problem]", |t| t.contains("简单"))
        .await
        .unwrap();
    app.screenshot("customer-pin-refused-zh-CN").await.unwrap();
    // The applicant reads English: the window's own switch.
    app.click("customer-language").await.unwrap();
    app.wait_text("[data-testid=customer-pin-problem]", |t| t.contains("easy"))
        .await
        .unwrap();
    app.screenshot("customer-pin-refused-en").await.unwrap();
    type_in(app, "customer-pin", APPLICANT_PIN).await;
    type_in(app, "customer-pin-again", APPLICANT_PIN).await;
    submit_closing(app, "customer-pin-again").await;

    back_to(app, main).await;
    let made = app
        .wait_text("[data-testid=making-made]", |t| t.contains("USBKey"))
        .await
        .unwrap();
    let make_ms = t0.elapsed().as_millis();
    assert!(made.contains("测试签名已通过"), "{made}");
    let page = app.client.source().await.unwrap();
    assert!(!page.contains(APPLICANT_PIN));
    app.screenshot("counter-making-made-zh-CN").await.unwrap();

    let t1 = Instant::now();
    app.click("making-hand-over").await.unwrap();
    let main = switch_to_window_with(app, "customer-code").await;
    // The hand-over code: the newest code sent to the handler's phone.
    let code = certdesk_e2e::eventually("the hand-over SMS", Duration::from_secs(10), || async {
        let outbox = applicant
            .sandbox_outbox(Some(&persona.handler.phone))
            .await
            .ok()?;
        let sms = outbox.items.iter().find(|m| m.body.contains("领取"))?;
        let after = &sms.body[sms.body.find("验证码")?..];
        let code: String = after
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        (code.len() == 6).then_some(code)
    })
    .await
    .unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    type_in(app, "customer-code", &format!("{wrong}{ENTER}")).await;
    // (One display: the window opened anew for the code, still in the language the
    // applicant chose for the PIN.)
    app.wait_text("[data-testid=customer-code-problem]", |t| {
        t.contains("not right")
    })
    .await
    .unwrap();
    app.screenshot("customer-code-wrong-en").await.unwrap();
    type_in(app, "customer-code", &code).await;
    submit_closing(app, "customer-code").await;
    back_to(app, main).await;
    app.wait_for("[data-testid=making-handed-over]")
        .await
        .unwrap();
    let hand_ms = t1.elapsed().as_millis();
    app.screenshot("counter-making-handed-over-zh-CN")
        .await
        .unwrap();
    let page = app.client.source().await.unwrap();
    assert!(!page.contains(APPLICANT_PIN) && !page.contains(&code));
    println!(
        "making window: PIN typed → made {make_ms} ms; hand-over (SMS, code typed) {hand_ms} ms"
    );
}
