//! A new case keyed at the counter over a signed-in operator's session (issue 13 item
//! 3b), in process against the real reference CA on loopback and SoftHSM2: the online
//! forms' checks refuse bad fields before anything is sent; the CA's registry check
//! comes back on the field; the keyed case opens, takes the counter's scans, the
//! identity check and the signature on the printed form, is paid and approved by
//! another operator; the same organisation keyed again is a duplicate.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::{ApplicationStatus, Person};
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::counter::IdDocument;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::counter::{
    CaseError, CounterError, CounterPaymentInput, IdentityCheckInput, KeyedInput,
};
use certdesk_core::enrollment::Journal;
use certdesk_core::workflow::WorkflowError;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{SecretString, TokenService};

mod counter_support;
use counter_support::{private_keyring, staffed};

fn values(p: &Persona, name: &str) -> BTreeMap<String, String> {
    [
        ("enterprise.uscc", p.company.uscc.as_str()),
        ("enterprise.org_code", p.org_code.as_str()),
        ("enterprise.name", name),
        (
            "enterprise.legal_rep_name",
            p.company.legal_rep_name.as_str(),
        ),
        (
            "enterprise.legal_rep_id_number",
            p.company.legal_rep_id_number.as_str(),
        ),
        ("enterprise.legal_rep_phone", p.legal_rep_phone.as_str()),
        ("enterprise.legal_rep_handles", "false"),
        ("handler.name", p.handler.name.as_str()),
        ("handler.id_number", p.handler.id_number.as_str()),
        ("handler.phone", p.handler.phone.as_str()),
        ("handler.email", p.handler.email.as_str()),
        ("certificate.province", "北京市"),
        ("certificate.city", "北京市"),
        ("invoice.email", p.handler.email.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn rejected_fields(e: &CaseError) -> (ProblemCode, Vec<String>) {
    match e {
        CaseError::Counter(CounterError::Ca(WorkflowError::CaRejected {
            code, fields, ..
        })) => (*code, fields.iter().map(|f| f.field.clone()).collect()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_case_is_checked_as_online_and_served_to_approval() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    let staff = staffed(&ca, &hsm, &svc, &mut journal, "certdesk-test-keyed").await;
    let (clerk, reviewer) = (&staff.clerk, &staff.reviewer);

    let persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let sandbox = CaClient::new(ca.url()).unwrap();
    sandbox.sandbox_put_company(&persona.company).await.unwrap();
    let agreements = persona.new_org_on("sandbox-p256").accepted_agreements;
    let input = |vals: BTreeMap<String, String>| KeyedInput {
        channel_id: "sandbox-p256".into(),
        accepted_agreements: agreements.clone(),
        values: vals,
        idempotency_key: None,
    };

    // The online forms' checks, before anything is sent: a short handler ID number.
    let mut bad = values(&persona, &persona.company.name);
    bad.insert("handler.id_number".into(), "1101011990".into());
    bad.remove("certificate.city");
    match clerk.cases().key(&input(bad)).await.unwrap_err() {
        CaseError::InvalidFields { fields } => {
            let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
            assert!(names.contains(&"handler.id_number"), "{names:?}");
            assert!(names.contains(&"certificate.city"), "{names:?}");
        }
        other => panic!("{other:?}"),
    }

    // The registry's refusal comes back on the field.
    let typo = format!("{}分公司", persona.company.name);
    let e = clerk
        .cases()
        .key(&input(values(&persona, &typo)))
        .await
        .unwrap_err();
    assert_eq!(
        rejected_fields(&e),
        (
            ProblemCode::VerificationFailed,
            vec!["enterprise.name".to_owned()]
        )
    );

    let t = Instant::now();
    let case = clerk
        .cases()
        .key(&input(values(&persona, &persona.company.name)))
        .await
        .unwrap();
    let key_ms = t.elapsed().as_millis();
    assert!(case.keyed);
    assert_eq!(case.application.status, ApplicationStatus::Draft);

    // Keyed again: one unfinished application per organisation.
    let e = clerk
        .cases()
        .key(&input(values(&persona, &persona.company.name)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CaseError::Counter(CounterError::Ca(WorkflowError::DuplicateApplication {
                existing_application_id: None
            }))
        ),
        "{e:?}"
    );

    let png = sandbox_flow::png_bytes();
    let cases = clerk.cases();
    for kind in [
        DocumentKind::BusinessLicence,
        DocumentKind::AuthorisationLetter,
    ] {
        cases
            .upload_scan(&case.id, kind, "scan.png", png.clone())
            .await
            .unwrap();
    }
    let copy = cases
        .upload_copy(&case.id, Person::Handler, "copy.png", png.clone())
        .await
        .unwrap();
    cases
        .record_identity(
            &case.id,
            &IdentityCheckInput {
                person: Person::Handler,
                document: IdDocument::ResidentIdCard,
                id_number: SecretString::from(persona.handler.id_number.clone()),
                copy_document_id: copy,
                attested: true,
            },
        )
        .await
        .unwrap();
    // Not attested: refused before anything is sent.
    assert!(matches!(
        cases
            .sign(&case.id, "doc_abcdefghijkmnpqrstuv", false)
            .await,
        Err(CaseError::InvalidInput {
            field: "attested",
            ..
        })
    ));
    let form = cases
        .upload_scan(&case.id, DocumentKind::ApplicationForm, "form.png", png)
        .await
        .unwrap();
    let signed = cases.sign(&case.id, &form, true).await.unwrap();
    assert_eq!(
        signed.application.status,
        ApplicationStatus::AwaitingPayment
    );
    cases
        .record_payment(
            &case.id,
            &CounterPaymentInput::Cash {
                receipt: "R-20261207".into(),
            },
            None,
        )
        .await
        .unwrap();
    let e = clerk.cases().approve(&case.id).await.unwrap_err();
    assert!(matches!(e, CaseError::RoleMissing), "{e:?}");
    let approved = reviewer.cases().approve(&case.id).await.unwrap();
    assert_eq!(approved.application.status, ApplicationStatus::Approved);
    println!("keyed in process: key (registry check included) {key_ms} ms");
}
