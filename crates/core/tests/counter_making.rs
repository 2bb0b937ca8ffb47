//! Making the applicant's USBKey at the counter (issue 13 item 6), in process, against
//! the real reference CA on loopback and SoftHSM2: an approved walk-in case is made on a
//! blank token (initialised with the organisation's label, the CA's SO PIN for it and the
//! applicant's PIN), by the download transaction authorised by the case; the test
//! signature verifies against the issued certificate (RSA and P-256); the CA records the
//! serial; the applicant's SMS code hands it over. Making again on the same token answers
//! "already made"; on another token it is refused; a foreign initialised token and a
//! trivial PIN are refused before anything is made. No PIN reaches the journal file.
//! Prints the time of each making step next to the raw token operations.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::counter::CaseStatus;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow;
use certdesk_core::counter::{Counter, Made, MakingError, MakingProgress, MakingStep};
use certdesk_core::enrollment::{Journal, StepPhase, TokenChoice};
use certdesk_core::pin_rules::PinRule;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{KeyAlgorithm, KeyPurpose, KeySpec, TokenRef, TokenService};

mod counter_support;
use counter_support::{PIN, Staffed, approved_walk_in, pairs_with, pin, private_keyring, staffed};

/// The applicant's PIN, typed on the customer window.
const APPLICANT_PIN: &str = "73915824";

/// The token with `serial` in `module` (`""`: the blank one).
fn on(module: &std::path::Path, serial: &str) -> TokenChoice {
    TokenChoice {
        modules: vec![module.to_path_buf()],
        serial: Some(serial.to_owned()),
    }
}

fn blank(module: &std::path::Path) -> TokenChoice {
    on(module, "")
}

/// One making without progress.
async fn make(
    counter: &Counter,
    journal: &mut Journal,
    case_id: &str,
    choice: &TokenChoice,
    user_pin: &str,
) -> Result<Made, MakingError> {
    counter
        .making()
        .make(journal, case_id, choice, pin(user_pin), &mut |_| {})
        .await
}

/// Records when each step started and ended.
fn recorder(log: &mut Vec<(MakingStep, StepPhase, Instant)>) -> impl FnMut(MakingProgress) + '_ {
    move |p: MakingProgress| log.push((p.step, p.phase, Instant::now()))
}

fn step_times(log: &[(MakingStep, StepPhase, Instant)]) -> Vec<(String, Duration)> {
    let mut started: HashMap<MakingStep, Instant> = HashMap::new();
    let mut out = Vec::new();
    for (step, phase, at) in log {
        match phase {
            StepPhase::Started => {
                started.insert(*step, *at);
            }
            StepPhase::Done => {
                if let Some(t0) = started.remove(step) {
                    let name = match step {
                        MakingStep::Transaction(s) => s.as_str().to_string(),
                        other => format!("{other:?}"),
                    };
                    out.push((name, *at - t0));
                }
            }
            StepPhase::Skipped => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_walk_in_is_made_on_a_blank_token_tested_recorded_and_handed_over() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let svc = TokenService::start().unwrap();
    let db_path = tmp.path().join("core.sqlite");
    let mut journal = Journal::open(&db_path).unwrap();
    let Staffed {
        clerk,
        reviewer,
        reviewer_token,
        ..
    } = staffed(&ca, &hsm, &svc, &mut journal, "certdesk-test-making").await;

    let (case, phone) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-rsa").await;

    // A reviewer cannot make (the CA's role check), and nothing is initialised for it.
    let e = make(
        &reviewer,
        &mut journal,
        &case.id,
        &blank(&module),
        APPLICANT_PIN,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "case_refused", "{e:?}");
    // A trivial PIN is refused before the token is touched.
    let e = make(&clerk, &mut journal, &case.id, &blank(&module), "123456")
        .await
        .unwrap_err();
    assert!(matches!(e, MakingError::PinRule(PinRule::Trivial)), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("123456"));
    // An initialised token that is not blank and that the applicant's PIN does not open.
    let foreign = hsm.init_token("SOMEONES", "11112222", "55556666").unwrap();
    let e = make(
        &clerk,
        &mut journal,
        &case.id,
        &on(&module, &foreign),
        APPLICANT_PIN,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, MakingError::TokenNotBlank), "{e:?}");
    // The reviewer's operator token holds another application's certificate.
    let e = make(
        &clerk,
        &mut journal,
        &case.id,
        &on(&module, &reviewer_token.serial),
        PIN,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, MakingError::TokenInUse), "{e:?}");

    // Made on the blank token.
    let mut log = Vec::new();
    let t0 = Instant::now();
    let made = clerk
        .making()
        .make(
            &mut journal,
            &case.id,
            &blank(&module),
            pin(APPLICANT_PIN),
            &mut recorder(&mut log),
        )
        .await
        .unwrap();
    let total = t0.elapsed();
    assert!(made.initialised && !made.already_made && made.test_signature_ok);
    assert!(!made.certificate.resumed);
    assert_eq!(made.test_signature_algorithm, "1.2.840.113549.1.1.11");
    let token = TokenRef {
        module: module.clone(),
        serial: made.token_serial.clone(),
    };
    let info = svc.token_info(token.clone()).await.unwrap();
    assert!(info.token_initialized && info.user_pin_initialized);
    assert!(
        case.application
            .input
            .enterprise
            .as_ref()
            .unwrap()
            .name
            .starts_with(&info.label),
        "label {:?}",
        info.label
    );
    // One key, one certificate, paired, opened by the applicant's PIN.
    assert_eq!(pairs_with(&svc, &token, APPLICANT_PIN).await, (1, 1));
    assert_eq!(
        certdesk_testkit::ca::issued_for(ca.data_dir(), &case.application.id).unwrap(),
        1
    );
    // The SO PIN is the CA's for this serial: with it the user PIN can be reset (unlock).
    let operator = clerk.session_client().unwrap();
    let so = operator
        .case_so_pin(&case.id, Some(&made.token_serial))
        .await
        .unwrap();
    svc.reset_user_pin(token.clone(), so, pin(APPLICANT_PIN))
        .await
        .unwrap();
    // The CA has the serial against the case, and the order is completed.
    let at_ca = clerk.cases().get(&case.id).await.unwrap();
    let making = at_ca.making.as_ref().unwrap();
    assert_eq!(making.token_serial, made.token_serial);
    assert_eq!(
        making.certificate_serial,
        made.certificate.certificate_serial
    );
    assert_eq!(at_ca.application.status, ApplicationStatus::Completed);

    // Hand-over: a wrong code is refused, the code from the SMS hands it over.
    let t = Instant::now();
    clerk.making().send_handover_code(&case.id).await.unwrap();
    let send_code = t.elapsed();
    let sandbox = CaClient::new(ca.url()).unwrap();
    let code = sandbox_flow::latest_code(&sandbox, &phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e = clerk
        .making()
        .hand_over(&case.id, &pin(wrong))
        .await
        .unwrap_err();
    assert!(matches!(e, MakingError::HandoverCodeRejected), "{e:?}");
    let t = Instant::now();
    let handed = clerk
        .making()
        .hand_over(&case.id, &pin(&code))
        .await
        .unwrap();
    let hand_over = t.elapsed();
    assert_eq!(handed.status, CaseStatus::HandedOver);

    // Again on the same token: already made, nothing new.
    let again = make(
        &clerk,
        &mut journal,
        &case.id,
        &on(&module, &made.token_serial),
        APPLICANT_PIN,
    )
    .await
    .unwrap();
    assert!(again.already_made && again.test_signature_ok);
    assert_eq!(
        again.certificate.certificate_serial,
        made.certificate.certificate_serial
    );
    assert_eq!(pairs_with(&svc, &token, APPLICANT_PIN).await, (1, 1));
    // On another (blank) token: refused, and that token is left blank.
    let e = make(
        &clerk,
        &mut journal,
        &case.id,
        &blank(&module),
        APPLICANT_PIN,
    )
    .await
    .unwrap_err();
    match &e {
        MakingError::MadeOnAnotherToken { token_serial } => {
            assert_eq!(*token_serial, made.token_serial)
        }
        other => panic!("{other:?}"),
    }
    assert!(
        svc.list_tokens(module.clone())
            .await
            .unwrap()
            .iter()
            .any(|t| !t.token_initialized)
    );
    assert_eq!(
        certdesk_testkit::ca::issued_for(ca.data_dir(), &case.application.id).unwrap(),
        1
    );

    // A P-256 channel: the test signature is ECDSA, verified the same way.
    let (p256_case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256").await;
    let mut p256_log = Vec::new();
    let t0 = Instant::now();
    let p256 = clerk
        .making()
        .make(
            &mut journal,
            &p256_case.id,
            &blank(&module),
            pin(APPLICANT_PIN),
            &mut recorder(&mut p256_log),
        )
        .await
        .unwrap();
    let p256_total = t0.elapsed();
    assert!(p256.test_signature_ok);
    assert_eq!(p256.test_signature_algorithm, "1.2.840.10045.4.3.2");
    assert_eq!(p256.certificate.key_algorithm, "ecdsa-p256");
    let p256_token = TokenRef {
        module: module.clone(),
        serial: p256.token_serial.clone(),
    };
    assert_eq!(pairs_with(&svc, &p256_token, APPLICANT_PIN).await, (1, 1));

    // An initialised token with nothing of CertDesk's that the applicant's PIN opens is
    // used as it is (not initialised again).
    let (ready_case, _) = approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256").await;
    let ready = hsm.init_token("READY", "11112222", APPLICANT_PIN).unwrap();
    let on_ready = make(
        &clerk,
        &mut journal,
        &ready_case.id,
        &on(&module, &ready),
        APPLICANT_PIN,
    )
    .await
    .unwrap();
    assert!(!on_ready.initialised && on_ready.test_signature_ok);
    assert_eq!(on_ready.token_serial, ready);
    let ready_token = TokenRef {
        module: module.clone(),
        serial: ready.clone(),
    };
    assert_eq!(pairs_with(&svc, &ready_token, APPLICANT_PIN).await, (1, 1));

    // No PIN in the journal's file (nor its WAL).
    drop(journal);
    for name in ["core.sqlite", "core.sqlite-wal"] {
        if let Ok(bytes) = std::fs::read(tmp.path().join(name)) {
            for secret in [APPLICANT_PIN, PIN] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{secret} found in {name}"
                );
            }
        }
    }
    let journal = Journal::open(&db_path).unwrap();
    let entry = journal.latest_for(&case.application.id).unwrap().unwrap();
    assert_eq!(
        entry.kind,
        certdesk_core::enrollment::EntryKind::CounterMaking {
            case_id: case.id.clone()
        }
    );

    // Raw token operations on SoftHSM2, for comparison with the steps above.
    let t = Instant::now();
    let scratch = svc
        .init_token(
            TokenRef {
                module: module.clone(),
                serial: String::new(),
            },
            "RAW".into(),
            pin("87654321"),
            pin(APPLICANT_PIN),
        )
        .await
        .unwrap();
    let raw_init = t.elapsed();
    let t = Instant::now();
    svc.login(scratch.token.clone(), pin(APPLICANT_PIN), false)
        .await
        .unwrap();
    let raw_login = t.elapsed();
    let mut raw = vec![
        ("init token (C_InitToken + C_InitPIN)", raw_init),
        ("login", raw_login),
    ];
    for (name, algorithm) in [
        ("keygen RSA-2048", KeyAlgorithm::Rsa2048),
        ("keygen P-256", KeyAlgorithm::EcP256),
    ] {
        let t = Instant::now();
        let key = svc
            .generate_key_pair(
                scratch.token.clone(),
                KeySpec {
                    algorithm,
                    purpose: KeyPurpose::Signing,
                    label: name.into(),
                    subject: None,
                },
            )
            .await
            .unwrap();
        raw.push((name, t.elapsed()));
        let t = Instant::now();
        svc.sign(scratch.token.clone(), key.id.clone(), b"raw".to_vec())
            .await
            .unwrap();
        raw.push((
            if algorithm == KeyAlgorithm::Rsa2048 {
                "sign RSA-2048"
            } else {
                "sign P-256"
            },
            t.elapsed(),
        ));
    }

    eprintln!("making on SoftHSM2 (debug build, loopback CA), per step: RSA-2048 | P-256");
    for ((step, rsa), (_, ec)) in step_times(&log).into_iter().zip(step_times(&p256_log)) {
        eprintln!(
            "  {step:<18} {:>8.1} ms | {:>8.1} ms",
            rsa.as_secs_f64() * 1e3,
            ec.as_secs_f64() * 1e3
        );
    }
    eprintln!(
        "  {:<18} {:>8.1} ms | {:>8.1} ms",
        "make() total",
        total.as_secs_f64() * 1e3,
        p256_total.as_secs_f64() * 1e3
    );
    eprintln!(
        "  {:<18} {:>8.1} ms",
        "send code",
        send_code.as_secs_f64() * 1e3
    );
    eprintln!(
        "  {:<18} {:>8.1} ms",
        "hand over",
        hand_over.as_secs_f64() * 1e3
    );
    eprintln!("raw token operations:");
    for (op, d) in raw {
        eprintln!("  {op:<36} {:>8.1} ms", d.as_secs_f64() * 1e3);
    }
}
