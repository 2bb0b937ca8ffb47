//! Damaged objects (what a token pulled mid-write leaves) on SoftHSM2.
#![allow(clippy::unwrap_used)]

mod common;

use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn softhsm_damaged_objects() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("CD-DEBRIS", SO_PIN, USER_PIN).unwrap();
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: SoftHsm::module().unwrap(),
        serial,
    };
    damaged_objects_are_listed_reported_and_removed(&svc, &token).await;
    svc.close_sessions().await.unwrap();
}
