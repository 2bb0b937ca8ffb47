//! Renewal (更新), reissue (补办) and change (变更) over HTTP.

use std::path::Path;
use std::process::Command;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::Business;
use certdesk_ca_api::download::{CertificateStatus, RevocationReason};
use certdesk_ca_api::download::{Enrollment, RenewalChallenge};
use certdesk_ca_api::sandbox::ApprovedOrder;
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_ca_service::sandbox_flow::{self, Persona};
use secrecy::SecretString;

use crate::common::*;
use crate::pkix::*;

async fn enrollment(c: &CaClient, o: &ApprovedOrder) -> CaClient {
    authorise(c, o, &o.card_password, &o.org_code)
        .await
        .unwrap()
}

fn p256_csr(dir: &Path, name: &str) -> String {
    csr(dir, name, P256, &[])
}

/// Downloads (key `<name>.key`) and confirms; returns the serial.
async fn download(c: &CaClient, o: &ApprovedOrder, d: &Path, name: &str) -> String {
    let enr = enrollment(c, o).await;
    let iss = enr.finalize(&p256_csr(d, name)).await.unwrap();
    enr.confirm_download().await.unwrap();
    iss.serial
}

/// Proves possession of `key` (`<d>/<key>`) for `serial` with challenge `ch`.
async fn renew_with(
    c: &CaClient,
    d: &Path,
    serial: &str,
    ch: &RenewalChallenge,
    key: &str,
) -> Result<Enrollment, ClientError> {
    c.renew(serial, &ch.challenge_id, &sign(d, key, &ch.challenge))
        .await
}

/// An enrollment's client (its token as the bearer).
fn enrolled(ca: &Ca, token: String) -> CaClient {
    CaClient::new(&ca.url)
        .unwrap()
        .with_token(SecretString::from(token))
}

/// A P-256 certificate downloaded onto key `<d>/<name>.key` and confirmed: the order,
/// a client of `ca`, and the serial.
async fn p256_certificate(ca: &Ca, d: &Path, name: &str) -> (ApprovedOrder, CaClient, String) {
    let o = sandbox_flow::approved_order(&ca.url, "sandbox-p256")
        .await
        .unwrap();
    let c = ca.client();
    let serial = download(&c, &o, d, name).await;
    (o, c, serial)
}

fn sign(d: &Path, key: &str, challenge_b64: &str) -> Vec<u8> {
    use base64::Engine;
    std::fs::write(
        d.join("challenge.bin"),
        base64::engine::general_purpose::STANDARD
            .decode(challenge_b64)
            .unwrap(),
    )
    .unwrap();
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-sign",
            key,
            "-out",
            "sig.bin",
            "challenge.bin",
        ],
    );
    std::fs::read(d.join("sig.bin")).unwrap()
}

#[tokio::test]
async fn renewal_needs_the_window_and_proof_of_possession() {
    // Certificates valid 60 days: inside the 90-day renewal window from the start.
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let ca = sixty_day_ca(d);
    let (o, c, serial) = p256_certificate(&ca, d, "old").await;

    // A signature by another key is refused, and the challenge is spent.
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "stranger.key",
        ],
    );
    let ch = c.renewal_challenge(&serial).await.unwrap();
    let e = renew_with(&c, d, &serial, &ch, "stranger.key")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::VerificationFailed));
    let e = renew_with(&c, d, &serial, &ch, "old.key")
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(ProblemCode::VerificationFailed),
        "challenges are single use"
    );

    let ch = c.renewal_challenge(&serial).await.unwrap();
    let enr = renew_with(&c, d, &serial, &ch, "old.key").await.unwrap();
    assert_ne!(enr.application_id, o.application_id);
    let enr = enrolled(&ca, enr.token);
    let iss = enr.finalize(&p256_csr(d, "new")).await.unwrap();
    assert_ne!(iss.serial, serial);
    let app = enr.confirm_download().await.unwrap();
    assert_eq!(app.business, Business::Renewal);
    assert_eq!(app.status, ApplicationStatus::Completed);
    assert_eq!(app.certificate_serial.as_deref(), Some(serial.as_str()));
    assert_eq!(app.issued_serial.as_deref(), Some(iss.serial.as_str()));
    std::fs::write(d.join("new.pem"), &iss.certificate_pem).unwrap();
    std::fs::write(d.join("chain.pem"), &iss.chain_pem).unwrap();
    let out = openssl(d, &["verify", "-CAfile", "chain.pem", "new.pem"]);
    assert!(out.contains("new.pem: OK"), "{out}");
    // The renewed subject is the vetted organisation's.
    let subj = openssl(
        d,
        &[
            "x509",
            "-in",
            "new.pem",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8,sep_comma_plus",
        ],
    );
    assert!(subj.contains(&format!("serialNumber={}", o.uscc)), "{subj}");
}

#[tokio::test]
async fn renewal_is_closed_outside_the_window() {
    let ca = Ca::start();
    let tmp = tempfile::TempDir::new().unwrap();
    let (_, c, serial) = p256_certificate(&ca, tmp.path(), "k").await;
    let e = c.renewal_challenge(&serial).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
    assert!(
        e.problem()
            .unwrap()
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("renewal is open from")
    );
    assert_eq!(
        c.renewal_challenge("00").await.unwrap_err().code(),
        Some(ProblemCode::NotFound)
    );
}

#[tokio::test]
async fn the_renewal_window_follows_the_ca_clock() {
    // sandbox-p256 certificates are valid 365 days; renewal opens 90 days before expiry.
    let ca = Ca::start_with(&["--sandbox", "--test-clock"]);
    let tmp = tempfile::TempDir::new().unwrap();
    let (_, c, serial) = p256_certificate(&ca, tmp.path(), "k").await;
    let closed = |r: Result<_, certdesk_ca_client::ClientError>| {
        assert_eq!(r.unwrap_err().code(), Some(ProblemCode::InvalidState));
    };
    closed(c.renewal_challenge(&serial).await);
    ca.advance_clock((365 - 90) * 86_400 + 60).await;
    let ch = c.renewal_challenge(&serial).await.unwrap();
    let not_after = c.certificate(&serial).await.unwrap().not_after;
    let at = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    };
    assert_eq!(at(&not_after) - at(&ch.renewal_opens_at), 90 * 86_400);
    ca.advance_clock(90 * 86_400).await;
    closed(c.renewal_challenge(&serial).await);
}

fn assert_certificate_field(e: &sandbox_flow::FlowError) {
    let sandbox_flow::FlowError::Client(e) = e else {
        panic!("{e}")
    };
    assert_eq!(e.code(), Some(ProblemCode::ValidationFailed), "{e}");
    assert_eq!(e.field_errors()[0].field, "certificate_serial");
}

/// An approved P-256 order of `p` for `business` (a reissue names the `old` certificate).
async fn p256_order(
    ca: &Ca,
    p: &Persona,
    business: Business,
    old: Option<String>,
) -> ApprovedOrder {
    sandbox_flow::approved_order_for(&ca.url, "sandbox-p256", p, business, old)
        .await
        .unwrap()
}

#[tokio::test]
async fn reissue_revokes_the_lost_tokens_certificate() {
    let ca = Ca::start();
    let p = Persona::new(seed());
    let o = p256_order(&ca, &p, Business::NewOrgCertificate, None).await;
    let c = ca.client();
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let old = download(&c, &o, d, "lost").await;

    // Reissue must name a valid certificate of the same organisation.
    let mut applicant = ca.client();
    sandbox_flow::sign_in(&mut applicant, &p.handler.phone)
        .await
        .unwrap();
    let e = sandbox_flow::submitted_for(&applicant, &p, "sandbox-p256", Business::Reissue, None)
        .await
        .unwrap_err();
    assert_certificate_field(&e);
    let other = Persona::new(p.seed + 7);
    let e = sandbox_flow::submitted_for(
        &applicant,
        &other,
        "sandbox-p256",
        Business::Reissue,
        Some(old.clone()),
    )
    .await
    .unwrap_err();
    assert_certificate_field(&e);

    let o2 = p256_order(&ca, &p, Business::Reissue, Some(old.clone())).await;
    assert_ne!(o2.application_id, o.application_id);
    assert_eq!(
        c.certificate(&old).await.unwrap().status,
        CertificateStatus::Valid,
        "revoked only on issuance"
    );
    let new = download(&c, &o2, d, "replacement").await;
    assert_ne!(new, old);
    let rec = c.certificate(&old).await.unwrap();
    assert_eq!(rec.status, CertificateStatus::Revoked);
    assert_eq!(rec.reason, Some(RevocationReason::KeyCompromise));
    std::fs::write(
        d.join("crl.der"),
        c.ca_file("p256", "issuing.crl").await.unwrap(),
    )
    .unwrap();
    let text = openssl(
        d,
        &["crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text"],
    );
    assert!(text.to_uppercase().contains(&old.to_uppercase()), "{text}");
    assert_eq!(
        c.certificate(&new).await.unwrap().status,
        CertificateStatus::Valid
    );
}

fn run(cmd: &str, args: &[&str], env: &[(&str, &Path)]) -> String {
    let mut c = Command::new(cmd);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c
        .output()
        .unwrap_or_else(|_| panic!("{cmd} must be installed (softhsm2, opensc)"));
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd} {args:?}: {all}");
    all
}

#[tokio::test]
async fn unlock_grants_the_so_pin_that_resets_the_user_pin() {
    let ca = Ca::start();
    let o = sandbox_flow::approved_order(&ca.url, "sandbox-p256")
        .await
        .unwrap();
    let c = ca.client();
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let serial = download(&c, &o, d, "k").await;

    // Token production: a SoftHSM2 token whose SO PIN is set to the one the CA controls.
    std::fs::create_dir_all(d.join("tokens")).unwrap();
    std::fs::write(
        d.join("softhsm2.conf"),
        format!("directories.tokendir = {}\n", d.join("tokens").display()),
    )
    .unwrap();
    let conf = d.join("softhsm2.conf");
    let env = [("SOFTHSM2_CONF", conf.as_path())];
    let module = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so";
    run(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "ukey",
            "--so-pin",
            "factory1",
            "--pin",
            "123456",
        ],
        &env,
    );
    let slots = run(
        "pkcs11-tool",
        &["--module", module, "--list-token-slots"],
        &env,
    );
    let token_serial = slots
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("serial num")
                .map(|s| s.trim_start_matches([' ', ':']).trim().to_string())
        })
        .unwrap_or_else(|| panic!("{slots}"));
    let staff = ca.client().with_token(SecretString::from(ca.staff_token()));
    let so = staff.staff_so_pin(&token_serial).await.unwrap().so_pin;
    // pkcs11-tool logged in as the token's security officer with `so_pin`.
    let as_so = |so_pin: &str, action: &[&str]| {
        let login = [
            "--module",
            module,
            "--login",
            "--login-type",
            "so",
            "--so-pin",
            so_pin,
        ];
        run("pkcs11-tool", &[&login[..], action].concat(), &env)
    };
    as_so("factory1", &["--change-pin", "--new-pin", &so]);

    let unlock = |phone: &str, id: String, ans: String| certdesk_ca_api::download::UnlockRequest {
        certificate_serial: serial.clone(),
        token_serial: token_serial.clone(),
        phone: phone.to_string(),
        captcha_id: id,
        captcha_answer: ans,
    };
    let (captcha_id, ans) = captcha(&c).await;
    let e = c
        .start_unlock(&unlock("13911112222", captcha_id, ans))
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(ProblemCode::VerificationFailed),
        "only the phone on record"
    );
    let (captcha_id, ans) = captcha(&c).await;
    let started = c
        .start_unlock(&unlock(&o.phone, captcha_id, ans))
        .await
        .unwrap();
    let code = sandbox_flow::latest_code(&c, &o.phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let e = c
        .authorise_unlock(&started.request_id, wrong)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::OtpInvalid));
    let grant = c
        .authorise_unlock(&started.request_id, &code)
        .await
        .unwrap();
    assert_eq!(grant.token_serial, token_serial);
    assert_eq!(grant.so_pin, so);
    let again = c
        .authorise_unlock(&started.request_id, &code)
        .await
        .unwrap_err();
    assert_eq!(
        again.code(),
        Some(ProblemCode::InvalidState),
        "a grant is single use"
    );
    // The forgotten user PIN is reset as SO with the granted SO PIN.
    as_so(&grant.so_pin, &["--init-pin", "--new-pin", "654321"]);
    run(
        "pkcs11-tool",
        &[
            "--module",
            module,
            "--login",
            "--pin",
            "654321",
            "--list-objects",
        ],
        &env,
    );
    assert!(!ca.log().contains(&grant.so_pin));
}

/// A sandbox CA whose certificates are valid 60 days: inside the 90-day renewal window
/// from the start.
fn sixty_day_ca(d: &Path) -> Ca {
    let channels = sandbox_flow::sixty_day_channels(d).unwrap();
    Ca::start_with(&["--sandbox", "--channels", channels.to_str().unwrap()])
}

/// Certificates the CA issued for an application (read from its database).
fn issued_for(ca: &Ca, application_id: &str) -> i64 {
    certdesk_testkit::ca::issued_for(&ca.dir, application_id).unwrap()
}

#[tokio::test]
async fn an_interrupted_renewal_is_resumed_never_started_twice() {
    let tmp = tempfile::TempDir::new().unwrap();
    let d = tmp.path();
    let ca = sixty_day_ca(d);
    let (_, c, serial) = p256_certificate(&ca, d, "old").await;
    // A proof of possession with the old key; the enrollment for the renewal.
    let prove = || async {
        let ch = c.renewal_challenge(&serial).await.unwrap();
        renew_with(&c, d, &serial, &ch, "old.key").await
    };
    let with = |token: String| enrolled(&ca, token);

    // Interrupted before finalize (the client crashed after the proof): the next proof
    // resumes the same renewal application.
    let first = prove().await.unwrap();
    let again = prove().await.unwrap();
    assert_eq!(again.application_id, first.application_id);
    assert_ne!(again.token, first.token, "a fresh enrollment token");
    let app = first.application_id.clone();

    // Interrupted after finalize: the CA holds an issued, unconfirmed certificate. The
    // next proof resumes the same application, and finalize with the same key answers
    // that certificate instead of issuing a second one.
    let new_csr = p256_csr(d, "new");
    let issued = with(again.token).finalize(&new_csr).await.unwrap();
    assert_eq!(issued_for(&ca, &app), 1);
    let resumed = prove().await.unwrap();
    assert_eq!(resumed.application_id, app);
    let enr = with(resumed.token);
    let same = enr.finalize(&new_csr).await.unwrap();
    assert_eq!(same.serial, issued.serial);
    assert_eq!(same.certificate_pem, issued.certificate_pem);
    // A CSR for another key is refused, as the download refuses it.
    let e = enr.finalize(&p256_csr(d, "other")).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::IssuedForAnotherKey));
    assert_eq!(issued_for(&ca, &app), 1, "no second issuance");

    // Confirmed: the renewal is done, and renewing the old certificate again is refused
    // (its successor is the one to renew).
    let done = enr.confirm_download().await.unwrap();
    assert_eq!(done.status, ApplicationStatus::Completed);
    assert_eq!(done.issued_serial.as_deref(), Some(issued.serial.as_str()));
    let e = prove().await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
    assert!(
        e.to_string().contains(&issued.serial),
        "the refusal names the new certificate: {e}"
    );
    assert_eq!(issued_for(&ca, &app), 1);
    // The old certificate itself stays valid until it expires.
    assert_eq!(
        c.certificate(&serial).await.unwrap().status,
        CertificateStatus::Valid
    );
}
