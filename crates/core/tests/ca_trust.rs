//! One transport, one trust: the status bar's probe, the environment check (环境检测) and
//! the certificate download reach the real reference CA through a TLS proxy whose
//! certificate comes from a private root made for this test. That root is in no OS
//! store; the one extra-roots setting (`CERTDESK_CA_EXTRA_ROOTS`) is the only way to
//! trust it. Without the setting all three refuse the TLS handshake for the same reason
//! (and nothing is spent or written); with it all three get through, and the download
//! puts one key and its certificate on the token.
#![allow(clippy::unwrap_used)]

mod download_support;

use certdesk_ca_client::{EXTRA_ROOTS_ENV, ProbeFailure};
use certdesk_core::ca_probe::{CaProbe, CaReachability, OfflineReason};
use certdesk_core::enrollment::{DownloadError, Journal, SandboxCaptcha, download};
use certdesk_diagnostics::{CaCheck, ClockCheck, check_ca};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_testkit::tls_proxy::TlsProxy;
use certdesk_token::{TokenRef, TokenService};
use download_support::{Ca, PIN, approved_order, issued_by_ca, pairs, request};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_bar_environment_check_and_download_agree_on_a_private_root() {
    // SAFETY: the only test in this binary; the environment changes only between the
    // phases below, while no other thread of the test reads it.
    unsafe { std::env::remove_var(EXTRA_ROOTS_ENV) };
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: as above, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("Trust", "12345678", PIN).unwrap();
    let token = TokenRef {
        module: SoftHsm::module().unwrap(),
        serial: serial.clone(),
    };
    let ca_data = tempfile::tempdir().unwrap();
    let ca = Ca::start(ca_data.path());
    let proxy = TlsProxy::start(&ca.url).unwrap();
    let https = proxy.url().to_owned();
    let order = approved_order(&ca.url, "sandbox-p256");
    let req = request(&https, &order, &serial);
    let db = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&db.path().join("workflow.sqlite")).unwrap();
    let svc = TokenService::start().unwrap();

    // ---- without the setting: one verdict, the TLS handshake failed ----
    let bar = CaProbe::default();
    let bar_reason = match bar.reach(&https).await {
        Err(ProbeFailure::Tls(detail)) => detail,
        other => panic!("status bar probe: {other:?}"),
    };
    // The status bar tells it apart from "not reached": retrying will not help.
    assert_eq!(
        bar.probe(Some(&https)).await,
        CaReachability::Offline {
            url: https.clone(),
            reason: OfflineReason::Untrusted
        }
    );
    let (env, clock) = check_ca(Some(&https)).await;
    let env_reason = match env {
        CaCheck::TlsFailed { url, detail } => {
            assert_eq!(url, https);
            detail
        }
        other => panic!("environment check: {other:?}"),
    };
    assert_eq!(clock, ClockCheck::Unknown);
    let refused = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
        .await
        .unwrap_err();
    let download_reason = match &refused {
        DownloadError::Ca(e) => e.tls_failure(),
        _ => None,
    }
    .unwrap_or_else(|| panic!("download: {refused:?}"));
    assert_eq!(refused.code(), "ca_unreachable");
    // The same reason everywhere: the private root is unknown.
    assert_eq!(bar_reason, env_reason);
    assert_eq!(env_reason, download_reason);
    assert!(env_reason.contains("UnknownIssuer"), "{env_reason}");
    // Refused in the pre-flight: no card spent, nothing journaled, nothing on the token.
    assert_eq!(issued_by_ca(ca_data.path(), &order.application_id), 0);
    assert!(journal.active_for(&order.application_id).unwrap().is_none());
    assert_eq!(pairs(&svc, &token, "refused").await, 0);

    // ---- with the setting: all three trust the private root ----
    // SAFETY: as above; nothing else runs between the phases.
    unsafe { std::env::set_var(EXTRA_ROOTS_ENV, proxy.root_pem()) };
    // The setting is read when a client is built (at start, in the app): a new prober.
    let bar = CaProbe::default();
    assert!(
        matches!(bar.probe(Some(&https)).await, CaReachability::Online { ref url, .. } if *url == https),
        "status bar with the setting"
    );
    let (env, clock) = check_ca(Some(&https)).await;
    assert!(
        matches!(env, CaCheck::Online { tls: true, .. }),
        "environment check with the setting: {env:?}"
    );
    assert!(matches!(clock, ClockCheck::InSync { .. }), "{clock:?}");
    let done = download(&svc, &mut journal, &req, &SandboxCaptcha, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(done.application_id, order.application_id);
    assert_eq!(issued_by_ca(ca_data.path(), &order.application_id), 1);
    assert_eq!(pairs(&svc, &token, "downloaded").await, 1);

    // A setting naming no usable file is refused by all, never silently ignored.
    let bogus = db.path().join("no-roots.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    // SAFETY: as above.
    unsafe { std::env::set_var(EXTRA_ROOTS_ENV, &bogus) };
    assert!(matches!(
        CaProbe::default().reach(&https).await,
        Err(ProbeFailure::Tls(_))
    ));
    assert!(matches!(
        check_ca(Some(&https)).await.0,
        CaCheck::TlsFailed { .. }
    ));
    svc.close_sessions().await.ok();
}
