//! Issuance against openssl-made CSRs, checked by `openssl verify`.

use der::{EncodePem, pem::LineEnding};

use super::csr::{CsrError, vet};
use super::profile::Kind;
use super::*;

fn openssl(args: &[&str], dir: &Path) -> String {
    certdesk_testkit::pkix::openssl(dir, args).unwrap()
}

fn pkilint(file: &Path) {
    certdesk_testkit::pkix::pkilint(file).unwrap();
}

fn issue_and_verify(family: Family, csr_cmds: &[&[&str]]) {
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let pki = Pki::new(d, "http://127.0.0.1:1", Clock::system());
    let ca = pki.authority(family).unwrap();
    for cmd in csr_cmds {
        openssl(cmd, d);
    }
    let csr = std::fs::read_to_string(d.join("leaf.csr")).unwrap();
    let v = vet(&csr).unwrap();
    assert_eq!(v.family, family);
    let name = subscriber_name(
        "测试单位",
        "测试单位",
        "北京市",
        "北京市",
        &certdesk_ident::testing::uscc(1),
    )
    .unwrap();
    let (cert, serial) = ca.issue(&pki, Kind::Signing, name, v.spki, 365).unwrap();
    assert_eq!(serial.len(), 32);
    std::fs::write(d.join("leaf.pem"), cert.to_pem(LineEnding::LF).unwrap()).unwrap();
    std::fs::write(
        d.join("root.pem"),
        ca.root_cert.to_pem(LineEnding::LF).unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("issuing.pem"),
        ca.issuing_cert.to_pem(LineEnding::LF).unwrap(),
    )
    .unwrap();
    if family == Family::Sm2 {
        certdesk_testkit::pkix::verify_sm2_chain(d, "leaf.pem").unwrap();
    } else {
        certdesk_testkit::pkix::verify_chain(d, "leaf.pem").unwrap();
    }
    for f in ["leaf.pem", "issuing.pem", "root.pem"] {
        pkilint(&d.join(f));
    }
    let text = openssl(
        &[
            "x509", "-in", "leaf.pem", "-noout", "-text", "-nameopt", "utf8",
        ],
        d,
    );
    assert!(
        text.contains("CN=测试单位") || text.contains("CN = 测试单位"),
        "{text}"
    );
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    assert!(text.contains("issuing.crl"), "{text}");
    // Keys at rest are private to the service user.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(d.join("ca").join(family.as_str()).join("issuing.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o777, 0o600);
    }
    // A CRL with one revoked entry parses with openssl.
    let crl = ca
        .crl_der(
            false,
            &[Revoked {
                serial_hex: serial.clone(),
                revoked_at: 1_700_000_000,
                reason: CrlReason::KeyCompromise,
            }],
            2,
            std::time::SystemTime::now(),
        )
        .unwrap();
    std::fs::write(d.join("crl.der"), crl).unwrap();
    let out = openssl(
        &["crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text"],
        d,
    );
    assert!(out.to_uppercase().contains(&serial.to_uppercase()), "{out}");
    assert!(out.contains("Key Compromise"), "{out}");
    // Reloading from disk yields the same hierarchy.
    let again = Pki::new(d, "http://127.0.0.1:1", Clock::system())
        .authority(family)
        .unwrap();
    assert_eq!(again.root_cert, ca.root_cert);
}

#[test]
fn rsa_issuance_verifies() {
    issue_and_verify(
        Family::Rsa,
        &[&[
            "req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "leaf.key", "-out",
            "leaf.csr", "-subj", "/CN=x",
        ]],
    );
}

#[test]
fn p256_issuance_verifies() {
    issue_and_verify(
        Family::P256,
        &[&[
            "req",
            "-new",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=x",
        ]],
    );
}

#[test]
fn sm2_issuance_verifies() {
    issue_and_verify(
        Family::Sm2,
        &[
            &["genpkey", "-algorithm", "SM2", "-out", "leaf.key"],
            &[
                "req",
                "-new",
                "-key",
                "leaf.key",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=x",
                "-sm3",
                "-sigopt",
                "distid:1234567812345678",
            ],
        ],
    );
}

/// An EC CSR (`/CN=x`) on `curve` in `<d>/<name>.pem`, its key in `<d>/<name>.key`.
fn ec_csr(d: &Path, curve: &str, name: &str, extra: &[&str]) {
    let (curve, key, out) = (
        format!("ec_paramgen_curve:{curve}"),
        format!("{name}.key"),
        format!("{name}.pem"),
    );
    let mut args = vec![
        "req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", &curve, "-keyout", &key, "-out",
        &out, "-subj", "/CN=x",
    ];
    args.extend_from_slice(extra);
    openssl(&args, d);
}

#[test]
fn forged_and_odd_csrs_are_refused() {
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    ec_csr(d, "P-256", "c", &[]);
    let pem = std::fs::read_to_string(d.join("c.pem")).unwrap();
    // Flip one byte inside the signature (the end of the DER).
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine;
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(&b64)
        .unwrap();
    let n = der.len();
    der[n - 3] ^= 0x01;
    let forged = base64::engine::general_purpose::STANDARD.encode(&der);
    assert!(matches!(
        vet(&forged),
        Err(CsrError::BadSignature) | Err(CsrError::Parse)
    ));
    assert_eq!(vet("hello").err(), Some(CsrError::Parse));
    // P-384 is not offered by any channel.
    ec_csr(d, "P-384", "c2", &[]);
    let e = vet(&std::fs::read_to_string(d.join("c2.pem")).unwrap())
        .err()
        .unwrap();
    assert!(matches!(e, CsrError::UnknownAlgorithm(_)), "{e:?}");
    // CA flag requested.
    ec_csr(
        d,
        "P-256",
        "c3",
        &["-addext", "basicConstraints=critical,CA:TRUE"],
    );
    assert_eq!(
        vet(&std::fs::read_to_string(d.join("c3.pem")).unwrap()).err(),
        Some(CsrError::CaRequested)
    );
}

#[test]
fn subject_values_with_control_or_bidi_characters_are_never_named() {
    let uscc = certdesk_ident::testing::uscc(1);
    for cn in [
        "probe.example\0.evil.example",
        "a\u{202E}b",
        "a\u{85}b",
        "a\u{7F}b",
    ] {
        let e = subscriber_name(cn, "测试单位", "北京市", "北京市", &uscc).unwrap_err();
        assert!(
            matches!(
                e,
                PkiError::Subject {
                    field: "common_name",
                    ..
                }
            ),
            "{cn:?}: {e}"
        );
    }
    let e = subscriber_name("ok", "测试单位", &"省".repeat(33), "北京市", &uscc).unwrap_err();
    assert!(matches!(
        e,
        PkiError::Subject {
            field: "province",
            ..
        }
    ));
}
