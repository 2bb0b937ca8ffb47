//! `certdesk-cli download` against the real reference CA and SoftHSM2: a plain download
//! checked by `pkcs11-tool` and `openssl verify`, then the crash suite: the CLI is made
//! to abort itself (`CERTDESK_FAULT_AFTER`, the core's deliberate fault injector: no
//! destructors, no flush, like `kill -9`) at every step boundary, and the same command
//! run again must end with exactly one key paired with one certificate on the token, no
//! orphans, and exactly one certificate issued by the CA for the application.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use certdesk_testkit::ca::{ApprovedOrder, CaService};
use certdesk_testkit::openssl;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;

const PIN: &str = "24681357";

fn approved_order(ca: &CaService, channel: &str) -> ApprovedOrder {
    certdesk_testkit::ca::approved_order(ca.url(), channel).unwrap()
}

fn download(
    hsm: &SoftHsm,
    data: &Path,
    ca: &CaService,
    order: &ApprovedOrder,
    serial: &str,
    fault: Option<&str>,
) -> Output {
    let module = SoftHsm::module().unwrap();
    let env = hsm.env();
    let onto = support::Onto {
        module: &module,
        env: (env.0, &env.1),
        serial,
    };
    support::download(&onto, data, ca, order, PIN, fault)
}

/// Exactly one key pair and one (non-CA) certificate, paired, no orphans; returns the key id.
async fn assert_one_pair(svc: &TokenService, token: &TokenRef, label: &str) -> String {
    svc.rescan(token.module.clone()).await.unwrap();
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let keys = svc.list_keys(token.clone()).await.unwrap();
    let private: Vec<_> = keys.iter().filter(|k| k.private).collect();
    let public: Vec<_> = keys.iter().filter(|k| !k.private).collect();
    assert_eq!(private.len(), 1, "{label}: private keys {keys:?}");
    assert_eq!(public.len(), 1, "{label}: public keys {keys:?}");
    assert_eq!(private[0].id, public[0].id, "{label}");
    let certs: Vec<_> = svc
        .list_certificates(token.clone())
        .await
        .unwrap()
        .into_iter()
        .filter(|c| !c.is_ca)
        .collect();
    assert_eq!(certs.len(), 1, "{label}: certificates {certs:?}");
    assert_eq!(certs[0].id, private[0].id, "{label}");
    assert_eq!(certs[0].has_private_key, Some(true), "{label}");
    let orphans = svc.find_orphans(token.clone()).await.unwrap();
    assert!(
        orphans.keys_without_certificate.is_empty() && orphans.certificates_without_key.is_empty(),
        "{label}: orphans {orphans:?}"
    );
    svc.logout(token.clone()).await.unwrap();
    private[0].id.clone()
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Fault points: after each step's `end` record, and between a step's operation and its
/// `end` record where that leaves something behind (a key, a certificate, an issuance,
/// the CA's confirmation).
const FAULTS: &[&str] = &[
    "preflight:begin",
    "preflight",
    "authorise",
    "login",
    "keygen:begin",
    "keygen:op",
    "keygen",
    "csr",
    "finalize:begin",
    "finalize:op",
    "finalize",
    "write-certificate:op",
    "write-certificate",
    "self-test",
    "confirm:op",
    "confirm",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_survives_a_kill_at_every_step() {
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: one test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    let mut serials = Vec::new();
    for i in 0..=FAULTS.len() {
        serials.push(hsm.init_token(&format!("DL{i}"), "12345678", PIN).unwrap());
    }
    let ca = CaService::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    let svc = TokenService::start().unwrap();
    let tok = |i: usize| TokenRef {
        module: module.clone(),
        serial: serials[i].clone(),
    };

    // ---- a plain download, checked by tools no one here wrote ----
    let order = approved_order(&ca, "sandbox-p256");
    let out = download(&hsm, data.path(), &ca, &order, &serials[0], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for step in [
        "preflight",
        "authorise",
        "login",
        "keygen",
        "csr",
        "finalize",
        "write-certificate",
        "self-test",
        "confirm",
    ] {
        assert!(
            stderr.contains(&format!("step {step} ")),
            "no progress line for {step}: {stderr}"
        );
    }
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["resumed"], false);
    assert_eq!(result["chain_len"], 2);
    let key_id = assert_one_pair(&svc, &tok(0), "plain").await;
    assert_eq!(result["key_id"], key_id.as_str());
    assert_eq!(support::issued_by_ca(&ca, &order.application_id), 1);

    // pkcs11-tool lists the key and the certificate under the same ID.
    let listing = run(Command::new("pkcs11-tool")
        .env(hsm.env().0, hsm.env().1)
        .args(["--module", module.to_str().unwrap(), "--token-label", "DL0"])
        .args(["--login", "--pin", PIN, "--list-objects"]));
    let listing = String::from_utf8_lossy(&listing.stdout);
    let id_line = format!("ID:         {key_id}");
    for kind in [
        "Private Key Object",
        "Public Key Object",
        "Certificate Object",
    ] {
        assert!(
            listing
                .split(kind)
                .skip(1)
                .any(|obj| obj.lines().take(8).any(|l| l.trim() == id_line.trim())),
            "{kind} with {key_id} not in:\n{listing}"
        );
    }
    // openssl verifies the certificate read back from the token against the CA's chain.
    let dir = tempfile::tempdir().unwrap();
    let leaf_der = dir.path().join("leaf.der");
    run(Command::new("pkcs11-tool")
        .env(hsm.env().0, hsm.env().1)
        .args(["--module", module.to_str().unwrap(), "--token-label", "DL0"])
        .args(["--read-object", "--type", "cert", "--id", &key_id, "-o"])
        .arg(&leaf_der));
    let leaf_pem = dir.path().join("leaf.pem");
    run(Command::new("openssl")
        .args(["x509", "-inform", "DER", "-in"])
        .arg(&leaf_der)
        .arg("-out")
        .arg(&leaf_pem));
    let client = certdesk_ca_client::CaClient::new(ca.url()).unwrap();
    let root = dir.path().join("root.pem");
    let issuing = dir.path().join("issuing.pem");
    for (name, pem) in [("root.crt", &root), ("issuing.crt", &issuing)] {
        let der = dir.path().join(name);
        std::fs::write(&der, client.ca_file("p256", name).await.unwrap()).unwrap();
        run(Command::new("openssl")
            .args(["x509", "-inform", "DER", "-in"])
            .arg(&der)
            .arg("-out")
            .arg(pem));
    }
    let verify = run(Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(&root)
        .arg("-untrusted")
        .arg(&issuing)
        .arg(&leaf_pem));
    assert!(String::from_utf8_lossy(&verify.stdout).contains(": OK"));
    // openssl signs with the downloaded key through the pkcs11 engine, and the
    // downloaded certificate verifies the signature.
    let conf = openssl::engine_conf(dir.path(), &module).unwrap();
    let data_file = dir.path().join("data.txt");
    std::fs::write(&data_file, "signed with the downloaded key").unwrap();
    let sig = dir.path().join("data.sig");
    let uri = openssl::private_key_uri("DL0", &key_id, PIN);
    let (var, value) = hsm.env();
    openssl::engine_sign(
        &conf,
        Some((var, value.as_os_str())),
        &uri,
        &data_file,
        &sig,
    )
    .unwrap();
    assert!(openssl::verified_by(&leaf_pem, "PEM", &data_file, &sig).unwrap());

    // The same command again: the certificate is already there, which is success (exit
    // 0, said so), and nothing new is made.
    let again = download(&hsm, data.path(), &ca, &order, &serials[0], None);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["already_on_token"], true, "{v}");
    assert_eq!(v["certificate_serial"], result["certificate_serial"], "{v}");
    assert_eq!(support::issued_by_ca(&ca, &order.application_id), 1);
    assert_one_pair(&svc, &tok(0), "plain, second run").await;

    // ---- killed at every step, then resumed ----
    for (i, fault) in FAULTS.iter().enumerate() {
        let i = i + 1;
        let order = approved_order(&ca, "sandbox-p256");
        let killed = download(&hsm, data.path(), &ca, &order, &serials[i], Some(fault));
        assert!(
            !killed.status.success(),
            "{fault}: the fault did not fire: {}",
            String::from_utf8_lossy(&killed.stderr)
        );
        assert!(
            String::from_utf8_lossy(&killed.stderr).contains("fault injected"),
            "{fault}: {}",
            String::from_utf8_lossy(&killed.stderr)
        );
        let resumed = download(&hsm, data.path(), &ca, &order, &serials[i], None);
        let stderr = String::from_utf8_lossy(&resumed.stderr);
        if *fault == "confirm" {
            // The journal had recorded the confirmation: the download was complete, and
            // running it again says the certificate is already on the token (exit 0)
            // without touching the token or the CA.
            assert!(resumed.status.success(), "{fault}: {stderr}");
            let v: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
            assert_eq!(v["already_on_token"], true, "{fault}: {v}");
        } else {
            assert!(
                resumed.status.success(),
                "{fault}: {:?} {stderr}",
                resumed.status
            );
            let v: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
            // Killed before the pre-flight ended, nothing had been made: it starts over.
            let expect_resumed = *fault != "preflight:begin";
            assert_eq!(v["resumed"], expect_resumed, "{fault}: {v}");
        }
        assert_one_pair(&svc, &tok(i), fault).await;
        assert_eq!(
            support::issued_by_ca(&ca, &order.application_id),
            1,
            "{fault}: the CA issued more than once"
        );
        let app = certdesk_ca_client::CaClient::new(ca.url())
            .unwrap()
            .certificate(
                &serde_json::from_slice::<serde_json::Value>(&resumed.stdout)
                    .ok()
                    .and_then(|v| v["certificate_serial"].as_str().map(str::to_string))
                    .unwrap_or_default(),
            )
            .await;
        assert_eq!(app.unwrap().application_id, order.application_id, "{fault}");
    }
    svc.close_sessions().await.unwrap();
}
