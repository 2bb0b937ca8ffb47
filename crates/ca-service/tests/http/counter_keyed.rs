//! Issue 13 item 3b on the CA side: a new case keyed at the counter for an applicant who
//! did not apply online — the online create's rules, the registry check, one unfinished
//! application per organisation, the counter's equivalents of the online steps up to a
//! reviewer's approval, separation of duties and no access from another point.

use certdesk_ca_api::application::{ApplicationStatus, ListState};
use certdesk_ca_service::sandbox_flow::{self, Persona, png_bytes};
use serde_json::{Value, json};

use crate::common::*;
use crate::counter::{awaiting_payment, get, post, staff_audit, three};

/// The body a clerk sends for `p` (the online create's), the company in the registry.
async fn keyed_body(ca: &Ca, p: &Persona) -> Value {
    ca.client().sandbox_put_company(&p.company).await.unwrap();
    let mut body = serde_json::to_value(new_org(p)).unwrap();
    // The counter does not ask for a mailing address: the token is made on the spot.
    body["input"]["mailing"] = Value::Null;
    body
}

async fn key(ca: &Ca, token: &str, body: Value) -> Raw {
    post(ca, token, "/v1/operator/cases/keyed", body).await
}

async fn upload(ca: &Ca, token: &str, case_id: &str, kind: &str) -> String {
    let r = crate::counter_documents::upload(ca, token, case_id, kind, png_bytes()).await;
    assert_eq!(r.status, 201, "{kind}: {}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn requirement(case: &Value, kind: &str) -> String {
    case["application"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == kind)
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn identity(ca: &Ca, token: &str, case_id: &str, person: &str, number: &str, copy: &str) {
    let r = post(
        ca,
        token,
        &format!("/v1/operator/cases/{case_id}/identity"),
        json!({"person": person, "document": "resident_id_card", "id_number": number,
               "copy_document_id": copy, "attested": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{person}: {}", r.body);
}

#[tokio::test]
async fn a_case_keyed_at_the_counter_goes_from_keying_to_approval() {
    let ca = Ca::start();
    // The clerk also holds the reviewer role: keying makes it an editor of the case.
    let [(clerk, clerk_t), (_, reviewer_t), (_, stranger_t)] =
        three(&ca, &["clerk", "reviewer"]).await;
    let p = Persona::new(seed());
    let body = keyed_body(&ca, &p).await;

    // Only a clerk keys.
    key(&ca, &reviewer_t, body.clone())
        .await
        .assert_problem(403, "forbidden");
    let keyed = key(&ca, &clerk_t, body).await;
    assert_eq!(keyed.status, 201, "{}", keyed.body);
    let case = keyed.body;
    let case_id = case["id"].as_str().unwrap().to_owned();
    let app_id = case["application"]["id"].as_str().unwrap().to_owned();
    assert_eq!(case["keyed"], true);
    assert_eq!(case["point_id"], "BJ01");
    assert_eq!(case["editors"], json!([clerk.id]));
    assert_eq!(case["application"]["status"], "draft");
    assert_eq!(case["application"]["number"].as_str().unwrap().len(), 12);
    // The registry check ran on the keyed facts; the clerk keyed (= confirmed) the rest.
    assert_eq!(requirement(&case, "enterprise_verification"), "valid");
    assert_eq!(requirement(&case, "information_confirmation"), "valid");
    assert_eq!(requirement(&case, "legal_rep_face_check"), "pending");

    // The applicant sees the order in their own app, signed in with the contact phone.
    let mut mine = ca.client();
    sandbox_flow::sign_in(&mut mine, &p.handler.phone)
        .await
        .unwrap();
    let page = mine
        .list_applications(ListState::Unfinished, None, None)
        .await
        .unwrap();
    assert!(page.items.iter().any(|a| a.id == app_id), "{page:?}");

    // Another point's clerk sees no such case.
    get(&ca, &stranger_t, &format!("/v1/operator/cases/{case_id}"))
        .await
        .assert_problem(404, "not_found");

    // The scans the counter takes for a keyed case.
    let licence = upload(&ca, &clerk_t, &case_id, "business_licence").await;
    let handler_copy = upload(&ca, &clerk_t, &case_id, "handler_id_card").await;
    let rep_copy = upload(&ca, &clerk_t, &case_id, "legal_rep_id_card").await;
    upload(&ca, &clerk_t, &case_id, "authorisation_letter").await;
    assert!(!licence.is_empty());

    // Signing before the identity checks is refused: they come first, as online.
    let early_form = upload(&ca, &clerk_t, &case_id, "application_form").await;
    let sign_path = format!("/v1/operator/cases/{case_id}/signature");
    post(
        &ca,
        &clerk_t,
        &sign_path,
        json!({"form_document_id": early_form, "attested": true}),
    )
    .await
    .assert_problem(409, "requirements_unmet");

    identity(
        &ca,
        &clerk_t,
        &case_id,
        "legal_rep",
        &p.company.legal_rep_id_number,
        &rep_copy,
    )
    .await;
    identity(
        &ca,
        &clerk_t,
        &case_id,
        "handler",
        &p.handler.id_number,
        &handler_copy,
    )
    .await;

    // The signature wants the attestation and a scan of the signed form.
    post(
        &ca,
        &clerk_t,
        &sign_path,
        json!({"form_document_id": early_form, "attested": false}),
    )
    .await
    .assert_problem(422, "validation_failed");
    post(
        &ca,
        &clerk_t,
        &sign_path,
        json!({"form_document_id": licence, "attested": true}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let signed = post(
        &ca,
        &clerk_t,
        &sign_path,
        json!({"form_document_id": early_form, "attested": true}),
    )
    .await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    assert_eq!(signed.body["application"]["status"], "awaiting_payment");
    assert_eq!(requirement(&signed.body, "application_signature"), "valid");

    let paid = post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{case_id}/payments"),
        json!({"method": "pos", "reference": "POS-20261207"}),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    let now = get(&ca, &clerk_t, &format!("/v1/operator/cases/{case_id}")).await;
    assert_eq!(now.body["application"]["status"], "in_review");

    // Whoever keyed it cannot approve it, even holding the reviewer role.
    let approve = format!("/v1/operator/cases/{case_id}/approve");
    post(&ca, &clerk_t, &approve, json!({}))
        .await
        .assert_problem(403, "separation_of_duties");
    let approved = post(&ca, &reviewer_t, &approve, json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(
        approved.body["application"]["status"],
        serde_json::to_value(ApplicationStatus::Approved).unwrap()
    );

    // Audited as keyed and signed at the counter, by the clerk; the chain verifies.
    let items = staff_audit(&ca, &app_id).await;
    for action in ["case.key", "case.signature", "case.approve"] {
        assert!(
            items.iter().any(|e| e["action"] == action),
            "{action} missing: {items:?}"
        );
    }
    let keyed_entry = items.iter().find(|e| e["action"] == "case.key").unwrap();
    assert!(
        serde_json::to_string(keyed_entry)
            .unwrap()
            .contains(clerk.id.as_str())
    );
    assert_eq!(keyed_entry["point"], "BJ01");
    assert!(crate::audit::verify(&ca.dir).status.success());
}

#[tokio::test]
async fn keyed_input_is_checked_as_online_and_against_the_registry() {
    let ca = Ca::start();
    let [(_, clerk_t), _, _] = three(&ca, &["clerk"]).await;
    let p = Persona::new(seed());
    let body = keyed_body(&ca, &p).await;

    let fields = |r: &Raw| -> Vec<String> {
        r.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };

    // The online create's validation: a USCC with a wrong check character.
    let mut bad = body.clone();
    let uscc = p.company.uscc.clone();
    let last = if uscc.ends_with('0') { '1' } else { '0' };
    bad["input"]["enterprise"]["uscc"] = json!(format!("{}{last}", &uscc[..17]));
    let r = key(&ca, &clerk_t, bad).await;
    r.assert_problem(422, "validation_failed");
    assert!(
        fields(&r).contains(&"enterprise.uscc".to_owned()),
        "{}",
        r.body
    );

    // A missing part is named.
    let mut no_handler = body.clone();
    no_handler["input"]["handler"] = Value::Null;
    let r = key(&ca, &clerk_t, no_handler).await;
    r.assert_problem(422, "validation_failed");
    assert!(fields(&r).contains(&"handler".to_owned()), "{}", r.body);

    // Facts the registry does not hold: the field is named, nothing is stored.
    let mut typo = body.clone();
    typo["input"]["enterprise"]["name"] = json!(format!("{}X", p.company.name));
    let r = key(&ca, &clerk_t, typo).await;
    r.assert_problem(422, "verification_failed");
    assert_eq!(fields(&r), vec!["enterprise.name".to_owned()], "{}", r.body);

    // Only a new organisation certificate is keyed at the counter.
    let mut change = body.clone();
    change["business"] = json!("change");
    key(&ca, &clerk_t, change)
        .await
        .assert_problem(422, "validation_failed");

    // The corrected body goes through: nothing of the refused ones was kept.
    let ok = key(&ca, &clerk_t, body).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
}

#[tokio::test]
async fn one_unfinished_application_per_organisation_and_retries_are_idempotent() {
    let ca = Ca::start();
    let [(_, clerk_t), _, _] = three(&ca, &["clerk"]).await;

    // An organisation that applied online (verified, awaiting payment) is not keyed
    // again, and the clerk is not told the online order's id: the applicant brings it.
    let (online, _) = awaiting_payment(&ca).await;
    let mut input = serde_json::to_value(&online.input).unwrap();
    input["mailing"] = Value::Null;
    let body = json!({
        "channel_id": online.channel_id,
        "business": "new_org_certificate",
        "accepted_agreements": online.accepted_agreements,
        "input": input,
    });
    let dup = key(&ca, &clerk_t, body).await;
    dup.assert_problem(409, "duplicate_application");
    assert!(
        dup.body.get("existing_application_id").is_none(),
        "{}",
        dup.body
    );
    assert!(!dup.body.to_string().contains(&online.id));

    // A retry with the same Idempotency-Key answers the same case.
    let p = Persona::new(seed());
    let body = keyed_body(&ca, &p).await;
    let send = || {
        raw(ca
            .http()
            .post(format!("{}/v1/operator/cases/keyed", ca.url))
            .bearer_auth(&clerk_t)
            .header("Idempotency-Key", "key-once-1234")
            .json(&body))
    };
    let first = send().await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = send().await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    // Keyed again without the key: the organisation now has an unfinished application.
    key(&ca, &clerk_t, body.clone())
        .await
        .assert_problem(409, "duplicate_application");
}
