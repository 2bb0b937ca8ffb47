//! Shared steps of the token integration tests (real modules, real openssl).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::process::run;
use certdesk_token::*;

pub const SO_PIN: &str = "12345678";
pub const USER_PIN: &str = "11223344";

/// A private SoftHSM2 store with one initialised token labelled `label`, and a token
/// service to reach it.
///
/// # Safety
/// Sets the SoftHSM2 environment: call once, in a binary with one test, before any
/// PKCS#11 use.
pub unsafe fn softhsm_token(
    label: &str,
) -> (certdesk_testkit::softhsm::SoftHsm, TokenService, TokenRef) {
    let hsm = certdesk_testkit::softhsm::SoftHsm::new().unwrap();
    // SAFETY: per this function's contract.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token(label, SO_PIN, USER_PIN).unwrap();
    let token = TokenRef {
        module: certdesk_testkit::softhsm::SoftHsm::module().unwrap(),
        serial,
    };
    (hsm, TokenService::start().unwrap(), token)
}

pub fn pin(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

/// A dual certificate's signing key made on the token, then its encryption key pair
/// and certificate imported from an envelope the test CA sealed to it (files in `dir`).
pub async fn import_dual(
    svc: &TokenService,
    token: &TokenRef,
    ca: &TestCa,
    dir: &Path,
) -> EnvelopeImported {
    let sig = keygen(
        svc,
        token,
        KeyAlgorithm::Rsa2048,
        KeyPurpose::SigningWithEnvelope,
        "dual-sign",
    )
    .await;
    let envelope = make_envelope(ca, &sig, dir);
    svc.import_envelope(token.clone(), envelope).await.unwrap()
}

/// The self-test of key `id` passes and reports that key.
pub async fn assert_self_test(svc: &TokenService, token: &TokenRef, id: &str) {
    let report = svc.self_test(token.clone(), id.to_string()).await.unwrap();
    assert_eq!(report.key_id, id);
}

/// Why the module failed to load; panics when the error is something else.
pub fn load_failure(err: &TokenError) -> &LoadFailure {
    match err {
        TokenError::ModuleLoad { reason, .. } => reason,
        other => panic!("expected a module load failure, got {other}"),
    }
}

/// Generates a key pair (the session must be logged in).
pub async fn keygen(
    svc: &TokenService,
    token: &TokenRef,
    algorithm: KeyAlgorithm,
    purpose: KeyPurpose,
    label: &str,
) -> KeyInfo {
    svc.generate_key_pair(
        token.clone(),
        KeySpec {
            algorithm,
            purpose,
            label: label.into(),
            subject: None,
        },
    )
    .await
    .unwrap()
}

/// Key → CSR → certificate (throwaway openssl CA) → write with chain → self-test.
/// Returns the key and the leaf certificate.
pub async fn enroll(
    svc: &TokenService,
    token: &TokenRef,
    ca: &TestCa,
    algorithm: KeyAlgorithm,
    label: &str,
) -> (KeyInfo, Vec<u8>) {
    let key = keygen(svc, token, algorithm, KeyPurpose::Signing, label).await;
    assert_eq!(key.id.len(), 40, "CKA_ID is the SHA-1 of the public key");
    let csr = svc
        .create_csr(
            token.clone(),
            key.id.clone(),
            format!("CN={label},O=测试单位,C=CN"),
        )
        .await
        .unwrap();
    assert!(csr.verified_locally);
    assert!(csr.pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    // openssl x509 -req refuses a CSR whose signature does not verify.
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    let written = svc
        .write_certificate(token.clone(), leaf.clone(), vec![ca.cert_der().unwrap()])
        .await
        .unwrap();
    assert_eq!(written.id, key.id);
    assert!(written.leaf_written);
    // Writing again (a resumed download) changes nothing.
    let again = svc
        .write_certificate(token.clone(), leaf.clone(), vec![ca.cert_der().unwrap()])
        .await
        .unwrap();
    assert!(!again.leaf_written);
    assert_eq!(again.chain_written, 0);
    let st = svc.self_test(token.clone(), key.id.clone()).await.unwrap();
    assert_eq!(st.key_id, key.id);
    (key, leaf)
}

/// The CA side of a dual certificate: an RSA encryption key made on the host by
/// openssl, its certificate, and the envelope wrapped for the token's signing key.
pub fn make_envelope(ca: &TestCa, signing_key: &KeyInfo, dir: &Path) -> Envelope {
    let enc_key = dir.join("enc.key");
    run(Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&enc_key))
    .unwrap();
    let p8 = dir.join("enc.p8");
    run(Command::new("openssl")
        .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
        .arg(&enc_key)
        .arg("-out")
        .arg(&p8))
    .unwrap();
    let cert = ca
        .issue_for_key(
            &enc_key,
            "/C=CN/O=测试单位/CN=encryption",
            Usage::Encryption,
        )
        .unwrap();
    let aes = dir.join("aes.bin");
    run(Command::new("openssl")
        .args(["rand", "-out"])
        .arg(&aes)
        .arg("32"))
    .unwrap();
    let aes_hex: String = std::fs::read(&aes)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let wrapped_pk = dir.join("wrapped.bin");
    run(Command::new("openssl")
        .args([
            "enc",
            "-id-aes256-wrap-pad",
            "-iv",
            "A65959A6",
            "-K",
            &aes_hex,
            "-in",
        ])
        .arg(&p8)
        .arg("-out")
        .arg(&wrapped_pk))
    .unwrap();
    let sig_pub = dir.join("sig_pub.der");
    std::fs::write(&sig_pub, &signing_key.spki_der).unwrap();
    let wrapped_aes = dir.join("wrapped_aes.bin");
    run(Command::new("openssl")
        .args(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey"])
        .arg(&sig_pub)
        .args([
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha1",
            "-in",
        ])
        .arg(&aes)
        .arg("-out")
        .arg(&wrapped_aes))
    .unwrap();
    Envelope {
        signing_key_id: signing_key.id.clone(),
        wrapped_aes_key: std::fs::read(&wrapped_aes).unwrap(),
        wrapped_private_key: std::fs::read(&wrapped_pk).unwrap(),
        encryption_certificate: cert,
        label: "encryption".into(),
    }
}

/// Waits for the next event matching `f` (a hang guard, not a timing assertion).
pub async fn next_event(
    rx: &mut tokio::sync::broadcast::Receiver<PresenceEvent>,
    f: impl Fn(&PresenceEvent) -> bool,
) -> PresenceEvent {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let e = rx.recv().await.unwrap();
            if f(&e) {
                return e;
            }
        }
    })
    .await
    .expect("expected presence event did not arrive within 30 s")
}

/// A token with the user's own key pair and certificate, plus the two kinds of debris
/// a pulled token leaves (made with `C_CreateObject` on the real module): listing,
/// pairing and orphans survive them, the inventory reports them as damaged with what
/// is known, and destroying exactly them restores the token object for object.
pub async fn damaged_objects_are_listed_reported_and_removed(svc: &TokenService, token: &TokenRef) {
    use certdesk_token::testing::Debris;
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    let ca = TestCa::new().unwrap();
    let (users, _) = enroll(svc, token, &ca, KeyAlgorithm::EcP256, "user's own").await;
    let before = svc.inventory(token.clone()).await.unwrap();
    assert!(before.logged_in);
    assert_eq!(before.damaged().count(), 0, "{before:?}");
    let key_shape = svc
        .plant_debris(token.clone(), Debris::PrivateKeyWithoutId)
        .await
        .unwrap();
    let cert_shape = svc
        .plant_debris(token.clone(), Debris::EmptyCertificate)
        .await
        .unwrap();
    eprintln!("debris: {key_shape:?} {cert_shape:?}");

    // Listing, pairing and orphans are as before: the debris fails nothing.
    let certs = svc.list_certificates(token.clone()).await.unwrap();
    let mine = certs.iter().find(|c| c.id == users.id).unwrap();
    assert_eq!(mine.has_private_key, Some(true));
    assert_eq!(certs.len(), 2, "leaf + CA: {certs:?}");
    let orphans = svc.find_orphans(token.clone()).await.unwrap();
    assert!(
        orphans.keys_without_certificate.is_empty() && orphans.certificates_without_key.is_empty(),
        "{orphans:?}"
    );
    assert_eq!(svc.clean_orphans(token.clone()).await.unwrap(), 0);
    assert_eq!(
        svc.delete_by_id(token.clone(), String::new())
            .await
            .unwrap_err()
            .code(),
        "bad_input",
        "an empty id must not name every id-less object"
    );

    let after = svc.inventory(token.clone()).await.unwrap();
    let damaged: Vec<_> = after.damaged().cloned().collect();
    // Every new object is reported damaged (a refused C_CreateObject may have left one
    // more: SoftHSM2 does), and nothing else changed.
    assert_eq!(after.objects.len() - before.objects.len(), damaged.len());
    assert!(damaged.len() >= 2, "{damaged:?}");
    let key = damaged
        .iter()
        .find(|o| o.kind == ObjectKind::PrivateKey)
        .unwrap();
    assert_eq!(key.damage, Some(Damage::KeyWithoutId));
    assert_eq!((key.id.as_str(), key.label.as_str()), ("", ""));
    let cert = damaged
        .iter()
        .find(|o| o.kind == ObjectKind::Certificate)
        .unwrap();
    assert!(
        matches!(
            cert.damage,
            Some(Damage::EmptyCertificate | Damage::UnreadableCertificate)
        ),
        "{cert:?}"
    );
    // Without login only the public debris is visible, and still reported.
    svc.logout(token.clone()).await.unwrap();
    let public = svc.inventory(token.clone()).await.unwrap();
    assert!(!public.logged_in);
    let public_debris = damaged
        .iter()
        .filter(|o| o.kind == ObjectKind::Certificate)
        .count();
    assert_eq!(public.damaged().count(), public_debris, "{public:?}");
    assert!(svc.list_certificates(token.clone()).await.is_ok());

    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    // A stale description (the object changed since) destroys nothing.
    let mut stale = key.clone();
    stale.fingerprint = "0".repeat(64);
    assert_eq!(
        svc.destroy_objects(token.clone(), vec![stale])
            .await
            .unwrap(),
        0
    );
    // Handles of private objects are renumbered across a logout (SoftHSM2): only a
    // fresh inventory names them.
    let damaged: Vec<_> = svc
        .inventory(token.clone())
        .await
        .unwrap()
        .damaged()
        .cloned()
        .collect();
    let n = damaged.len();
    assert_eq!(
        svc.destroy_objects(token.clone(), damaged).await.unwrap(),
        n
    );
    let repaired = svc.inventory(token.clone()).await.unwrap();
    assert_eq!(repaired.fingerprints(), before.fingerprints());

    // The generation template carries the caller's temporary id until the final one.
    let k = svc
        .generate_key_pair_tagged(
            token.clone(),
            KeySpec {
                algorithm: KeyAlgorithm::EcP256,
                purpose: KeyPurpose::Signing,
                label: "tagged".into(),
                subject: None,
            },
            vec![0xcd; 16],
        )
        .await
        .unwrap();
    assert_eq!(k.id.len(), 40);
    assert!(svc.delete_by_id(token.clone(), k.id).await.unwrap() == 2);
    svc.logout(token.clone()).await.unwrap();
}
