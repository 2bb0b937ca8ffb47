//! Agreements (用户协议): served per channel and versioned; an application records the
//! versions accepted, and a create that misses one or names an outdated one is refused.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::agreement::{AcceptedAgreement, AgreementKind};

use crate::common::*;

#[tokio::test]
async fn each_channel_serves_its_agreements_in_both_languages() {
    let ca = Ca::start();
    let c = ca.client();
    let list = c.agreements("sandbox-rsa").await.unwrap();
    let kinds: Vec<_> = list.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AgreementKind::Service, AgreementKind::Privacy]);
    for a in &list {
        assert!(!a.version.is_empty());
        assert!(
            a.title
                .zh
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        );
        assert!(a.title.en.is_ascii() && !a.title.en.is_empty());
        // Readable text, in paragraphs.
        assert!(a.body.zh.contains("\n\n") && a.body.en.contains("\n\n"));
    }
    // Public: read before signing in; an unknown channel is a problem, not an empty list.
    let r = raw(ca
        .http()
        .get(format!("{}/v1/channels/nope/agreements", ca.url)))
    .await;
    r.assert_problem(404, "not_found");
    let doc = raw(ca.http().get(format!("{}/openapi.json", ca.url))).await;
    assert!(doc.body["paths"]["/v1/channels/{id}/agreements"]["get"].is_object());
}

#[tokio::test]
async fn the_application_records_the_versions_accepted_and_refuses_others() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let current: Vec<AcceptedAgreement> = c
        .agreements("sandbox-rsa")
        .await
        .unwrap()
        .iter()
        .map(|a| a.accepted())
        .collect();

    let refused = |accepted: Vec<AcceptedAgreement>| {
        let mut req = new_org(&p);
        req.accepted_agreements = accepted;
        req
    };
    let outdated = current
        .iter()
        .map(|a| AcceptedAgreement {
            kind: a.kind,
            version: "2000-01".into(),
        })
        .collect();
    let only_one = current[..1].to_vec();
    for (case, req) in [
        ("none", refused(Vec::new())),
        ("outdated", refused(outdated)),
        ("only one", refused(only_one)),
    ] {
        let e = c.create_application(&req, None).await.unwrap_err();
        assert_eq!(e.code(), Some(ProblemCode::ValidationFailed), "{case}");
        assert_eq!(e.field_errors()[0].field, "accepted_agreements", "{case}");
        assert_eq!(
            e.field_errors()[0].kind,
            "agreements_not_accepted",
            "{case}"
        );
    }

    // A hostile list is bounded before it is compared.
    let mut req = new_org(&p);
    req.accepted_agreements = (0..50)
        .map(|i| AcceptedAgreement {
            kind: AgreementKind::Service,
            version: format!("v{i}"),
        })
        .collect();
    let e = c.create_application(&req, None).await.unwrap_err();
    assert_eq!(e.field_errors()[0].kind, "too_many");

    let mut req = new_org(&p);
    req.accepted_agreements = current.iter().rev().cloned().collect();
    let app = c.create_application(&req, None).await.unwrap();
    let mut recorded = app.accepted_agreements.clone();
    recorded.sort();
    let mut expected = current.clone();
    expected.sort();
    assert_eq!(recorded, expected);
    let again = c.application(&app.id).await.unwrap();
    assert_eq!(again.accepted_agreements, app.accepted_agreements);
}
