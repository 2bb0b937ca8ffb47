//! Counter mode's operator sign-in in process, against the real reference CA on loopback
//! and SoftHSM2: a point and two operators are bootstrapped with `certdesk-ca`, their
//! certificates downloaded onto their own tokens with the app's own download; then sign-in
//! (wrong PIN, right PIN), the session token only in the (private) OS keychain, the token
//! pulled → locked within the presence poll and the CA session ended, another operator's
//! token refused at the lock screen, unlock with the PIN, the idle lock, a revoked
//! operator refused, sign-out.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use certdesk_ca_api::operator::Role;
use certdesk_ca_client::CaClient;
use certdesk_core::counter::{CounterError, CounterState, LockReason, SESSION_ENTRY};
use certdesk_core::enrollment::Journal;
use certdesk_core::keychain::Keychain;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{PresenceConfig, SecretString, TokenError, TokenRef, TokenService};
use secrecy::ExposeSecret;

mod counter_support;
use counter_support::{
    PIN, add_point, ca_cli, open_counter, operator_on_token, pin, private_keyring,
};

const KEYCHAIN: &str = "certdesk-test-counter";

/// What the keychain holds for the counter (the session token), if anything.
fn kept_token() -> Option<String> {
    let json = Keychain::new(KEYCHAIN).get(SESSION_ENTRY).unwrap()?;
    let v: serde_json::Value = serde_json::from_str(json.expose_secret()).unwrap();
    Some(v["token"].as_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_signs_in_locks_on_pull_and_idle_and_unlocks_with_the_pin() {
    let _keyring = private_keyring();
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let ca = CaService::start().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    add_point(&ca, "BJ01", "北京受理点");
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(&tmp.path().join("core.sqlite")).unwrap();
    let (op_a, token_a) = operator_on_token(
        &ca,
        &hsm,
        &svc,
        &mut journal,
        "BJ01",
        "OPERATOR-A",
        "王受理",
        &["clerk", "maker"],
    )
    .await;
    let (op_b, token_b) = operator_on_token(
        &ca,
        &hsm,
        &svc,
        &mut journal,
        "BJ01",
        "OPERATOR-B",
        "李审核",
        &["reviewer"],
    )
    .await;
    let module = SoftHsm::module().unwrap();

    let counter = std::sync::Arc::new(open_counter(&ca, &svc, KEYCHAIN).await);
    assert_eq!(counter.state(), CounterState::SignedOut);

    // Whose token it is, read before any PIN.
    let found = counter.operator_on(&token_a).await.unwrap();
    assert_eq!(found.operator_id, op_a);
    assert_eq!(found.name, "王受理");

    // A wrong PIN: the token's typed error, nothing signed in, nothing kept.
    let e = counter
        .sign_in(token_a.clone(), pin("00000000"), false)
        .await
        .unwrap_err();
    assert!(
        matches!(e, CounterError::Token(TokenError::PinIncorrect { .. })),
        "{e:?}"
    );
    assert_eq!(counter.state(), CounterState::SignedOut);
    assert_eq!(kept_token(), None);

    // The right PIN: signed in, bound to token A, the session only in the keychain.
    let t0 = Instant::now();
    let state = counter
        .sign_in(token_a.clone(), pin(PIN), false)
        .await
        .unwrap();
    let sign_in_ms = t0.elapsed().as_millis();
    let CounterState::SignedIn {
        operator, token, ..
    } = &state
    else {
        panic!("{state:?}")
    };
    assert_eq!(operator.id, op_a);
    assert_eq!(operator.name, "王受理");
    assert_eq!(operator.point_id, "BJ01");
    assert_eq!(operator.roles, vec![Role::Clerk, Role::Maker]);
    assert_eq!(*token, token_a);
    let session = kept_token().expect("the session token is in the keychain");
    // The CA knows the session; the token is not left logged in (PIN needed again).
    assert!(matches!(
        counter.refresh().await.unwrap(),
        CounterState::SignedIn { .. }
    ));
    // Logged out: private keys are invisible, so pairing reads as unknown.
    let certs = svc.list_certificates(token_a.clone()).await.unwrap();
    assert!(
        certs.iter().all(|c| c.has_private_key.is_none()),
        "{certs:?}"
    );

    // Token presence as the app watches it: each event → relist → the counter is told.
    let _watcher = svc
        .watch_module(
            module.clone(),
            PresenceConfig {
                poll_interval: Duration::from_millis(200),
                ..PresenceConfig::default()
            },
        )
        .unwrap();
    let mut events = svc.subscribe();
    let (c2, s2, m2) = (counter.clone(), svc.clone(), module.clone());
    let follower = tokio::spawn(async move {
        while events.recv().await.is_ok() {
            if let Ok(list) = s2.list_tokens(m2.clone()).await {
                let present: Vec<TokenRef> = list
                    .into_iter()
                    .map(|t| TokenRef {
                        module: m2.clone(),
                        serial: t.serial,
                    })
                    .collect();
                c2.tokens_present(&present).await.unwrap();
            }
        }
    });
    let mut changes = counter.subscribe();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(matches!(counter.state(), CounterState::SignedIn { .. }));

    // Pulled: locked within the poll, the session gone from the keychain and at the CA.
    let pulled = Instant::now();
    hsm.unplug().unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            changes.changed().await.unwrap();
            if matches!(*changes.borrow(), CounterState::Locked { .. }) {
                break;
            }
        }
    })
    .await
    .expect("locked within 5 s of the pull");
    let lock_ms = pulled.elapsed().as_millis();
    assert_eq!(
        counter.state(),
        CounterState::Locked {
            operator: operator.clone(),
            reason: LockReason::TokenRemoved
        }
    );
    assert_eq!(kept_token(), None);
    let old = CaClient::new(ca.url())
        .unwrap()
        .with_token(SecretString::from(session));
    let e = old.operator_me().await.unwrap_err();
    assert_eq!(
        e.code(),
        Some(certdesk_ca_api::ProblemCode::Unauthorized),
        "the locked session is ended at the CA: {e}"
    );
    assert!(matches!(
        counter.session_client(),
        Err(CounterError::NotSignedIn)
    ));

    hsm.replug().unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    // Another operator's token opens no one else's lock (and costs no PIN try).
    let e = counter
        .unlock(token_b.clone(), pin(PIN), false)
        .await
        .unwrap_err();
    assert!(matches!(e, CounterError::OtherOperator), "{e:?}");
    // A wrong PIN keeps it locked.
    let e = counter
        .unlock(token_a.clone(), pin("11111111"), false)
        .await
        .unwrap_err();
    assert!(
        matches!(e, CounterError::Token(TokenError::PinIncorrect { .. })),
        "{e:?}"
    );
    assert!(matches!(counter.state(), CounterState::Locked { .. }));
    // The PIN again: a fresh challenge, a new session.
    let t1 = Instant::now();
    let unlocked = counter
        .unlock(token_a.clone(), pin(PIN), false)
        .await
        .unwrap();
    let unlock_ms = t1.elapsed().as_millis();
    assert!(matches!(unlocked, CounterState::SignedIn { .. }));
    let second = kept_token().unwrap();
    assert_ne!(second, old.token().unwrap().expose_secret());

    // Idle: nothing for the configured time locks; activity keeps it open.
    counter.set_idle_minutes(1);
    let now = Instant::now();
    counter.touch(now);
    assert!(matches!(
        counter.tick(now + Duration::from_secs(59)).await.unwrap(),
        CounterState::SignedIn { .. }
    ));
    assert!(matches!(
        counter.tick(now + Duration::from_secs(61)).await.unwrap(),
        CounterState::Locked {
            reason: LockReason::Idle,
            ..
        }
    ));
    assert_eq!(kept_token(), None);
    counter
        .unlock(token_a.clone(), pin(PIN), false)
        .await
        .unwrap();
    counter.sign_out().await.unwrap();
    assert_eq!(counter.state(), CounterState::SignedOut);
    assert_eq!(kept_token(), None);

    // A revoked operator is refused, after the signature (the CA tells the key holder).
    ca_cli(&ca, &["operator", "revoke", &op_b]);
    let e = counter
        .sign_in(token_b.clone(), pin(PIN), false)
        .await
        .unwrap_err();
    assert!(matches!(e, CounterError::OperatorRevoked), "{e:?}");
    assert_eq!(counter.state(), CounterState::SignedOut);
    assert_eq!(kept_token(), None);

    follower.abort();
    println!(
        "counter: sign-in {sign_in_ms} ms, unlock {unlock_ms} ms, lock {lock_ms} ms after the pull (poll 200 ms)"
    );
}
