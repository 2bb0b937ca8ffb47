use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::*;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use serde_json::json;

use crate::common::*;

fn create_req(p: &Persona, channel: &str) -> CreateApplication {
    p.new_org_on(channel)
}

/// A new draft application of `p` on `channel`.
async fn draft(c: &CaClient, p: &Persona, channel: &str) -> Application {
    c.create_application(&create_req(p, channel), None)
        .await
        .unwrap()
}

#[tokio::test]
async fn server_side_validation_names_each_field() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let mut req = create_req(&p, "sandbox-rsa");
    let ent = req.input.enterprise.as_mut().unwrap();
    ent.uscc = certdesk_ident::testing::uscc_bad_check(1);
    ent.legal_rep_id_number = "110105194902300021".into();
    ent.legal_rep_phone = "2800138000".into();
    let h = req.input.handler.as_mut().unwrap();
    h.email = "not-an-email".into();
    req.input.invoice.as_mut().unwrap().tax_number = "123".into();
    let e = c.create_application(&req, None).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::ValidationFailed));
    let kinds: Vec<(String, String)> = e
        .field_errors()
        .iter()
        .map(|f| (f.field.clone(), f.kind.clone()))
        .collect();
    for expected in [
        ("enterprise.uscc", "check_char"),
        ("enterprise.legal_rep_id_number", "birth_date"),
        ("enterprise.legal_rep_phone", "mobile_format"),
        ("handler.email", "email_format"),
        ("invoice.tax_number", "length"),
    ] {
        assert!(
            kinds.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} missing in {kinds:?}"
        );
    }
    assert!(
        e.field_errors()
            .iter()
            .all(|f| !f.message_zh.is_empty() && !f.message_en.is_empty())
    );
    // Organisation code must be USCC chars 9-17.
    let mut req = create_req(&p, "sandbox-rsa");
    req.input.enterprise.as_mut().unwrap().org_code = certdesk_ident::testing::org_code(p.seed + 1);
    let e = c.create_application(&req, None).await.unwrap_err();
    assert_eq!(e.field_errors()[0].kind, "org_code_mismatch");
    // Unknown channel.
    let e = c
        .create_application(&create_req(&p, "nope"), None)
        .await
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "channel_id");
}

#[tokio::test]
async fn one_unfinished_application_per_organisation() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let first = draft(&c, &p, "sandbox-rsa").await;
    let e = c
        .create_application(&create_req(&p, "sandbox-p256"), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::DuplicateApplication));
    assert_eq!(e.problem().unwrap().status, 409);
    assert_eq!(
        e.problem().unwrap().existing_application_id.as_deref(),
        Some(first.id.as_str())
    );
    // After cancelling, the organisation can apply again.
    let cancelled = c.cancel_application(&first.id).await.unwrap();
    assert_eq!(cancelled.status, ApplicationStatus::Cancelled);
    draft(&c, &p, "sandbox-p256").await;
}

#[tokio::test]
async fn idempotent_create() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let req = create_req(&p, "sandbox-rsa");
    let a = c.create_application(&req, Some("key-1")).await.unwrap();
    let b = c.create_application(&req, Some("key-1")).await.unwrap();
    assert_eq!(a.id, b.id);
    let page = c
        .list_applications(ListState::Unfinished, None, None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let mut other = req.clone();
    other.channel_id = "sandbox-p256".into();
    let e = c
        .create_application(&other, Some("key-1"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::IdempotencyKeyReused));
    assert_eq!(e.problem().unwrap().status, 422);
}

#[tokio::test]
async fn edits_need_if_match_and_a_current_etag() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = draft(&c, &p, "sandbox-rsa").await;
    let url = format!("{}/v1/applications/{}", ca.url, app.id);
    let got = raw(ca.http().get(&url).header("authorization", bearer(&c))).await;
    assert_eq!(got.headers["etag"].to_str().unwrap(), app.etag);
    let patch = json!({"mailing": {"recipient": "孙收件", "phone": "13912345678", "address": "北京市朝阳区1号", "postcode": "100020"}});
    raw(ca
        .http()
        .patch(&url)
        .header("authorization", bearer(&c))
        .json(&patch))
    .await
    .assert_problem(428, "precondition_required");
    raw(ca
        .http()
        .patch(&url)
        .header("authorization", bearer(&c))
        .header("if-match", "\"v999\"")
        .json(&patch))
    .await
    .assert_problem(412, "precondition_failed");
    let edited = c
        .edit_application(&app.id, &app.etag, &serde_json::from_value(patch).unwrap())
        .await
        .unwrap();
    assert_ne!(edited.etag, app.etag);
    assert_eq!(edited.input.mailing.unwrap().recipient, "孙收件");
    // The old ETag is now stale.
    let e = c
        .edit_application(&app.id, &app.etag, &ApplicationInput::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::PreconditionFailed));
    // Bad values in an edit are refused with field errors.
    let mut bad = ApplicationInput::default();
    bad.handler = Some(HandlerInfo {
        phone: "123".into(),
        ..p.handler.clone()
    });
    let e = c
        .edit_application(&app.id, &edited.etag, &bad)
        .await
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "handler.phone");
}

#[tokio::test]
async fn another_applicants_application_is_404() {
    let ca = Ca::start();
    let (alice, pa) = ca.signed_in(seed()).await;
    let (bob, _) = ca.signed_in(seed()).await;
    let app = draft(&alice, &pa, "sandbox-rsa").await;
    for e in [
        bob.application(&app.id).await.unwrap_err(),
        bob.cancel_application(&app.id).await.unwrap_err(),
        bob.verify_enterprise(&app.id).await.unwrap_err(),
        bob.edit_application(&app.id, &app.etag, &ApplicationInput::default())
            .await
            .unwrap_err(),
        bob.upload_document(
            &app.id,
            certdesk_ca_api::channel::DocumentKind::BusinessLicence,
            "a.png",
            sandbox_flow::png_bytes(),
        )
        .await
        .unwrap_err(),
        bob.create_payment(
            &app.id,
            certdesk_ca_api::payment::PaymentProvider::Alipay,
            None,
        )
        .await
        .unwrap_err(),
    ] {
        assert_eq!(e.code(), Some(ProblemCode::NotFound), "{e}");
        assert_eq!(e.problem().unwrap().status, 404);
    }
    assert!(
        bob.list_applications(ListState::Unfinished, None, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Unauthenticated: 401.
    raw(ca
        .http()
        .get(format!("{}/v1/applications/{}", ca.url, app.id)))
    .await
    .assert_problem(401, "unauthorized");
}

#[tokio::test]
async fn registry_mismatch_and_inactive_company_fail_verification() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let mut req = create_req(&p, "sandbox-rsa");
    req.input.enterprise.as_mut().unwrap().legal_rep_name = "冒名者".into();
    let app = c.create_application(&req, None).await.unwrap();
    let e = c.verify_enterprise(&app.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::VerificationFailed));
    assert_eq!(e.field_errors()[0].field, "enterprise.legal_rep_name");
    assert_eq!(e.field_errors()[0].kind, "registry_mismatch");
    let app = c.application(&app.id).await.unwrap();
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::EnterpriseVerification),
        RequirementStatus::Invalid
    );
    // Fix the name → verification passes.
    let mut fix = ApplicationInput::default();
    fix.enterprise = Some(p.enterprise());
    let app = c.edit_application(&app.id, &app.etag, &fix).await.unwrap();
    let app = c.verify_enterprise(&app.id).await.unwrap();
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::EnterpriseVerification),
        RequirementStatus::Valid
    );

    // A deregistered company (fixture) is refused even with matching facts.
    let (c2, p2) = ca.signed_in(seed()).await;
    let gone = certdesk_ca_service::providers::sandbox::registry_fixture()
        .into_iter()
        .find(|c| c.status == "deregistered")
        .unwrap();
    let mut req = create_req(&p2, "sandbox-rsa");
    let ent = req.input.enterprise.as_mut().unwrap();
    ent.uscc = gone.uscc.clone();
    ent.org_code = gone.uscc[8..17].to_string();
    ent.name = gone.name.clone();
    ent.legal_rep_name = gone.legal_rep_name.clone();
    ent.legal_rep_id_number = gone.legal_rep_id_number.clone();
    let app = c2.create_application(&req, None).await.unwrap();
    let e = c2.verify_enterprise(&app.id).await.unwrap_err();
    assert_eq!(e.field_errors()[0].kind, "registry_inactive");
}

#[tokio::test]
async fn submission_needs_every_step_and_then_freezes_edits() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = draft(&c, &p, "sandbox-rsa").await;
    assert_eq!(app.status, ApplicationStatus::Draft);
    assert!(app.actions.contains(&Action::Continue));
    // Signing before the steps: requirements_unmet, listing what is missing.
    c.send_signature_otp(&app.id).await.unwrap();
    let code = sandbox_flow::latest_code(&c, &p.handler.phone)
        .await
        .unwrap();
    let e = c.sign_application(&app.id, &code, true).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::RequirementsUnmet));
    assert!(
        e.field_errors()
            .iter()
            .any(|f| f.field == "requirements.enterprise_verification")
    );
    c.cancel_application(&app.id).await.unwrap();

    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-rsa")
        .await
        .unwrap();
    assert_eq!(app.status, ApplicationStatus::AwaitingPayment);
    assert!(app.actions.contains(&Action::Pay));
    // The seven requirements up to the signature all hold; payment, paper and review
    // are still ahead.
    let sealed: Vec<_> = app
        .requirements
        .iter()
        .filter(|r| {
            !matches!(
                r.kind,
                RequirementKind::Payment | RequirementKind::Paper | RequirementKind::Review
            )
        })
        .collect();
    assert_eq!(sealed.len(), 7, "{:?}", app.requirements);
    for r in sealed {
        assert_eq!(r.status, RequirementStatus::Valid, "{:?}", r.kind);
    }
    let e = c
        .edit_application(&app.id, &app.etag, &ApplicationInput::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
    assert_eq!(e.problem().unwrap().status, 409);
    let e = c
        .upload_document(
            &app.id,
            certdesk_ca_api::channel::DocumentKind::Other,
            "x.pdf",
            b"%PDF-1.4 x".to_vec(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
    // Status change notices went out by SMS and e-mail.
    let outbox = c.sandbox_outbox(Some(&p.handler.email)).await.unwrap();
    assert!(
        outbox
            .items
            .iter()
            .any(|m| m.body.contains(&app.number) && m.body.contains("支付"))
    );
}

/// Orders carry a number people can read out: the day in China and a sequence.
#[tokio::test]
async fn orders_get_a_readable_number_of_the_day() {
    let ca = Ca::start();
    let mut numbers = Vec::new();
    for i in 0..2 {
        let (c, p) = ca.signed_in(seed() + 7_000 + i).await;
        numbers.push(draft(&c, &p, "sandbox-rsa").await.number);
    }
    let china =
        time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    let today = format!(
        "{:04}{:02}{:02}",
        china.year(),
        u8::from(china.month()),
        china.day()
    );
    for n in &numbers {
        assert_eq!(n.len(), 12, "{n}");
        assert!(
            n.starts_with(&today) && n.bytes().all(|b| b.is_ascii_digit()),
            "{n}"
        );
    }
    let seq: Vec<u32> = numbers.iter().map(|n| n[8..].parse().unwrap()).collect();
    assert_eq!(seq[1], seq[0] + 1, "{numbers:?}");
}

#[tokio::test]
async fn legal_rep_handling_skips_handler_and_authorisation() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let mut req = create_req(&p, "sandbox-p256");
    req.input.enterprise.as_mut().unwrap().legal_rep_handles = true;
    req.input.handler = None;
    let app = c.create_application(&req, None).await.unwrap();
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::HandlerVerification),
        RequirementStatus::NotRequired
    );
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::Authorisation),
        RequirementStatus::NotRequired
    );
    // P-256 channel uses registry-only enterprise verification: no face check.
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::LegalRepFaceCheck),
        RequirementStatus::NotRequired
    );
    let e = c
        .verify_handler(&app.id, HandlerCheckMethod::Phone, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));

    // The paper channel offers only the phone check for handlers.
    let (c, p) = ca.signed_in(seed()).await;
    let app = draft(&c, &p, "sandbox-paper").await;
    let e = c
        .verify_handler(
            &app.id,
            HandlerCheckMethod::BankCard,
            Some(&certdesk_ident::testing::bank_card(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.field_errors()[0].kind, "method_not_offered");
    let e = c
        .start_face_check(&app.id, Person::Handler, FaceMethod::OnSite)
        .await
        .unwrap_err();
    assert_eq!(e.field_errors()[0].kind, "method_not_offered");
    let app = c
        .verify_handler(&app.id, HandlerCheckMethod::Phone, None)
        .await
        .unwrap();
    assert_eq!(
        sandbox_flow::requirement(&app, RequirementKind::HandlerVerification),
        RequirementStatus::Valid
    );
}

#[tokio::test]
async fn lists_split_unfinished_and_finished_and_paginate() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut q = Persona::new(p.seed + 100 + i);
        q.handler = p.handler.clone();
        c.sandbox_put_company(&q.company).await.unwrap();
        ids.push(draft(&c, &q, "sandbox-rsa").await.id);
    }
    c.cancel_application(&ids[0]).await.unwrap();
    let page1 = c
        .list_applications(ListState::Unfinished, Some(1), None)
        .await
        .unwrap();
    assert_eq!(page1.items.len(), 1);
    let cursor = page1.next_cursor.clone().unwrap();
    let page2 = c
        .list_applications(ListState::Unfinished, Some(1), Some(&cursor))
        .await
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert!(page2.next_cursor.is_none());
    assert_ne!(page1.items[0].id, page2.items[0].id);
    let finished = c
        .list_applications(ListState::Finished, None, None)
        .await
        .unwrap();
    assert_eq!(finished.items.len(), 1);
    assert_eq!(finished.items[0].id, ids[0]);
    assert_eq!(finished.items[0].actions, vec![Action::View]);
    raw(ca
        .http()
        .get(format!("{}/v1/applications?limit=0", ca.url))
        .header("authorization", bearer(&c)))
    .await
    .assert_problem(422, "validation_failed");
}
