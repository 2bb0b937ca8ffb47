//! A rescan (asked for by a page that wants to see re-inserted tokens) never ends the
//! login of an operation between its steps, on SoftHSM2.
#![allow(clippy::unwrap_used)]

mod common;

use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescan_keeps_a_login_and_rescans_otherwise() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("CD-RESCAN", SO_PIN, USER_PIN).unwrap();
    let module = SoftHsm::module().unwrap();
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial,
    };
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    assert!(svc.inventory(token.clone()).await.unwrap().logged_in);

    svc.rescan(module.clone()).await.unwrap();
    assert!(
        svc.inventory(token.clone()).await.unwrap().logged_in,
        "a rescan logged out an operation in progress"
    );

    // Logged out, a rescan does rescan: a token initialised since is then listed.
    svc.logout(token.clone()).await.unwrap();
    let second = hsm.init_token("CD-RESCAN-2", SO_PIN, USER_PIN).unwrap();
    svc.rescan(module.clone()).await.unwrap();
    let listed: Vec<String> = svc
        .list_tokens(module)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.serial)
        .collect();
    assert!(listed.contains(&second), "{listed:?}");
    svc.close_sessions().await.unwrap();
}
