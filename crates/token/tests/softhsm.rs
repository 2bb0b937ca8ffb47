//! The token layer against SoftHSM2 (private store in a temp dir).
#![allow(clippy::unwrap_used)]

mod common;

use certdesk_testkit::issuer::TestCa;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn softhsm_end_to_end() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: first statement touching the environment in this single-test binary.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("CD-SOFT", SO_PIN, USER_PIN).unwrap();
    let module = SoftHsm::module().unwrap();
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial: serial.clone(),
    };

    // Tokens are found by serial, with their PIN state.
    let tokens = svc.list_tokens(module.clone()).await.unwrap();
    let info = tokens
        .iter()
        .find(|t| t.serial == serial)
        .expect("token listed");
    assert_eq!(info.label, "CD-SOFT");
    assert_eq!(info.pin_state, PinState::Ok);
    assert!(info.user_pin_initialized);
    let mechs = svc.mechanisms(token.clone()).await.unwrap();
    assert!(mechs.iter().any(|m| m.name == "CKM_AES_KEY_WRAP_PAD"));
    assert!(
        !mechs
            .iter()
            .any(|m| m.id == mechanisms::CKM_AES_KEY_WRAP_KWP)
    );

    let caps = svc.capabilities(token.clone()).await.unwrap();
    for alg in [
        KeyAlgorithm::Rsa2048,
        KeyAlgorithm::Rsa3072,
        KeyAlgorithm::EcP256,
    ] {
        assert!(caps.supports(alg), "{alg:?}");
    }
    assert!(!caps.supports(KeyAlgorithm::Sm2) && caps.sm2.is_none());
    assert_eq!(
        caps.envelope_wrap_mechanism.as_deref(),
        Some("CKM_AES_KEY_WRAP_PAD")
    );

    // Login: wrong PIN is reported as such; nothing works before a login.
    let err = svc
        .generate_key_pair(
            token.clone(),
            KeySpec {
                algorithm: KeyAlgorithm::EcP256,
                purpose: KeyPurpose::Signing,
                label: "x".into(),
                subject: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::NotLoggedIn), "{err}");
    let err = svc
        .login(token.clone(), pin("99999999"), false)
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::PinIncorrect { .. }), "{err}");
    assert!(
        !format!("{err} {err:?}").contains("99999999"),
        "a PIN leaked into an error"
    );
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();

    // SM2 is refused with a reason on a module without vendor SM2 mechanisms.
    let err = svc
        .generate_key_pair(
            token.clone(),
            KeySpec {
                algorithm: KeyAlgorithm::Sm2,
                purpose: KeyPurpose::Signing,
                label: "sm2".into(),
                subject: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::Unsupported { .. }), "{err}");

    let ca = TestCa::new().unwrap();
    let (p256, _) = enroll(&svc, &token, &ca, KeyAlgorithm::EcP256, "p256").await;
    let (rsa, _) = enroll(&svc, &token, &ca, KeyAlgorithm::Rsa2048, "rsa2048").await;

    // Signing for callers (renewal proof of possession) verifies with the key's SPKI.
    for key in [&p256, &rsa] {
        let s = svc
            .sign(token.clone(), key.id.clone(), b"renewal".to_vec())
            .await
            .unwrap();
        let spki =
            <x509_cert::spki::SubjectPublicKeyInfoOwned as der::Decode>::from_der(&key.spki_der)
                .unwrap();
        pubkey::verify(
            &spki,
            s.algorithm.parse().unwrap(),
            b"renewal",
            &s.signature,
        )
        .unwrap();
        assert!(
            pubkey::verify(
                &spki,
                s.algorithm.parse().unwrap(),
                b"tampered",
                &s.signature
            )
            .is_err()
        );
    }

    let certs = svc.list_certificates(token.clone()).await.unwrap();
    for key in [&p256, &rsa] {
        let c = certs
            .iter()
            .find(|c| c.id == key.id)
            .expect("leaf listed under the key's id");
        assert_eq!(c.has_private_key, Some(true));
        assert!(c.has_public_key);
        assert!(!c.is_ca);
        assert!(c.subject.contains("测试单位"), "{}", c.subject);
    }
    assert_eq!(
        certs.iter().filter(|c| c.is_ca).count(),
        1,
        "chain certificate written once"
    );
    assert_eq!(
        certs.iter().find(|c| c.id == rsa.id).unwrap().key_algorithm,
        "RSA-2048"
    );

    // A certificate for a key that is not on the token is refused before writing.
    let foreign = make_envelope(&ca, &rsa, hsm.dir()).encryption_certificate;
    let err = svc
        .write_certificate(token.clone(), foreign, vec![])
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::KeyMismatch), "{err}");

    // Orphans: a key without certificate is found and cleaned; pairs stay.
    let orphan = keygen(
        &svc,
        &token,
        KeyAlgorithm::EcP256,
        KeyPurpose::Signing,
        "orphan",
    )
    .await;
    let o = svc.find_orphans(token.clone()).await.unwrap();
    assert!(
        o.keys_without_certificate
            .iter()
            .any(|k| k.id == orphan.id && k.private)
    );
    assert!(!o.keys_without_certificate.iter().any(|k| k.id == p256.id));
    assert_eq!(svc.clean_orphans(token.clone()).await.unwrap(), 2);
    assert!(
        svc.find_orphans(token.clone())
            .await
            .unwrap()
            .keys_without_certificate
            .is_empty()
    );
    assert_self_test(&svc, &token, &p256.id).await;

    // Dual certificate: envelope import with the mechanism SoftHSM2 has (_PAD).
    let imported = import_dual(&svc, &token, &ca, hsm.dir()).await;
    assert_eq!(imported.wrap_mechanism, "CKM_AES_KEY_WRAP_PAD");
    assert!(imported.key_checked);
    let certs = svc.list_certificates(token.clone()).await.unwrap();
    let enc = certs
        .iter()
        .find(|c| c.id == imported.certificate.id)
        .unwrap();
    assert_eq!(enc.has_private_key, Some(true));
    assert!(enc.has_public_key);

    // A token made with a mailed PIN says so to whoever inserts it, without a PIN, until
    // the PIN is changed (SoftHSM2 never raises CKF_USER_PIN_TO_BE_CHANGED itself).
    assert!(!svc.pin_change_required(token.clone()).await.unwrap());
    svc.require_pin_change(token.clone()).await.unwrap();
    svc.require_pin_change(token.clone()).await.unwrap();
    svc.logout(token.clone()).await.unwrap();
    assert!(svc.pin_change_required(token.clone()).await.unwrap());
    let inventory = svc.inventory(token.clone()).await.unwrap();
    let records = inventory
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Data);
    assert_eq!(
        records.count(),
        1,
        "one record however often it is asked for"
    );
    assert!(inventory.objects.iter().all(|o| o.damage.is_none()));
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();

    // PIN change, then only the new PIN works.
    svc.change_pin(token.clone(), pin(USER_PIN), pin("55667788"), false)
        .await
        .unwrap();
    svc.clear_pin_change(token.clone()).await.unwrap();
    assert!(!svc.pin_change_required(token.clone()).await.unwrap());
    svc.logout(token.clone()).await.unwrap();
    assert!(matches!(
        svc.login(token.clone(), pin(USER_PIN), false)
            .await
            .unwrap_err(),
        TokenError::PinIncorrect { .. }
    ));
    svc.login(token.clone(), pin("55667788"), false)
        .await
        .unwrap();
    svc.logout(token.clone()).await.unwrap();

    // Counter staff initialise a blank token (SoftHSM2's free slot has no serial).
    let blank = TokenRef {
        module: module.clone(),
        serial: String::new(),
    };
    let fresh = svc
        .init_token(blank, "CD-NEW".into(), pin(SO_PIN), pin(USER_PIN))
        .await
        .unwrap();
    assert_eq!(fresh.label, "CD-NEW");
    assert!(fresh.user_pin_initialized && fresh.token_initialized);
    svc.login(fresh.token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    svc.logout(fresh.token.clone()).await.unwrap();

    // Token pulled mid-session: operations say "removed", never "no certificates";
    // after re-insertion the login is gone (as on a real token) and a new one works.
    svc.login(token.clone(), pin("55667788"), false)
        .await
        .unwrap();
    hsm.unplug().unwrap();
    let err = svc.list_certificates(token.clone()).await.unwrap_err();
    assert!(matches!(err, TokenError::TokenRemoved), "{err}");
    let err = svc
        .self_test(token.clone(), p256.id.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "token_not_found", "{err}");
    hsm.replug().unwrap();
    let err = svc
        .self_test(token.clone(), p256.id.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::NotLoggedIn), "{err}");
    svc.login(token.clone(), pin("55667788"), false)
        .await
        .unwrap();
    assert_self_test(&svc, &token, &p256.id).await;

    // Presence by polling, while logged in: unplug (token dirs moved away) and replug.
    let mut rx = svc.subscribe();
    let cfg = PresenceConfig {
        poll_interval: std::time::Duration::from_millis(100),
        ..Default::default()
    };
    let _watch = svc.watch_module(module.clone(), cfg).unwrap();
    let is = |e: &PresenceEvent, inserted: bool| match e {
        PresenceEvent::TokenInserted(PresenceSource::Pkcs11 { token: t, .. }) if inserted => {
            t.serial == serial
        }
        PresenceEvent::TokenRemoved(PresenceSource::Pkcs11 { token: t, .. }) if !inserted => {
            t.serial == serial
        }
        _ => false,
    };
    next_event(&mut rx, |e| is(e, true)).await;
    hsm.unplug().unwrap();
    next_event(&mut rx, |e| is(e, false)).await;
    // While it is out, requests for the token say so (by serial, not a stale slot).
    let err = svc.token_info(token.clone()).await.unwrap_err();
    assert_eq!(err.code(), "token_not_found", "{err}");
    hsm.replug().unwrap();
    next_event(&mut rx, |e| is(e, true)).await;
    // After re-insertion the token works again without restarting anything.
    svc.login(token.clone(), pin("55667788"), false)
        .await
        .unwrap();
    assert_self_test(&svc, &token, &rsa.id).await;
}

#[tokio::test]
async fn load_failures_are_explained() {
    let svc = TokenService::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = svc
        .module_info(dir.path().join("nope.so"))
        .await
        .unwrap_err();
    assert!(
        matches!(load_failure(&err), LoadFailure::FileMissing),
        "{err}"
    );
    // A real shared library that is not a PKCS#11 module.
    let libz = [
        "/lib/x86_64-linux-gnu/libz.so.1",
        "/usr/lib/x86_64-linux-gnu/libz.so.1",
        "/lib/aarch64-linux-gnu/libz.so.1",
    ]
    .into_iter()
    .map(std::path::PathBuf::from)
    .find(|p| p.exists())
    .unwrap();
    let err = svc.module_info(libz).await.unwrap_err();
    assert!(
        matches!(load_failure(&err), LoadFailure::NotPkcs11 { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("not a PKCS#11 module"));
}
