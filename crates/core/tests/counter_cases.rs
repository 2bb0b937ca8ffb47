//! The walk-in case over a signed-in operator's session, in process, against the real
//! reference CA on loopback and SoftHSM2 (issue 13 items 3a, 4, 5, 9): an applicant's
//! submitted online order is opened at the counter from its number and comes back
//! pre-filled; fields are checked and one corrected; the on-site identity check and a
//! cash payment are recorded; the clerk's own approve is refused by the CA with the
//! typed separation-of-duties error; a second operator, a reviewer, approves. Scanner
//! garbage and another point's case give their typed errors and send or change nothing.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use certdesk_ca_api::application::{ApplicationStatus, Person};
use certdesk_ca_api::channel::DocumentKind;
use certdesk_ca_api::counter::{CaseStatus, FieldOutcome, IdDocument};
use certdesk_ca_api::payment::PaymentStatus;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::counter::{
    CaseError, CounterError, CounterPaymentInput, CounterState, FieldVerdict, IdentityCheckInput,
    InputProblem,
};

fn fix(value: &str) -> FieldVerdict {
    FieldVerdict::Corrected(SecretString::from(value.to_owned()))
}
use certdesk_core::enrollment::Journal;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{SecretString, TokenService};

mod counter_support;
use counter_support::{PIN, add_point, open_counter, operator_on_token, pin, private_keyring};

/// Rows of the CA's per-operator open-attempt log (each open that reached the CA,
/// found or not, is one): the proof that refused input was never sent.
fn open_attempts(ca: &CaService, operator_id: &str) -> i64 {
    let db = rusqlite::Connection::open_with_flags(
        ca.data_dir().join("ca.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.query_row(
        "SELECT COUNT(*) FROM case_open_attempts WHERE operator_id = ?1",
        [operator_id],
        |r| r.get(0),
    )
    .unwrap()
}

fn timed<T>(times: &mut Vec<(&'static str, u128)>, step: &'static str, t0: Instant, v: T) -> T {
    times.push((step, t0.elapsed().as_micros()));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_in_from_an_online_order_is_checked_paid_and_approved_by_another_operator() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    add_point(&ca, "BJ01", "北京受理点");
    add_point(&ca, "GZ09", "广州受理点");
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    // The clerk also holds the reviewer role: separation of duties is per case, so its
    // own approve is refused for having entered the case, not for a missing role.
    let (clerk_id, clerk_token) = operator_on_token(
        &ca,
        &hsm,
        &svc,
        &mut journal,
        "BJ01",
        "CLERK",
        "王受理",
        &["clerk", "reviewer"],
    )
    .await;
    let (reviewer_id, reviewer_token) = operator_on_token(
        &ca,
        &hsm,
        &svc,
        &mut journal,
        "BJ01",
        "REVIEWER",
        "李审核",
        &["reviewer"],
    )
    .await;
    let (_, stranger_token) = operator_on_token(
        &ca,
        &hsm,
        &svc,
        &mut journal,
        "GZ09",
        "STRANGER",
        "陈广州",
        &["clerk", "reviewer"],
    )
    .await;
    let clerk = open_counter(&ca, &svc, "certdesk-test-cases-clerk").await;
    let reviewer = open_counter(&ca, &svc, "certdesk-test-cases-reviewer").await;
    let stranger = open_counter(&ca, &svc, "certdesk-test-cases-stranger").await;

    // An applicant who applied online and has not paid yet.
    let persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let mut applicant = CaClient::new(ca.url()).unwrap();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, "sandbox-rsa")
        .await
        .unwrap();
    assert_eq!(order.status, ApplicationStatus::AwaitingPayment);

    // Signed out: refused with the counter's own error, nothing sent.
    let e = clerk.cases().open(&order.id, None).await.unwrap_err();
    assert!(
        matches!(e, CaseError::Counter(CounterError::NotSignedIn)),
        "{e:?}"
    );
    assert_eq!(open_attempts(&ca, &clerk_id), 0);

    clerk.sign_in(clerk_token, pin(PIN), false).await.unwrap();
    reviewer
        .sign_in(reviewer_token, pin(PIN), false)
        .await
        .unwrap();
    stranger
        .sign_in(stranger_token, pin(PIN), false)
        .await
        .unwrap();
    let mut times = Vec::new();

    // The QR code scanned: the scanner's Enter is part of what it types.
    let t = Instant::now();
    let case = clerk
        .cases()
        .open(&format!("{}\r\n", order.id), None)
        .await
        .unwrap();
    let case = timed(&mut times, "open", t, case);
    assert_eq!(case.point_id, "BJ01");
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(case.opened_by, clerk_id);
    // Pre-filled with the applicant's own data and uploads.
    assert_eq!(case.application.id, order.id);
    let enterprise = case.application.input.enterprise.as_ref().unwrap();
    assert_eq!(enterprise.uscc, persona.company.uscc);
    assert_eq!(enterprise.name, persona.company.name);
    let handler = case.application.input.handler.as_ref().unwrap();
    assert_eq!(handler.name, persona.handler.name);
    let kinds: Vec<DocumentKind> = case.application.documents.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&DocumentKind::BusinessLicence), "{kinds:?}");
    let id_copy = counter_support::handler_copy(&case);

    // Scanner garbage: typed, naming the field, and never sent (the CA's count of open
    // attempts, which counts misses too, does not move).
    let before = open_attempts(&ca, &clerk_id);
    assert_eq!(before, 1);
    for (raw, problem) in [
        ("", InputProblem::Empty),
        (
            "app_abc\u{7}defghijkmnpqrstu",
            InputProblem::ControlCharacter,
        ),
        (
            "\u{1b}[2~app_abcdefghijkmnpqrstuv",
            InputProblem::ControlCharacter,
        ),
        ("app8abcdefghijkmnpqrstuv", InputProblem::Malformed),
        ("2026120600421", InputProblem::Malformed),
        (&"app_".repeat(100), InputProblem::TooLong),
    ] {
        let e = clerk.cases().open(raw, None).await.unwrap_err();
        assert!(
            matches!(&e, CaseError::InvalidInput { field: "order_number", problem: p } if *p == problem),
            "{raw:?}: {e:?}"
        );
    }
    assert_eq!(open_attempts(&ca, &clerk_id), before);
    // A well-formed number the CA does not know: the typed not-found.
    let e = clerk
        .cases()
        .open("app_abcdefghijkmnpqrstuv", None)
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::NotFound), "{e:?}");

    // The order number typed by hand opens the same case, but only with the
    // organisation's USCC from the licence: without one, or a malformed one, nothing is
    // sent; another organisation's is "not found" like an unknown number.
    assert_eq!(order.number.len(), 12);
    let sent = open_attempts(&ca, &clerk_id);
    for (uscc, problem) in [
        (None, InputProblem::Required),
        (Some("  "), InputProblem::Required),
        (
            Some(certdesk_ident::testing::uscc_bad_check(7).as_str()),
            InputProblem::Malformed,
        ),
    ] {
        let e = clerk.cases().open(&order.number, uscc).await.unwrap_err();
        assert!(
            matches!(&e, CaseError::InvalidInput { field: "uscc", problem: p } if *p == problem),
            "{uscc:?}: {e:?}"
        );
    }
    assert_eq!(open_attempts(&ca, &clerk_id), sent);
    let other = certdesk_ident::testing::uscc(rand::random::<u64>() % 1_000_000);
    let e = clerk
        .cases()
        .open(&order.number, Some(&other))
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::NotFound), "{e:?}");
    let typed = clerk
        .cases()
        .open(
            &format!(" {} ", order.number),
            Some(&persona.company.uscc.to_ascii_lowercase()),
        )
        .await
        .unwrap();
    assert_eq!(typed.id, case.id);

    // The clerk checks fields against the originals and corrects one.
    let t = Instant::now();
    let checked = clerk
        .cases()
        .check_field(&case.id, "enterprise.name", &FieldVerdict::Checked)
        .await
        .unwrap();
    timed(&mut times, "check field", t, ());
    clerk
        .cases()
        .check_field(&case.id, "enterprise.uscc", &FieldVerdict::Checked)
        .await
        .unwrap();
    assert_eq!(checked.checks[0].field, "enterprise.name");
    // A correction goes with the value from the original; the CA refuses a bad one with
    // its field error (the typed value is the UI's to keep), then takes a good one.
    let e = clerk
        .cases()
        .check_field(&case.id, "mailing.postcode", &fix("10002"))
        .await
        .unwrap_err();
    let said = format!("{e:?}");
    assert!(said.contains("mailing.postcode"), "{said}");
    let corrected = clerk
        .cases()
        .check_field(&case.id, "mailing.address", &fix("北京市朝阳区受理路 8 号"))
        .await
        .unwrap();
    assert_eq!(
        corrected
            .application
            .input
            .mailing
            .as_ref()
            .unwrap()
            .address,
        "北京市朝阳区受理路 8 号"
    );
    assert_eq!(corrected.corrections.len(), 1);
    assert_eq!(corrected.corrections[0].field, "mailing.address");
    // The reviewer reads the applicant's scans, the bytes the applicant uploaded.
    let doc = &case.application.documents[0];
    let t = Instant::now();
    let content = reviewer.cases().document(&case.id, &doc.id).await.unwrap();
    timed(&mut times, "read a scan", t, ());
    assert_eq!(content.content_type, doc.content_type);
    assert_eq!(content.bytes.len() as u64, doc.size);
    assert!(matches!(
        reviewer
            .cases()
            .document(&case.id, "not a document")
            .await
            .unwrap_err(),
        CaseError::InvalidInput {
            field: "document_id",
            ..
        }
    ));
    let outcomes: Vec<(&str, FieldOutcome)> = corrected
        .checks
        .iter()
        .map(|c| (c.field.as_str(), c.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("enterprise.name", FieldOutcome::Checked),
            ("enterprise.uscc", FieldOutcome::Checked),
            ("mailing.address", FieldOutcome::Corrected),
        ]
    );
    assert!(corrected.checks.iter().all(|c| c.operator_id == clerk_id));
    assert_eq!(corrected.editors, vec![clerk_id.clone()]);
    let e = clerk
        .cases()
        .check_field(&case.id, "Mailing..Address", &FieldVerdict::Checked)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CaseError::InvalidInput {
                field: "field",
                problem: InputProblem::Malformed
            }
        ),
        "{e:?}"
    );
    // A reviewer-only operator checks no fields: the CA's 403 forbidden, typed.
    let e = reviewer
        .cases()
        .check_field(&case.id, "enterprise.name", &FieldVerdict::Checked)
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::RoleMissing), "{e:?}");

    // The copy of the handler's ID card, scanned at the counter: checked before it goes
    // out (empty, over 5 MiB), a reviewer-only operator refused, then uploaded beside
    // the applicant's own scan and used as the check's copy.
    let png = sandbox_flow::png_bytes();
    let e = clerk
        .cases()
        .upload_copy(&case.id, Person::Handler, "copy.png", Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CaseError::InvalidInput {
                field: "file",
                problem: InputProblem::Empty
            }
        ),
        "{e:?}"
    );
    let e = clerk
        .cases()
        .upload_copy(
            &case.id,
            Person::Handler,
            "big.png",
            vec![0; 5 * 1024 * 1024 + 1],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CaseError::InvalidInput {
                field: "file",
                problem: InputProblem::TooLong
            }
        ),
        "{e:?}"
    );
    let e = reviewer
        .cases()
        .upload_copy(&case.id, Person::Handler, "copy.png", png.clone())
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::RoleMissing), "{e:?}");
    let scanned = clerk
        .cases()
        .upload_copy(&case.id, Person::Handler, "copy.png", png)
        .await
        .unwrap();
    assert_ne!(scanned, id_copy);
    let id_copy = scanned;

    // The handler came in person: the original seen, its number typed from it.
    let identity = |number: &str| IdentityCheckInput {
        person: Person::Handler,
        document: IdDocument::ResidentIdCard,
        id_number: SecretString::from(number.to_owned()),
        copy_document_id: id_copy.clone(),
        attested: true,
    };
    let mut wrong = persona.handler.id_number.clone();
    let last = if wrong.ends_with('1') { "2" } else { "1" };
    wrong.replace_range(wrong.len() - 1.., last);
    let e = clerk
        .cases()
        .record_identity(&case.id, &identity(&wrong))
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::IdentityMismatch), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(&wrong));
    let t = Instant::now();
    let identified = clerk
        .cases()
        .record_identity(&case.id, &identity(&persona.handler.id_number))
        .await
        .unwrap();
    timed(&mut times, "identity", t, ());
    assert_eq!(identified.identity_checks.len(), 1);
    assert_eq!(identified.identity_checks[0].person, Person::Handler);
    assert_eq!(identified.identity_checks[0].copy_document_id, id_copy);
    assert_eq!(identified.identity_checks[0].operator_id, clerk_id);

    // Cash at the counter, with the receipt number; a retry with the same key answers
    // the same record.
    let cash = CounterPaymentInput::Cash {
        receipt: "R-20261206-0001".into(),
    };
    let e = clerk
        .cases()
        .record_payment(
            &case.id,
            &CounterPaymentInput::Cash {
                receipt: "12".into(),
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            CaseError::InvalidInput {
                field: "reference",
                problem: InputProblem::Malformed
            }
        ),
        "{e:?}"
    );
    let t = Instant::now();
    let paid = clerk
        .cases()
        .record_payment(&case.id, &cash, Some("cash-1"))
        .await
        .unwrap();
    timed(&mut times, "cash payment", t, ());
    let again = clerk
        .cases()
        .record_payment(&case.id, &cash, Some("cash-1"))
        .await
        .unwrap();
    assert_eq!(again.id, paid.id);
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert_eq!(paid.reference.as_deref(), Some("R-20261206-0001"));
    assert_eq!(paid.operator_id, clerk_id);
    assert_eq!(paid.amount_fen, order.amount_fen);
    assert_eq!(
        clerk.cases().payments(&case.id).await.unwrap().items.len(),
        1
    );
    assert_eq!(
        applicant.application(&order.id).await.unwrap().status,
        ApplicationStatus::InReview
    );

    // Another point's case: the GZ09 operator opens its own walk-in; to BJ01 that case
    // does not exist in any verb, and nothing of it changes.
    let other_persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let mut other_applicant = CaClient::new(ca.url()).unwrap();
    sandbox_flow::sign_in(&mut other_applicant, &other_persona.handler.phone)
        .await
        .unwrap();
    let other_order = sandbox_flow::submitted(&other_applicant, &other_persona, "sandbox-rsa")
        .await
        .unwrap();
    let theirs = stranger.cases().open(&other_order.id, None).await.unwrap();
    assert_eq!(theirs.point_id, "GZ09");
    assert!(matches!(
        clerk.cases().get(&theirs.id).await.unwrap_err(),
        CaseError::NotFound
    ));
    assert!(matches!(
        clerk
            .cases()
            .check_field(&theirs.id, "enterprise.name", &fix("另一家公司"))
            .await
            .unwrap_err(),
        CaseError::NotFound
    ));
    assert!(matches!(
        reviewer.cases().approve(&theirs.id).await.unwrap_err(),
        CaseError::NotFound
    ));
    assert!(matches!(
        clerk
            .cases()
            .record_payment(&theirs.id, &cash, None)
            .await
            .unwrap_err(),
        CaseError::NotFound
    ));
    // Its order scanned at BJ01 while GZ09 serves it: the typed elsewhere, nothing of
    // GZ09's case in it.
    let e = clerk.cases().open(&other_order.id, None).await.unwrap_err();
    assert!(matches!(e, CaseError::CaseElsewhere), "{e:?}");
    let untouched = stranger.cases().get(&theirs.id).await.unwrap();
    assert_eq!(untouched.status, CaseStatus::Open);
    assert!(untouched.checks.is_empty());
    assert!(
        stranger
            .cases()
            .payments(&theirs.id)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // And BJ01's queue holds only its own case.
    let queue = reviewer.cases().queue(CaseStatus::Open).await.unwrap();
    let ids: Vec<&str> = queue.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, vec![case.id.as_str()]);

    // The clerk approving its own case: refused by the CA, typed.
    let e = clerk.cases().approve(&case.id).await.unwrap_err();
    assert!(matches!(e, CaseError::SeparationOfDuties), "{e:?}");
    let e = clerk
        .cases()
        .reject(&case.id, &["营业执照模糊".into()])
        .await
        .unwrap_err();
    assert!(matches!(e, CaseError::SeparationOfDuties), "{e:?}");
    assert_eq!(
        clerk.cases().get(&case.id).await.unwrap().status,
        CaseStatus::Open
    );

    // The reviewer approves.
    let t = Instant::now();
    let approved = reviewer.cases().approve(&case.id).await.unwrap();
    timed(&mut times, "approve", t, ());
    assert_eq!(approved.status, CaseStatus::Approved);
    assert_eq!(approved.application.status, ApplicationStatus::Approved);
    assert!(!approved.editors.contains(&reviewer_id));
    let e = reviewer.cases().approve(&case.id).await.unwrap_err();
    assert!(matches!(e, CaseError::InvalidState), "{e:?}");
    assert!(
        reviewer
            .cases()
            .queue(CaseStatus::Open)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let t = Instant::now();
    let read = clerk.cases().get(&case.id).await.unwrap();
    timed(&mut times, "read case", t, ());
    assert_eq!(read.status, CaseStatus::Approved);
    // Where a call's time goes: the session token read from the OS keychain (each
    // operation reads it: memory never holds it) and the bare HTTP round trip.
    const N: u32 = 20;
    let t = Instant::now();
    for _ in 0..N {
        clerk.session_client().unwrap();
    }
    timed(&mut times, "keychain read (mean of 20)", t, ());
    let bare = clerk.session_client().unwrap();
    let t = Instant::now();
    for _ in 0..N {
        bare.case(&case.id).await.unwrap();
    }
    timed(&mut times, "bare GET case (mean of 20)", t, ());
    for (step, us) in times.iter_mut() {
        if step.contains("mean of") {
            *us /= u128::from(N);
        }
    }

    // Locked: the case operations are refused with the counter's own error.
    clerk
        .lock(certdesk_core::counter::LockReason::Idle)
        .await
        .unwrap();
    assert!(matches!(clerk.state(), CounterState::Locked { .. }));
    let e = clerk.cases().get(&case.id).await.unwrap_err();
    assert!(
        matches!(e, CaseError::Counter(CounterError::NotSignedIn)),
        "{e:?}"
    );

    for c in [&clerk, &reviewer, &stranger] {
        c.sign_out().await.unwrap();
    }
    let line: Vec<String> = times
        .iter()
        .map(|(s, us)| format!("{s} {:.1} ms", *us as f64 / 1000.0))
        .collect();
    println!("counter cases (loopback CA): {}", line.join(", "));
}
