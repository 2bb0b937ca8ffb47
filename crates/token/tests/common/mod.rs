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

pub fn pin(s: &str) -> SecretString {
    SecretString::from(s.to_string())
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
