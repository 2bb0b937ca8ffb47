//! The field self-check (`doctor --deep`) on two real modules, SoftHSM2 and Kryoptic:
//! each algorithm the token offers is exercised and confirmed, the user's own objects
//! are untouched, and the token's objects — as `pkcs11-tool --list-objects`, another
//! program, sees them — are the same before and after; also after a check that was
//! interrupted once and left its key pair behind.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::selfcheck::LABEL_PREFIX;
use certdesk_token::*;
use common::*;

/// The token's objects as pkcs11-tool lists them (logged in).
fn listing(module: &Path, env: (&str, &Path), serial: &str) -> String {
    let out = certdesk_testkit::process::run(
        Command::new("pkcs11-tool")
            .env(env.0, env.1)
            .arg("--module")
            .arg(module)
            .args(["--login", "--pin", USER_PIN, "--list-objects"]),
    )
    .unwrap();
    // One token per store: the listing is this token's.
    assert!(!serial.is_empty());
    // Kryoptic also lists its mechanism objects (class 7), in any order: not storage.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.ends_with(", type 7"))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn check_module(svc: &TokenService, token: &TokenRef, module: &Path, env: (&str, &Path)) {
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    // The user's own key, which the check must not touch.
    let mine = keygen(
        svc,
        token,
        KeyAlgorithm::EcP256,
        KeyPurpose::Signing,
        "my signing key",
    )
    .await;
    let before = listing(module, env, &token.serial);
    assert!(before.contains("my signing key"), "{before}");

    let report = svc.self_check(token.clone(), pin(USER_PIN)).await.unwrap();
    assert!(report.untouched, "{:?}", report.changed);
    assert!(report.passed(), "{report:#?}");
    assert_eq!(report.leftovers_removed, 0);
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::EcP256] {
        let row = report
            .algorithms
            .iter()
            .find(|a| a.algorithm == alg)
            .unwrap();
        assert!(row.offered && row.confirmed, "{row:#?}");
        assert_eq!(row.steps.len(), 6, "{row:#?}");
        assert!(row.steps.iter().all(|s| s.outcome == Outcome::Passed));
    }
    // Neither module has a vendor SM2 mechanism: reported as not offered, not failed.
    let sm2 = report
        .algorithms
        .iter()
        .find(|a| a.algorithm == KeyAlgorithm::Sm2)
        .unwrap();
    assert!(!sm2.offered && !sm2.confirmed && sm2.steps.is_empty());
    assert_eq!(listing(module, env, &token.serial), before);

    // A check pulled right after making its key pair left it behind; the next check
    // removes it first and the token is as before the interrupted one.
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    keygen(
        svc,
        token,
        KeyAlgorithm::Rsa2048,
        KeyPurpose::Signing,
        &format!("{LABEL_PREFIX}interrupted"),
    )
    .await;
    assert_ne!(listing(module, env, &token.serial), before);
    let report = svc.self_check(token.clone(), pin(USER_PIN)).await.unwrap();
    assert_eq!(report.leftovers_removed, 2, "public and private key");
    assert!(report.passed(), "{report:#?}");
    assert_eq!(listing(module, env, &token.serial), before);
    assert!(
        svc.list_certificates(token.clone())
            .await
            .unwrap()
            .is_empty()
    );
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    let keys = svc.list_keys(token.clone()).await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.iter().all(|k| k.id == mine.id));

    // A wrong PIN is refused before anything is made.
    let err = svc
        .self_check(token.clone(), pin("99999999"))
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::PinIncorrect { .. }), "{err}");
    assert_eq!(listing(module, env, &token.serial), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_check_confirms_what_it_can_and_leaves_the_token_as_found() {
    let hsm = SoftHsm::new().unwrap();
    let serial = hsm.init_token("CD-CHECK", SO_PIN, USER_PIN).unwrap();
    let kry = Kryoptic::new().unwrap();
    let kserial = kry.init_token("CD-KCHECK", SO_PIN, USER_PIN).unwrap();
    // SAFETY: the binary's only test, before any module is loaded.
    unsafe {
        hsm.install_env();
        kry.install_env();
    }
    let svc = TokenService::start().unwrap();

    let module = SoftHsm::module().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial,
    };
    let (k, v) = hsm.env();
    check_module(&svc, &token, &module, (k, &v)).await;

    let kmodule = Kryoptic::module().unwrap();
    let ktoken = TokenRef {
        module: kmodule.clone(),
        serial: kserial,
    };
    let (k, v) = kry.env();
    check_module(&svc, &ktoken, &kmodule, (k, &v)).await;
    svc.close_sessions().await.unwrap();
}
