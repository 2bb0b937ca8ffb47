use std::process::Command;

use certdesk_ca_api::application::*;
use certdesk_ca_service::sandbox_flow;
use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn state_survives_kill_9_and_restart() {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca = Ca::start_in(&dir, &["--sandbox"]);
    let (c, p) = ca.signed_in(seed()).await;
    let app = c
        .create_application(&p.new_org_on("sandbox-rsa"), None)
        .await
        .unwrap();
    let app = c.verify_enterprise(&app.id).await.unwrap();
    ca.kill9();
    let ca2 = Ca::start_in(&dir, &["--sandbox"]);
    let mut c2 = ca2.client();
    c2.set_token(c.token().cloned());
    let again = c2.application(&app.id).await.unwrap();
    assert_eq!(again.etag, app.etag);
    assert_eq!(
        sandbox_flow::requirement(&again, RequirementKind::EnterpriseVerification),
        RequirementStatus::Valid
    );
    // The staff token is stable across restarts.
    let t1 = ca2.staff_token();
    assert_eq!(t1.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("staff-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn sigterm_exits_cleanly() {
    let mut ca = Ca::start();
    assert_eq!(ca.client().health().await.unwrap().status, "ok");
    let st = ca.sigterm();
    assert!(st.success(), "exit status {st:?}");
}

#[tokio::test]
async fn approved_order_command_prints_the_contract() {
    let ca = Ca::start();
    let url = ca.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(bin())
            .args(["sandbox", "approved-order", "--ca", &url, "--json"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "application_id",
        "uscc",
        "org_code",
        "phone",
        "handler_id",
        "card_serial",
        "card_password",
        "ca_url",
    ] {
        assert!(
            v[k].as_str().is_some_and(|s| !s.is_empty()),
            "{k} missing in {v}"
        );
    }
    assert_eq!(v["ca_url"], ca.url);
    assert_eq!(
        &v["uscc"].as_str().unwrap()[8..17],
        v["org_code"].as_str().unwrap()
    );
    certdesk_ident::resident_id(v["handler_id"].as_str().unwrap()).unwrap();
    let (staff_view, _) = (
        ca.client()
            .with_token(secrecy::SecretString::from(ca.staff_token()))
            .staff_applications(ApplicationStatus::Approved, None, None)
            .await
            .unwrap(),
        (),
    );
    assert!(staff_view.items.iter().any(|a| a.id == v["application_id"]));
}

#[tokio::test]
async fn surface_without_sandbox_and_error_shapes() {
    let ca = Ca::start_production("http://127.0.0.1:9");
    for path in ["/sandbox", "/sandbox/outbox", "/no/such/route"] {
        raw(ca.http().get(format!("{}{path}", ca.url)))
            .await
            .assert_problem(404, "not_found");
    }
    let doc: Value = get_json(&ca, &format!("{}/openapi.json", ca.url)).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/applications"]["post"].is_object());
    assert!(doc["paths"].get("/sandbox/outbox").is_none());
    assert!(doc["components"]["schemas"]["ProblemCode"].is_object());
    // Malformed JSON → 400 problem.
    raw(ca
        .http()
        .post(format!("{}/v1/auth/otp", ca.url))
        .header("content-type", "application/json")
        .body("{"))
    .await
    .assert_problem(400, "malformed_request");
    // Channels are public.
    let chans = ca.client().channels().await.unwrap();
    assert!(chans.iter().any(|c| c.id == "sandbox-sm2"));
}

#[tokio::test]
async fn sandbox_page_is_chinese_first_and_lists_pending_work() {
    let ca = Ca::start();
    let html = get_text(&ca, &format!("{}/sandbox", ca.url)).await;
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.find("参考CA沙箱").unwrap() < html.find("Reference CA sandbox").unwrap());
    let (c, p) = ca.signed_in(seed()).await;
    let app = c
        .create_application(&p.new_org_on("sandbox-rsa"), None)
        .await
        .unwrap();
    c.verify_enterprise(&app.id).await.unwrap();
    let f = c
        .start_face_check(&app.id, Person::LegalRep, FaceMethod::SmsLink)
        .await
        .unwrap();
    let state: Value = get_json(&ca, &format!("{}/sandbox/state", ca.url)).await;
    assert!(
        state["face_checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == f.id.as_str())
    );
    let face_page = get_text(&ca, &f.url).await;
    assert!(face_page.contains("刷脸验证"));
    let sms = c.sandbox_outbox(Some(&p.legal_rep_phone)).await.unwrap();
    assert!(sms.items.iter().any(|m| m.body.contains(&f.url)));
    c.sandbox_complete_face_check(&f.id, false).await.unwrap();
    let app = c.application(&app.id).await.unwrap();
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::LegalRepFaceCheck),
        RequirementStatus::Invalid
    );
    assert_eq!(
        c.face_check(&f.id).await.unwrap().status,
        FaceCheckStatus::Failed
    );
}

/// A GET that must be answered (any status): the answer.
async fn get(ca: &Ca, url: &str) -> reqwest::Response {
    ca.http().get(url).send().await.unwrap()
}

async fn get_json(ca: &Ca, url: &str) -> Value {
    get(ca, url).await.json().await.unwrap()
}

async fn get_text(ca: &Ca, url: &str) -> String {
    get(ca, url).await.text().await.unwrap()
}
