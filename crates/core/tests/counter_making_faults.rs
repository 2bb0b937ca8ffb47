//! Making at the counter interrupted (issue 13 item 6: "a crash, a pulled token or the CA
//! down at any step resumes to exactly one key with one certificate"), against the real
//! CA on loopback and SoftHSM2. The process is aborted by the fault injector
//! (`CERTDESK_FAULT_AFTER`: no destructors, no flush, like `kill -9`) in a child process
//! in the middle of keygen, after keygen, after the certificate write, after the CA
//! answered confirm (before the journal heard of it: the case's enrollment is then refused
//! and the journaled certificate found confirmed), and between the token's initialisation
//! and its SO PIN change; the CA is stopped when finalize starts; the token is pulled when
//! the certificate write starts. Each time the next `make` of the same case resumes the
//! journaled making: one key, one certificate on the token, one certificate issued by the
//! CA, the serial recorded.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use certdesk_core::counter::{MakingProgress, MakingStep};
use certdesk_core::enrollment::{DownloadStep, Journal, StepPhase, TokenChoice};
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{TokenRef, TokenService};

mod counter_support;
use counter_support::{PIN, Staffed, approved_walk_in, pairs_with, pin, private_keyring, staffed};

const APPLICANT_PIN: &str = "73915824";
/// Set in the child process: the making to run (see [`child`]).
const CHILD_ENV: &str = "CERTDESK_TEST_MAKING_CHILD";
const TEST_NAME: &str =
    "making_interrupted_by_a_crash_the_ca_or_a_pull_resumes_to_one_key_and_one_certificate";

fn blank(module: &Path) -> TokenChoice {
    TokenChoice {
        modules: vec![module.to_path_buf()],
        serial: Some(String::new()),
    }
}

/// Runs the making in a child process told to abort at `fault`; returns once it died.
fn crash_making(hsm: &SoftHsm, db: &Path, url: &str, operator: &TokenRef, case: &str, fault: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(hsm.env().0, hsm.env().1)
        .env(CHILD_ENV, "1")
        .env("CERTDESK_FAULT_AFTER", fault)
        .env("CHILD_DB", db)
        .env("CHILD_CA", url)
        .env("CHILD_MODULE", &operator.module)
        .env("CHILD_OPERATOR", &operator.serial)
        .env("CHILD_CASE", case)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains(&format!("fault injected after {fault}")),
        "the child should have aborted at {fault}: {:?}\n{stderr}",
        out.status
    );
}

/// The child: the clerk signs in on a counter of its own and makes the case's token,
/// which the fault injector aborts.
async fn child() {
    let var = |k: &str| std::env::var(k).unwrap();
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(Path::new(&var("CHILD_DB"))).unwrap();
    let module = PathBuf::from(var("CHILD_MODULE"));
    let operator = TokenRef {
        module: module.clone(),
        serial: var("CHILD_OPERATOR"),
    };
    let counter = certdesk_core::counter::Counter::open(
        certdesk_core::counter::CounterConfig {
            ca_url: var("CHILD_CA"),
            client: Default::default(),
            keychain: certdesk_core::keychain::Keychain::new("certdesk-test-making-child"),
            idle_minutes: 10,
        },
        svc.clone(),
    )
    .await
    .unwrap();
    counter.sign_in(operator, pin(PIN), false).await.unwrap();
    let r = counter
        .making()
        .make(
            &mut journal,
            &var("CHILD_CASE"),
            &blank(&module),
            pin(APPLICANT_PIN),
            &mut |_| {},
        )
        .await;
    // Reaching this line means the fault point was never hit.
    eprintln!(
        "making ended without the injected fault: {:?}",
        r.map(|_| ())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn making_interrupted_by_a_crash_the_ca_or_a_pull_resumes_to_one_key_and_one_certificate() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child().await;
    }
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: the only test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let mut ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("core.sqlite");
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&db).unwrap();
    let Staffed {
        clerk,
        clerk_token,
        reviewer,
        ..
    } = staffed(&ca, &hsm, &svc, &mut journal, "certdesk-test-making-faults").await;

    // Checks after a resumed making: one key, one certificate, one issuance, recorded.
    macro_rules! resumed_to_one {
        ($case:expr, $label:expr) => {{
            let made = clerk
                .making()
                .make(
                    &mut journal,
                    &$case.id,
                    &blank(&module),
                    pin(APPLICANT_PIN),
                    &mut |_| {},
                )
                .await
                .unwrap_or_else(|e| panic!("resume after {}: {e:?}", $label));
            assert!(made.certificate.resumed, "{}", $label);
            assert!(made.test_signature_ok);
            let token = TokenRef {
                module: module.clone(),
                serial: made.token_serial.clone(),
            };
            assert_eq!(
                pairs_with(&svc, &token, APPLICANT_PIN).await,
                (1, 1),
                "{}",
                $label
            );
            assert_eq!(
                certdesk_testkit::ca::issued_for(ca.data_dir(), &$case.application.id).unwrap(),
                1,
                "{}",
                $label
            );
            let at_ca = clerk.cases().get(&$case.id).await.unwrap();
            assert_eq!(
                at_ca.making.map(|m| m.token_serial),
                Some(made.token_serial.clone()),
                "{}",
                $label
            );
            eprintln!("{}: resumed to one key and one certificate", $label);
        }};
    }

    // ---- the process killed: in keygen, after keygen, after the write, after confirm ----
    for fault in [
        "keygen:generated",
        "keygen",
        "write-certificate",
        "confirm:op",
    ] {
        let (case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256").await;
        crash_making(&hsm, &db, ca.url(), &clerk_token, &case.id, fault);
        let active = journal.active_for(&case.application.id).unwrap().unwrap();
        assert_eq!(
            active.kind,
            certdesk_core::enrollment::EntryKind::CounterMaking {
                case_id: case.id.clone()
            }
        );
        resumed_to_one!(case, format!("crash at {fault}"));
    }

    // ---- the process killed between C_InitToken and the SO PIN change ----
    {
        let (case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256").await;
        crash_making(
            &hsm,
            &db,
            ca.url(),
            &clerk_token,
            &case.id,
            "init-token:initialised",
        );
        assert!(journal.active_for(&case.application.id).unwrap().is_none());
        // The clerk picks the token that was initialised (by its serial).
        let org = &case.application.input.enterprise.as_ref().unwrap().name;
        svc.rescan(module.clone()).await.unwrap();
        let inited = svc
            .list_tokens(module.clone())
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.token_initialized && !t.label.is_empty() && org.starts_with(&t.label))
            .unwrap();
        let made = clerk
            .making()
            .make(
                &mut journal,
                &case.id,
                &TokenChoice {
                    modules: vec![module.clone()],
                    serial: Some(inited.serial.clone()),
                },
                pin(APPLICANT_PIN),
                &mut |_| {},
            )
            .await
            .unwrap();
        assert!(!made.initialised && made.test_signature_ok);
        assert_eq!(pairs_with(&svc, &inited.token, APPLICANT_PIN).await, (1, 1));
        // Its SO PIN is now the CA's for its serial, not the transitional one.
        let own = clerk
            .session_client()
            .unwrap()
            .case_so_pin(&case.id, Some(&inited.serial))
            .await
            .unwrap();
        svc.reset_user_pin(inited.token.clone(), own, pin(APPLICANT_PIN))
            .await
            .unwrap();
        eprintln!("crash at init-token:initialised: made on the initialised token, SO PIN settled");
    }

    // ---- the CA down when finalize starts, back on the same address ----
    {
        let (case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256").await;
        let mut stopped = false;
        let ca_ref = &mut ca;
        let mut progress = |p: MakingProgress| {
            if p.step == MakingStep::Transaction(DownloadStep::Finalize)
                && p.phase == StepPhase::Started
                && !stopped
            {
                stopped = true;
                ca_ref.stop();
            }
        };
        let e = clerk
            .making()
            .make(
                &mut journal,
                &case.id,
                &blank(&module),
                pin(APPLICANT_PIN),
                &mut progress,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "ca_unreachable", "{e:?}");
        ca.restart().unwrap();
        resumed_to_one!(case, "CA down at finalize");
    }

    // ---- the token pulled when the certificate write starts, put back ----
    {
        let (case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256").await;
        let mut pulled = false;
        let h = &hsm;
        let mut progress = |p: MakingProgress| {
            if p.step == MakingStep::Transaction(DownloadStep::WriteCertificate)
                && p.phase == StepPhase::Started
                && !pulled
            {
                pulled = true;
                h.unplug().unwrap();
            }
        };
        let e = clerk
            .making()
            .make(
                &mut journal,
                &case.id,
                &blank(&module),
                pin(APPLICANT_PIN),
                &mut progress,
            )
            .await
            .unwrap_err();
        eprintln!("pulled at write-certificate: {} ({e})", e.code());
        hsm.replug().unwrap();
        resumed_to_one!(case, "token pulled at write-certificate");
    }
}
