//! The supervisor's daily close over a signed-in session, against the real reference CA
//! on loopback and SoftHSM2 (issue 14 item 3): a cash payment with nothing made is a
//! difference; the close is refused unexplained, a wrong PIN signs nothing, the PIN on
//! the supervisor's own operator token signs it (the CA verifies the signature against
//! the operator certificate), a second signing is refused, a correction is added beside
//! it; a clerk is refused, and the report is a PDF.
#![allow(clippy::unwrap_used)]

use certdesk_ca_api::close::{CloseStatus, DifferenceKind};
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::counter::{CaseError, CounterError, CounterPaymentInput};
use certdesk_core::enrollment::Journal;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{TokenError, TokenService};

mod counter_support;
use counter_support::{
    PIN, add_point, china_today, open_counter, operator_on_token, pin, private_keyring,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_signs_the_day_on_their_operator_token() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    add_point(&ca, "BJ01", "北京受理点");
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    let mut on_token = async |label: &str, name: &str, roles: &[&str]| {
        operator_on_token(&ca, &hsm, &svc, &mut journal, "BJ01", label, name, roles).await
    };
    let (_, clerk_token) = on_token("CLERK", "王受理", &["clerk"]).await;
    let (boss_id, boss_token) = on_token("BOSS", "赵主管", &["supervisor"]).await;
    let clerk = open_counter(&ca, &svc, "certdesk-test-close-clerk").await;
    let boss = open_counter(&ca, &svc, "certdesk-test-close-boss").await;
    clerk.sign_in(clerk_token, pin(PIN), false).await.unwrap();
    boss.sign_in(boss_token, pin(PIN), false).await.unwrap();

    // Cash for an order, and nothing made.
    let persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let mut applicant = CaClient::new(ca.url()).unwrap();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, "sandbox-rsa")
        .await
        .unwrap();
    let case = clerk.cases().open(&order.id, None).await.unwrap();
    let paid = clerk
        .cases()
        .record_payment(
            &case.id,
            &CounterPaymentInput::Cash {
                receipt: "RCPT-7001".into(),
            },
            None,
        )
        .await
        .unwrap();

    let day = china_today();
    assert!(matches!(
        clerk.daily_close(&day).await,
        Err(CaseError::RoleMissing)
    ));
    let open = boss.daily_close(&day).await.unwrap();
    assert_eq!(open.status, CloseStatus::Open);
    assert_eq!(open.document.point.paid_fen, paid.amount_fen);
    let [diff] = open.document.differences.as_slice() else {
        panic!("{:?}", open.document.differences)
    };
    assert_eq!(diff.kind, DifferenceKind::PaidNotMade);

    // Unexplained: refused before the token is asked.
    assert!(matches!(
        boss.sign_daily_close(&day, &[], pin(PIN), false).await,
        Err(CaseError::Unexplained)
    ));
    let explained = [(diff.id.clone(), "申请人明日来取，先收款".to_owned())];
    // A wrong PIN: the token refuses, nothing is signed.
    let wrong = boss
        .sign_daily_close(&day, &explained, pin("97310864"), false)
        .await;
    assert!(
        matches!(
            wrong,
            Err(CaseError::Counter(CounterError::Token(
                TokenError::PinIncorrect { .. }
            )))
        ),
        "{wrong:?}"
    );
    assert_eq!(
        boss.daily_close(&day).await.unwrap().status,
        CloseStatus::Open
    );

    let signed = boss
        .sign_daily_close(&day, &explained, pin(PIN), false)
        .await
        .unwrap();
    assert_eq!(signed.status, CloseStatus::Signed);
    let sig = signed.signature.as_ref().unwrap();
    assert_eq!(sig.operator_id, boss_id);
    assert_eq!(
        signed.document.differences[0].explanation.as_deref(),
        Some("申请人明日来取，先收款")
    );
    assert!(matches!(
        boss.sign_daily_close(&day, &explained, pin(PIN), false)
            .await,
        Err(CaseError::AlreadyClosed)
    ));
    let corrected = boss
        .correct_daily_close(&day, " 收据号应为 RCPT-7002 ")
        .await
        .unwrap();
    assert_eq!(corrected.corrections[0].text, "收据号应为 RCPT-7002");
    assert_eq!(corrected.document, signed.document);
    let pdf = boss.daily_close_report(&day).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    let data = ca.data_dir().to_str().unwrap().to_owned();
    let verified = certdesk_testkit::ca::ca_command(&["close", "verify", "--data", &data]).unwrap();
    assert!(verified.contains("1 signed"), "{verified}");
}
