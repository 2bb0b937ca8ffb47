//! How many object writes a key pair and its certificate cost (issue 16), counted by
//! OpenSC's `pkcs11-spy` in front of the real SoftHSM2 module: every call reaches the
//! module and is logged, so the count is what the token was asked to write.
//!
//! Label, subject and the journaled temporary id go in the `C_GenerateKeyPair`
//! template; only the final `CKA_ID` (derived from the public key) is set afterwards.
//! A regression to setting attributes after generation changes the counts below.
#![allow(clippy::unwrap_used)]

mod common;

use std::str::FromStr;

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_testkit::spy::Spy;
use certdesk_token::*;
use common::{USER_PIN, pin};
use der::Encode;
use x509_cert::name::Name;

fn subject(s: &str) -> Vec<u8> {
    Name::from_str(s).unwrap().to_der().unwrap()
}

/// A P-256 signing key labelled `label` with `subject` (DER) in its template.
fn p256(label: &str, subject: Vec<u8>) -> KeySpec {
    KeySpec {
        algorithm: KeyAlgorithm::EcP256,
        purpose: KeyPurpose::Signing,
        label: label.into(),
        subject: Some(subject),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_pair_is_written_whole_and_only_its_final_id_is_set_after() {
    // SAFETY: the only test in this binary, before any PKCS#11 use.
    let (hsm, svc, real) = unsafe { common::softhsm_token("WRITES") };
    let mut spy = Spy::new(&SoftHsm::module().unwrap(), &hsm.dir().join("spy.log"));
    // SAFETY: as above; the spy reads these when it is loaded, below.
    unsafe { spy.install_env() };
    let token = TokenRef {
        module: Spy::module().unwrap(),
        serial: real.serial.clone(),
    };
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    let ca = TestCa::new().unwrap();

    // The subject the certificate will carry is known: it goes in the template.
    let name = "CN=writes,O=测试单位,C=CN";
    spy.take().unwrap();
    let key = svc
        .generate_key_pair_tagged(token.clone(), p256("writes", subject(name)), vec![0xcd; 16])
        .await
        .unwrap();
    let keygen = spy.take().unwrap();
    assert_eq!(keygen.generate_key_pair, 1);
    for t in ["CKA_LABEL", "CKA_ID", "CKA_SUBJECT"] {
        let n = keygen.generated_with.iter().filter(|a| *a == t).count();
        assert_eq!(n, 2, "{t} in both generation templates");
    }
    assert_eq!(
        keygen.set,
        ["CKA_ID", "CKA_ID"],
        "only the final id is set after generation"
    );
    assert_eq!(keygen.object_writes(), 4);

    let csr = svc
        .create_csr(token.clone(), key.id.clone(), name.into())
        .await
        .unwrap();
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    spy.take().unwrap();
    let written = svc
        .write_certificate(token.clone(), leaf.clone(), vec![])
        .await
        .unwrap();
    assert!(written.leaf_written);
    assert_eq!(written.label, "writes");
    let write = spy.take().unwrap();
    assert_eq!(
        (write.create_object, write.set_attribute_value),
        (1, 0),
        "the certificate is created; the keys already carry its subject"
    );
    // Five object writes in all, where setting id and subject after generation made 7.
    assert_eq!(keygen.object_writes() + write.object_writes(), 5);

    // Written again (a resumed write): found, not duplicated, nothing changed.
    let again = svc
        .write_certificate(token.clone(), leaf, vec![])
        .await
        .unwrap();
    assert!(!again.leaf_written);
    assert_eq!(spy.take().unwrap().object_writes(), 0);

    // A key generated without the subject, or with another one than the CA issued,
    // gets the certificate's subject when the certificate is written, on both objects.
    let other = svc
        .generate_key_pair(token.clone(), p256("other", subject("CN=guessed,C=CN")))
        .await
        .unwrap();
    let csr = svc
        .create_csr(token.clone(), other.id.clone(), "CN=issued,C=CN".into())
        .await
        .unwrap();
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    spy.take().unwrap();
    svc.write_certificate(token.clone(), leaf, vec![])
        .await
        .unwrap();
    let write = spy.take().unwrap();
    assert_eq!(write.set, ["CKA_SUBJECT", "CKA_SUBJECT"]);
    let listed = svc.list_certificates(token.clone()).await.unwrap();
    let issued = listed.iter().find(|c| c.id == other.id).unwrap();
    assert_eq!(issued.has_private_key, Some(true));

    // A subject that is not a DER name is refused before anything is written.
    spy.take().unwrap();
    let err = svc
        .generate_key_pair(token.clone(), p256("bad", b"CN=not der".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "bad_input");
    assert_eq!(spy.take().unwrap().object_writes(), 0);
    svc.close_sessions().await.unwrap();
}
