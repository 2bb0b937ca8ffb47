//! Steps of the application in the window shared by the suites that walk it (the
//! apply suite, and the reissue in the download suite).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_e2e::{App, eventually};

use super::{type_into, value};

/// Image files for the uploads: the licence (readable by OCR), an ID card, a letter.
pub struct Files {
    pub _dir: tempfile::TempDir,
    pub licence: PathBuf,
    pub id_card: PathBuf,
    pub letter: PathBuf,
}

pub fn files(p: &Persona) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let draw = |name: &str, lines: &[String]| -> PathBuf {
        let work = dir.path().join(name);
        std::fs::create_dir_all(&work).unwrap();
        let png = sandbox_flow::licence_png(&work, lines).unwrap();
        let path = dir.path().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    };
    let licence = draw(
        "licence",
        &[
            "营业执照".into(),
            format!("统一社会信用代码 {}", p.company.uscc),
            format!("名称：{}", p.company.name),
        ],
    );
    let id_card = draw(
        "id-card",
        &["居民身份证".into(), format!("姓名 {}", p.handler.name)],
    );
    let letter = draw(
        "letter",
        &[
            "授权委托书".into(),
            format!("兹授权{}办理单位数字证书", p.handler.name),
            "（单位公章）".into(),
        ],
    );
    Files {
        _dir: dir,
        licence,
        id_card,
        letter,
    }
}

/// Chooses a file through the picker's `<input type=file>` (WebDriver types the path).
pub async fn choose(app: &App, testid: &str, path: &Path) {
    let input = app.by_testid(&format!("{testid}-input")).await.unwrap();
    input.send_keys(path.to_str().unwrap()).await.unwrap();
}

pub async fn at_step(app: &App, step: &str) {
    app.wait_for(&format!(
        "[data-testid=order-continue-step][data-step={step}]"
    ))
    .await
    .unwrap();
}

/// 信息确认 as an applicant does it: what the earlier steps know is already there
/// (checked here), so only the address and postcode are typed, and whatever else is
/// still empty (the e-mail when no handler gave one).
pub async fn confirm_information(app: &App, p: &Persona) {
    app.wait_for("[data-testid=information-form][data-loaded=true]")
        .await
        .unwrap();
    // Province and city are chosen for the USCC's region (the sandbox registers in Beijing).
    for f in ["certificate.province", "certificate.city"] {
        let testid = format!("field-{f}");
        eventually(&testid, Duration::from_secs(10), || async {
            (value(app, &testid).await == "北京市").then_some(())
        })
        .await
        .unwrap();
    }
    assert_eq!(value(app, "field-invoice.title").await, p.company.name);
    assert_eq!(value(app, "field-invoice.tax_number").await, p.company.uscc);
    assert_eq!(
        value(app, "field-certificate.common_name").await,
        p.company.name
    );
    assert!(!value(app, "field-mailing.recipient").await.is_empty());
    assert_eq!(value(app, "field-mailing.phone").await.len(), 11);
    if value(app, "field-invoice.email").await.is_empty() {
        type_into(app, "field-invoice.email", &p.handler.email).await;
    }
    type_into(app, "field-mailing.address", "北京市海淀区示例路1号").await;
    type_into(app, "field-mailing.postcode", "100080").await;
    app.click("information-next").await.unwrap();
    app.click("information-confirm").await.unwrap();
}

/// A face check the window started: its id, once it shows as pending.
pub async fn pending_face(app: &App, person: &str) -> String {
    let el = app
        .wait_for(&format!("[data-testid=face-{person}][data-status=pending]"))
        .await
        .unwrap();
    el.attr("data-face-id").await.unwrap().unwrap()
}

/// The signature dialog: code sent to the handler's phone, consent, confirm.
pub async fn sign(app: &App, ca: &CaClient, phone: &str, lang: &str, wrong_first: bool) {
    app.click("documents-next").await.unwrap();
    app.by_testid("signature-dialog").await.unwrap();
    app.click("signature-send").await.unwrap();
    app.by_testid("signature-sent").await.unwrap();
    let code = sandbox_flow::latest_code(ca, phone).await.unwrap();
    app.click("signature-consent").await.unwrap();
    if wrong_first {
        let wrong = if code == "000000" { "111111" } else { "000000" };
        type_into(app, "signature-code", wrong).await;
        app.click("signature-submit").await.unwrap();
        let e = app
            .wait_for("[data-testid=signature-error][data-problem=otp_invalid]")
            .await
            .unwrap();
        let text = e.text().await.unwrap();
        assert!(
            text.contains(if lang == "en" {
                "code"
            } else {
                "验证码错误"
            }),
            "{text}"
        );
        // The dialog stays, with the consent still ticked.
        assert!(
            app.by_testid("signature-consent")
                .await
                .unwrap()
                .is_selected()
                .await
                .unwrap()
        );
        app.screenshot(&format!("signature-{lang}-wrong-code"))
            .await
            .unwrap();
    } else {
        app.screenshot(&format!("signature-{lang}-dialog"))
            .await
            .unwrap();
    }
    type_into(app, "signature-code", &code).await;
    app.click("signature-submit").await.unwrap();
    app.wait_for("[data-testid=order-detail][data-stage=awaiting_payment]")
        .await
        .unwrap();
    // Signed: the payment step takes over at once.
    app.by_testid("payment-step").await.unwrap();
    let status = app.text("[data-testid=order-detail-status]").await.unwrap();
    assert_eq!(
        status,
        if lang == "en" {
            "Awaiting payment"
        } else {
            "待支付"
        }
    );
    app.screenshot(&format!("signature-{lang}-awaiting-payment"))
        .await
        .unwrap();
}

/// The rest of the application: WeChat Pay in the window (paid at the sandbox
/// provider), the CA's staff approve it (staff API), and the order is in the finished tab.
/// Returns the application's id.
pub async fn pay_approve_and_find_finished(
    app: &App,
    ca: &CaClient,
    staff: &CaClient,
    lang: &str,
) -> String {
    app.click("payment-provider-wechat").await.unwrap();
    let code = app
        .wait_for("[data-testid=payment-code][data-provider=wechat]")
        .await
        .unwrap();
    let payment = code.attr("data-payment-id").await.unwrap().unwrap();
    ca.sandbox_pay(&payment).await.unwrap();
    app.by_testid("payment-success").await.unwrap();
    let hash = app
        .client
        .execute("return location.hash", vec![])
        .await
        .unwrap();
    let id = hash
        .as_str()
        .unwrap()
        .trim_start_matches("#/orders/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    staff.staff_approve(&id).await.unwrap();
    app.click("payment-back").await.unwrap();
    app.click("orders-tab-finished").await.unwrap();
    app.by_testid(&format!("order-{id}")).await.unwrap();
    app.screenshot(&format!("apply-{lang}-approved-finished"))
        .await
        .unwrap();
    id
}
