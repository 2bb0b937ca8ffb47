//! The journaled download in process, against the real reference CA and SoftHSM2:
//! the token pulled (SoftHSM2's token directory moved away) at a step, and the CA killed
//! at a step, then put back and the download resumed: exactly one key paired with one
//! certificate on the token, no orphans, one certificate issued by the CA. Plus a dual
//! certificate download (signing + enveloped encryption key). Kill -9 of the process at
//! every step is in `crates/cli/tests/download.rs`.
#![allow(clippy::unwrap_used)]

mod download_support;

use std::sync::{Arc, Mutex};

use certdesk_core::enrollment::{
    DownloadStep, Journal, Progress, SandboxCaptcha, StepPhase, download,
};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use download_support::{Ca, PIN, approved_order, issued_by_ca, pairs, request};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_pulled_or_ca_down_mid_download_then_resumed() {
    let hsm = Arc::new(SoftHsm::new().unwrap());
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let pull_at = [
        DownloadStep::Login,
        DownloadStep::Keygen,
        DownloadStep::Csr,
        DownloadStep::WriteCertificate,
        DownloadStep::SelfTest,
    ];
    let ca_down_at = [
        DownloadStep::Authorise,
        DownloadStep::Finalize,
        DownloadStep::Confirm,
    ];
    let mut serials = Vec::new();
    for i in 0..pull_at.len() + ca_down_at.len() + 1 {
        serials.push(hsm.init_token(&format!("F{i}"), "12345678", PIN).unwrap());
    }
    let ca_data = tempfile::tempdir().unwrap();
    let ca = Arc::new(Mutex::new(Ca::start(ca_data.path())));
    let db = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&db.path().join("workflow.sqlite")).unwrap();
    let svc = TokenService::start().unwrap();
    let tok = |i: usize| TokenRef {
        module: module.clone(),
        serial: serials[i].clone(),
    };
    let mut n = 0;

    // ---- pre-flight refusals: nothing journaled, nothing spent ----
    {
        let url = ca.lock().unwrap().url.clone();
        let order = approved_order(&url, "sandbox-p256");
        let mut req = request(&url, &order, "no-such-serial");
        let err = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.code(), "no_token", "{err}");
        req.token.serial = None;
        let err = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.code(), "several_tokens", "{err}");
        assert!(journal.active_for(&order.application_id).unwrap().is_none());
        assert_eq!(issued_by_ca(ca_data.path(), &order.application_id), 0);
    }

    // ---- the token pulled when a step starts, re-inserted, resumed ----
    for step in pull_at {
        let url = ca.lock().unwrap().url.clone();
        let order = approved_order(&url, "sandbox-p256");
        let req = request(&url, &order, &serials[n]);
        let h = hsm.clone();
        let mut pulled = false;
        let mut progress = move |p: Progress| {
            if p.step == step && p.phase == StepPhase::Started && !pulled {
                pulled = true;
                h.unplug().unwrap();
            }
        };
        let err = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut progress)
            .await
            .unwrap_err();
        eprintln!("pulled at {step}: {} ({err})", err.code());
        hsm.replug().unwrap();
        let done = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("resume after pull at {step}: {e}"));
        assert!(done.resumed);
        assert_eq!(pairs(&svc, &tok(n), step.as_str()).await, 1);
        assert_eq!(issued_by_ca(ca_data.path(), &order.application_id), 1);
        n += 1;
    }

    // ---- the CA killed when a step starts, restarted on its data, resumed ----
    for step in ca_down_at {
        let url = ca.lock().unwrap().url.clone();
        let order = approved_order(&url, "sandbox-p256");
        let req = request(&url, &order, &serials[n]);
        let c = ca.clone();
        let mut killed = false;
        let mut progress = move |p: Progress| {
            if p.step == step && p.phase == StepPhase::Started && !killed {
                killed = true;
                c.lock().unwrap().kill();
            }
        };
        let err = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut progress)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "ca_unreachable", "CA down at {step}: {err}");
        // A new CA process on the same data (it listens on a new port).
        let url = {
            let mut guard = ca.lock().unwrap();
            *guard = Ca::start(ca_data.path());
            guard.url.clone()
        };
        let req = request(&url, &order, &serials[n]);
        let done = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("resume after CA down at {step}: {e}"));
        assert!(done.resumed);
        assert_eq!(pairs(&svc, &tok(n), step.as_str()).await, 1);
        assert_eq!(issued_by_ca(ca_data.path(), &order.application_id), 1);
        n += 1;
    }

    // ---- a dual-certificate channel: signing + enveloped encryption key ----
    let url = ca.lock().unwrap().url.clone();
    let order = approved_order(&url, "sandbox-dual");
    let req = request(&url, &order, &serials[n]);
    let mut steps = Vec::new();
    let done = download(
        &svc,
        &mut journal,
        &req,
        &SandboxCaptcha,
        &mut |p: Progress| steps.push((p.step, p.phase)),
    )
    .await
    .unwrap();
    assert!(done.encryption_certificate_serial.is_some());
    assert!(steps.contains(&(DownloadStep::ImportEnvelope, StepPhase::Done)));
    assert_eq!(pairs(&svc, &tok(n), "dual").await, 2);
    // Done is done: the same download again says the certificate is already on the
    // token (success, not an error) before anything is spent.
    let again = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
        .await
        .unwrap();
    assert!(again.already_on_token);
    assert_eq!(again.certificate_serial, done.certificate_serial);
    assert_eq!(
        again.encryption_certificate_serial,
        done.encryption_certificate_serial
    );
    assert_eq!(pairs(&svc, &tok(n), "dual, again").await, 2);
    // Journal: every step has a begin and an end, in order; nothing secret in it.
    let entry = journal.latest_for(&order.application_id).unwrap().unwrap();
    let records = journal.steps(entry.id).unwrap();
    assert_eq!(records.len() % 2, 0);
    let text = format!("{entry:?} {records:?}");
    assert!(!text.contains(&order.card_password) && !text.contains(PIN));
    svc.close_sessions().await.unwrap();
}
