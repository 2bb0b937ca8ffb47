//! Issue 13 items 1 and 10: points, operators, roles, and certificate sign-in with a
//! key generated on a real SoftHSM2 token, its certificate downloaded through the
//! ordinary download path with the password card `certdesk-ca operator add` printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use certdesk_ca_api::download::DownloadAuthorise;
use certdesk_ca_api::operator::OperatorCreated;
use certdesk_testkit::openssl as ossl;
use certdesk_testkit::softhsm::SoftHsm;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::common::*;
use crate::pkix::*;

const PIN: &str = "246810";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `certdesk-ca <args> --ca URL --data DIR`, which must succeed; its stdout.
pub fn ca_cli(ca: &Ca, args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .args(["--ca", &ca.url, "--data", ca.dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An operator whose key lives on its own SoftHSM2 token.
pub struct OperatorToken {
    pub id: String,
    pub serial: String,
    pub certificate_pem: String,
    hsm: SoftHsm,
    conf: PathBuf,
    uri: String,
}

impl OperatorToken {
    /// Signs `data` on the token (SHA-256; ECDSA or RSA PKCS#1 v1.5 by the key).
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        let dir = self.hsm.dir();
        std::fs::write(dir.join("data.bin"), data).unwrap();
        let (k, v) = self.hsm.env();
        ossl::engine_sign(
            &self.conf,
            Some((k, v.as_os_str())),
            &self.uri,
            &dir.join("data.bin"),
            &dir.join("data.sig"),
        )
        .unwrap();
        std::fs::read(dir.join("data.sig")).unwrap()
    }
}

pub fn add_point(ca: &Ca, id: &str) {
    ca_cli(
        ca,
        &[
            "point",
            "add",
            "--id",
            id,
            "--name",
            "北京受理点",
            "--province",
            "北京市",
            "--city",
            "北京市",
        ],
    );
}

/// `certdesk-ca operator add`, then the card's download onto a fresh token.
pub async fn operator_on_token(
    ca: &Ca,
    point: &str,
    roles: &[&str],
    key_type: &str,
) -> OperatorToken {
    let mut args = vec![
        "operator",
        "add",
        "--name",
        "王操作",
        "--point",
        point,
        "--json",
    ];
    let phone = format!("139{:08}", seed() % 100_000_000);
    args.extend(["--phone", &phone]);
    for r in roles {
        args.extend(["--role", r]);
    }
    if key_type.starts_with("rsa") {
        args.extend(["--key-algorithm", "rsa2048"]);
    }
    let created: OperatorCreated = serde_json::from_str(&ca_cli(ca, &args)).unwrap();
    let hsm = SoftHsm::new().unwrap();
    let label = "OPERATOR";
    hsm.init_token(label, "13579135", PIN).unwrap();
    hsm.generate_key(label, PIN, key_type, "a1").unwrap();
    let conf = ossl::engine_conf(hsm.dir(), &SoftHsm::module().unwrap()).unwrap();
    let uri = ossl::private_key_uri(label, "a1", PIN);
    let (k, v) = hsm.env();
    let csr = ossl::engine_csr(
        &conf,
        Some((k, v.as_os_str())),
        &uri,
        &hsm.dir().join("op.csr"),
    )
    .unwrap();

    // The ordinary download: password card → enrollment → finalize with the CSR.
    let c = ca.client();
    let (captcha_id, captcha_answer) = captcha(&c).await;
    let card = &created.card;
    let enr = c
        .download_authorise(&DownloadAuthorise {
            card_serial: card.card_serial.clone(),
            card_password: card.card_password.clone(),
            phone: card.phone.clone(),
            org_code: card.org_code.clone(),
            captcha_id,
            captcha_answer,
        })
        .await
        .unwrap();
    assert_eq!(enr.application_id, card.application_id);
    let enrolled = certdesk_ca_client::CaClient::new(&ca.url)
        .unwrap()
        .with_token(SecretString::from(enr.token));
    let iss = enrolled.finalize(&csr).await.unwrap();
    OperatorToken {
        id: created.operator.id,
        serial: iss.serial,
        certificate_pem: iss.certificate_pem,
        hsm,
        conf,
        uri,
    }
}

pub async fn challenge(ca: &Ca) -> (String, Vec<u8>) {
    let r = raw(ca.http().post(format!("{}/v1/operator/challenge", ca.url))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.body["to_sign"].as_str().unwrap())
        .unwrap();
    (r.body["challenge_id"].as_str().unwrap().to_string(), bytes)
}

pub async fn sign_in_raw(ca: &Ca, challenge_id: &str, serial: &str, sig: &[u8]) -> Raw {
    raw(ca
        .http()
        .post(format!("{}/v1/operator/sessions", ca.url))
        .json(&json!({"challenge_id": challenge_id, "certificate_serial": serial, "signature": b64(sig)})))
    .await
}

/// A full sign-in; the session token.
pub async fn sign_in(ca: &Ca, op: &OperatorToken) -> String {
    let (id, bytes) = challenge(ca).await;
    let r = sign_in_raw(ca, &id, &op.serial, &op.sign(&bytes)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["token"].as_str().unwrap().to_string()
}

async fn me(ca: &Ca, token: &str) -> Raw {
    raw(ca
        .http()
        .get(format!("{}/v1/operator/me", ca.url))
        .bearer_auth(token))
    .await
}

fn eku_text(dir: &Path, pem: &str) -> String {
    std::fs::write(dir.join("op.pem"), pem).unwrap();
    openssl(
        dir,
        &[
            "x509", "-in", "op.pem", "-noout", "-text", "-nameopt", "utf8",
        ],
    )
}

/// Signs `data` (SHA-256) with the key file `key` in `dir`: a key that is on no token.
fn file_key_sign(dir: &Path, key: &str, data: &[u8]) -> Vec<u8> {
    std::fs::write(dir.join("c.bin"), data).unwrap();
    openssl(
        dir,
        &["dgst", "-sha256", "-sign", key, "-out", "c.sig", "c.bin"],
    );
    std::fs::read(dir.join("c.sig")).unwrap()
}

#[tokio::test]
async fn an_operator_signs_in_with_the_key_on_its_token_and_is_refused_otherwise() {
    let ca = Ca::start();
    add_point(&ca, "BJ01");
    let sup = operator_on_token(&ca, "BJ01", &["supervisor", "reviewer"], "EC:prime256v1").await;

    // The operator certificate: client authentication only, the operator and point named.
    let text = eku_text(sup.hsm.dir(), &sup.certificate_pem);
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    assert!(!text.contains("E-mail Protection"), "{text}");
    assert!(text.contains(&sup.id) && text.contains("王操作"), "{text}");

    let token = sign_in(&ca, &sup).await;
    // A supervisor reads its own point's audit entries only.
    add_point(&ca, "GZ09");
    let other = operator_on_token(&ca, "GZ09", &["clerk"], "EC:prime256v1").await;
    let other_token = sign_in(&ca, &other).await;
    let mine = raw(ca
        .http()
        .get(format!("{}/v1/operator/audit?point=GZ09", ca.url))
        .bearer_auth(&token))
    .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let entries = mine.body["items"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["point"] == "BJ01"),
        "{}",
        mine.body
    );
    // A clerk may not read it.
    raw(ca
        .http()
        .get(format!("{}/v1/operator/audit", ca.url))
        .bearer_auth(&other_token))
    .await
    .assert_problem(403, "forbidden");
    let who = me(&ca, &token).await;
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(who.body["id"], sup.id.as_str());
    assert_eq!(who.body["status"], "active");
    assert_eq!(who.body["roles"], json!(["reviewer", "supervisor"]));
    assert_eq!(who.body["certificate_serial"], sup.serial.as_str());

    // A replayed challenge is refused: it was spent by the first sign-in.
    let (id, bytes) = challenge(&ca).await;
    let sig = sup.sign(&bytes);
    assert_eq!(sign_in_raw(&ca, &id, &sup.serial, &sig).await.status, 201);
    sign_in_raw(&ca, &id, &sup.serial, &sig)
        .await
        .assert_problem(401, "challenge_invalid");
    // A signature over other bytes (the previous challenge) is refused.
    let (id2, _) = challenge(&ca).await;
    sign_in_raw(&ca, &id2, &sup.serial, &sig)
        .await
        .assert_problem(401, "bad_signature");

    // A certificate of this CA that is not an operator's: an applicant's.
    let (_o, _c, enr) = enrolled_order(&ca, "sandbox-p256").await;
    let tmp = tempfile::TempDir::new().unwrap();
    let req = csr(tmp.path(), "subscriber", P256, &[]);
    let iss = enr.finalize(&req).await.unwrap();
    let (id3, bytes3) = challenge(&ca).await;
    let sub_sig = file_key_sign(tmp.path(), "subscriber.key", &bytes3);
    sign_in_raw(&ca, &id3, &iss.serial, &sub_sig)
        .await
        .assert_problem(401, "operator_certificate_invalid");
    // Another CA's certificate (self-signed with the same key): its serial is unknown here.
    openssl(
        tmp.path(),
        &[
            "req",
            "-x509",
            "-key",
            "subscriber.key",
            "-subj",
            "/CN=Other CA",
            "-days",
            "1",
            "-out",
            "other.pem",
        ],
    );
    let other_serial = openssl(
        tmp.path(),
        &["x509", "-in", "other.pem", "-noout", "-serial"],
    );
    let other_serial = other_serial
        .trim()
        .trim_start_matches("serial=")
        .to_ascii_lowercase();
    let (id4, bytes4) = challenge(&ca).await;
    let other_sig = file_key_sign(tmp.path(), "subscriber.key", &bytes4);
    sign_in_raw(&ca, &id4, &other_serial, &other_sig)
        .await
        .assert_problem(401, "operator_certificate_invalid");

    // Revoked: the live session ends at once and the next sign-in is refused.
    let out = ca_cli(&ca, &["operator", "revoke", &sup.id]);
    assert!(out.contains("Revoked"), "{out}");
    me(&ca, &token).await.assert_problem(401, "unauthorized");
    let (id5, bytes5) = challenge(&ca).await;
    sign_in_raw(&ca, &id5, &sup.serial, &sup.sign(&bytes5))
        .await
        .assert_problem(401, "operator_revoked");
    // Someone without the key learns nothing of it: a bad signature stays a bad signature.
    let (id6, _) = challenge(&ca).await;
    sign_in_raw(&ca, &id6, &sup.serial, &sig)
        .await
        .assert_problem(401, "bad_signature");
    let cert = raw(ca
        .http()
        .get(format!("{}/v1/certificates/{}", ca.url, sup.serial)))
    .await;
    assert_eq!(cert.body["status"], "revoked", "{}", cert.body);

    // The audit log names the CLI, the operator and its certificate.
    let log = raw(ca
        .http()
        .get(format!("{}/v1/staff/audit?limit=100", ca.url))
        .bearer_auth(ca.staff_token()))
    .await;
    let items: Vec<Value> = log.body["items"].as_array().unwrap().clone();
    let find = |action: &str| {
        items
            .iter()
            .find(|e| e["action"] == action && e["point"] == "BJ01")
            .unwrap()
            .clone()
    };
    assert_eq!(find("point.add")["actor"], "cli");
    assert_eq!(find("operator.add")["details"]["operator"], sup.id.as_str());
    let signed = find("operator.sign_in");
    assert_eq!(signed["actor"], format!("operator:{}", sup.id).as_str());
    assert_eq!(signed["actor_certificate_serial"], sup.serial.as_str());
    assert_eq!(signed["point"], "BJ01");
    assert_eq!(
        find("operator.revoke")["certificate_serial"],
        sup.serial.as_str()
    );
    assert!(crate::audit::verify(&ca.dir).status.success());
}

#[tokio::test]
async fn an_rsa_operator_token_signs_in_and_bad_registrations_are_refused() {
    let ca = Ca::start();
    add_point(&ca, "SH02");
    let op = operator_on_token(&ca, "SH02", &["clerk"], "rsa:2048").await;
    let token = sign_in(&ca, &op).await;
    assert_eq!(me(&ca, &token).await.body["roles"], json!(["clerk"]));
    // Logout ends the session.
    let r = raw(ca
        .http()
        .post(format!("{}/v1/operator/logout", ca.url))
        .bearer_auth(&token))
    .await;
    assert_eq!(r.status, 204);
    me(&ca, &token).await.assert_problem(401, "unauthorized");

    let staff = |path: &str, body: Value| {
        ca.http()
            .post(format!("{}{path}", ca.url))
            .bearer_auth(ca.staff_token())
            .json(&body)
    };
    raw(staff(
        "/v1/staff/points",
        json!({"id": "SH02", "name": "x", "province": "上海市", "city": "上海市"}),
    ))
    .await
    .assert_problem(409, "already_exists");
    let bad = [
        (
            "/v1/staff/points",
            json!({"id": "bad id", "name": "x", "province": "p", "city": "c"}),
        ),
        (
            "/v1/staff/operators",
            json!({"name": "李\u{0007}", "phone": "13800138000", "point_id": "SH02", "roles": ["clerk"]}),
        ),
        (
            "/v1/staff/operators",
            json!({"name": "李四", "phone": "13800138000", "point_id": "NOPE", "roles": ["clerk"]}),
        ),
        (
            "/v1/staff/operators",
            json!({"name": "李四", "phone": "13800138000", "point_id": "SH02", "roles": []}),
        ),
        (
            "/v1/staff/operators",
            json!({"name": "李四", "phone": "13800138000", "point_id": "SH02", "roles": ["boss"]}),
        ),
        (
            "/v1/staff/operators",
            json!({"name": "李四", "phone": "123", "point_id": "SH02", "roles": ["clerk"]}),
        ),
    ];
    for (path, body) in bad {
        raw(staff(path, body))
            .await
            .assert_problem(422, "validation_failed");
    }
    // An applicant cannot register operators; the operator channel is not offered.
    let (c, _) = ca.signed_in(seed()).await;
    raw(ca
        .http()
        .get(format!("{}/v1/staff/operators", ca.url))
        .header("authorization", bearer(&c)))
    .await
    .assert_problem(401, "unauthorized");
    let channels = raw(ca.http().get(format!("{}/v1/channels", ca.url))).await;
    assert!(!channels.body.to_string().contains("operator-"));
    raw(ca
        .http()
        .get(format!("{}/v1/channels/operator-p256", ca.url)))
    .await
    .assert_problem(404, "not_found");

    // The same Idempotency-Key answers the same card, not a second operator.
    let body =
        json!({"name": "赵六", "phone": "13800138001", "point_id": "SH02", "roles": ["maker"]});
    let send = || staff("/v1/staff/operators", body.clone()).header("idempotency-key", "k-1");
    let a = raw(send()).await;
    let b = raw(send()).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body, b.body);
    let list = ca_cli(&ca, &["operator", "list"]);
    assert_eq!(list.matches("赵六").count(), 1, "{list}");
    assert!(list.contains(&op.id) && list.contains("Active"), "{list}");
}

#[tokio::test]
async fn a_supervisor_manages_its_own_points_operators_only() {
    let ca = Ca::start();
    add_point(&ca, "BJ01");
    add_point(&ca, "GZ09");
    let sup = operator_on_token(&ca, "BJ01", &["supervisor"], "EC:prime256v1").await;
    let clerk = operator_on_token(&ca, "BJ01", &["clerk"], "EC:prime256v1").await;
    let other = operator_on_token(&ca, "GZ09", &["clerk", "supervisor"], "EC:prime256v1").await;
    let (sup_t, clerk_t) = (sign_in(&ca, &sup).await, sign_in(&ca, &clerk).await);
    let url = |p: &str| format!("{}/v1/operator/operators{p}", ca.url);

    let list = raw(ca.http().get(url("")).bearer_auth(&sup_t)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&sup.id.as_str()) && ids.contains(&clerk.id.as_str()));
    raw(ca.http().get(url("")).bearer_auth(&clerk_t))
        .await
        .assert_problem(403, "forbidden");

    // Adds at its own point only; a retry answers the same card.
    let new_op = |point: &str| json!({"name": "钱七", "phone": "13800138002", "point_id": point, "roles": ["maker"]});
    raw(ca
        .http()
        .post(url(""))
        .bearer_auth(&sup_t)
        .json(&new_op("GZ09")))
    .await
    .assert_problem(403, "forbidden");
    let send = || {
        ca.http()
            .post(url(""))
            .bearer_auth(&sup_t)
            .header("idempotency-key", "add-1")
            .json(&new_op("BJ01"))
    };
    let (a, b) = (raw(send()).await, raw(send()).await);
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body, b.body);
    assert_eq!(a.body["operator"]["point_id"], "BJ01");
    assert_eq!(a.body["operator"]["status"], "pending");
    assert_eq!(a.body["card"]["org_code"], "BJ01");

    // Revokes its own point's operators, not another point's, not itself.
    let revoke = |id: &str| {
        ca.http()
            .post(url(&format!("/{id}/revoke")))
            .bearer_auth(&sup_t)
    };
    raw(revoke(&other.id))
        .await
        .assert_problem(404, "not_found");
    raw(revoke(&sup.id))
        .await
        .assert_problem(409, "invalid_state");
    let r = raw(revoke(&clerk.id)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "revoked");
    me(&ca, &clerk_t).await.assert_problem(401, "unauthorized");
    // The other point's operator is untouched and still signs in.
    sign_in(&ca, &other).await;

    let log = raw(ca
        .http()
        .get(format!(
            "{}/v1/operator/audit?action=operator.revoke",
            ca.url
        ))
        .bearer_auth(&sup_t))
    .await;
    let entry = &log.body["items"][0];
    assert_eq!(entry["actor"], format!("operator:{}", sup.id).as_str());
    assert_eq!(entry["details"]["operator"], clerk.id.as_str());
    assert_eq!(entry["certificate_serial"], clerk.serial.as_str());
    assert!(crate::audit::verify(&ca.dir).status.success());
}

/// The challenge needs no sign-in, so a flood of them is bounded: past the live limit
/// the caller is told to wait (problem+json 429 with Retry-After), not given a row more.
#[tokio::test]
async fn a_flood_of_sign_in_challenges_is_bounded() {
    let ca = Ca::start();
    let url = format!("{}/v1/operator/challenge", ca.url);
    let http = ca.http();
    let limit = certdesk_ca_service::http::operators::sign_in::MAX_LIVE_CHALLENGES;
    for i in 0..limit {
        let r = raw(http.post(&url)).await;
        assert_eq!(r.status, 201, "challenge {i}: {}", r.body);
    }
    let r = raw(http.post(&url)).await;
    r.assert_problem(429, "rate_limited");
    assert!(r.headers.get("retry-after").is_some());
}
