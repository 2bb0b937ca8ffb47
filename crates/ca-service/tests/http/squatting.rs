//! One unfinished application per organisation, without squatting (issue 12, part 3):
//! a stranger's unverified application never blocks the organisation, is superseded when
//! the organisation's own passes enterprise verification, and no 409 shows another
//! account's application id.

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::{ApplicationStatus, RequirementKind, RequirementStatus};

use crate::common::{Ca, new_org, seed};

#[tokio::test]
async fn a_stranger_cannot_squat_on_an_organisation() {
    let ca = Ca::start();
    let (a, org) = ca.signed_in(seed()).await;
    let (b, _) = ca.signed_in(seed()).await;
    // B applies first with A's organisation (facts anyone can type).
    let squat = b.create_application(&new_org(&org), None).await.unwrap();
    // A is not blocked, and never sees B's application.
    let mine = a.create_application(&new_org(&org), None).await.unwrap();
    let e = a.cancel_application(&squat.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::NotFound));
    // B's own second application is blocked by B's first, named to B.
    let e = b
        .create_application(&new_org(&org), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::DuplicateApplication));
    assert_eq!(
        e.problem().unwrap().existing_application_id.as_deref(),
        Some(squat.id.as_str())
    );
    // A passes enterprise verification: A's application holds the organisation and B's
    // unverified one is cancelled with a reason.
    let verified = a.verify_enterprise(&mine.id).await.unwrap();
    assert_eq!(
        verified
            .requirements
            .iter()
            .find(|r| r.kind == RequirementKind::EnterpriseVerification)
            .unwrap()
            .status,
        RequirementStatus::Valid
    );
    let gone = b.application(&squat.id).await.unwrap();
    assert_eq!(gone.status, ApplicationStatus::Cancelled);
    let req = gone
        .requirements
        .iter()
        .find(|r| r.kind == RequirementKind::EnterpriseVerification)
        .unwrap();
    assert_eq!(req.status, RequirementStatus::Invalid);
    assert_eq!(req.error_code.as_deref(), Some("superseded"));
    // B's view: 409, without A's id anywhere in the answer.
    let e = b
        .create_application(&new_org(&org), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::DuplicateApplication));
    let p = e.problem().unwrap();
    assert_eq!(p.existing_application_id, None);
    assert!(!serde_json::to_string(p).unwrap().contains(&mine.id));
    // A's view: 409 naming A's own.
    let e = a
        .create_application(&new_org(&org), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.problem().unwrap().existing_application_id.as_deref(),
        Some(mine.id.as_str())
    );
    // After A cancels, B may apply again (no one holds the organisation).
    a.cancel_application(&mine.id).await.unwrap();
    b.create_application(&new_org(&org), None).await.unwrap();
}

#[tokio::test]
async fn a_verified_application_blocks_a_strangers_verification() {
    let ca = Ca::start();
    let (a, org) = ca.signed_in(seed()).await;
    let (b, _) = ca.signed_in(seed()).await;
    let theirs = b.create_application(&new_org(&org), None).await.unwrap();
    let mine = a.create_application(&new_org(&org), None).await.unwrap();
    a.verify_enterprise(&mine.id).await.unwrap();
    // B's was superseded; a verification of it is refused as not editable, and never
    // names A's application.
    let e = b.verify_enterprise(&theirs.id).await.unwrap_err();
    assert!(!format!("{e:?}").contains(&mine.id), "{e:?}");
}
