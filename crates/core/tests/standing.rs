//! The CA's word on listed certificates against the reference CA process: a serial the
//! CA never issued keeps no standing (another CA's certificate on a shared token), a
//! remembered revocation survives a CA that is down, and the round says the CA was not
//! reached. (Valid → revoked by a reissue is covered end to end in the window suite.)
#![allow(clippy::unwrap_used)]

use certdesk_ca_api::download::RevocationReason;
use certdesk_ca_client::CaClient;
use certdesk_core::certificates::{CertificateCache, MyCertificate};
use certdesk_core::standing::{self, Standing, StandingError};
use certdesk_testkit::ca::CaService;
use certdesk_token::TokenRef;

include!("fixtures/listed.rs");

#[tokio::test]
async fn unknown_serials_stay_unchecked_and_a_down_ca_keeps_what_was_known() {
    let dir = tempfile::tempdir().unwrap();
    let cache = CertificateCache::open(&dir.path().join("w.sqlite")).unwrap();
    let mut ca = CaService::start().unwrap();
    let client = CaClient::new(ca.url()).unwrap();

    let mut certs = vec![listed("0badc0ffee", 0)];
    standing::refresh(&client, &cache, &mut certs, "t1")
        .await
        .unwrap();
    assert_eq!(certs[0].standing, None, "a serial this CA never issued");
    assert_eq!(cache.standing("0badc0ffee").unwrap(), None);

    let revoked = Standing::Revoked {
        revoked_at: "2026-11-20T08:00:00Z".into(),
        reason: Some(RevocationReason::KeyCompromise),
        checked_at: "t0".into(),
    };
    cache.record_standing("0badc0ffee", &revoked).unwrap();
    ca.stop();
    let mut certs = vec![listed("0badc0ffee", 0)];
    let e = standing::refresh(&client, &cache, &mut certs, "t2")
        .await
        .unwrap_err();
    assert!(
        matches!(e, StandingError::Ca(ref c) if c.is_transient()),
        "{e}"
    );
    assert_eq!(cache.standing("0badc0ffee").unwrap(), Some(revoked.clone()));
    // The list is shown with what was remembered.
    cache.attach_standing(&mut certs).unwrap();
    assert_eq!(certs[0].standing, Some(revoked));
}
