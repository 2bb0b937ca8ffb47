//! Renewal in process, against the real reference CA (60-day certificates, so renewal
//! is open) and SoftHSM2: a wrong PIN changes nothing; the CA killed after the new key
//! was made leaves the token exactly as before (old certificate paired with its key, no
//! stray key); a renewal that goes through leaves one new certificate paired with its
//! key, the old one gone, and the CA's record of the new serial valid.
#![allow(clippy::unwrap_used)]

mod download_support;

use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use certdesk_ca_api::download::CertificateStatus;
use certdesk_core::enrollment::{
    Journal, RenewalRequest, RenewalStep, SandboxCaptcha, download, renew,
};
use certdesk_testkit::ca::{bin_dir, spawn_sandbox_on};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;

const PIN: &str = "13572468";

fn start_ca(data: &Path, channels: &Path) -> (Child, String) {
    spawn_sandbox_on(
        &bin_dir().unwrap().join("certdesk-ca"),
        data,
        "127.0.0.1:0",
        &["--channels".to_owned(), channels.display().to_string()],
        Stdio::null(),
    )
    .unwrap()
}

/// (serial, has key) of the end-entity certificates, and the number of private keys.
async fn on_token(svc: &TokenService, token: &TokenRef) -> (Vec<(String, bool)>, usize) {
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let certs = svc
        .list_certificates(token.clone())
        .await
        .unwrap()
        .into_iter()
        .filter(|c| !c.is_ca)
        .map(|c| (c.serial, c.has_private_key == Some(true)))
        .collect();
    let keys = svc.list_keys(token.clone()).await.unwrap();
    (certs, keys.iter().filter(|k| k.private).count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_keeps_the_old_certificate_until_the_new_one_is_verified() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let tmp = tempfile::tempdir().unwrap();
    let channels = download_support::sixty_day_channels(tmp.path());
    let ca_data = tmp.path().join("ca");
    std::fs::create_dir_all(&ca_data).unwrap();
    let (ca, url) = start_ca(&ca_data, &channels);
    let ca = Arc::new(Mutex::new(ca));
    let o = certdesk_ca_service::sandbox_flow::approved_order(&url, "sandbox-p256")
        .await
        .unwrap();
    let serial = hsm.init_token("RENEW", "12345678", PIN).unwrap();
    let token = TokenRef {
        module: SoftHsm::module().unwrap(),
        serial: serial.clone(),
    };
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    let done = download(
        &svc,
        &mut journal,
        &download_support::request(&url, &o, &serial),
        &SandboxCaptcha,
        &mut |_| {},
    )
    .await
    .unwrap();
    let old = done.certificate_serial.clone();
    svc.logout(token.clone()).await.unwrap();
    let req = |pin: &str| RenewalRequest {
        ca_url: url.clone(),
        token: token.clone(),
        serial: old.clone(),
        pin: SecretString::from(pin.to_string()),
        confirm_final_pin_try: false,
    };

    // A wrong PIN: refused before anything is asked of the CA or made on the token.
    let e = renew(&svc, &mut journal, &req("00000000"), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), "pin_incorrect");
    assert_eq!(on_token(&svc, &token).await, (vec![(old.clone(), true)], 1));
    svc.logout(token.clone()).await.unwrap();

    // The CA dies once the new key is being made: the new key is removed again and the
    // old certificate stays, paired with its key.
    let killer = ca.clone();
    let mut kill_at_keygen = move |s: RenewalStep| {
        if s == RenewalStep::Keygen {
            let mut c = killer.lock().unwrap();
            let _ = c.kill();
            let _ = c.wait();
        }
    };
    let e = renew(&svc, &mut journal, &req(PIN), &mut kill_at_keygen)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ca_unreachable", "{e}");
    assert_eq!(
        on_token(&svc, &token).await,
        (vec![(old.clone(), true)], 1),
        "the token holds exactly what it held before"
    );
    svc.logout(token.clone()).await.unwrap();

    // The CA is back (same data): the renewal goes through.
    let (ca2, url2) = start_ca(&ca_data, &channels);
    *ca.lock().unwrap() = ca2;
    let mut steps = Vec::new();
    let renewed = renew(
        &svc,
        &mut journal,
        &RenewalRequest {
            ca_url: url2.clone(),
            ..req(PIN)
        },
        &mut |s| steps.push(s),
    )
    .await
    .unwrap();
    assert_ne!(renewed.new_serial, old);
    assert_eq!(steps.last(), Some(&RenewalStep::RemoveOld));
    assert_eq!(
        on_token(&svc, &token).await,
        (vec![(renewed.new_serial.clone(), true)], 1)
    );
    let client = certdesk_ca_client::CaClient::new(&url2).unwrap();
    assert_eq!(
        client
            .certificate(&renewed.new_serial)
            .await
            .unwrap()
            .status,
        CertificateStatus::Valid
    );
    svc.close_sessions().await.unwrap();
    let mut c = ca.lock().unwrap();
    let _ = c.kill();
    let _ = c.wait();
}
