//! The environment check against real components: the reference CA on loopback (online,
//! wrong answer, refused, a TLS handshake against a plain-HTTP port), SoftHSM2 through
//! its PKCS#11 module, a file that is not a module, and a bundle read back.

use std::io::Read;

use certdesk_diagnostics::{BundleInput, Scope, check_ca, check_modules, run, write_bundle};
use certdesk_diagnostics::{CaCheck, ClockCheck, ModuleCheck};
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::PinState as PinStatus;
use certdesk_token::TokenService;

#[tokio::test]
async fn ca_online_wrong_answer_refused_and_tls_failure() -> anyhow::Result<()> {
    let ca = CaService::start()?;

    let (online, clock) = check_ca(Some(ca.url())).await;
    assert!(
        matches!(online, CaCheck::Online { tls: false, .. }),
        "{online:?}"
    );
    // Same machine, same clock: well inside the tolerance.
    match clock {
        ClockCheck::InSync { skew_seconds } => assert!(skew_seconds.abs() <= 2),
        other => panic!("clock {other:?}"),
    }

    // A web server that is not the CA's API answers 404 for /healthz.
    let (wrong, _) = check_ca(Some(&format!("{}/sandbox", ca.url()))).await;
    assert!(
        matches!(wrong, CaCheck::BadAnswer { status: 404, .. }),
        "{wrong:?}"
    );

    // https to a plain-HTTP port: connected, but the handshake fails.
    let https = ca.url().replacen("http://", "https://", 1);
    let (tls, clock) = check_ca(Some(&https)).await;
    assert!(matches!(tls, CaCheck::TlsFailed { .. }), "{tls:?}");
    assert_eq!(clock, ClockCheck::Unknown);

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let (down, _) = check_ca(Some(&format!("http://127.0.0.1:{port}"))).await;
    assert!(matches!(down, CaCheck::Unreachable { .. }), "{down:?}");

    let (none, clock) = check_ca(None).await;
    assert_eq!((none, clock), (CaCheck::NotConfigured, ClockCheck::Unknown));
    Ok(())
}

#[tokio::test]
async fn modules_tokens_and_a_broken_module() -> anyhow::Result<()> {
    let hsm = SoftHsm::new()?;
    // SAFETY: the only SoftHSM2 test in this binary, before any module is loaded.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("Diag Key", "87654321", "12345678")?;
    let bogus_dir = tempfile::tempdir()?;
    let bogus = bogus_dir.path().join("libnot-a-module.so");
    std::fs::write(&bogus, b"not a shared library")?;

    let svc = TokenService::start()?;
    let checks = check_modules(&svc, &[SoftHsm::module()?, bogus.clone()], true).await;
    assert_eq!(checks.len(), 2, "{checks:?}");
    let loaded = checks
        .iter()
        .find_map(|c| match c {
            ModuleCheck::Loaded { tokens, .. } => Some(tokens),
            ModuleCheck::Broken { .. } => None,
        })
        .expect("SoftHSM2 loads");
    let token = loaded
        .iter()
        .find(|t| t.serial == serial)
        .expect("the token is listed");
    assert_eq!(token.label, "Diag Key");
    assert!(token.initialized);
    assert_eq!(token.pin, PinStatus::Ok);
    assert!(
        checks.iter().any(|c| matches!(c, ModuleCheck::Broken { path, .. } if path == &bogus.display().to_string())),
        "{checks:?}"
    );

    // The bundle: the report, versions and a scrubbed log, read back from the zip.
    let logs = tempfile::tempdir()?;
    std::fs::write(
        logs.path().join("certdesk.log.2026-11-21"),
        "INFO sign-in phone=13812345678 id=11010519491231002X\nINFO download step=finalize done\n",
    )?;
    let out = tempfile::tempdir()?;
    let mut report = run(
        &svc,
        &Scope {
            user_modules: &[SoftHsm::module()?],
            only_user_modules: true,
            ca_url: None,
        },
    )
    .await;
    report.app_version = "9.9.9".into();
    let bundle = write_bundle(&BundleInput {
        report: &report,
        log_dir: logs.path(),
        out_dir: out.path(),
        about: vec![("CA", "not configured".into())],
        self_check: Some(r#"{"token":{"serial":"DIAG-SELF-CHECK"}}"#.into()),
    })?;
    assert!(bundle.bytes > 0);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&bundle.path)?)?;
    let mut read = |name: &str| -> anyhow::Result<String> {
        let mut s = String::new();
        zip.by_name(name)?.read_to_string(&mut s)?;
        Ok(s)
    };
    let report_json = read("report.json")?;
    assert!(report_json.contains("Diag Key"), "{report_json}");
    assert!(read("about.txt")?.contains("CertDesk 9.9.9"));
    assert!(read("self-check.json")?.contains("DIAG-SELF-CHECK"));
    let log = read("logs/certdesk.log.2026-11-21")?;
    assert!(log.contains("step=finalize done"), "{log}");
    assert!(
        !log.contains("13812345678") && !log.contains("11010519491231002X"),
        "{log}"
    );
    svc.close_sessions().await.ok();
    Ok(())
}
