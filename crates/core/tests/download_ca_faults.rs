//! The journaled download against a CA whose every call can fail on the wire: the real
//! reference CA behind a fault-injecting proxy (testkit `FaultProxy`) answering an error
//! status, garbage, or dropping the connection after the CA did the work. For each call
//! the download makes and each fault: the run fails with a CA error code that carries no
//! secret, the next run (faults cleared) resumes to exactly one key paired with one
//! certificate on the token, no orphans, and the CA issued exactly one certificate.
//! A single transient 503 is retried with the same Idempotency-Key and never surfaces.
//! Each call also goes unanswered once past the client's 30 s timeout: retried where the
//! call is retryable, else failed and resumed, to the same one pair and one issuance.
#![allow(clippy::unwrap_used)]

mod download_support;

use std::collections::BTreeSet;
use std::time::Duration;

use certdesk_core::enrollment::{Journal, SandboxCaptcha, download};
use certdesk_testkit::fault_proxy::{Fault, FaultProxy};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use download_support::{Ca, PIN, approved_order, issued_by_ca, pairs, request};

/// Every CA call the download may make, by path prefix. A call not listed fails the
/// test, so a new call cannot escape the fault matrix.
const CALLS: &[&str] = &[
    "/healthz",
    "/v1/captchas",
    "/sandbox/captchas/",
    "/v1/downloads/lookup",
    "/v1/downloads/authorise",
    "/v1/enrollments/finalize",
    "/v1/ca/",
    "/v1/certificates/",
    "/v1/enrollments/confirm",
];

fn prefix_of(call: &str) -> &'static str {
    let path = call.split_once(' ').map_or(call, |(_, p)| p);
    CALLS
        .iter()
        .find(|p| path.starts_with(**p))
        .unwrap_or_else(|| panic!("the download made a call the fault matrix lacks: {call}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ca_call_failing_on_the_wire_then_resumed() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let serial = hsm.init_token("CA faults", "12345678", PIN).unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial: serial.clone(),
    };
    let ca_data = tempfile::tempdir().unwrap();
    let ca = Ca::start(ca_data.path());
    let ca_url = ca.url.clone();
    let proxy = FaultProxy::start(&ca_url).unwrap();
    let db = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&db.path().join("workflow.sqlite")).unwrap();
    let svc = TokenService::start().unwrap();
    let mut on_token = 0;

    // A clean run teaches the calls the download makes.
    let order = approved_order(&ca_url, "sandbox-p256");
    let req = request(proxy.url(), &order, &serial);
    download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
        .await
        .unwrap();
    on_token += 1;
    let calls: BTreeSet<&str> = proxy.take_seen().iter().map(|c| prefix_of(c)).collect();
    assert!(calls.contains("/v1/enrollments/finalize"), "{calls:?}");

    // A single transient 503 on the issuing call is retried (same Idempotency-Key).
    let order = approved_order(&ca_url, "sandbox-p256");
    let req = request(proxy.url(), &order, &serial);
    proxy.inject("/v1/enrollments/finalize", Fault::Status(503), 1);
    let done = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
        .await
        .unwrap();
    assert!(!done.resumed);
    assert_eq!(proxy.take_faulted().len(), 1);
    assert_eq!(issued_by_ca(ca_data.path(), &order.application_id), 1);
    on_token += 1;

    for call in &calls {
        for fault in [Fault::Status(500), Fault::Garbage, Fault::DropAfter] {
            let label = format!("{fault:?} on {call}");
            let order = approved_order(&ca_url, "sandbox-p256");
            let req = request(proxy.url(), &order, &serial);
            // More than the client's retries: the fault persists for this run.
            proxy.inject(call, fault, 10);
            let first = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {}).await;
            proxy.clear();
            assert!(!proxy.take_faulted().is_empty(), "{label}: fault not hit");
            match first {
                Err(e) => {
                    assert!(
                        ["ca_unreachable", "ca_refused", "bad_issuance"].contains(&e.code()),
                        "{label}: {} ({e})",
                        e.code()
                    );
                    let text = format!("{e} {e:?}");
                    assert!(
                        !text.contains(&order.card_password) && !text.contains(PIN),
                        "{label}: a secret in the error: {text}"
                    );
                    // Failures before the card is authorised leave nothing to resume.
                    let had_entry = journal.active_for(&order.application_id).unwrap().is_some();
                    let done = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
                        .await
                        .unwrap_or_else(|e| panic!("{label}: resume failed: {e}"));
                    assert_eq!(done.resumed, had_entry, "{label}");
                }
                // Only a call the download can do without (none today) may be shrugged off.
                Ok(_) => panic!("{label}: the download ignored a failed CA call"),
            }
            assert_eq!(
                issued_by_ca(ca_data.path(), &order.application_id),
                1,
                "{label}: the CA must issue exactly one certificate"
            );
            assert!(
                journal.active_for(&order.application_id).unwrap().is_none(),
                "{label}"
            );
            on_token += 1;
            assert_eq!(pairs(&svc, &token, &label).await, on_token, "{label}");
            eprintln!("{label}: failed cleanly, resumed to one pair");
        }
    }

    // Silence past the client's timeout, once per call (a whole run per call: 30 s each).
    for call in &calls {
        let label = format!("timeout on {call}");
        let order = approved_order(&ca_url, "sandbox-p256");
        let req = request(proxy.url(), &order, &serial);
        proxy.inject(call, Fault::Hang(Duration::from_secs(31)), 1);
        let first = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {}).await;
        assert_eq!(proxy.take_faulted().len(), 1, "{label}: fault not hit");
        if let Err(e) = first {
            assert_eq!(e.code(), "ca_unreachable", "{label}: {e}");
            download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
                .await
                .unwrap_or_else(|e| panic!("{label}: resume failed: {e}"));
        }
        assert_eq!(
            issued_by_ca(ca_data.path(), &order.application_id),
            1,
            "{label}"
        );
        assert!(
            journal.active_for(&order.application_id).unwrap().is_none(),
            "{label}"
        );
        on_token += 1;
        assert_eq!(pairs(&svc, &token, &label).await, on_token, "{label}");
    }
    let _ = svc.close_sessions().await;
}
