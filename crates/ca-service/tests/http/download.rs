use std::process::Command;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::{Action, ApplicationStatus};
use certdesk_ca_api::download::{
    CertificateStatus, DownloadAuthorise, DownloadLookup, RevocationReason,
};
use certdesk_ca_service::sandbox_flow;
use secrecy::SecretString;

use crate::common::*;
use crate::pkix::*;

#[tokio::test]
async fn approved_order_downloads_a_certificate_openssl_and_pkilint_accept() {
    let ca = Ca::start();
    let o = sandbox_flow::approved_order(&ca.url, "sandbox-rsa")
        .await
        .unwrap();
    let c = ca.client();
    // Look-up by organisation code and by handler ID, each with the handler's phone.
    for (org, hid) in [
        (Some(o.org_code.clone()), None),
        (None, Some(o.handler_id.clone())),
    ] {
        let (id, ans) = captcha(&c).await;
        let found = c
            .download_lookup(&DownloadLookup {
                org_code: org,
                handler_id_number: hid,
                phone: o.phone.clone(),
                captcha_id: id,
                captcha_answer: ans,
            })
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].application_id, o.application_id);
        assert!(found[0].actions.contains(&Action::Download));
    }
    // Another phone finds nothing.
    let (id, ans) = captcha(&c).await;
    let none = c
        .download_lookup(&DownloadLookup {
            org_code: Some(o.org_code.clone()),
            handler_id_number: None,
            phone: "13900001111".into(),
            captcha_id: id,
            captcha_answer: ans,
        })
        .await
        .unwrap();
    assert!(none.is_empty());

    let enr = authorise(&c, &o, &o.card_password, &o.org_code)
        .await
        .unwrap();
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let req = csr(
        d,
        "leaf",
        RSA2048,
        &[
            "-addext",
            "subjectAltName=DNS:evil.example",
            "-addext",
            "basicConstraints=CA:FALSE",
        ],
    );
    let iss = enr.finalize(&req).await.unwrap();
    let (issuing, root) = split_chain(&iss.chain_pem);
    std::fs::write(d.join("leaf.pem"), &iss.certificate_pem).unwrap();
    std::fs::write(d.join("issuing.pem"), &issuing).unwrap();
    std::fs::write(d.join("root.pem"), &root).unwrap();
    // The served root is the chain's root.
    let served_root = c.ca_file("rsa", "root.crt").await.unwrap();
    std::fs::write(d.join("root.der"), served_root).unwrap();
    let served = openssl(d, &["x509", "-inform", "DER", "-in", "root.der"]);
    assert_eq!(served.trim(), root.trim());
    certdesk_testkit::pkix::verify_chain(d, "leaf.pem").unwrap();
    for f in ["leaf.pem", "issuing.pem", "root.pem"] {
        pkilint(&d.join(f));
    }
    let text = openssl(
        d,
        &[
            "x509",
            "-in",
            "leaf.pem",
            "-noout",
            "-text",
            "-nameopt",
            "utf8,sep_comma_plus",
        ],
    );
    assert!(
        !text.contains("evil.example"),
        "CSR extensions must not be copied: {text}"
    );
    assert!(
        !text.contains("O=Evil"),
        "subject comes from the vetted application: {text}"
    );
    assert!(text.contains(&format!("serialNumber={}", o.uscc)), "{text}");
    assert!(text.contains("沙箱测试科技有限公司"), "{text}");
    assert!(
        text.contains(&format!("{}/v1/ca/rsa/issuing.crl", ca.url)),
        "{text}"
    );

    // The same CSR again: the same certificate (resume). Another key: refused.
    let again = enr.finalize(&req).await.unwrap();
    assert_eq!(again.serial, iss.serial);
    assert_eq!(again.certificate_pem, iss.certificate_pem);
    let other = csr(d, "other", RSA2048, &[]);
    let e = enr.finalize(&other).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::IssuedForAnotherKey));
    // Issued but unconfirmed: the card can authorise again and the download resumes.
    let enr2 = authorise(&c, &o, &o.card_password, &o.org_code)
        .await
        .unwrap();
    assert_eq!(enr2.finalize(&req).await.unwrap().serial, iss.serial);
    let done = enr2.confirm_download().await.unwrap();
    assert_eq!(done.status, ApplicationStatus::Completed);
    // Confirmed: the enrollment is spent and the card authorises nothing more; its
    // holder is told the card is used, a wrong password still reads as wrong.
    assert_eq!(
        enr.finalize(&req).await.unwrap_err().code(),
        Some(ProblemCode::Unauthorized)
    );
    assert_eq!(
        authorise(&c, &o, &o.card_password, &o.org_code)
            .await
            .unwrap_err()
            .code(),
        Some(ProblemCode::PasswordCardUsed)
    );
    assert_eq!(
        authorise(&c, &o, "wrong-password", &o.org_code)
            .await
            .unwrap_err()
            .code(),
        Some(ProblemCode::PasswordCardInvalid)
    );
    assert!(c.health().await.unwrap().server_time.is_some());
    assert_eq!(
        c.certificate(&iss.serial).await.unwrap().status,
        CertificateStatus::Valid
    );
}

#[tokio::test]
async fn refused_csrs_get_clear_problems() {
    let ca = Ca::start();
    let (o, _, enr) = enrolled_order(&ca, "sandbox-rsa").await;
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let cases: Vec<(String, ProblemCode, &str)> = vec![
        (
            csr(d, "p256", P256, &[]),
            ProblemCode::CsrRejected,
            "channel requires rsa 2048",
        ),
        (
            csr(d, "rsa3072", &["-newkey", "rsa:3072"], &[]),
            ProblemCode::CsrRejected,
            "rsa 3072",
        ),
        (
            csr(
                d,
                "ca",
                RSA2048,
                &["-addext", "basicConstraints=critical,CA:TRUE"],
            ),
            ProblemCode::CsrRejected,
            "CA certificate",
        ),
        (
            csr(
                d,
                "p384",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
                &[],
            ),
            ProblemCode::CsrRejected,
            "unsupported algorithm",
        ),
        ("not a csr".to_string(), ProblemCode::CsrInvalid, "PKCS#10"),
    ];
    for (req, code, detail) in cases {
        let e = enr.finalize(&req).await.unwrap_err();
        let p = e.problem().unwrap();
        assert_eq!(p.code, code, "{p:?}");
        assert_eq!(p.status, 422);
        assert!(
            p.detail.as_deref().unwrap_or_default().contains(detail),
            "{p:?}"
        );
        assert!(!p.title_zh.is_empty());
    }
    // A forged signature: valid CSR with one signature byte changed.
    let good = csr(d, "good", RSA2048, &[]);
    openssl(
        d,
        &[
            "req", "-in", "good.csr", "-outform", "DER", "-out", "good.der",
        ],
    );
    let mut der = std::fs::read(d.join("good.der")).unwrap();
    let n = der.len();
    der[n - 5] ^= 0x40;
    use base64::Engine;
    let forged = base64::engine::general_purpose::STANDARD.encode(&der);
    let e = enr.finalize(&forged).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::CsrInvalid), "{e}");
    // Nothing was issued by the refusals; the good CSR still works.
    let staff = ca.client().with_token(SecretString::from(ca.staff_token()));
    let approved = staff
        .staff_applications(ApplicationStatus::Approved, None, None)
        .await
        .unwrap();
    assert!(
        approved
            .items
            .iter()
            .any(|a| a.id == o.application_id && a.issued_serial.is_none())
    );
    enr.finalize(&good).await.unwrap();
}

#[tokio::test]
async fn wrong_card_details_lock_the_card() {
    let ca = Ca::start();
    let o = sandbox_flow::approved_order(&ca.url, "sandbox-p256")
        .await
        .unwrap();
    let c = ca.client();
    for i in 0..4 {
        let (pw, org) = if i % 2 == 0 {
            ("000000000000".to_string(), o.org_code.clone())
        } else {
            (o.card_password.clone(), "12345678X".to_string())
        };
        let e = authorise(&c, &o, &pw, &org).await.unwrap_err();
        assert_eq!(e.code(), Some(ProblemCode::PasswordCardInvalid));
    }
    let e = authorise(&c, &o, "000000000000", &o.org_code)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::PasswordCardLocked));
    let e = authorise(&c, &o, &o.card_password, &o.org_code)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::PasswordCardLocked));
    // Unknown card and wrong captcha.
    let (id, ans) = captcha(&c).await;
    let e = c
        .download_authorise(&DownloadAuthorise {
            card_serial: "PC0000000000".into(),
            card_password: "x".into(),
            phone: o.phone.clone(),
            org_code: o.org_code.clone(),
            captcha_id: id,
            captcha_answer: ans,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::PasswordCardInvalid));
    let (id, _) = captcha(&c).await;
    let e = c
        .download_authorise(&DownloadAuthorise {
            card_serial: o.card_serial.clone(),
            card_password: o.card_password.clone(),
            phone: o.phone.clone(),
            org_code: o.org_code.clone(),
            captcha_id: id,
            captcha_answer: "nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::CaptchaInvalid));
    assert!(!ca.log().contains(&o.card_password));
}

#[tokio::test]
async fn revocation_shows_in_the_crl() {
    let ca = Ca::start();
    let (_, c, enr) = enrolled_order(&ca, "sandbox-p256").await;
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let iss = enr.finalize(&csr(d, "leaf", P256, &[])).await.unwrap();
    let (issuing, root) = split_chain(&iss.chain_pem);
    std::fs::write(d.join("leaf.pem"), &iss.certificate_pem).unwrap();
    std::fs::write(d.join("chain.pem"), format!("{issuing}{root}")).unwrap();
    std::fs::write(d.join("root.pem"), &root).unwrap();
    std::fs::write(d.join("issuing.pem"), &issuing).unwrap();
    pkilint(&d.join("leaf.pem"));
    let staff = ca.client().with_token(SecretString::from(ca.staff_token()));
    let e = enr
        .staff_revoke(&iss.serial, RevocationReason::KeyCompromise)
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(ProblemCode::Unauthorized),
        "an enrollment token is not a staff token"
    );
    let rec = staff
        .staff_revoke(&iss.serial, RevocationReason::KeyCompromise)
        .await
        .unwrap();
    assert_eq!(rec.status, CertificateStatus::Revoked);
    assert_eq!(rec.reason, Some(RevocationReason::KeyCompromise));
    std::fs::write(
        d.join("issuing.crl"),
        c.ca_file("p256", "issuing.crl").await.unwrap(),
    )
    .unwrap();
    let text = openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "issuing.crl",
            "-noout",
            "-text",
        ],
    );
    assert!(
        text.to_uppercase().contains(&iss.serial.to_uppercase()),
        "{text}"
    );
    assert!(text.contains("Key Compromise"), "{text}");
    // The CRL is signed by the issuing CA and openssl uses it to reject the certificate.
    openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "issuing.crl",
            "-out",
            "issuing.crl.pem",
        ],
    );
    std::fs::write(
        d.join("root.crl"),
        c.ca_file("p256", "root.crl").await.unwrap(),
    )
    .unwrap();
    openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "root.crl",
            "-out",
            "root.crl.pem",
        ],
    );
    // `-CRLfile` takes one file: both CRLs go in it.
    let crls = std::fs::read_to_string(d.join("issuing.crl.pem")).unwrap()
        + &std::fs::read_to_string(d.join("root.crl.pem")).unwrap();
    std::fs::write(d.join("crls.pem"), crls).unwrap();
    let out = Command::new("openssl")
        .args([
            "verify",
            "-crl_check_all",
            "-CAfile",
            "chain.pem",
            "-CRLfile",
            "crls.pem",
            "leaf.pem",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && all.contains("certificate revoked"),
        "{all}\nCRL:\n{text}"
    );
    let e = staff
        .staff_revoke(&iss.serial, RevocationReason::Superseded)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
}

#[tokio::test]
async fn dual_certificate_envelope_unwraps_with_openssl() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let ca = Ca::start();
    let (_, _, enr) = enrolled_order(&ca, "sandbox-dual").await;
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let req = csr(d, "leaf", RSA2048, &[]);
    let iss = enr.finalize(&req).await.unwrap();
    let env = iss
        .encryption
        .clone()
        .expect("dual channel returns an encryption envelope");
    assert_eq!(env.scheme, "rsa-oaep-sha1+aes256-kwp");
    assert_ne!(env.serial, iss.serial);
    let (issuing, root) = split_chain(&iss.chain_pem);
    std::fs::write(d.join("root.pem"), &root).unwrap();
    std::fs::write(d.join("issuing.pem"), &issuing).unwrap();
    std::fs::write(d.join("enc.pem"), &env.certificate_pem).unwrap();
    certdesk_testkit::pkix::verify_chain(d, "enc.pem").unwrap();
    pkilint(&d.join("enc.pem"));
    let text = openssl(d, &["x509", "-in", "enc.pem", "-noout", "-text"]);
    assert!(
        text.contains("Key Encipherment, Data Encipherment"),
        "{text}"
    );
    // Unwrap exactly as a token would: RSA-OAEP(SHA-1) with the signing key, then RFC 5649.
    std::fs::write(
        d.join("aes.wrapped"),
        b64.decode(&env.wrapped_aes_key).unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("pk.wrapped"),
        b64.decode(&env.wrapped_private_key).unwrap(),
    )
    .unwrap();
    openssl(
        d,
        &[
            "pkeyutl",
            "-decrypt",
            "-inkey",
            "leaf.key",
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha1",
            "-pkeyopt",
            "rsa_mgf1_md:sha1",
            "-in",
            "aes.wrapped",
            "-out",
            "aes.bin",
        ],
    );
    let aes = std::fs::read(d.join("aes.bin")).unwrap();
    assert_eq!(aes.len(), 32);
    openssl(
        d,
        &[
            "enc",
            "-d",
            "-id-aes256-wrap-pad",
            "-K",
            &hex::encode(&aes),
            "-iv",
            "A65959A6",
            "-in",
            "pk.wrapped",
            "-out",
            "pk.der",
        ],
    );
    let from_key = openssl(d, &["pkey", "-inform", "DER", "-in", "pk.der", "-pubout"]);
    let from_cert = openssl(d, &["x509", "-in", "enc.pem", "-pubkey", "-noout"]);
    assert_eq!(from_key.trim(), from_cert.trim());
    // Resume returns the same envelope; the escrow copy is not the clear key.
    let again = enr.finalize(&req).await.unwrap();
    assert_eq!(
        again.encryption.unwrap().wrapped_private_key,
        env.wrapped_private_key
    );
    let pk = std::fs::read(d.join("pk.der")).unwrap();
    let conn = rusqlite::Connection::open(ca.dir.join("ca.sqlite3")).unwrap();
    let escrowed: Vec<u8> = conn
        .query_row(
            "SELECT escrowed_key FROM key_escrow WHERE serial = ?1",
            [&env.serial],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!escrowed.is_empty() && escrowed.windows(pk.len()).all(|w| w != pk.as_slice()));
    let db = [
        std::fs::read(ca.dir.join("ca.sqlite3")).unwrap(),
        std::fs::read(ca.dir.join("ca.sqlite3-wal")).unwrap_or_default(),
    ]
    .concat();
    assert!(
        db.windows(64).all(|w| w != &pk[pk.len() - 64..]),
        "clear private key found in the database"
    );
}

#[tokio::test]
async fn sm2_csr_is_verified_and_issued_with_sm2_sm3() {
    let ca = Ca::start();
    let (_, _, enr) = enrolled_order(&ca, "sandbox-sm2-download").await;
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    // An RSA CSR on an SM2 channel is refused.
    let e = enr
        .finalize(&csr(d, "rsa", RSA2048, &[]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::CsrRejected));
    openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "sm2.key"]);
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "sm2.key",
            "-out",
            "sm2.csr",
            "-subj",
            "/CN=x",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
        ],
    );
    let iss = enr
        .finalize(&std::fs::read_to_string(d.join("sm2.csr")).unwrap())
        .await
        .unwrap();
    let (issuing, root) = split_chain(&iss.chain_pem);
    std::fs::write(d.join("leaf.pem"), &iss.certificate_pem).unwrap();
    std::fs::write(d.join("issuing.pem"), &issuing).unwrap();
    std::fs::write(d.join("root.pem"), &root).unwrap();
    let text = openssl(d, &["x509", "-in", "leaf.pem", "-noout", "-text"]);
    assert!(text.contains("SM2-with-SM3"), "{text}");
    certdesk_testkit::pkix::verify_sm2_chain(d, "leaf.pem").unwrap();
    pkilint(&d.join("leaf.pem"));
}
