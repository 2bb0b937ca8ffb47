//! Issue 13 items 3a and 5 on the CA side: a field corrected at the counter carries its
//! value into the (sealed) application, after the online rules, and re-opens the checks
//! that relied on it; the reviewer reads the case's scans. Neither the corrected value
//! nor a refused one is echoed, logged or audited; a read of a scan is audited.

use certdesk_ca_api::application::{RequirementKind, RequirementStatus};
use certdesk_ca_service::sandbox_flow::{self, Persona};
use serde_json::{Value, json};

use crate::common::*;
use crate::counter::{get, in_review, open_case, post, staff_audit, three};

fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    ["ca.sqlite3", "ca.sqlite3-wal", "ca.sqlite3-shm"]
        .iter()
        .flat_map(|f| std::fs::read(dir.join(f)).unwrap_or_default())
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn requirement(case: &Value, kind: RequirementKind) -> RequirementStatus {
    let app: certdesk_ca_api::application::Application =
        serde_json::from_value(case["application"].clone()).unwrap();
    sandbox_flow::requirement(&app, kind)
}

async fn correct(ca: &Ca, token: &str, case_id: &str, field: &str, value: &str) -> Raw {
    post(
        ca,
        token,
        &format!("/v1/operator/cases/{case_id}/checks"),
        json!({"field": field, "outcome": "corrected", "value": value}),
    )
    .await
}

#[tokio::test]
async fn a_correction_changes_the_sealed_application_and_reopens_what_relied_on_it() {
    let ca = Ca::start();
    let [(clerk, clerk_t), (_, reviewer_t), _] = three(&ca, &["clerk"]).await;
    let app = in_review(&ca).await;
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let old_number = app.input.handler.as_ref().unwrap().id_number.clone();
    // Another valid resident identity number: the one on the handler's original.
    let new_number = Persona::new(seed()).handler.id_number;
    assert_ne!(old_number, new_number);

    // Refused values: the online rules, a field error at the field, never the value.
    let typo = format!(
        "{}{}",
        &new_number[..17],
        if new_number.ends_with('0') { '1' } else { '0' }
    );
    let refused = correct(&ca, &clerk_t, &case_id, "handler.id_number", &typo).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.body["errors"][0]["field"], "handler.id_number");
    assert!(!refused.body.to_string().contains(&typo[..12]));
    let phone = correct(&ca, &clerk_t, &case_id, "handler.phone", "1234").await;
    phone.assert_problem(422, "validation_failed");
    assert_eq!(phone.body["errors"][0]["field"], "handler.phone");
    correct(
        &ca,
        &clerk_t,
        &case_id,
        "mailing.address",
        "受理路\u{7}8 号",
    )
    .await
    .assert_problem(422, "validation_failed");
    // Only the fields the case offers; a value only with a correction, and always with one.
    for path in ["enterprise.org_code", "certificate.common_name", "owner"] {
        let r = correct(&ca, &clerk_t, &case_id, path, "x").await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], "field", "{path}");
    }
    let checks = format!("/v1/operator/cases/{case_id}/checks");
    post(
        &ca,
        &clerk_t,
        &checks,
        json!({"field": "mailing.address", "outcome": "checked", "value": "x"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    post(
        &ca,
        &clerk_t,
        &checks,
        json!({"field": "mailing.address", "outcome": "corrected"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    // Nothing of it was recorded, nobody became an editor by a refusal.
    let case = get(&ca, &clerk_t, &format!("/v1/operator/cases/{case_id}")).await;
    assert_eq!(case.body["checks"], json!([]));
    assert_eq!(
        case.body["application"]["input"]["handler"]["id_number"],
        old_number.as_str()
    );

    // The correction: in the application, the applicant's value beside it in the case.
    let ok = correct(&ca, &clerk_t, &case_id, "handler.id_number", &new_number).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        ok.body["application"]["input"]["handler"]["id_number"],
        new_number.as_str()
    );
    assert_eq!(
        ok.body["corrections"],
        json!([{"field": "handler.id_number", "original": old_number}])
    );
    assert_eq!(ok.body["checks"][0]["outcome"], "corrected");
    assert_eq!(ok.body["editors"], json!([clerk.id]));
    // The handler's verification relied on the old number: pending again.
    assert_eq!(
        requirement(&ok.body, RequirementKind::HandlerVerification),
        RequirementStatus::Pending
    );
    let addr = correct(
        &ca,
        &clerk_t,
        &case_id,
        "mailing.address",
        " 北京市朝阳区受理路 8 号 ",
    )
    .await;
    assert_eq!(addr.status, 200, "{}", addr.body);
    assert_eq!(
        addr.body["application"]["input"]["mailing"]["address"],
        "北京市朝阳区受理路 8 号"
    );
    assert_eq!(addr.body["corrections"].as_array().unwrap().len(), 2);

    // The reviewer sees the same, and cannot approve while the handler is unverified.
    let seen = get(&ca, &reviewer_t, &format!("/v1/operator/cases/{case_id}")).await;
    assert_eq!(seen.body["corrections"], addr.body["corrections"]);
    let approve = format!("/v1/operator/cases/{case_id}/approve");
    let unmet = post(&ca, &reviewer_t, &approve, json!({})).await;
    unmet.assert_problem(409, "requirements_unmet");
    assert_eq!(
        unmet.body["errors"][0]["field"],
        "requirements.handler_verification"
    );
    // The on-site identity check against the corrected number makes it valid again.
    let copy = raw(ca
        .http()
        .post(format!("{}/v1/operator/cases/{case_id}/documents", ca.url))
        .bearer_auth(&clerk_t)
        .multipart(
            reqwest::multipart::Form::new()
                .text("kind", "handler_id_card")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(sandbox_flow::png_bytes())
                        .file_name("copy.png"),
                ),
        ))
    .await;
    assert_eq!(copy.status, 201, "{}", copy.body);
    let identity = |number: &str| {
        json!({"person": "handler", "document": "resident_id_card", "id_number": number,
               "copy_document_id": copy.body["id"], "attested": true})
    };
    let identity_path = format!("/v1/operator/cases/{case_id}/identity");
    post(&ca, &clerk_t, &identity_path, identity(&old_number))
        .await
        .assert_problem(422, "verification_failed");
    let matched = post(&ca, &clerk_t, &identity_path, identity(&new_number)).await;
    assert_eq!(matched.status, 200, "{}", matched.body);
    assert_eq!(
        requirement(&matched.body, RequirementKind::HandlerVerification),
        RequirementStatus::Valid
    );
    let approved = post(&ca, &reviewer_t, &approve, json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);

    // Sealed: neither number in the database files in clear; the audit names the fields
    // only; no value in the service's log.
    let bytes = database_bytes(&ca.dir);
    assert!(bytes.len() > 4096);
    assert!(!contains(&bytes, &new_number) && !contains(&bytes, &old_number));
    assert!(!contains(&bytes, &typo));
    let items = staff_audit(&ca, &app.id).await;
    let fixes: Vec<&Value> = items
        .iter()
        .filter(|e| e["action"] == "case.check")
        .collect();
    assert_eq!(fixes.len(), 2, "{items:?}");
    let audit_text = serde_json::to_string(&items).unwrap();
    for secret in [&new_number, &old_number, &typo] {
        assert!(!audit_text.contains(secret.as_str()));
        assert!(!ca.log().contains(secret.as_str()));
    }
    assert!(audit_text.contains("handler.id_number"));
    assert!(!audit_text.contains("受理路"));
    assert!(crate::audit::verify(&ca.dir).status.success());
}

#[tokio::test]
async fn a_corrected_company_name_is_checked_against_the_registry_again() {
    let ca = Ca::start();
    let [(_, clerk_t), (_, reviewer_t), _] = three(&ca, &["clerk"]).await;
    let app = in_review(&ca).await;
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fixed = correct(&ca, &clerk_t, &case_id, "enterprise.name", "另一家公司").await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert_eq!(
        requirement(&fixed.body, RequirementKind::EnterpriseVerification),
        RequirementStatus::Invalid
    );
    post(
        &ca,
        &reviewer_t,
        &format!("/v1/operator/cases/{case_id}/approve"),
        json!({}),
    )
    .await
    .assert_problem(409, "requirements_unmet");
    // The registry's own name again: valid, and the case can be approved.
    let name = app.input.enterprise.as_ref().unwrap().name.clone();
    let back = correct(&ca, &clerk_t, &case_id, "enterprise.name", &name).await;
    assert_eq!(
        requirement(&back.body, RequirementKind::EnterpriseVerification),
        RequirementStatus::Valid
    );
    let ok = post(
        &ca,
        &reviewer_t,
        &format!("/v1/operator/cases/{case_id}/approve"),
        json!({}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}

async fn read(ca: &Ca, token: &str, case_id: &str, doc_id: &str) -> (u16, String, Vec<u8>) {
    let r = ca
        .http()
        .get(format!(
            "{}/v1/operator/cases/{case_id}/documents/{doc_id}",
            ca.url
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_points_operators_read_the_cases_scans_and_nobody_else() {
    let ca = Ca::start();
    let [(_, clerk_t), (reviewer, reviewer_t), (_, stranger_t)] = three(&ca, &["clerk"]).await;
    let app = in_review(&ca).await;
    let other = in_review(&ca).await;
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = app.documents.first().unwrap().clone();
    let foreign = other.documents.first().unwrap().id.clone();

    // The reviewer of the point reads the bytes as uploaded, with their type.
    let t = std::time::Instant::now();
    let (status, ct, bytes) = read(&ca, &reviewer_t, &case_id, &doc.id).await;
    eprintln!(
        "bench: case document read ({} bytes) {} ms",
        bytes.len(),
        t.elapsed().as_millis()
    );
    assert_eq!(status, 200);
    assert_eq!(ct, doc.content_type);
    assert_eq!(bytes.len() as u64, doc.size);
    assert_eq!(
        certdesk_ca_service::secrets::sha256_bytes_hex(&bytes),
        doc.sha256
    );
    let (status, ..) = read(&ca, &clerk_t, &case_id, &doc.id).await;
    assert_eq!(status, 200);

    // Another point's operator, another application's document, an unknown one: 404.
    for (token, case, d) in [
        (&stranger_t, case_id.as_str(), doc.id.as_str()),
        (&reviewer_t, case_id.as_str(), foreign.as_str()),
        (&reviewer_t, case_id.as_str(), "doc_doesnotexist"),
        (&reviewer_t, "case_doesnotexist", doc.id.as_str()),
    ] {
        let r = get(
            &ca,
            token,
            &format!("/v1/operator/cases/{case}/documents/{d}"),
        )
        .await;
        r.assert_problem(404, "not_found");
    }
    get(
        &ca,
        "not-a-session",
        &format!("/v1/operator/cases/{case_id}/documents/{}", doc.id),
    )
    .await
    .assert_problem(401, "unauthorized");

    // Each read is in the audit log: who, which case, which document.
    let items = staff_audit(&ca, &app.id).await;
    let views: Vec<&Value> = items
        .iter()
        .filter(|e| e["action"] == "case.document_view")
        .collect();
    assert_eq!(views.len(), 2, "{items:?}");
    assert!(
        views
            .iter()
            .all(|v| v["details"]["document"] == doc.id.as_str())
    );
    assert!(
        views
            .iter()
            .all(|v| v["details"]["case"] == case_id.as_str())
    );
    assert!(
        views
            .iter()
            .any(|v| v["actor"] == format!("operator:{}", reviewer.id).as_str())
    );
    assert!(
        staff_audit(&ca, &other.id)
            .await
            .iter()
            .all(|e| e["action"] != "case.document_view")
    );
    assert!(crate::audit::verify(&ca.dir).status.success());

    // In the OpenAPI document.
    let api = get(&ca, "", "/openapi.json").await;
    assert!(
        api.body["paths"]["/v1/operator/cases/{id}/documents/{document_id}"]["get"].is_object()
    );
}
