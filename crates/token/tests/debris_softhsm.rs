//! Damaged objects (what a token pulled mid-write leaves) on SoftHSM2.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn softhsm_damaged_objects() {
    // SAFETY: one test in this binary, before any PKCS#11 use.
    let (_hsm, svc, token) = unsafe { softhsm_token("CD-DEBRIS") };
    damaged_objects_are_listed_reported_and_removed(&svc, &token).await;
    svc.close_sessions().await.unwrap();
}
