//! Batch making across two vendors' modules (issue 14 item 1), in process, against the
//! real reference CA on loopback: five approved cases made on three lanes onto blank
//! tokens of Kryoptic (two slots) and SoftHSM2 (three, one free slot after another) in
//! one run. Each case ends on its own token with exactly one key and one
//! certificate, opened by its mailer's PIN, marked for a PIN change at first use, and
//! recorded at the CA under that token's serial; the CA issued once per case.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};

use certdesk_core::counter::{BatchItemState, BatchSetup, BatchStore, core_code};
use certdesk_core::enrollment::Journal;
use certdesk_testkit::ca::{CaService, issued_for};
use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{TokenRef, TokenService};
use secrecy::ExposeSecret;

mod counter_support;
use counter_support::{Staffed, approved_walk_in, pairs_with, private_keyring, staffed};

const CASES: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_makes_cases_on_softhsm_and_kryoptic_tokens_alike() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    let kry = Kryoptic::with_slots(2).unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe {
        hsm.install_env();
        kry.install_env();
    }
    let softhsm = SoftHsm::module().unwrap();
    let kryoptic = kry.module_path().to_path_buf();
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let svc = TokenService::start().unwrap();
    let db = tmp.path().join("core.sqlite");
    let mut journal = Journal::open(&db).unwrap();
    // The operators' tokens are SoftHSM2's; its next free slot is the first blank one.
    let Staffed {
        clerk, reviewer, ..
    } = staffed(&ca, &hsm, &svc, &mut journal, "certdesk-test-mixed").await;
    let mut cases = Vec::new();
    for _ in 0..CASES {
        cases.push(
            approved_walk_in(&ca, &clerk, &reviewer, "sandbox-p256")
                .await
                .0,
        );
    }
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let mut store = BatchStore::open(&db).unwrap();
    let batch = clerk.batch().create(&mut store, &ids).await.unwrap();

    // Blank tokens are spread over the modules, the least used first. SoftHSM2 comes
    // first here and always offers one more free slot (where a reader would need a new
    // token), so without the spread it would take every case.
    let modules = [softhsm.clone(), kryoptic.clone()];
    let setup = BatchSetup {
        db: &db,
        modules: &modules,
        lanes: 3,
        failure_code: core_code,
    };
    let run = clerk
        .batch()
        .run(&setup, &store, batch, &HashSet::new(), &|_| {})
        .await
        .unwrap();

    assert!(
        run.items.iter().all(|i| i.state == BatchItemState::Made),
        "{:?}",
        run.items
    );
    assert_eq!(run.mailers.len(), CASES);
    let serials: HashSet<&str> = run
        .mailers
        .iter()
        .map(|m| m.token_serial.as_str())
        .collect();
    assert_eq!(serials.len(), CASES, "a token of its own for each case");
    // Which module holds each token, as the modules themselves list them.
    let mut module_of = HashMap::new();
    for m in &modules {
        for t in svc.list_tokens(m.clone()).await.unwrap() {
            module_of.insert(t.serial.clone(), m.clone());
        }
    }
    let mut per_module: HashMap<&std::path::Path, usize> = HashMap::new();
    for m in &run.mailers {
        let module = module_of
            .get(&m.token_serial)
            .unwrap_or_else(|| panic!("token {} in neither module", m.token_serial));
        *per_module.entry(module.as_path()).or_default() += 1;
        let token = TokenRef {
            module: module.clone(),
            serial: m.token_serial.clone(),
        };
        assert_eq!(
            pairs_with(&svc, &token, m.pin.expose_secret()).await,
            (1, 1),
            "{} on {}",
            m.case_id,
            module.display()
        );
        assert!(svc.pin_change_required(token).await.unwrap());
        let case = clerk.cases().get(&m.case_id).await.unwrap();
        assert_eq!(case.making.unwrap().token_serial, m.token_serial);
        assert_eq!(issued_for(ca.data_dir(), &case.application.id).unwrap(), 1);
    }
    // Both vendors' tokens were used, in turn: Kryoptic's two slots, the rest on SoftHSM2.
    assert_eq!(
        per_module.get(kryoptic.as_path()),
        Some(&2),
        "{per_module:?}"
    );
    assert_eq!(
        per_module.get(softhsm.as_path()),
        Some(&3),
        "{per_module:?}"
    );
    svc.close_sessions().await.unwrap();
}
