//! A rescan (asked for by a page that wants to see re-inserted tokens) never ends the
//! login of an operation between its steps, on SoftHSM2.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescan_keeps_a_login_and_rescans_otherwise() {
    // SAFETY: one test in this binary, before any PKCS#11 use.
    let (hsm, svc, token) = unsafe { softhsm_token("CD-RESCAN") };
    let module = token.module.clone();
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
