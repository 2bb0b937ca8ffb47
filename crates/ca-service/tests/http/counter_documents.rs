//! The scan of an identity document's copy uploaded at the counter (issue 13 item 3b):
//! the same pipeline and limits as the applicant's uploads, a clerk of the case's own
//! point only, the applicant's own uploads kept, audited, and usable as the copy of
//! the on-site identity check.

use serde_json::json;

use crate::common::*;
use crate::counter::{awaiting_payment, open_case, post, staff_audit, three};

pub async fn upload(ca: &Ca, token: &str, case_id: &str, kind: &str, bytes: Vec<u8>) -> Raw {
    raw(ca
        .http()
        .post(format!("{}/v1/operator/cases/{case_id}/documents", ca.url))
        .bearer_auth(token)
        .multipart(
            reqwest::multipart::Form::new()
                .text("kind", kind.to_owned())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name("copy.png"),
                ),
        ))
    .await
}

#[tokio::test]
async fn a_clerk_uploads_the_copy_scanned_at_the_counter_for_the_identity_check() {
    let ca = Ca::start();
    let [(clerk, clerk_t), (_, reviewer_t), (_, stranger_t)] = three(&ca, &["clerk"]).await;
    let (app, c) = awaiting_payment(&ca).await;
    let before = app.documents.len();
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let png = certdesk_ca_service::sandbox_flow::png_bytes();

    // Who may: a reviewer is refused, another point's clerk sees no such case.
    upload(&ca, &reviewer_t, &case_id, "handler_id_card", png.clone())
        .await
        .assert_problem(403, "forbidden");
    upload(&ca, &stranger_t, &case_id, "handler_id_card", png.clone())
        .await
        .assert_problem(404, "not_found");
    // What: only an ID card's copy, only PDF/PNG/JPEG by content, at most 5 MiB.
    upload(&ca, &clerk_t, &case_id, "business_licence", png.clone())
        .await
        .assert_problem(422, "validation_failed");
    upload(
        &ca,
        &clerk_t,
        &case_id,
        "handler_id_card",
        b"GIF89a".to_vec(),
    )
    .await
    .assert_problem(415, "unsupported_media_type");
    let mut big = png.clone();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let too_big = upload(&ca, &clerk_t, &case_id, "handler_id_card", big).await;
    assert_eq!(too_big.status, 413, "{}", too_big.body);

    let ok = upload(&ca, &clerk_t, &case_id, "handler_id_card", png).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let doc_id = ok.body["id"].as_str().unwrap().to_string();
    assert!(doc_id.starts_with("doc_"));
    assert_eq!(ok.body["content_type"], "image/png");
    // Beside the applicant's own uploads, which stay.
    let now = c.application(&app.id).await.unwrap();
    assert_eq!(now.documents.len(), before + 1);
    assert!(now.documents.iter().any(|d| d.id == doc_id));

    // It is the copy of the on-site identity check.
    let p_number = now.input.handler.as_ref().unwrap().id_number.clone();
    let checked = post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{case_id}/identity"),
        json!({"person": "handler", "document": "resident_id_card", "id_number": p_number,
               "copy_document_id": doc_id, "attested": true}),
    )
    .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(
        checked.body["identity_checks"][0]["copy_document_id"],
        doc_id.as_str()
    );

    // Audited as the clerk's, with the scan's hash; the chain verifies.
    let items = staff_audit(&ca, &app.id).await;
    let up: Vec<_> = items
        .iter()
        .filter(|e| e["action"] == "case.document")
        .collect();
    assert_eq!(up.len(), 1, "{items:?}");
    assert_eq!(up[0]["details"]["document"], doc_id.as_str());
    assert!(
        serde_json::to_string(&up[0])
            .unwrap()
            .contains(clerk.id.as_str())
    );
    assert!(crate::audit::verify(&ca.dir).status.success());
}
