//! Issue 13 items 6 and 7 on the CA side: a counter-approved case is made on a token at
//! the point (no password card in the post), the token is recorded, the applicant
//! confirms the hand-over with an SMS code, and the counter receipt states it all. The
//! applicant's key is made on a real SoftHSM2 token.

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_service::sandbox_flow;
use certdesk_testkit::openssl as ossl;
use certdesk_testkit::softhsm::SoftHsm;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::common::*;
use crate::counter::{awaiting_payment, get, open_case, post, staff_audit, staffed};

const PIN: &str = "135790";

/// A fresh SoftHSM2 token with an RSA-2048 key: its serial and a CSR made on it.
pub fn applicant_token() -> (SoftHsm, String, String) {
    let hsm = SoftHsm::new().unwrap();
    let label = "APPLICANT";
    let serial = hsm.init_token(label, "24680246", PIN).unwrap();
    hsm.generate_key(label, PIN, "rsa:2048", "b1").unwrap();
    let conf = ossl::engine_conf(hsm.dir(), &SoftHsm::module().unwrap()).unwrap();
    let (k, v) = hsm.env();
    let csr = ossl::engine_csr(
        &conf,
        Some((k, v.as_os_str())),
        &ossl::private_key_uri(label, "b1", PIN),
        &hsm.dir().join("app.csr"),
    )
    .unwrap();
    (hsm, serial, csr)
}

/// `word` in `text` on its own, not inside a longer run of letters and digits (a hash).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn actions(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|e| e["action"].as_str()).collect()
}

#[tokio::test]
async fn a_counter_case_is_made_on_the_spot_and_handed_over_with_the_applicants_code() {
    let ca = Ca::start();
    let p256 = "EC:prime256v1";
    let ops = staffed(
        &ca,
        &[
            ("BJ01", &["clerk"], p256),
            ("BJ01", &["reviewer"], p256),
            ("BJ01", &["maker"], p256),
            ("GZ09", &["maker"], p256),
        ],
    )
    .await;
    let [
        (clerk, clerk_t),
        (_, reviewer_t),
        (maker, maker_t),
        (_, far_maker_t),
    ]: [_; 4] = ops.try_into().ok().unwrap();
    let (app, _) = awaiting_payment(&ca).await;
    let phone = app.input.contact_phone().unwrap().to_string();
    let opened = open_case(&ca, &clerk_t, &app.id).await;
    let case_id = opened.body["id"].as_str().unwrap().to_string();
    let path = |tail: &str| format!("/v1/operator/cases/{case_id}/{tail}");
    // Paid by card at the counter.
    let paid = post(
        &ca,
        &clerk_t,
        &path("payments"),
        json!({"method": "pos", "reference": "SLIP-778899"}),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.body);

    // Not made before a reviewer approves it.
    post(&ca, &maker_t, &path("enrollment"), json!({}))
        .await
        .assert_problem(409, "invalid_state");
    let approved = post(&ca, &reviewer_t, &path("approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["application"]["status"], "approved");
    // Approved at the counter: no password card, no parcel.
    assert!(approved.body["application"]["shipment"].is_null());
    let applicant = ca.client();
    assert!(
        sandbox_flow::mailed_card(&applicant, &app.id)
            .await
            .is_err()
    );

    // Only a clerk or a maker, and only of this point, gets the enrollment.
    post(&ca, &reviewer_t, &path("enrollment"), json!({}))
        .await
        .assert_problem(403, "forbidden");
    post(&ca, &far_maker_t, &path("enrollment"), json!({}))
        .await
        .assert_problem(404, "not_found");
    let enr = post(&ca, &maker_t, &path("enrollment"), json!({})).await;
    assert_eq!(enr.status, 201, "{}", enr.body);
    assert_eq!(enr.body["application_id"], app.id.as_str());

    // The ordinary download on the token being made.
    let (_hsm, token_serial, csr) = applicant_token();
    let enrolled = certdesk_ca_client::CaClient::new(&ca.url)
        .unwrap()
        .with_token(SecretString::from(
            enr.body["token"].as_str().unwrap().to_string(),
        ));
    let iss = enrolled.finalize(&csr).await.unwrap();
    // Nothing to hand over before the token is recorded.
    post(&ca, &maker_t, &path("handover/code"), json!({}))
        .await
        .assert_problem(409, "invalid_state");
    let done = enrolled.confirm_download().await.unwrap();
    assert_eq!(done.status, ApplicationStatus::Completed);

    // The SO PIN to initialise the token: the per-token one for a serial, a
    // transitional one for a blank token; maker or clerk of the point only.
    for (who, serial, status, code) in [
        (&reviewer_t, token_serial.as_str(), 403, "forbidden"),
        (&far_maker_t, token_serial.as_str(), 404, "not_found"),
        (&maker_t, "bad serial!", 422, "validation_failed"),
    ] {
        post(&ca, who, &path("so-pin"), json!({ "token_serial": serial }))
            .await
            .assert_problem(status, code);
    }
    let so = post(
        &ca,
        &maker_t,
        &path("so-pin"),
        json!({"token_serial": token_serial}),
    )
    .await;
    assert_eq!(so.status, 200, "{}", so.body);
    assert_eq!(so.body["token_serial"], token_serial.as_str());
    let so_pin = so.body["so_pin"].as_str().unwrap().to_string();
    assert_eq!(so_pin.len(), 16);
    let blank = post(&ca, &maker_t, &path("so-pin"), json!({})).await;
    assert_eq!(blank.status, 200, "{}", blank.body);
    let transitional = blank.body["so_pin"].as_str().unwrap().to_string();
    assert_ne!(transitional, so_pin);

    // The token serial, recorded against the case by a maker of the point.
    post(
        &ca,
        &far_maker_t,
        &path("token"),
        json!({"token_serial": token_serial}),
    )
    .await
    .assert_problem(404, "not_found");
    post(
        &ca,
        &maker_t,
        &path("token"),
        json!({"token_serial": "bad serial!"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let recorded = post(
        &ca,
        &maker_t,
        &path("token"),
        json!({"token_serial": token_serial}),
    )
    .await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    let making = &recorded.body["making"];
    assert_eq!(making["token_serial"], token_serial.as_str());
    assert_eq!(making["certificate_serial"], iss.serial.as_str());
    assert_eq!(making["made_by"], maker.id.as_str());
    assert!(making["handed_over_at"].is_null());
    // The same token again is answered as it is; another token or another enrollment
    // is told plainly which token holds the certificate.
    let again = post(
        &ca,
        &maker_t,
        &path("token"),
        json!({"token_serial": token_serial}),
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.body);
    let other = post(
        &ca,
        &maker_t,
        &path("token"),
        json!({"token_serial": "OTHER-1"}),
    )
    .await;
    other.assert_problem(409, "already_made");
    assert!(
        other.body["detail"]
            .as_str()
            .unwrap()
            .contains(&token_serial),
        "{}",
        other.body
    );
    post(&ca, &maker_t, &path("enrollment"), json!({}))
        .await
        .assert_problem(409, "already_made");
    // Made: no SO PIN for another token (nor a blank one), the same token's still.
    for other in [json!({"token_serial": "OTHER-1"}), json!({})] {
        post(&ca, &maker_t, &path("so-pin"), other)
            .await
            .assert_problem(409, "already_made");
    }
    let same = post(
        &ca,
        &maker_t,
        &path("so-pin"),
        json!({"token_serial": token_serial}),
    )
    .await;
    assert_eq!(same.body["so_pin"], so_pin.as_str());

    // The hand-over code goes to the handler's phone; a wrong one is refused and counts.
    post(&ca, &far_maker_t, &path("handover/code"), json!({}))
        .await
        .assert_problem(404, "not_found");
    let sent = post(&ca, &maker_t, &path("handover/code"), json!({})).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = sandbox_flow::latest_code(&applicant, &phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    post(&ca, &maker_t, &path("handover"), json!({"code": wrong}))
        .await
        .assert_problem(422, "otp_invalid");
    let handed = post(&ca, &maker_t, &path("handover"), json!({"code": code})).await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    assert_eq!(handed.body["status"], "handed_over");
    assert!(handed.body["making"]["handed_over_at"].is_string());
    // Closed: the code is spent and the case is in the point's handed-over list.
    post(&ca, &maker_t, &path("handover"), json!({"code": code}))
        .await
        .assert_problem(409, "invalid_state");
    let list = get(&ca, &maker_t, "/v1/operator/cases?status=handed_over").await;
    assert_eq!(list.body["items"][0]["id"], case_id.as_str());

    // Audited by operator and point, with the token; no code anywhere in the log.
    let items = staff_audit(&ca, &app.id).await;
    let acts = actions(&items);
    for a in [
        "case.enrollment",
        "token.so_pin",
        "case.token",
        "case.handover",
    ] {
        assert!(acts.contains(&a), "{a} missing: {acts:?}");
    }
    let token_entry = items.iter().find(|e| e["action"] == "case.token").unwrap();
    assert_eq!(token_entry["token_serial"], token_serial.as_str());
    assert_eq!(token_entry["certificate_serial"], iss.serial.as_str());
    assert_eq!(token_entry["point"], "BJ01");
    assert_eq!(
        acts.iter().filter(|a| **a == "case.token").count(),
        1,
        "the same token twice is one record"
    );
    for e in &items {
        assert!(!has_word(&e["details"].to_string(), &code), "{e}");
        for pin in [&so_pin, &transitional] {
            assert!(!e.to_string().contains(pin.as_str()), "{e}");
        }
    }
    assert!(!has_word(&ca.log(), &code));
    assert!(!ca.log().contains(&so_pin) && !ca.log().contains(&transitional));
    assert!(crate::audit::verify(&ca.dir).status.success());

    // The counter receipt, read back by an independent PDF reader.
    let url = format!("{}{}", ca.url, path("receipt"));
    let far = raw(ca.http().get(&url).bearer_auth(&far_maker_t)).await;
    far.assert_problem(404, "not_found");
    let resp = ca
        .http()
        .get(&url)
        .bearer_auth(&maker_t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let pdf = resp.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    let org = app.input.enterprise.as_ref().unwrap().name.as_str();
    for want in [
        "受理回执",
        app.id.as_str(),
        org,
        "营业执照",
        "¥400.00",
        "POS刷卡，签购单号SLIP-778899",
        token_serial.as_str(),
        clerk.id.as_str(),
        maker.id.as_str(),
        "BJ01",
    ] {
        assert!(text.contains(want), "receipt lacks {want}: {text}");
    }
}

/// The PDF's text by poppler's `pdftotext`, whitespace removed (CJK has none to keep).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect()
}

#[tokio::test]
async fn a_case_the_staff_approved_is_downloaded_with_its_card_not_made_at_the_counter() {
    let ca = Ca::start();
    let p256 = "EC:prime256v1";
    let ops = staffed(
        &ca,
        &[("BJ01", &["clerk"], p256), ("BJ01", &["maker"], p256)],
    )
    .await;
    let [(_, clerk_t), (_, maker_t)]: [_; 2] = ops.try_into().ok().unwrap();
    let (app, _) = awaiting_payment(&ca).await;
    let opened = open_case(&ca, &clerk_t, &app.id).await;
    let case_id = opened.body["id"].as_str().unwrap().to_string();
    let paid = post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{case_id}/payments"),
        json!({"method": "cash", "reference": "R-0001"}),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    // The staff approve it online: a password card goes by post and the case closes.
    let approved = post(
        &ca,
        &ca.staff_token(),
        &format!("/v1/staff/applications/{}/approve", app.id),
        json!({}),
    )
    .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert!(
        sandbox_flow::mailed_card(&ca.client(), &app.id)
            .await
            .is_ok()
    );
    // One authorisation per certificate: the counter grants no second one.
    post(
        &ca,
        &maker_t,
        &format!("/v1/operator/cases/{case_id}/enrollment"),
        json!({}),
    )
    .await
    .assert_problem(409, "invalid_state");
}
