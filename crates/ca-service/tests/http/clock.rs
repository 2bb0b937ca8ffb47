//! The CA's one clock: movable only in a sandbox started with `--test-clock`, and read
//! by every expiry (the renewal window: `lifecycle_certs`; codes: `auth`; payments).

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::ListState;

use crate::common::*;

async fn post_clock(ca: &Ca) -> Raw {
    raw(ca
        .http()
        .post(format!("{}/sandbox/clock", ca.url))
        .json(&serde_json::json!({ "secs": 86_400 })))
    .await
}

#[tokio::test]
async fn the_clock_cannot_be_moved_without_the_test_flag() {
    let ca = Ca::start();
    post_clock(&ca).await.assert_problem(404, "not_found");
    let production = Ca::start_production("http://127.0.0.1:9");
    post_clock(&production)
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_session_ends_when_the_clock_passes_a_day() {
    let ca = Ca::start_with(&["--sandbox", "--test-clock"]);
    let (c, _) = ca.signed_in(seed()).await;
    c.list_applications(ListState::Unfinished, None, None)
        .await
        .unwrap();
    ca.advance_clock(23 * 3600).await;
    c.list_applications(ListState::Unfinished, None, None)
        .await
        .unwrap();
    ca.advance_clock(3600).await;
    let e = c
        .list_applications(ListState::Unfinished, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::Unauthorized));
}
