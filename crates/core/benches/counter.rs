//! A walk-in at the counter from "case opened" to "USBKey handed over" (issue 13), in
//! process against the reference CA on loopback and SoftHSM2: per step, the median over
//! ROUNDS walk-ins for each algorithm, next to the raw PKCS#11 operations making needs
//! (init, login, keygen, CSR, write, self-test, test signature) timed in the same run on
//! a scratch token. The clerk and the reviewer are two operators signed in with their
//! own operator tokens; the applicant's token is SoftHSM2's free (blank) slot each time.
//! Prints figures; no assertion.
//!
//! `cargo build -p certdesk-ca-service && cargo bench -p certdesk-core --bench counter`

#![allow(clippy::unwrap_used)]

#[path = "../tests/counter_support/mod.rs"]
mod counter_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use certdesk_ca_api::application::Person;
use certdesk_ca_api::counter::IdDocument;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::counter::{
    BatchItemState, BatchSetup, BatchStore, CounterPaymentInput, FieldVerdict, IdentityCheckInput,
    MakingProgress, MakingStep, core_code,
};
use certdesk_core::enrollment::{Journal, StepPhase, TokenChoice};
use certdesk_testkit::ca::CaService;
use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{KeyAlgorithm, KeyPurpose, KeySpec, SecretString, TokenRef, TokenService};
use counter_support::{Staffed, approved_walk_in, pin, private_keyring, staffed};

const ROUNDS: usize = 5;
/// Cases per batch run (P-256, SoftHSM2's blank slot each time).
const BATCH: usize = 12;
const APPLICANT_PIN: &str = "73915824";
/// The fields the desk asks the clerk to check against the originals (the window test
/// checks the same list by keyboard).
const FIELDS: [&str; 18] = [
    "enterprise.name",
    "enterprise.uscc",
    "enterprise.legal_rep_name",
    "enterprise.legal_rep_id_number",
    "enterprise.legal_rep_phone",
    "handler.name",
    "handler.id_number",
    "handler.phone",
    "handler.email",
    "certificate.province",
    "certificate.city",
    "invoice.title",
    "invoice.tax_number",
    "invoice.email",
    "mailing.recipient",
    "mailing.phone",
    "mailing.address",
    "mailing.postcode",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Times of one walk-in: the case steps in order, then making's own steps.
#[derive(Default)]
struct Round {
    steps: Vec<(&'static str, Duration)>,
    making: Vec<(String, Duration)>,
}

impl Round {
    async fn time<T>(&mut self, name: &'static str, f: impl Future<Output = T>) -> T {
        let t = Instant::now();
        let out = f.await;
        self.steps.push((name, t.elapsed()));
        out
    }
}

fn step_name(s: MakingStep) -> String {
    match s {
        MakingStep::Transaction(s) => s.as_str().to_string(),
        other => format!("{other:?}"),
    }
}

/// One walk-in from an online order on `channel`, through to hand-over.
async fn walk_in(ca: &CaService, staff: &Staffed, journal: &mut Journal, channel: &str) -> Round {
    let module = SoftHsm::module().unwrap();
    let persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let mut applicant = CaClient::new(ca.url()).unwrap();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, channel)
        .await
        .unwrap();
    let (clerk, reviewer) = (&staff.clerk, &staff.reviewer);
    let mut r = Round::default();
    let case = r
        .time("open case", clerk.cases().open(&order.id, None))
        .await
        .unwrap();
    r.time("check 18 fields", async {
        for f in FIELDS {
            clerk
                .cases()
                .check_field(&case.id, f, &FieldVerdict::Checked)
                .await
                .unwrap();
        }
    })
    .await;
    let copy = counter_support::handler_copy(&case);
    let identity = IdentityCheckInput {
        person: Person::Handler,
        document: IdDocument::ResidentIdCard,
        id_number: SecretString::from(persona.handler.id_number.clone()),
        copy_document_id: copy,
        attested: true,
    };
    r.time(
        "on-site identity",
        clerk.cases().record_identity(&case.id, &identity),
    )
    .await
    .unwrap();
    let slip = CounterPaymentInput::Pos {
        slip: format!("SLIP-{}", rand::random::<u32>()),
    };
    r.time(
        "payment (POS)",
        clerk.cases().record_payment(&case.id, &slip, None),
    )
    .await
    .unwrap();
    r.time("approve (reviewer)", reviewer.cases().approve(&case.id))
        .await
        .unwrap();
    let blank = TokenChoice {
        modules: vec![module],
        serial: Some(String::new()),
    };
    let mut log: Vec<(MakingStep, StepPhase, Instant)> = Vec::new();
    let mut record = |p: MakingProgress| log.push((p.step, p.phase, Instant::now()));
    r.time(
        "make the USBKey",
        clerk
            .making()
            .make(journal, &case.id, &blank, pin(APPLICANT_PIN), &mut record),
    )
    .await
    .unwrap();
    let mut started = BTreeMap::new();
    for (step, phase, at) in log {
        match phase {
            StepPhase::Started => {
                started.insert(step_name(step), at);
            }
            StepPhase::Done => {
                let name = step_name(step);
                if let Some(t0) = started.remove(&name) {
                    r.making.push((name, at - t0));
                }
            }
            StepPhase::Skipped => {}
        }
    }
    r.time(
        "send hand-over code",
        clerk.making().send_handover_code(&case.id),
    )
    .await
    .unwrap();
    let phone = case.application.input.contact_phone().unwrap().to_string();
    let code = sandbox_flow::latest_code(&applicant, &phone).await.unwrap();
    r.time(
        "hand over (code)",
        clerk.making().hand_over(&case.id, &pin(&code)),
    )
    .await
    .unwrap();
    r
}

/// The token operations of making, bare, on a scratch token of `hsm` (the issuing by
/// openssl is not counted).
async fn raw_token(svc: &TokenService, issuer: &TestCa, algorithm: KeyAlgorithm) -> Duration {
    let module = SoftHsm::module().unwrap();
    let mut raw = Duration::ZERO;
    let t = Instant::now();
    let made = svc
        .init_token(
            TokenRef {
                module,
                serial: String::new(),
            },
            "RAW".into(),
            pin("87654321"),
            pin(APPLICANT_PIN),
        )
        .await
        .unwrap();
    let token = made.token;
    svc.login(token.clone(), pin(APPLICANT_PIN), false)
        .await
        .unwrap();
    let key = svc
        .generate_key_pair(
            token.clone(),
            KeySpec {
                algorithm,
                purpose: KeyPurpose::Signing,
                label: "raw".into(),
                subject: None,
            },
        )
        .await
        .unwrap();
    let csr = svc
        .create_csr(token.clone(), key.id.clone(), "CN=raw".into())
        .await
        .unwrap();
    raw += t.elapsed();
    let cert = issuer.issue(&csr.der, Usage::Signing).unwrap();
    let t = Instant::now();
    svc.write_certificate(token.clone(), cert, vec![issuer.cert_der().unwrap()])
        .await
        .unwrap();
    svc.self_test(token.clone(), key.id.clone()).await.unwrap();
    svc.sign(token.clone(), key.id, b"test signature".to_vec())
        .await
        .unwrap();
    raw += t.elapsed();
    svc.logout(token).await.unwrap();
    raw
}

/// One batch of `BATCH` approved P-256 cases on `lanes`: wall time, and the time the
/// token worker spent on PKCS#11 calls (every token call, rescans included). A CA of
/// its own: the clerk's case-opening limit (30 in 10 minutes) is not a bench's pace.
async fn batch(
    hsm: &SoftHsm,
    svc: &TokenService,
    db: &std::path::Path,
    lanes: usize,
) -> (Duration, Duration) {
    let ca = CaService::start().unwrap();
    let ca = &ca;
    let mut journal = Journal::open(db).unwrap();
    let staff = &staffed(
        ca,
        hsm,
        svc,
        &mut journal,
        &format!("certdesk-bench-batch-{lanes}"),
    )
    .await;
    // The CA's first issuance on a channel makes its keys: not part of the batch.
    approved_walk_in(ca, &staff.clerk, &staff.reviewer, "sandbox-p256").await;
    // A counter has the operators' tokens and the batch's in its readers, not the dozens
    // the rounds above left in SoftHSM2's store (which every slot rescan reads).
    let module = SoftHsm::module().unwrap();
    let keep = [&staff.clerk_token.serial, &staff.reviewer_token.serial];
    for t in svc.list_tokens(module.clone()).await.unwrap() {
        if t.token_initialized && !keep.contains(&&t.serial) {
            hsm.delete_token(&t.serial).unwrap();
        }
    }
    svc.rescan(module).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..BATCH {
        let (case, _) = approved_walk_in(ca, &staff.clerk, &staff.reviewer, "sandbox-p256").await;
        ids.push(case.id);
    }
    let mut store = BatchStore::open(db).unwrap();
    let id = staff.clerk.batch().create(&mut store, &ids).await.unwrap();
    let modules = [SoftHsm::module().unwrap()];
    let setup = BatchSetup {
        db,
        modules: &modules,
        lanes,
        failure_code: core_code,
    };
    let (t, busy) = (Instant::now(), svc.busy_time());
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |e: certdesk_core::counter::BatchEvent| {
        let what = match e.step {
            Some(s) => step_name(s),
            None => format!("{:?}", e.state),
        };
        seen.lock()
            .unwrap()
            .push((e.position, what, Instant::now()));
    };
    let run = staff
        .clerk
        .batch()
        .run(&setup, &store, id, &Default::default(), &record)
        .await
        .unwrap();
    let (wall, busy) = (t.elapsed(), svc.busy_time() - busy);
    // Time from each event of an item to its next, by the earlier event's name.
    let seen = seen.into_inner().unwrap();
    let mut gaps: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for p in 0..BATCH as u32 {
        let mine: Vec<_> = seen.iter().filter(|e| e.0 == p).collect();
        for w in mine.windows(2) {
            gaps.entry(w[0].1.clone())
                .or_default()
                .push(w[1].2 - w[0].2);
        }
    }
    let detail: Vec<String> = gaps
        .into_iter()
        .map(|(s, v)| format!("{s} {:.1}", ms(median(v))))
        .collect();
    println!(
        "    {lanes} lane(s), per item from each step to the next: {}",
        detail.join(", ")
    );
    assert!(run.items.iter().all(|i| i.state == BatchItemState::Made));
    assert_eq!(run.mailers.len(), BATCH);
    (wall, busy)
}

fn main() {
    certdesk_testkit::ca::use_built_ca_binary().unwrap();
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: single-threaded here, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let ca = CaService::start().unwrap();
    let issuer = TestCa::new().unwrap();
    let db = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&db.path().join("core.sqlite")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let svc = TokenService::start().unwrap();
    let staff = rt.block_on(staffed(
        &ca,
        &hsm,
        &svc,
        &mut journal,
        "certdesk-bench-counter",
    ));
    println!(
        "walk-in at the counter, case opened → USBKey handed over, on SoftHSM2 via the \
         reference CA (loopback); {ROUNDS} walk-ins per algorithm, medians in ms"
    );
    for (name, channel, algorithm) in [
        ("P-256", "sandbox-p256", KeyAlgorithm::EcP256),
        ("RSA-2048", "sandbox-rsa", KeyAlgorithm::Rsa2048),
    ] {
        // The CA's first issuance on a channel makes its keys: not part of a walk-in.
        rt.block_on(walk_in(&ca, &staff, &mut journal, channel));
        let mut steps: BTreeMap<usize, (&str, Vec<Duration>)> = BTreeMap::new();
        let mut making: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
        let mut totals = Vec::new();
        let mut raws = Vec::new();
        for _ in 0..ROUNDS {
            let r = rt.block_on(walk_in(&ca, &staff, &mut journal, channel));
            totals.push(r.steps.iter().map(|(_, d)| *d).sum());
            for (i, (step, d)) in r.steps.into_iter().enumerate() {
                steps.entry(i).or_insert((step, Vec::new())).1.push(d);
            }
            for (step, d) in r.making {
                making.entry(step).or_default().push(d);
            }
            raws.push(rt.block_on(raw_token(&svc, &issuer, algorithm)));
        }
        println!("{name}:");
        for (_, (step, v)) in steps {
            println!("  {step:<22} {:>8.1}", ms(median(v)));
        }
        let detail: Vec<String> = making
            .into_iter()
            .map(|(s, v)| format!("{s} {:.1}", ms(median(v))))
            .collect();
        println!("    making steps: {}", detail.join(", "));
        let (total, raw) = (median(totals), median(raws));
        println!("  {:<22} {:>8.1}", "total (case → handed over)", ms(total));
        println!(
            "  {:<22} {:>8.1}  (init+login+keygen+CSR+write+self-test+sign, bare)",
            "raw token operations",
            ms(raw)
        );
        println!(
            "{name}: {:.0} ms from case opened to handed over, {:.0}% of it the token's own work",
            ms(total),
            100.0 * raw.as_secs_f64() / total.as_secs_f64()
        );
    }
    // Batch making: tokens per hour and the share of the wall time the token worker was
    // idle (waiting for the CA, the database, the lanes' bookkeeping).
    println!(
        "batch making, {BATCH} P-256 cases per run on SoftHSM2 via the reference CA (loopback)"
    );
    let raw_p256 = median(
        (0..ROUNDS)
            .map(|_| rt.block_on(raw_token(&svc, &issuer, KeyAlgorithm::EcP256)))
            .collect(),
    );
    let mut best = (0, 0.0, 0.0);
    for lanes in [1, 3, 4] {
        let (wall, busy) = rt.block_on(batch(&hsm, &svc, &db.path().join("core.sqlite"), lanes));
        let per_hour = BATCH as f64 * 3600.0 / wall.as_secs_f64();
        let outside = 100.0 * (1.0 - busy.as_secs_f64() / wall.as_secs_f64());
        let outside_bare =
            100.0 * (1.0 - BATCH as f64 * raw_p256.as_secs_f64() / wall.as_secs_f64());
        println!(
            "  {lanes} lane(s): {:.0} ms per token, {per_hour:.0} tokens/hour; token worker busy \
             {:.0}% ({outside:.1}% outside token operations; {outside_bare:.1}% outside the \
             bare operations of {:.1} ms per token)",
            ms(wall) / BATCH as f64,
            100.0 - outside,
            ms(raw_p256)
        );
        if per_hour > best.1 {
            best = (lanes, per_hour, outside);
        }
    }
    rt.block_on(svc.close_sessions()).unwrap();
    println!("batch making, best of the runs above ({} lane(s)):", best.0);
    println!("{:.0} tokens/hour", best.1);
    println!("overhead {:.1}%", best.2);
}
