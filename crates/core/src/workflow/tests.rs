#![allow(clippy::unwrap_used)]

use certdesk_ca_api::application::*;
use certdesk_ca_api::channel::*;
use proptest::prelude::*;

use super::stage::*;

/// Built from JSON, like `app`, so the fixture survives additions to the contract.
fn channel(face: bool, paper: bool, issuance: IssuanceMode) -> Channel {
    let paper = paper.then(|| {
        serde_json::json!({
            "items": ["申请表"], "address": "地址", "postcode": "476600",
            "recipient": "北京CA", "phone": "15937036784", "waybill_note": "注明", "note": "说明"
        })
    });
    serde_json::from_value(serde_json::json!({
        "id": "c", "name": "渠道", "businesses": ["new_org_certificate"],
        "enterprise_verification": if face { "registry_and_legal_rep_face" } else { "registry" },
        "handler_verification": ["phone", "bank_card"],
        "documents": ["business_licence", "handler_id_card"],
        "fee_fen": 40000, "issuance": issuance, "key_algorithm": "rsa2048",
        "certificate_set": "single", "paper": paper
    }))
    .unwrap()
}

const KINDS: [RequirementKind; 10] = [
    RequirementKind::EnterpriseVerification,
    RequirementKind::LegalRepFaceCheck,
    RequirementKind::HandlerVerification,
    RequirementKind::InformationConfirmation,
    RequirementKind::Documents,
    RequirementKind::Authorisation,
    RequirementKind::ApplicationSignature,
    RequirementKind::Payment,
    RequirementKind::Paper,
    RequirementKind::Review,
];

/// Built from JSON so that fields the contract adds later (optional ones) default.
fn app(status: ApplicationStatus, reqs: &[(RequirementKind, RequirementStatus)]) -> Application {
    let requirements: Vec<Requirement> = reqs
        .iter()
        .map(|(kind, status)| Requirement {
            kind: *kind,
            status: *status,
            error_code: (*status == RequirementStatus::Invalid)
                .then(|| "verification_failed".to_string()),
            error_message: None,
        })
        .collect();
    serde_json::from_value(serde_json::json!({
        "id": "app_1", "channel_id": "c", "business": "new_org_certificate",
        "status": status, "requirements": requirements, "actions": [], "input": {},
        "documents": [], "amount_fen": 40000, "etag": "\"v1\"",
        "created_at": "", "updated_at": ""
    }))
    .unwrap()
}

use RequirementKind as K;
use RequirementStatus::{Invalid, NotRequired, Pending, Valid};

fn fresh() -> Vec<(RequirementKind, RequirementStatus)> {
    KINDS.iter().map(|k| (*k, Pending)).collect()
}

fn with(
    mut r: Vec<(RequirementKind, RequirementStatus)>,
    set: &[(RequirementKind, RequirementStatus)],
) -> Vec<(RequirementKind, RequirementStatus)> {
    for (k, s) in set {
        for e in r.iter_mut().filter(|e| e.0 == *k) {
            e.1 = *s;
        }
    }
    r
}

fn editing(stage: Stage) -> Editing {
    match stage {
        Stage::Editing(e) => e,
        other => panic!("expected editing, got {other:?}"),
    }
}

#[test]
fn a_new_application_opens_enterprise_verification() {
    let ch = channel(true, false, IssuanceMode::Download);
    let a = app(ApplicationStatus::Draft, &fresh());
    let e = editing(stage(&a, &ch));
    assert_eq!(e.step, Step::Enterprise);
    assert_eq!(e.task, StepTask::VerifyEnterprise { failure: None });
    let bar = steps(&a, &ch);
    assert_eq!(bar[0].state, StepState::Current);
    assert!(bar[0].editable);
    assert!(
        bar[1..]
            .iter()
            .all(|s| s.state == StepState::Upcoming && !s.editable)
    );
}

#[test]
fn a_registry_mismatch_stays_on_enterprise_with_the_failure() {
    let ch = channel(true, false, IssuanceMode::Download);
    let a = app(
        ApplicationStatus::Draft,
        &with(fresh(), &[(K::EnterpriseVerification, Invalid)]),
    );
    let e = editing(stage(&a, &ch));
    assert_eq!(e.step, Step::Enterprise);
    let StepTask::VerifyEnterprise { failure: Some(f) } = e.task else {
        panic!("no failure")
    };
    assert_eq!(f.code, "verification_failed");
}

#[test]
fn face_check_follows_enterprise_only_where_the_channel_asks() {
    let r = with(fresh(), &[(K::EnterpriseVerification, Valid)]);
    let with_face = channel(true, false, IssuanceMode::Download);
    assert_eq!(
        resume_step(&app(ApplicationStatus::Draft, &r), &with_face),
        Step::LegalRepFace
    );
    let no_face = channel(false, false, IssuanceMode::Download);
    let r = with(r, &[(K::LegalRepFaceCheck, NotRequired)]);
    let a = app(ApplicationStatus::Draft, &r);
    assert_eq!(resume_step(&a, &no_face), Step::Handler);
    assert_eq!(steps(&a, &no_face)[1].state, StepState::Skipped);
}

#[test]
fn legal_rep_handling_personally_skips_the_handler_step_and_its_documents() {
    let ch = channel(false, false, IssuanceMode::Download);
    let r = with(
        fresh(),
        &[
            (K::EnterpriseVerification, Valid),
            (K::LegalRepFaceCheck, NotRequired),
            (K::HandlerVerification, NotRequired),
            (K::Authorisation, NotRequired),
        ],
    );
    let mut a = app(ApplicationStatus::Draft, &r);
    a.input.enterprise = Some(EnterpriseInfo {
        uscc: String::new(),
        org_code: String::new(),
        name: String::new(),
        legal_rep_name: String::new(),
        legal_rep_id_number: String::new(),
        legal_rep_phone: String::new(),
        legal_rep_handles: true,
    });
    assert_eq!(resume_step(&a, &ch), Step::Information);
    let bar = steps(&a, &ch);
    assert_eq!(bar[2].state, StepState::Skipped);
    assert_eq!(bar[5].state, StepState::Skipped);
    assert_eq!(
        required_documents(&a, &ch),
        vec![DocumentKind::BusinessLicence]
    );
}

#[test]
fn handler_step_offers_the_channels_methods() {
    let ch = channel(false, false, IssuanceMode::Download);
    let r = with(
        fresh(),
        &[
            (K::EnterpriseVerification, Valid),
            (K::LegalRepFaceCheck, NotRequired),
        ],
    );
    let e = editing(stage(&app(ApplicationStatus::Draft, &r), &ch));
    assert_eq!(
        e.task,
        StepTask::VerifyHandler {
            methods: vec![HandlerVerification::Phone, HandlerVerification::BankCard],
            failure: None
        }
    );
}

#[test]
fn documents_already_uploaded_are_not_asked_again() {
    let ch = channel(false, false, IssuanceMode::Download);
    let r = with(
        fresh(),
        &[
            (K::EnterpriseVerification, Valid),
            (K::LegalRepFaceCheck, NotRequired),
            (K::HandlerVerification, Valid),
            (K::InformationConfirmation, Valid),
        ],
    );
    let mut a = app(ApplicationStatus::Draft, &r);
    a.documents.push(DocumentInfo {
        id: "d".into(),
        kind: DocumentKind::BusinessLicence,
        content_type: "image/png".into(),
        size: 1,
        sha256: String::new(),
        uploaded_at: String::new(),
    });
    let e = editing(stage(&a, &ch));
    assert_eq!(
        e.task,
        StepTask::UploadDocuments {
            missing: vec![DocumentKind::HandlerIdCard]
        }
    );
}

fn all_valid_before_signature() -> Vec<(RequirementKind, RequirementStatus)> {
    with(
        fresh(),
        &[
            (K::EnterpriseVerification, Valid),
            (K::LegalRepFaceCheck, Valid),
            (K::HandlerVerification, Valid),
            (K::InformationConfirmation, Valid),
            (K::Documents, Valid),
            (K::Authorisation, Valid),
        ],
    )
}

#[test]
fn signature_is_last_then_payment_then_review() {
    let ch = channel(true, false, IssuanceMode::Download);
    let r = all_valid_before_signature();
    assert_eq!(
        editing(stage(&app(ApplicationStatus::Draft, &r), &ch)).task,
        StepTask::SignApplication
    );
    let r = with(r, &[(K::ApplicationSignature, Valid)]);
    let a = app(ApplicationStatus::AwaitingPayment, &r);
    assert_eq!(stage(&a, &ch), Stage::AwaitingPayment { amount_fen: 40000 });
    assert_eq!(
        plan(&a, &ch).actions,
        vec![Action::View, Action::Pay, Action::Cancel]
    );
    let r = with(r, &[(K::Payment, Valid)]);
    let a = app(ApplicationStatus::InReview, &r);
    assert_eq!(stage(&a, &ch), Stage::InReview { paper: None });
}

#[test]
fn awaiting_review_is_view_only() {
    let ch = channel(true, false, IssuanceMode::Download);
    let r = with(
        all_valid_before_signature(),
        &[(K::ApplicationSignature, Valid), (K::Payment, Valid)],
    );
    let p = plan(&app(ApplicationStatus::InReview, &r), &ch);
    assert_eq!(p.actions, vec![Action::View]);
    assert!(
        p.steps
            .iter()
            .all(|s| !s.editable && s.state == StepState::Done)
    );
}

#[test]
fn paper_channels_show_the_checklist_until_the_paper_arrives() {
    let ch = channel(false, true, IssuanceMode::Download);
    let r = with(
        all_valid_before_signature(),
        &[(K::ApplicationSignature, Valid), (K::Payment, Valid)],
    );
    let mut a = app(ApplicationStatus::InReview, &r);
    a.paper = Some(PaperStatus {
        requirement: ch.paper.clone().unwrap(),
        courier: None,
        tracking_number: None,
        received_at: None,
    });
    let Stage::InReview { paper: Some(p) } = stage(&a, &ch) else {
        panic!("no paper checklist")
    };
    assert_eq!(p.requirement.waybill_note, "注明");
    let a = app(ApplicationStatus::InReview, &with(r, &[(K::Paper, Valid)]));
    assert_eq!(stage(&a, &ch), Stage::InReview { paper: None });
}

#[test]
fn rejected_returns_to_editing_with_reasons_and_every_done_step_editable() {
    let ch = channel(true, false, IssuanceMode::Download);
    let r = with(
        all_valid_before_signature(),
        &[(K::Payment, Valid), (K::Review, Invalid)],
    );
    let mut a = app(ApplicationStatus::Rejected, &r);
    a.rejection_reasons = vec!["营业执照不清晰".into()];
    let e = editing(stage(&a, &ch));
    assert_eq!(e.step, Step::Signature);
    assert_eq!(e.rejection_reasons, vec!["营业执照不清晰".to_string()]);
    let bar = steps(&a, &ch);
    assert!(bar.iter().all(|s| s.editable), "{bar:?}");
    assert_eq!(
        plan(&a, &ch).actions,
        vec![Action::View, Action::Continue, Action::Cancel]
    );
    // Editing the enterprise facts resets that step: continue opens it.
    let a = app(
        ApplicationStatus::Rejected,
        &with(r, &[(K::EnterpriseVerification, Pending)]),
    );
    assert_eq!(resume_step(&a, &ch), Step::Enterprise);
}

#[test]
fn approval_leads_to_download_or_mailed_token() {
    let r = with(
        all_valid_before_signature(),
        &[
            (K::ApplicationSignature, Valid),
            (K::Payment, Valid),
            (K::Review, Valid),
        ],
    );
    let dl = channel(false, false, IssuanceMode::Download);
    let a = app(ApplicationStatus::Approved, &r);
    assert_eq!(
        stage(&a, &dl),
        Stage::Approved(AfterApproval::Download { shipment: None })
    );
    assert_eq!(plan(&a, &dl).actions, vec![Action::View, Action::Download]);
    let mail = channel(false, false, IssuanceMode::MailedToken);
    let a = app(ApplicationStatus::Issued, &r);
    assert_eq!(
        stage(&a, &mail),
        Stage::Issued(AfterApproval::AwaitToken { shipment: None })
    );
    assert_eq!(
        plan(&a, &mail).actions,
        vec![Action::View, Action::ConfirmReceipt]
    );
    assert_eq!(
        stage(&app(ApplicationStatus::Completed, &r), &mail),
        Stage::Completed
    );
    assert_eq!(
        stage(&app(ApplicationStatus::Cancelled, &r), &mail),
        Stage::Cancelled
    );
}

#[test]
fn the_step_bar_goes_on_to_payment_review_and_delivery() {
    use super::stage::{Milestone as M, milestones};
    use StepState::{Current, Done, Skipped, Upcoming};
    let states = |status, reqs: &[(RequirementKind, RequirementStatus)], issuance| {
        milestones(&app(status, reqs), &channel(false, false, issuance))
            .into_iter()
            .map(|e| (e.milestone, e.state))
            .collect::<Vec<_>>()
    };
    let dl = IssuanceMode::Download;
    assert_eq!(
        states(ApplicationStatus::Draft, &fresh(), dl),
        [
            (M::Payment, Upcoming),
            (M::Review, Upcoming),
            (M::Download, Upcoming)
        ]
    );
    let signed = with(
        all_valid_before_signature(),
        &[(K::ApplicationSignature, Valid)],
    );
    assert_eq!(
        states(ApplicationStatus::AwaitingPayment, &signed, dl),
        [
            (M::Payment, Current),
            (M::Review, Upcoming),
            (M::Download, Upcoming)
        ]
    );
    assert_eq!(
        states(ApplicationStatus::InReview, &signed, dl),
        [
            (M::Payment, Done),
            (M::Review, Current),
            (M::Download, Upcoming)
        ]
    );
    assert_eq!(
        states(ApplicationStatus::Approved, &signed, dl),
        [
            (M::Payment, Done),
            (M::Review, Done),
            (M::Download, Current)
        ]
    );
    // Rejected after payment: the payment stays done, the review comes again.
    let paid = with(signed.clone(), &[(K::Payment, Valid)]);
    assert_eq!(
        states(ApplicationStatus::Rejected, &paid, dl),
        [
            (M::Payment, Done),
            (M::Review, Upcoming),
            (M::Download, Upcoming)
        ]
    );
    let mail = IssuanceMode::MailedToken;
    assert_eq!(
        states(ApplicationStatus::Issued, &paid, mail),
        [
            (M::Payment, Done),
            (M::Review, Done),
            (M::TokenByPost, Current)
        ]
    );
    assert_eq!(
        states(ApplicationStatus::Cancelled, &signed, dl),
        [
            (M::Payment, Skipped),
            (M::Review, Skipped),
            (M::Download, Skipped)
        ]
    );
}

#[test]
fn start_pages_follow_channel_business_agreements() {
    assert_eq!(
        start_page(None, Some(Business::NewOrgCertificate), true),
        StartPage::ChooseChannel
    );
    assert_eq!(
        start_page(Some("c"), None, true),
        StartPage::ChooseBusiness {
            channel_id: "c".into()
        }
    );
    assert_eq!(
        start_page(Some("c"), Some(Business::NewOrgCertificate), false),
        StartPage::VerificationMethod {
            channel_id: "c".into(),
            business: Business::NewOrgCertificate
        }
    );
    assert_eq!(
        start_page(Some("c"), Some(Business::NewOrgCertificate), true),
        StartPage::Ready {
            channel_id: "c".into(),
            business: Business::NewOrgCertificate
        }
    );
}

#[test]
fn stage_serialises_as_a_tagged_union() {
    let ch = channel(true, false, IssuanceMode::Download);
    let v = serde_json::to_value(stage(&app(ApplicationStatus::Draft, &fresh()), &ch)).unwrap();
    assert_eq!(v["stage"], "editing");
    assert_eq!(v["step"], "enterprise");
    assert_eq!(v["task"]["kind"], "verify_enterprise");
}

fn any_status() -> impl Strategy<Value = ApplicationStatus> {
    prop::sample::select(vec![
        ApplicationStatus::Draft,
        ApplicationStatus::AwaitingPayment,
        ApplicationStatus::InReview,
        ApplicationStatus::Approved,
        ApplicationStatus::Issued,
        ApplicationStatus::Completed,
        ApplicationStatus::Rejected,
        ApplicationStatus::Cancelled,
    ])
}

fn any_req() -> impl Strategy<Value = RequirementStatus> {
    prop::sample::select(vec![Pending, Valid, Invalid, NotRequired])
}

proptest! {
    #[test]
    fn invariants_hold_for_any_application(
        status in any_status(),
        reqs in prop::collection::vec(any_req(), 10),
        face in any::<bool>(),
        paper in any::<bool>(),
        handles in any::<bool>(),
    ) {
        let ch = channel(face, paper, IssuanceMode::Download);
        // The CA never waives these three; everything else may be waived.
        let always = [K::EnterpriseVerification, K::InformationConfirmation, K::ApplicationSignature];
        let r: Vec<_> = KINDS
            .iter()
            .copied()
            .zip(reqs)
            .map(|(k, s)| (k, if always.contains(&k) && s == NotRequired { Pending } else { s }))
            .collect();
        let mut a = app(status, &r);
        a.rejection_reasons = vec!["原因".into()];
        if handles {
            a.input.enterprise = Some(EnterpriseInfo {
                uscc: String::new(), org_code: String::new(), name: String::new(),
                legal_rep_name: String::new(), legal_rep_id_number: String::new(),
                legal_rep_phone: String::new(), legal_rep_handles: true,
            });
        }
        let p = plan(&a, &ch);
        // Editing exactly when the CA lets the applicant edit.
        prop_assert_eq!(matches!(p.stage, Stage::Editing(_)), status.is_editable());
        // Nothing is editable outside editing; in review is view-only.
        if !status.is_editable() {
            prop_assert!(p.steps.iter().all(|s| !s.editable));
            prop_assert!(!p.actions.contains(&Action::Continue));
        }
        // Cancel exactly for draft, awaiting payment and rejected.
        prop_assert_eq!(
            p.actions.contains(&Action::Cancel),
            matches!(status, ApplicationStatus::Draft | ApplicationStatus::AwaitingPayment | ApplicationStatus::Rejected)
        );
        prop_assert!(p.actions.contains(&Action::View));
        if let Stage::Editing(e) = &p.stage {
            // Exactly one current step; it is the one continue opens, and it applies.
            let current: Vec<_> = p.steps.iter().filter(|s| s.state == StepState::Current).collect();
            prop_assert_eq!(current.len(), 1);
            prop_assert_eq!(current[0].step, e.step);
            prop_assert!(current[0].editable);
            let all_done = Step::ALL.into_iter().all(|s| !applies(&a, &ch, s) || requirement_status(&a, s.requirement()).is_satisfied());
            prop_assert!(applies(&a, &ch, e.step) || all_done);
            // Every applying step before it is done.
            for s in Step::ALL.into_iter().filter(|s| *s < e.step) {
                prop_assert!(!applies(&a, &ch, s) || requirement_status(&a, s.requirement()).is_satisfied());
            }
            // Never reopens a step that is done, unless all are done.
            if e.step != Step::Signature {
                prop_assert!(!requirement_status(&a, e.step.requirement()).is_satisfied());
            }
            if status == ApplicationStatus::Rejected {
                prop_assert_eq!(&e.rejection_reasons, &a.rejection_reasons);
            }
            // The handler step never opens when the legal representative handles it.
            if handles { prop_assert_ne!(e.step, Step::Handler); prop_assert_ne!(e.step, Step::Authorisation); }
            if !face { prop_assert_ne!(e.step, Step::LegalRepFace); }
        }
    }
}
