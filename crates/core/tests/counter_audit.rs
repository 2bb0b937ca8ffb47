//! The supervisor's audit view over a signed-in session, against the real reference CA
//! on loopback and SoftHSM2 (issue 13 item 8): a supervisor sees their own point's
//! entries and no other point's, filters by action, operator, order and day, and an
//! operator without the supervisor role is refused by the CA.
#![allow(clippy::unwrap_used)]

use certdesk_ca_api::audit::AuditAction;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::counter::{AuditFilter, CaseError, InputProblem};
use certdesk_core::enrollment::Journal;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::TokenService;

mod counter_support;
use counter_support::{
    PIN, add_point, china_today, open_counter, operator_on_token, pin, private_keyring,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_and_filters_their_own_points_audit_log() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    add_point(&ca, "BJ01", "北京受理点");
    add_point(&ca, "GZ09", "广州受理点");
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    let mut on_token = async |point: &str, label: &str, name: &str, roles: &[&str]| {
        operator_on_token(&ca, &hsm, &svc, &mut journal, point, label, name, roles).await
    };
    let (clerk_id, clerk_token) = on_token("BJ01", "CLERK", "王受理", &["clerk"]).await;
    let (boss_id, boss_token) = on_token("BJ01", "BOSS", "赵主管", &["supervisor"]).await;
    let (far_id, far_token) = on_token("GZ09", "FAR", "陈广州", &["clerk"]).await;
    let clerk = open_counter(&ca, &svc, "certdesk-test-audit-clerk").await;
    let boss = open_counter(&ca, &svc, "certdesk-test-audit-boss").await;
    let far = open_counter(&ca, &svc, "certdesk-test-audit-far").await;

    // Signed out: the counter's own refusal, before anything is sent.
    assert!(matches!(
        boss.audit(&AuditFilter::default()).await,
        Err(CaseError::Counter(_))
    ));

    clerk.sign_in(clerk_token, pin(PIN), false).await.unwrap();
    boss.sign_in(boss_token, pin(PIN), false).await.unwrap();
    far.sign_in(far_token, pin(PIN), false).await.unwrap();

    // Work at both points: an online order opened at BJ01 and at GZ09.
    let persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let mut applicant = CaClient::new(ca.url()).unwrap();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, "sandbox-rsa")
        .await
        .unwrap();
    clerk.cases().open(&order.id, None).await.unwrap();

    // Everything the supervisor sees is their point's; the other point's sign-in is not there.
    let all = boss.audit(&AuditFilter::default()).await.unwrap();
    assert!(!all.items.is_empty());
    assert!(
        all.items.iter().all(|e| e.point.as_deref() == Some("BJ01")),
        "{:?}",
        all.items
    );
    let actor = |id: &str| format!("operator:{id}");
    assert!(
        all.items
            .iter()
            .any(|e| e.actor == actor(&clerk_id) && e.action == "operator.sign_in")
    );
    assert!(
        all.items
            .iter()
            .any(|e| e.actor == actor(&boss_id) && e.action == "operator.sign_in")
    );
    assert!(!all.items.iter().any(|e| e.actor == actor(&far_id)));
    // Newest first.
    assert!(all.items.windows(2).all(|w| w[0].seq > w[1].seq));

    // By action: the one case opened, by the clerk, for that order.
    let opened = boss
        .audit(&AuditFilter {
            action: Some(AuditAction::CaseOpen),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(opened.items.len(), 1, "{:?}", opened.items);
    assert_eq!(opened.items[0].actor, actor(&clerk_id));
    assert_eq!(
        opened.items[0].application_id.as_deref(),
        Some(order.id.as_str())
    );

    // By operator (typed in lower case) and by the order, scanned with its Enter.
    let by_boss = boss
        .audit(&AuditFilter {
            operator_id: boss_id.to_lowercase(),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(!by_boss.items.is_empty());
    assert!(by_boss.items.iter().all(|e| e.actor == actor(&boss_id)));
    let by_order = boss
        .audit(&AuditFilter {
            order: format!("{}\r\n", order.id),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(!by_order.items.is_empty());
    assert!(
        by_order
            .items
            .iter()
            .all(|e| e.application_id.as_deref() == Some(order.id.as_str()))
    );

    // By day (China time): today has them all, a past week none.
    let today = china_today();
    let day = boss
        .audit(&AuditFilter {
            from_day: today.clone(),
            to_day: today,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(day.items.len(), all.items.len());
    let past = boss
        .audit(&AuditFilter {
            from_day: "2020-01-01".into(),
            to_day: "2020-01-07".into(),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(past.items.is_empty());

    // A bad filter is refused before it is sent; a clerk is refused by the CA.
    assert!(matches!(
        boss.audit(&AuditFilter {
            from_day: "06/12/2026".into(),
            ..AuditFilter::default()
        })
        .await,
        Err(CaseError::InvalidInput {
            field: "from_day",
            problem: InputProblem::Malformed
        })
    ));
    let refused = clerk.audit(&AuditFilter::default()).await.unwrap_err();
    assert!(matches!(refused, CaseError::RoleMissing), "{refused:?}");
}
