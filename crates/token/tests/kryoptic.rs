//! The token layer against Kryoptic, a second PKCS#11 implementation that really counts
//! and locks PINs (private sqlite store in a temp dir).
#![allow(clippy::unwrap_used)]

mod common;

use certdesk_testkit::issuer::TestCa;
use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_token::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kryoptic_end_to_end() {
    let module = Kryoptic::module().unwrap();
    let svc = TokenService::start().unwrap();

    // An initialisation failure is reported as such: Kryoptic with no configuration
    // anywhere (no KRYOPTIC_CONF, empty HOME) fails C_Initialize.
    let empty_home = tempfile::tempdir().unwrap();
    // SAFETY: single-test binary; no other thread reads the environment yet.
    unsafe {
        std::env::remove_var("KRYOPTIC_CONF");
        std::env::set_var("HOME", empty_home.path());
        std::env::set_var("XDG_CONFIG_HOME", empty_home.path());
    }
    let err = svc.module_info(module.clone()).await.unwrap_err();
    assert!(
        matches!(load_failure(&err), LoadFailure::InitFailed { .. }),
        "{err}"
    );

    let kry = Kryoptic::new().unwrap();
    let serial = kry.init_token("CD-KRY", SO_PIN, USER_PIN).unwrap();
    // SAFETY: as above.
    unsafe { kry.install_env() };
    let token = TokenRef {
        module: module.clone(),
        serial: serial.clone(),
    };
    let info = svc.token_info(token.clone()).await.unwrap();
    assert_eq!(info.label, "CD-KRY");
    let mechs = svc.mechanisms(token.clone()).await.unwrap();
    assert!(
        mechs.iter().any(|m| m.name == "CKM_AES_KEY_WRAP_KWP"),
        "cryptoki alone would hide KWP"
    );

    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    let caps = svc.capabilities(token.clone()).await.unwrap();
    assert!(caps.supports(KeyAlgorithm::EcP256) && caps.supports(KeyAlgorithm::Rsa3072));
    assert_eq!(
        caps.envelope_wrap_mechanism.as_deref(),
        Some("CKM_AES_KEY_WRAP_KWP")
    );
    let ca = TestCa::new().unwrap();
    let (p256, _) = enroll(&svc, &token, &ca, KeyAlgorithm::EcP256, "p256").await;
    let (rsa, _) = enroll(&svc, &token, &ca, KeyAlgorithm::Rsa2048, "rsa2048").await;
    let (rsa3072, _) = enroll(&svc, &token, &ca, KeyAlgorithm::Rsa3072, "rsa3072").await;
    let certs = svc.list_certificates(token.clone()).await.unwrap();
    for key in [&p256, &rsa, &rsa3072] {
        assert_eq!(
            certs
                .iter()
                .find(|c| c.id == key.id)
                .unwrap()
                .has_private_key,
            Some(true)
        );
    }
    let c3072 = certs.iter().find(|c| c.id == rsa3072.id).unwrap();
    assert_eq!(c3072.key_algorithm, "RSA-3072");

    // Envelope import with the mechanism Kryoptic has (KWP, not _PAD).
    let imported = import_dual(&svc, &token, &ca, kry.dir()).await;
    assert_eq!(imported.wrap_mechanism, "CKM_AES_KEY_WRAP_KWP");
    assert!(imported.key_checked);
    svc.logout(token.clone()).await.unwrap();

    // PIN retry handling against a module that locks: 10 tries, low after 7, final at 9.
    let wrong = || pin("00000000");
    for _ in 0..7 {
        assert!(matches!(
            svc.login(token.clone(), wrong(), false).await.unwrap_err(),
            TokenError::PinIncorrect { .. }
        ));
    }
    assert_eq!(
        svc.token_info(token.clone()).await.unwrap().pin_state,
        PinState::CountLow
    );
    // The caller learns the count was low before a successful login (to warn the user),
    // and the login resets the counter.
    let ok = svc
        .login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    assert_eq!(ok.pin_state_before, PinState::CountLow);
    svc.logout(token.clone()).await.unwrap();
    assert_eq!(
        svc.token_info(token.clone()).await.unwrap().pin_state,
        PinState::Ok
    );

    for i in 0..9 {
        let e = svc.login(token.clone(), wrong(), false).await.unwrap_err();
        let expect = if i < 8 {
            matches!(e, TokenError::PinIncorrect { .. })
        } else {
            matches!(
                e,
                TokenError::PinIncorrect {
                    state: PinState::FinalTry
                }
            )
        };
        assert!(expect, "attempt {i}: {e}");
    }
    // The final try is refused unless confirmed, even with the right PIN: the app must
    // ask first. Nothing is spent by the refusal.
    let e = svc
        .login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::PinFinalTryNeedsConfirmation), "{e}");
    assert_eq!(
        svc.token_info(token.clone()).await.unwrap().pin_state,
        PinState::FinalTry
    );
    let e = svc.login(token.clone(), wrong(), true).await.unwrap_err();
    assert!(matches!(e, TokenError::PinLocked), "{e}");
    assert!(
        e.to_string().contains("SO"),
        "the message says what to do: {e}"
    );
    // Locked: even the right PIN is refused without touching the token.
    assert!(matches!(
        svc.login(token.clone(), pin(USER_PIN), true)
            .await
            .unwrap_err(),
        TokenError::PinLocked
    ));

    // The SO resets the user PIN, which unlocks the token.
    svc.reset_user_pin(token.clone(), pin(SO_PIN), pin("87654321"))
        .await
        .unwrap();
    assert_eq!(
        svc.token_info(token.clone()).await.unwrap().pin_state,
        PinState::Ok
    );
    svc.login(token.clone(), pin("87654321"), false)
        .await
        .unwrap();
    assert_self_test(&svc, &token, &p256.id).await;
    // Before the process exits: a worker still closing sessions while the module's
    // libcrypto tears down corrupted the heap at exit once under CI load.
    svc.close_sessions().await.unwrap();
}
