//! Damaged objects (what a token pulled mid-write leaves) on Kryoptic.
#![allow(clippy::unwrap_used)]

mod common;

use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_token::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kryoptic_damaged_objects() {
    let kry = Kryoptic::new().unwrap();
    let serial = kry.init_token("CD-DEBRIS", SO_PIN, USER_PIN).unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { kry.install_env() };
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: Kryoptic::module().unwrap(),
        serial,
    };
    damaged_objects_are_listed_reported_and_removed(&svc, &token).await;
    svc.close_sessions().await.unwrap();
}
