//! Issue 13 items 1, 3a, 5 and 10 on the CA side: walk-in cases at a point, the point's
//! review queue, separation of duties enforced by the CA, and no access to another
//! point's cases. Operators sign in with keys on real SoftHSM2 tokens.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::{
    Application, ApplicationStatus, RequirementKind, RequirementStatus,
};
use certdesk_ca_api::channel::{Business, DocumentKind};
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow;
use serde_json::{Value, json};

use crate::common::*;
use crate::operators::{OperatorToken, add_point, operator_on_token, sign_in};

/// An online application submitted but not paid, and its applicant's client.
pub async fn awaiting_payment(ca: &Ca) -> (Application, CaClient) {
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-rsa")
        .await
        .unwrap();
    assert_eq!(app.status, ApplicationStatus::AwaitingPayment);
    (app, c)
}

/// An online application in review (submitted and paid), as a walk-in brings it.
pub async fn in_review(ca: &Ca) -> Application {
    let (app, c) = awaiting_payment(ca).await;
    let paid = sandbox_flow::paid(&c, &app.id).await.unwrap();
    assert_eq!(paid.status, ApplicationStatus::InReview);
    paid
}

/// Points BJ01 and GZ09, and for each `(point, roles, key type)` an operator whose key is
/// on its own SoftHSM2 token, signed in: the operator and its session token.
pub async fn staffed(ca: &Ca, ops: &[(&str, &[&str], &str)]) -> Vec<(OperatorToken, String)> {
    add_point(ca, "BJ01");
    add_point(ca, "GZ09");
    let mut out = Vec::new();
    for (point, roles, key_type) in ops {
        let op = operator_on_token(ca, point, roles, key_type).await;
        let token = sign_in(ca, &op).await;
        out.push((op, token));
    }
    out
}

/// A clerk with `clerk_roles` and a reviewer at BJ01, and a clerk at GZ09, signed in.
pub async fn three(ca: &Ca, clerk_roles: &[&str]) -> [(OperatorToken, String); 3] {
    let p256 = "EC:prime256v1";
    let ops = staffed(
        ca,
        &[
            ("BJ01", clerk_roles, p256),
            ("BJ01", &["reviewer"], p256),
            ("GZ09", &["clerk"], p256),
        ],
    )
    .await;
    ops.try_into().ok().unwrap()
}

pub async fn get(ca: &Ca, token: &str, path: &str) -> Raw {
    raw(ca
        .http()
        .get(format!("{}{path}", ca.url))
        .bearer_auth(token))
    .await
}

pub async fn post(ca: &Ca, token: &str, path: &str, body: Value) -> Raw {
    raw(ca
        .http()
        .post(format!("{}{path}", ca.url))
        .bearer_auth(token)
        .json(&body))
    .await
}

pub async fn open_case(ca: &Ca, token: &str, app_id: &str) -> Raw {
    post(
        ca,
        token,
        "/v1/operator/cases",
        json!({"application_id": app_id}),
    )
    .await
}

pub async fn staff_audit(ca: &Ca, application: &str) -> Vec<Value> {
    let log = get(
        ca,
        &ca.staff_token(),
        &format!("/v1/staff/audit?application_id={application}&limit=100"),
    )
    .await;
    assert_eq!(log.status, 200, "{}", log.body);
    log.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn whoever_entered_a_case_cannot_approve_it_and_another_reviewer_can() {
    let ca = Ca::start();
    add_point(&ca, "BJ01");
    // The clerk also holds the reviewer role: separation of duties is per case.
    let clerk = operator_on_token(&ca, "BJ01", &["clerk", "reviewer"], "EC:prime256v1").await;
    let reviewer = operator_on_token(&ca, "BJ01", &["reviewer"], "EC:prime256v1").await;
    let clerk_t = sign_in(&ca, &clerk).await;
    let reviewer_t = sign_in(&ca, &reviewer).await;
    let app = in_review(&ca).await;

    // Only a clerk opens cases.
    open_case(&ca, &reviewer_t, &app.id)
        .await
        .assert_problem(403, "forbidden");
    let opened = open_case(&ca, &clerk_t, &app.id).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let case_id = opened.body["id"].as_str().unwrap().to_string();
    assert_eq!(opened.body["point_id"], "BJ01");
    assert_eq!(opened.body["opened_by"], clerk.id.as_str());
    assert_eq!(opened.body["editors"], json!([clerk.id]));
    // The applicant's own data, to verify against the originals instead of re-typing.
    assert_eq!(opened.body["application"]["id"], app.id.as_str());
    assert_eq!(
        opened.body["application"]["input"]["enterprise"]["uscc"],
        app.input.enterprise.as_ref().unwrap().uscc.as_str()
    );
    // Scanning the QR code again answers the same case.
    let again = open_case(&ca, &clerk_t, &app.id).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], case_id.as_str());

    let checked = post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{case_id}/checks"),
        json!({"field": "enterprise.name", "outcome": "checked"}),
    )
    .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.body["checks"][0]["field"], "enterprise.name");
    assert_eq!(checked.body["checks"][0]["operator_id"], clerk.id.as_str());
    // A reviewer does not check fields.
    post(
        &ca,
        &reviewer_t,
        &format!("/v1/operator/cases/{case_id}/checks"),
        json!({"field": "enterprise.name", "outcome": "checked"}),
    )
    .await
    .assert_problem(403, "forbidden");

    // The clerk approving (or rejecting) its own case: refused by the CA.
    let approve = format!("/v1/operator/cases/{case_id}/approve");
    post(&ca, &clerk_t, &approve, json!({}))
        .await
        .assert_problem(403, "separation_of_duties");
    post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{case_id}/reject"),
        json!({"reasons": ["营业执照模糊"]}),
    )
    .await
    .assert_problem(403, "separation_of_duties");
    // The point's review queue holds the case; the other reviewer approves it.
    let queue = get(&ca, &reviewer_t, "/v1/operator/cases").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let ids: Vec<&str> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![case_id.as_str()]);
    let approved = post(&ca, &reviewer_t, &approve, json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["application"]["status"], "approved");
    // Closed: out of the queue, and not approved twice.
    let queue = get(&ca, &reviewer_t, "/v1/operator/cases").await;
    assert_eq!(queue.body["items"], json!([]));
    post(&ca, &reviewer_t, &approve, json!({}))
        .await
        .assert_problem(409, "invalid_state");

    // Every step in the audit log, by operator certificate and point; the chain verifies.
    let items = staff_audit(&ca, &app.id).await;
    let by = |action: &str| {
        items
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("{action} missing: {items:?}"))
            .clone()
    };
    for (action, op) in [
        ("case.open", &clerk),
        ("case.check", &clerk),
        ("case.approve", &reviewer),
    ] {
        let e = by(action);
        assert_eq!(e["actor"], format!("operator:{}", op.id).as_str());
        assert_eq!(e["actor_certificate_serial"], op.serial.as_str());
        assert_eq!(e["point"], "BJ01");
        assert_eq!(e["details"]["case"], case_id.as_str());
    }
    assert_eq!(by("case.check")["details"]["field"], "enterprise.name");
    assert!(!items.iter().any(|e| e["action"] == "case.reject"));
    assert!(crate::audit::verify(&ca.dir).status.success());
}

#[tokio::test]
async fn another_points_case_is_out_of_reach_and_a_correction_makes_an_editor() {
    let ca = Ca::start();
    let p256 = "EC:prime256v1";
    let [
        (clerk, clerk_t),
        (second, second_t),
        (_, third_t),
        (_, stranger_t),
    ]: [_; 4] = staffed(
        &ca,
        &[
            ("BJ01", &["clerk"], p256),
            ("BJ01", &["clerk", "reviewer"], p256),
            ("BJ01", &["reviewer"], "rsa:2048"),
            ("GZ09", &["clerk", "reviewer", "supervisor"], p256),
        ],
    )
    .await
    .try_into()
    .ok()
    .unwrap();
    let app = in_review(&ca).await;
    let opened = open_case(&ca, &clerk_t, &app.id).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let case_id = opened.body["id"].as_str().unwrap().to_string();

    // Another point: the case does not exist for it, in any verb; its queue is empty;
    // the order cannot be opened there while this point serves it.
    let path = format!("/v1/operator/cases/{case_id}");
    get(&ca, &stranger_t, &path)
        .await
        .assert_problem(404, "not_found");
    for (verb, body) in [
        ("approve", json!({})),
        ("reject", json!({"reasons": ["x"]})),
        (
            "checks",
            json!({"field": "enterprise.name", "outcome": "checked"}),
        ),
    ] {
        post(&ca, &stranger_t, &format!("{path}/{verb}"), body)
            .await
            .assert_problem(404, "not_found");
    }
    let theirs = get(&ca, &stranger_t, "/v1/operator/cases").await;
    assert_eq!(theirs.body["items"], json!([]));
    let elsewhere = open_case(&ca, &stranger_t, &app.id).await;
    elsewhere.assert_problem(409, "case_elsewhere");
    assert!(!elsewhere.body.to_string().contains(&case_id));
    assert!(!elsewhere.body.to_string().contains("BJ01"));
    // Its supervisor's audit view holds nothing of this point's case.
    let audit = get(
        &ca,
        &stranger_t,
        &format!("/v1/operator/audit?application_id={}", app.id),
    )
    .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert_eq!(audit.body["items"], json!([]));
    // An unknown order, scanner garbage.
    open_case(&ca, &clerk_t, "app_doesnotexist")
        .await
        .assert_problem(404, "not_found");
    open_case(&ca, &clerk_t, "app\u{0007}junk")
        .await
        .assert_problem(422, "validation_failed");
    // The order number typed by hand: only with the organisation's USCC (order numbers
    // are sequential); another organisation's is answered like an unknown number, and
    // another point's case stays elsewhere.
    let by_number = |uscc: Option<&str>| {
        let mut body = json!({"application_id": app.number});
        if let Some(u) = uscc {
            body["uscc"] = json!(u);
        }
        body
    };
    let none = post(&ca, &clerk_t, "/v1/operator/cases", by_number(None)).await;
    none.assert_problem(422, "validation_failed");
    assert_eq!(none.body["errors"][0]["field"], "uscc", "{}", none.body);
    let uscc = app.input.enterprise.as_ref().unwrap().uscc.clone();
    let wrong = certdesk_ident::testing::uscc(uscc.len() as u64 + 99);
    post(&ca, &clerk_t, "/v1/operator/cases", by_number(Some(&wrong)))
        .await
        .assert_problem(404, "not_found");
    let typed = post(
        &ca,
        &clerk_t,
        "/v1/operator/cases",
        by_number(Some(&uscc.to_ascii_lowercase())),
    )
    .await;
    assert_eq!(typed.status, 200, "{}", typed.body);
    assert_eq!(typed.body["id"], case_id.as_str());
    post(
        &ca,
        &stranger_t,
        "/v1/operator/cases",
        by_number(Some(&uscc)),
    )
    .await
    .assert_problem(409, "case_elsewhere");
    post(
        &ca,
        &clerk_t,
        &format!("{path}/checks"),
        json!({"field": "Enterprise..Name", "outcome": "checked"}),
    )
    .await
    .assert_problem(422, "validation_failed");

    // A correction makes the second operator an editor: it may no longer review.
    let corrected = post(
        &ca,
        &second_t,
        &format!("{path}/checks"),
        json!({"field": "mailing.address", "outcome": "corrected", "value": "北京市朝阳区受理路 8 号"}),
    )
    .await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);
    let mut editors = vec![clerk.id.clone(), second.id.clone()];
    editors.sort();
    assert_eq!(corrected.body["editors"], json!(editors));
    post(&ca, &second_t, &format!("{path}/approve"), json!({}))
        .await
        .assert_problem(403, "separation_of_duties");

    // A third operator, untouched by the case, rejects it with reasons.
    let rejected = post(
        &ca,
        &third_t,
        &format!("{path}/reject"),
        json!({"reasons": ["法定代表人身份证件与原件不符"]}),
    )
    .await;
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["application"]["status"], "rejected");
    let closed = get(&ca, &third_t, "/v1/operator/cases?status=rejected").await;
    assert_eq!(closed.body["items"][0]["id"], case_id.as_str());
    // Closed at BJ01: another point may take the order now.
    let reopened = open_case(&ca, &stranger_t, &app.id).await;
    assert_eq!(reopened.status, 201, "{}", reopened.body);
    assert_ne!(reopened.body["id"], case_id.as_str());
}

#[tokio::test]
async fn payment_at_the_counter_is_recorded_against_the_case_and_the_operator() {
    let ca = Ca::start();
    // A small point: entry and making combined in one operator.
    let [(clerk, clerk_t), (_, reviewer_t), (_, stranger_t)] =
        three(&ca, &["clerk", "maker"]).await;

    // A walk-in pays by card at the POS terminal.
    let (app, applicant) = awaiting_payment(&ca).await;
    let opened = open_case(&ca, &clerk_t, &app.id).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let case_id = opened.body["id"].as_str().unwrap().to_string();
    let pay = format!("/v1/operator/cases/{case_id}/payments");
    for body in [
        json!({"method": "pos"}),
        json!({"method": "cash", "reference": "12"}),
        json!({"method": "cash", "reference": "R 0001"}),
        json!({"method": "wechat", "reference": "POS-0001"}),
    ] {
        post(&ca, &clerk_t, &pay, body)
            .await
            .assert_problem(422, "validation_failed");
    }
    let slip = json!({"method": "pos", "reference": "POS-20261206-0001"});
    post(&ca, &reviewer_t, &pay, slip.clone())
        .await
        .assert_problem(403, "forbidden");
    post(&ca, &stranger_t, &pay, slip.clone())
        .await
        .assert_problem(404, "not_found");
    get(&ca, &stranger_t, &pay)
        .await
        .assert_problem(404, "not_found");
    // A retry with the same Idempotency-Key answers the same record.
    let send = || {
        ca.http()
            .post(format!("{}{pay}", ca.url))
            .bearer_auth(&clerk_t)
            .header("idempotency-key", "slip-1")
            .json(&slip)
    };
    let a = raw(send()).await;
    let b = raw(send()).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body, b.body);
    assert_eq!(a.body["status"], "paid");
    assert_eq!(a.body["method"], "pos");
    assert_eq!(a.body["reference"], "POS-20261206-0001");
    assert_eq!(a.body["operator_id"], clerk.id.as_str());
    assert_eq!(a.body["amount_fen"], app.amount_fen);
    // Paid as by a provider: in review, with its e-invoice for the amount.
    let now = applicant.application(&app.id).await.unwrap();
    assert_eq!(now.status, ApplicationStatus::InReview);
    let invoices = applicant.invoices(&app.id).await.unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0].amount_fen, app.amount_fen);
    // Not paid twice.
    post(
        &ca,
        &clerk_t,
        &pay,
        json!({"method": "cash", "reference": "R-0002"}),
    )
    .await
    .assert_problem(409, "invalid_state");
    let listed = get(&ca, &reviewer_t, &pay).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    // Taking the payment is no entry: the reviewer approves, the clerk could make it.
    let approved = post(
        &ca,
        &reviewer_t,
        &format!("/v1/operator/cases/{case_id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(approved.status, 200, "{}", approved.body);

    // Another walk-in pays with the WeChat QR code shown on the customer screen.
    let (app2, applicant2) = awaiting_payment(&ca).await;
    let case2 = open_case(&ca, &clerk_t, &app2.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pay2 = format!("/v1/operator/cases/{case2}/payments");
    let qr = post(&ca, &clerk_t, &pay2, json!({"method": "wechat"})).await;
    assert_eq!(qr.status, 201, "{}", qr.body);
    assert_eq!(qr.body["status"], "pending");
    assert!(!qr.body["payment"]["code_url"].as_str().unwrap().is_empty());
    let still = applicant2.application(&app2.id).await.unwrap();
    assert_eq!(still.status, ApplicationStatus::AwaitingPayment);
    // An Alipay code was shown as well (the applicant changed their mind, the clerk
    // withdrew it): still payable until the fee is paid another way.
    let other = post(&ca, &clerk_t, &pay2, json!({"method": "alipay"})).await;
    assert_eq!(other.status, 201, "{}", other.body);
    let other_id = other.body["payment"]["id"].as_str().unwrap();
    // The applicant scans and pays; the provider's signed notification settles it.
    applicant2
        .sandbox_pay(qr.body["payment"]["id"].as_str().unwrap())
        .await
        .unwrap();
    let listed = get(&ca, &clerk_t, &pay2).await;
    let status_of = |id: &str| {
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["payment"]["id"] == id)
            .map(|p| p["status"].clone())
            .unwrap()
    };
    assert_eq!(
        status_of(qr.body["payment"]["id"].as_str().unwrap()),
        "paid",
        "{}",
        listed.body
    );
    // The other code closed with it: paying it too is refused, so is renewing it.
    assert_eq!(status_of(other_id), "expired", "{}", listed.body);
    let twice = applicant2.sandbox_pay(other_id).await.unwrap_err();
    assert_eq!(twice.code(), Some(ProblemCode::PaymentExpired), "{twice}");
    let renewed = applicant2.renew_payment(other_id).await.unwrap_err();
    assert_eq!(renewed.code(), Some(ProblemCode::InvalidState), "{renewed}");
    let paid = applicant2.application(&app2.id).await.unwrap();
    assert_eq!(paid.status, ApplicationStatus::InReview);
    // The CA's staff decide it themselves: the point's open case closes with them.
    let staff = post(
        &ca,
        &ca.staff_token(),
        &format!("/v1/staff/applications/{}/reject", app2.id),
        json!({"reasons": ["印章不清"]}),
    )
    .await;
    assert_eq!(staff.status, 200, "{}", staff.body);
    let queue = get(&ca, &clerk_t, "/v1/operator/cases").await;
    assert_eq!(queue.body["items"], json!([]));
    let closed = get(&ca, &clerk_t, &format!("/v1/operator/cases/{case2}")).await;
    assert_eq!(closed.body["status"], "rejected");
    let by_staff = staff_audit(&ca, &app2.id)
        .await
        .into_iter()
        .find(|e| e["action"] == "review.reject")
        .unwrap();
    assert_eq!(by_staff["point"], "BJ01");
    assert_eq!(by_staff["details"]["case"], case2.as_str());

    // The audit log names the operator, the method and the slip number.
    let entry = staff_audit(&ca, &app.id)
        .await
        .into_iter()
        .find(|e| e["action"] == "case.payment")
        .unwrap();
    assert_eq!(entry["actor"], format!("operator:{}", clerk.id).as_str());
    assert_eq!(entry["point"], "BJ01");
    assert_eq!(entry["details"]["method"], "pos");
    assert_eq!(entry["details"]["reference"], "POS-20261206-0001");
    assert_eq!(
        entry["details"]["amount_fen"],
        app.amount_fen.to_string().as_str()
    );
    let mut qr_methods: Vec<String> = staff_audit(&ca, &app2.id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "case.payment")
        .map(|e| e["details"]["method"].as_str().unwrap().to_owned())
        .collect();
    qr_methods.sort();
    assert_eq!(qr_methods, ["alipay", "wechat"]);
    assert!(crate::audit::verify(&ca.dir).status.success());
}

#[tokio::test]
async fn the_on_site_identity_check_replaces_the_face_check_and_keeps_no_number() {
    let ca = Ca::start();
    let [(clerk, clerk_t), (_, reviewer_t), (_, stranger_t)] = three(&ca, &["clerk"]).await;
    // A walk-in whose legal representative comes in person instead of the face check.
    let (c, p) = ca.signed_in(seed()).await;
    c.sandbox_put_company(&p.company).await.unwrap();
    let app = c
        .create_application(
            &p.application("sandbox-rsa", Business::NewOrgCertificate, None),
            None,
        )
        .await
        .unwrap();
    let app = c.verify_enterprise(&app.id).await.unwrap();
    let face = RequirementKind::LegalRepFaceCheck;
    assert_eq!(
        sandbox_flow::requirement(&app, face),
        RequirementStatus::Pending
    );
    let scan = c
        .upload_document(
            &app.id,
            DocumentKind::LegalRepIdCard,
            "rep.png",
            sandbox_flow::png_bytes(),
        )
        .await
        .unwrap();
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/operator/cases/{case_id}/identity");
    let number = p.company.legal_rep_id_number.clone();
    let body = |number: &str, copy: &str, attested: bool| {
        json!({"person": "legal_rep", "document": "resident_id_card", "id_number": number,
               "copy_document_id": copy, "attested": attested})
    };

    for bad in [
        body(&number, &scan.id, false),
        body(&number, "doc_unknown", true),
        json!({"person": "handler", "document": "passport", "id_number": &number,
               "copy_document_id": &scan.id, "attested": true}),
    ] {
        post(&ca, &clerk_t, &path, bad)
            .await
            .assert_problem(422, "validation_failed");
    }
    post(&ca, &reviewer_t, &path, body(&number, &scan.id, true))
        .await
        .assert_problem(403, "forbidden");
    post(&ca, &stranger_t, &path, body(&number, &scan.id, true))
        .await
        .assert_problem(404, "not_found");
    // A number that is not the application's: refused, the requirement untouched.
    let mut wrong = number.clone();
    let last = if wrong.ends_with('1') { "2" } else { "1" };
    wrong.replace_range(wrong.len() - 1.., last);
    post(&ca, &clerk_t, &path, body(&wrong, &scan.id, true))
        .await
        .assert_problem(422, "verification_failed");
    let still = c.application(&app.id).await.unwrap();
    assert_eq!(
        sandbox_flow::requirement(&still, face),
        RequirementStatus::Pending
    );

    // The original matches (a lower-case x is the same number): recorded, and it
    // replaces the face check.
    let ok = post(
        &ca,
        &clerk_t,
        &path,
        body(&number.to_lowercase(), &scan.id, true),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let rec = &ok.body["identity_checks"][0];
    assert_eq!(rec["person"], "legal_rep");
    assert_eq!(rec["document"], "resident_id_card");
    assert_eq!(rec["copy_document_id"], scan.id.as_str());
    assert_eq!(rec["operator_id"], clerk.id.as_str());
    let now = c.application(&app.id).await.unwrap();
    assert_eq!(
        sandbox_flow::requirement(&now, face),
        RequirementStatus::Valid
    );

    // Audited, the mismatch too, and neither number anywhere in the log or the service's
    // own log.
    let items = staff_audit(&ca, &app.id).await;
    let outcomes: Vec<&str> = items
        .iter()
        .filter(|e| e["action"] == "case.identity")
        .map(|e| e["details"]["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["matched", "mismatch"]);
    let text = serde_json::to_string(&items).unwrap();
    assert!(!text.contains(&number) && !text.contains(&wrong));
    let log = ca.log();
    assert!(!log.contains(&number) && !log.contains(&wrong));
    assert!(crate::audit::verify(&ca.dir).status.success());
}

#[tokio::test]
async fn opening_cases_is_limited_per_operator_and_misses_count() {
    let ca = Ca::start_with(&["--sandbox", "--test-clock"]);
    let p256 = "EC:prime256v1";
    let ops = staffed(
        &ca,
        &[("BJ01", &["clerk"], p256), ("BJ01", &["clerk"], p256)],
    )
    .await;
    let [(_, scanner_t), (_, other_t)]: [_; 2] = ops.try_into().ok().unwrap();
    let app = in_review(&ca).await;
    // Scanner garbage: each miss counts.
    for i in 0..30 {
        open_case(&ca, &scanner_t, &format!("app_nosuch{i}"))
            .await
            .assert_problem(404, "not_found");
    }
    let limited = open_case(&ca, &scanner_t, &app.id).await;
    limited.assert_problem(429, "rate_limited");
    let wait: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&wait), "{wait}");
    // Another operator at the same point is not held up.
    let opened = open_case(&ca, &other_t, &app.id).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    // Once the window has passed, the first clerk opens again.
    ca.advance_clock(601).await;
    let again = open_case(&ca, &scanner_t, &app.id).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], opened.body["id"]);
}
