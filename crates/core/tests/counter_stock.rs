//! The point's token stock over a signed-in session (issue 14 item 2), in process,
//! against the real reference CA on loopback and SoftHSM2: serials pasted one per line
//! are checked here (a bad line named, nothing sent), received, counted, spoiled with a
//! reason; with the point's `stock_required` on, making onto a blank token outside the
//! stock is refused as soon as its serial is known (after initialising it, before any
//! key), and once the serial is received the same token is made and leaves the stock as
//! `made` for its case.
#![allow(clippy::unwrap_used)]

use certdesk_ca_api::stock::{StockRefusal, StockState};
use certdesk_core::counter::{CaseError, MakingError};
use certdesk_core::enrollment::{Journal, TokenChoice};
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::TokenService;

mod counter_support;
use counter_support::{Staffed, approved_walk_in, ca_cli, pin, private_keyring, staffed};

const APPLICANT_PIN: &str = "73915824";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_is_kept_and_a_token_outside_it_is_not_made_when_required() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    let Staffed {
        clerk, reviewer, ..
    } = staffed(&ca, &hsm, &svc, &mut journal, "certdesk-test-stock").await;

    // A misread line is named; nothing is sent.
    match clerk.receive_stock("ePass3003", "EP-1\nEP 2\n", None).await {
        Err(CaseError::InvalidFields { fields }) => assert_eq!(fields[0].field, "serials[2]"),
        other => panic!("{other:?}"),
    }
    assert!(clerk.stock(None, "").await.unwrap().counts.is_empty());

    let got = clerk
        .receive_stock("ePass3003", "EP-1\r\nEP-2\n\nEP-1\n", None)
        .await
        .unwrap();
    assert_eq!(got.received, ["EP-1", "EP-2"]);
    assert_eq!(got.refused[0].reason, StockRefusal::Repeated);
    let spoiled = clerk
        .change_stock("EP-2", StockState::Spoiled, " 外壳破裂 ")
        .await
        .unwrap();
    assert_eq!(spoiled.reason.as_deref(), Some("外壳破裂"));
    let stock = clerk.stock(None, "").await.unwrap();
    let c = &stock.counts[0];
    assert_eq!((c.in_stock, c.spoiled), (1, 1));
    // A reviewer does not keep the stock; a clerk does not switch it.
    assert!(matches!(
        reviewer.stock(None, "").await,
        Err(CaseError::RoleMissing)
    ));
    assert!(matches!(
        clerk.set_stock_required(true).await,
        Err(CaseError::RoleMissing)
    ));

    // Required (the CA's staff switch it here): a blank token's serial is known only
    // once initialised, and the making stops there, before any key.
    ca_cli(&ca, &["point", "stock-required", "BJ01", "on"]);
    let (case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-rsa").await;
    let blank = TokenChoice {
        modules: vec![module.clone()],
        serial: Some(String::new()),
    };
    let e = clerk
        .making()
        .make(
            &mut journal,
            &case.id,
            &blank,
            pin(APPLICANT_PIN),
            &mut |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(e, MakingError::NotInStock), "{e:?}");
    assert_eq!(e.code(), "token_not_in_stock");
    assert_eq!(
        certdesk_testkit::ca::issued_for(ca.data_dir(), &case.application.id).unwrap(),
        0
    );
    // The token now says its serial: received, it is made, and leaves the stock.
    let slots = svc.list_tokens(module.clone()).await.unwrap();
    let serial = slots
        .iter()
        .find(|t| !t.serial.is_empty() && t.label != "CLERK" && t.label != "REVIEWER")
        .map(|t| t.serial.clone())
        .unwrap();
    clerk.receive_stock("SoftHSM", &serial, None).await.unwrap();
    let on_it = TokenChoice {
        modules: vec![module.clone()],
        serial: Some(serial.clone()),
    };
    let made = clerk
        .making()
        .make(
            &mut journal,
            &case.id,
            &on_it,
            pin(APPLICANT_PIN),
            &mut |_| {},
        )
        .await
        .unwrap();
    assert_eq!(made.token_serial, serial);
    let made_stock = clerk.stock(Some(StockState::Made), "").await.unwrap();
    assert_eq!(made_stock.items.len(), 1);
    assert_eq!(made_stock.items[0].serial, serial);
    assert_eq!(
        made_stock.items[0].case_id.as_deref(),
        Some(case.id.as_str())
    );
}
