//! Batch making at the counter (issue 14 item 1), in process, against the real
//! reference CA on loopback and SoftHSM2: three approved cases made in one batch on two
//! lanes, each on its own blank token with its own random PIN (only in the mailers),
//! each token holding exactly one key and one certificate, recorded at the CA under its
//! serial, and marked "change the PIN at first use". Then a run that lost its PINs (the
//! app was killed before the mailers were printed): the made token gets a new PIN set
//! with the CA's SO PIN, nothing is made again. No PIN reaches the database file.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use certdesk_core::counter::{
    BatchEvent, BatchItemState, BatchSetup, BatchStore, MakingError, core_code,
};
use certdesk_core::enrollment::Journal;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{TokenError, TokenRef, TokenService};
use secrecy::ExposeSecret;

mod counter_support;
use counter_support::{Staffed, approved_walk_in, pairs_with, pin, private_keyring, staffed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_makes_each_case_on_its_own_token_and_lost_pins_are_reissued() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let svc = TokenService::start().unwrap();
    let db = tmp.path().join("core.sqlite");
    let mut journal = Journal::open(&db).unwrap();
    let Staffed {
        clerk, reviewer, ..
    } = staffed(&ca, &hsm, &svc, &mut journal, "certdesk-test-batch").await;
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(
            approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256")
                .await
                .0,
        );
    }
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();

    // A batch takes 1 to 200 cases, each once.
    let mut store = BatchStore::open(&db).unwrap();
    let e = clerk.batch().create(&mut store, &[]).await.unwrap_err();
    assert!(matches!(e, MakingError::BatchSize), "{e:?}");
    let mut twice = ids.clone();
    twice.push(ids[0].clone());
    let batch = clerk.batch().create(&mut store, &twice).await.unwrap();
    assert_eq!(store.items(batch).unwrap().len(), 3);

    let modules = [module.clone()];
    let two = BatchSetup {
        db: &db,
        modules: &modules,
        lanes: 2,
        failure_code: core_code,
    };
    let events = std::sync::Mutex::new(Vec::<BatchEvent>::new());
    let record = |e: BatchEvent| events.lock().unwrap().push(e);
    let run = clerk
        .batch()
        .run(&two, &store, batch, &HashSet::new(), &record)
        .await
        .unwrap();

    // Every case made, on a token of its own, with a PIN of its own.
    assert!(
        run.items.iter().all(|i| i.state == BatchItemState::Made),
        "{:?}",
        run.items
    );
    let serials: HashSet<&str> = run
        .items
        .iter()
        .map(|i| i.token_serial.as_deref().unwrap())
        .collect();
    assert_eq!(serials.len(), 3);
    assert_eq!(run.mailers.len(), 3);
    let pins: HashSet<&str> = run.mailers.iter().map(|m| m.pin.expose_secret()).collect();
    assert_eq!(pins.len(), 3);
    for m in &run.mailers {
        let token = TokenRef {
            module: module.clone(),
            serial: m.token_serial.clone(),
        };
        assert_eq!(
            pairs_with(&svc, &token, m.pin.expose_secret()).await,
            (1, 1)
        );
        assert!(svc.pin_change_required(token.clone()).await.unwrap());
        let case = clerk.cases().get(&m.case_id).await.unwrap();
        assert_eq!(case.making.unwrap().token_serial, m.token_serial);
        let item = &run.items[m.position as usize];
        assert_eq!(item.case_id, m.case_id);
        assert_eq!(item.order_number, case.application.number);
    }
    // The view saw each item start, step through making and end made.
    let seen = events.lock().unwrap().clone();
    for item in &run.items {
        let mine: Vec<&BatchEvent> = seen
            .iter()
            .filter(|e| e.position == item.position)
            .collect();
        assert!(mine.iter().any(|e| e.step.is_some()), "{mine:?}");
        assert_eq!(mine.last().unwrap().state, BatchItemState::Made);
    }
    // Made twice? A run with every mailer held has nothing to do.
    let held: HashSet<u32> = run.mailers.iter().map(|m| m.position).collect();
    let again = clerk
        .batch()
        .run(&two, &store, batch, &held, &|_| {})
        .await
        .unwrap();
    assert!(again.mailers.is_empty());

    // The app was killed before the mailers were printed: their PINs are gone. The
    // next run gives each made token a new PIN; its key and certificate stay the one.
    let lost = &run.mailers[0];
    let token = TokenRef {
        module: module.clone(),
        serial: lost.token_serial.clone(),
    };
    let kept: HashSet<u32> = held
        .iter()
        .copied()
        .filter(|p| *p != lost.position)
        .collect();
    let resumed = clerk
        .batch()
        .run(&two, &store, batch, &kept, &|_| {})
        .await
        .unwrap();
    assert_eq!(resumed.mailers.len(), 1);
    let fresh = &resumed.mailers[0];
    assert_eq!(fresh.token_serial, lost.token_serial);
    assert_ne!(fresh.pin.expose_secret(), lost.pin.expose_secret());
    let e = svc
        .login(token.clone(), pin(lost.pin.expose_secret()), false)
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::PinIncorrect { .. }), "{e:?}");
    assert_eq!(
        pairs_with(&svc, &token, fresh.pin.expose_secret()).await,
        (1, 1)
    );

    // Printed: the items are done and the batch is finished.
    let all: Vec<u32> = resumed.items.iter().map(|i| i.position).collect();
    store
        .mark(batch, &all, &[BatchItemState::Made], BatchItemState::Mailed)
        .unwrap();
    assert_eq!(store.unfinished().unwrap(), None);

    // No PIN in the database file or its WAL.
    drop(store);
    drop(journal);
    for suffix in ["", "-wal"] {
        let bytes = std::fs::read(format!("{}{suffix}", db.display())).unwrap_or_default();
        for p in run.mailers.iter().chain(&resumed.mailers) {
            let needle = p.pin.expose_secret().as_bytes();
            assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        }
    }
    svc.close_sessions().await.unwrap();
}
