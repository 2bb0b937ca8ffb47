//! Interoperability with tools nobody here wrote: after CertDesk writes a key and its
//! certificate to a SoftHSM2 token, `pkcs11-tool` lists them paired, and `openssl`
//! signs through the pkcs11 engine with a signature the certificate verifies.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use certdesk_testkit::issuer::TestCa;
use certdesk_testkit::openssl;
use certdesk_testkit::process::run;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkcs11_tool_and_openssl_agree() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: single-test binary; first use of the environment.
    unsafe { hsm.install_env() };
    let serial = hsm.init_token("CD-INTEROP", SO_PIN, USER_PIN).unwrap();
    let module = SoftHsm::module().unwrap();
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial,
    };
    svc.login(token.clone(), pin(USER_PIN), false)
        .await
        .unwrap();
    let ca = TestCa::new().unwrap();
    let conf = openssl::engine_conf(hsm.dir(), &module).unwrap();

    for (alg, label) in [
        (KeyAlgorithm::EcP256, "interop-ec"),
        (KeyAlgorithm::Rsa2048, "interop-rsa"),
    ] {
        let (key, leaf) = enroll(&svc, &token, &ca, alg, label).await;

        // pkcs11-tool sees a private key and a certificate with the same ID and label.
        let out = run(Command::new("pkcs11-tool")
            .arg("--module")
            .arg(&module)
            .args([
                "--token-label",
                "CD-INTEROP",
                "--login",
                "--pin",
                USER_PIN,
                "--list-objects",
            ]))
        .unwrap();
        let listing = String::from_utf8_lossy(&out.stdout).into_owned();
        // One object per header line (pkcs11-tool indents the attribute lines).
        let mut objects: Vec<String> = Vec::new();
        for line in listing.lines() {
            if !line.starts_with(' ') {
                objects.push(String::new());
            }
            if let Some(o) = objects.last_mut() {
                o.push_str(line);
                o.push('\n');
            }
        }
        let object = |kind: &str| {
            objects
                .iter()
                .find(|b| {
                    b.starts_with(kind)
                        && b.contains(&format!("ID:         {}\n", key.id))
                        && b.contains(&format!("label:      {label}\n"))
                })
                .cloned()
        };
        let with_id = |kind: &str| object(kind).is_some();
        // Usage flags are exactly what a signing key needs (SoftHSM2 would add
        // decrypt/unwrap/derive if they were not set explicitly).
        let private = object("Private Key Object").unwrap_or_default();
        assert!(private.contains("Usage:      sign\n"), "{private}");
        assert!(private.contains("never extractable"), "{private}");
        let public = object("Public Key Object").unwrap_or_default();
        assert!(public.contains("Usage:      verify\n"), "{public}");
        assert!(
            with_id("Private Key Object"),
            "no private key {label}/{}:\n{listing}",
            key.id
        );
        assert!(
            with_id("Certificate Object"),
            "no certificate {label}/{}:\n{listing}",
            key.id
        );

        // openssl signs with the token key through the engine...
        let dir = hsm.dir();
        let data = dir.join("data.txt");
        std::fs::write(&data, format!("signed by {label} via the pkcs11 engine")).unwrap();
        let sig = dir.join(format!("{label}.sig"));
        let uri = openssl::private_key_uri("CD-INTEROP", &key.id, USER_PIN);
        openssl::engine_sign(&conf, None, &uri, &data, &sig).unwrap();
        // ...and the certificate CertDesk wrote verifies the signature.
        let cert = dir.join(format!("{label}.der"));
        std::fs::write(&cert, &leaf).unwrap();
        assert!(openssl::verified_by(&cert, "DER", &data, &sig).unwrap());
        // openssl verify accepts the chain.
        let pem = dir.join(format!("{label}.pem"));
        run(Command::new("openssl")
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&cert)
            .arg("-out")
            .arg(&pem))
        .unwrap();
        run(Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(ca.cert_pem_path())
            .arg(&pem))
        .unwrap();
    }
}
