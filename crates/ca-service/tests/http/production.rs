//! A CA started without `--sandbox` never trusts sandbox behaviour (issue 12, part 4):
//! it refuses to start without every provider or with a published sandbox key, refuses
//! a notification signed with the sandbox key, asks its configured providers (never the
//! sandbox rules), and keeps no message body (codes) in ca.sqlite3.
//!
//! The third parties (SMS gateway, registry, identity and face providers) cannot be
//! reached from here: a small HTTP server in this test plays them — a test double,
//! standing where only a real provider could.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use serde_json::{Value, json};

use crate::common::{Ca, bin, raw};

const KEY: &str = crate::common::PROVIDER_KEY;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// The provider double: records every call; the registry knows `company`, the identity
/// provider says "no match" to everything.
async fn providers(company: Value) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let record = |name: &'static str, answer: Value| {
        post(
            move |State(s): State<(Seen, Value)>, Json(body): Json<Value>| {
                let answer = if name == "registry" {
                    s.1.clone()
                } else {
                    answer.clone()
                };
                async move {
                    s.0.lock().unwrap().push((name.to_string(), body));
                    Json(answer)
                }
            },
        )
    };
    let app = axum::Router::new()
        .route("/sms", record("sms", json!({})))
        .route("/email", record("email", json!({})))
        .route("/mail", record("mail", json!({})))
        .route("/registry", record("registry", Value::Null))
        .route("/identity", record("identity", json!({"match": false})))
        .route("/face", record("face", json!({})))
        .with_state((seen.clone(), company));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn config(base: &str, wechat_key: &str) -> String {
    crate::common::providers_config(base, wechat_key)
}

/// Runs `serve` expecting it to refuse: no URL on stdout, a non-zero exit, the reason.
fn refused(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "started with {args:?}");
    assert!(
        out.stdout.is_empty(),
        "printed {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn refuses_to_start_without_providers_or_with_sandbox_keys() {
    let err = refused(&[]);
    assert!(err.contains("--providers"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = config("http://127.0.0.1:9", KEY);
    let cases = [
        (
            "sandbox key",
            config("http://127.0.0.1:9", "sandbox-wechat-secret"),
            "published sandbox key",
        ),
        (
            "another provider's sandbox key",
            good.replace(
                &format!("token = \"{KEY}\"\ncheck_url"),
                "token = \"sandbox-face-secret\"\ncheck_url",
            ),
            "published sandbox key",
        ),
        (
            "sandbox face result key",
            good.replace(crate::common::FACE_KEY, "sandbox-face-secret"),
            "published sandbox key",
        ),
        (
            "short key",
            config("http://127.0.0.1:9", "short"),
            "at least",
        ),
        (
            "no sms",
            good.replace("[sms]", "[unused_sms]"),
            "unknown field",
        ),
        (
            "no alipay",
            good.replace("[payment.alipay]", "[payment.alipay_old]"),
            "payment.alipay",
        ),
        ("empty file", String::new(), "missing field"),
    ];
    for (what, text, expect) in cases {
        let path = write(&format!("{}.toml", what.replace(' ', "-")), &text);
        let err = refused(&["--providers", &path]);
        assert!(err.contains(expect), "{what}: {err}");
        assert!(!err.contains(KEY), "{what}: the key leaked: {err}");
    }
    // Missing a provider section entirely.
    let no_face = good.split("[face]").next().unwrap().to_string();
    let err = refused(&["--providers", &write("no-face.toml", &no_face)]);
    assert!(err.contains("no face provider"), "{err}");
    // The movable test clock is for the sandbox only.
    let err = refused(&["--test-clock", "--providers", &write("clock.toml", &good)]);
    assert!(err.contains("--sandbox"), "{err}");
    // --sandbox and --providers together: one or the other.
    let err = refused(&["--sandbox", "--providers", &write("good.toml", &good)]);
    assert!(
        err.contains("--providers") || err.contains("cannot be used"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn production_mode_never_falls_back_to_the_sandbox() {
    let persona = certdesk_ca_service::sandbox_flow::Persona::new(crate::common::seed());
    let (base, seen) = providers(serde_json::to_value(&persona.company).unwrap()).await;
    let ca = Ca::start_production(&base);
    let http = ca.http();
    let url = |p: &str| format!("{}{p}", ca.url);

    // No sandbox surface.
    raw(http.get(url("/sandbox/outbox")))
        .await
        .assert_problem(404, "not_found");
    raw(http.get(url("/sandbox")))
        .await
        .assert_problem(404, "not_found");

    // A notification signed with the published sandbox key is forged: refused.
    let body = br#"{"payment_id":"pay_x","amount_fen":1,"provider_transaction_id":"t1"}"#;
    for provider in ["wechat", "alipay", "bank_gateway"] {
        let forged = certdesk_ca_service::providers::sandbox::sign(
            &format!("sandbox-{provider}-secret"),
            body,
        );
        raw(http
            .post(url(&format!("/v1/payments/notify/{provider}")))
            .header("content-type", "application/json")
            .header("x-payment-signature", forged)
            .body(body.to_vec()))
        .await
        .assert_problem(401, "bad_signature");
    }
    // Signed with the configured merchant key it passes the signature check (and finds
    // no such payment).
    let real = certdesk_ca_service::providers::sandbox::sign(KEY, body);
    let r = raw(http
        .post(url("/v1/payments/notify/alipay"))
        .header("content-type", "application/json")
        .header("x-payment-signature", real)
        .body(body.to_vec()))
    .await;
    assert_ne!(r.status, 401, "{}", r.body);

    // Sign in: the captcha answer is for a person's eyes (read from the store here),
    // the SMS goes to the SMS provider.
    let phone = persona.handler.phone.clone();
    let cap = raw(http.post(url("/v1/captchas"))).await;
    let captcha_id = cap.body["captcha_id"].as_str().unwrap().to_string();
    let db = rusqlite::Connection::open(ca.dir.join("ca.sqlite3")).unwrap();
    let answer: String = db
        .query_row(
            "SELECT answer FROM captchas WHERE id = ?1",
            [&captcha_id],
            |r| r.get(0),
        )
        .unwrap();
    let r = raw(http
        .post(url("/v1/auth/otp"))
        .json(&json!({"phone": phone, "captcha_id": captcha_id, "captcha_answer": answer})))
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let mut code = None;
    for _ in 0..100 {
        code = seen.lock().unwrap().iter().find_map(|(name, b)| {
            (name == "sms" && b["to"] == phone.as_str()).then(|| {
                // The first run of six digits is the code.
                let text = b["body"].as_str().unwrap().to_string();
                text.split(|c: char| !c.is_ascii_digit())
                    .find(|run| run.len() == 6)
                    .unwrap_or_default()
                    .to_string()
            })
        });
        if code.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let code = code.expect("the SMS provider got the code");
    assert_eq!(code.len(), 6, "{code}");
    let r = raw(http
        .post(url("/v1/auth/token"))
        .json(&json!({"phone": phone, "code": code})))
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = r.body["token"].as_str().unwrap().to_string();
    let c = ca.client().with_token(secrecy::SecretString::from(token));

    // The enterprise registry is the configured one (verified below), and the face check
    // is started at the configured provider: its URL is the provider's, and a result
    // signed with the sandbox key is forged; one signed with the result key counts.
    let (app, face) = face_check_started(&c, &persona).await;
    assert_eq!(face.url, format!("https://face.example/{}", face.id));
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|(n, b)| n == "face" && b["check_id"] == face.id.as_str())
    );
    let result = br#"{"pass":true}"#;
    let post_result = |sig: String| {
        http.post(url(&format!("/v1/face-checks/{}/result", face.id)))
            .header("content-type", "application/json")
            .header("x-provider-signature", sig)
            .body(result.to_vec())
    };
    let forged = certdesk_ca_service::providers::sign("sandbox-face-secret", result);
    raw(post_result(forged))
        .await
        .assert_problem(401, "bad_signature");
    let r = raw(post_result(certdesk_ca_service::providers::sign(
        crate::common::FACE_KEY,
        result,
    )))
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "passed");
    // The online authorisation link is the CA's own page, not a sandbox one.
    let auth = c.start_online_authorisation(&app.id).await.unwrap();
    assert_eq!(auth.url, format!("{}/authorisation/{}", ca.url, auth.id));
    let page = http.get(&auth.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("签署授权委托书") && !html.contains("/sandbox"),
        "{html}"
    );
    // The OTP key file is private to the service.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ca.dir.join("otp-key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|(n, b)| n == "registry" && b["uscc"] == persona.company.uscc.as_str())
    );
    // The identity provider says no: a phone not ending in 0000 does NOT pass (the
    // sandbox rule would have passed it).
    assert!(!persona.handler.phone.ends_with("0000"));
    let e = c
        .verify_handler(
            &app.id,
            certdesk_ca_api::application::HandlerCheckMethod::Phone,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(certdesk_ca_api::ProblemCode::VerificationFailed)
    );
    assert!(seen.lock().unwrap().iter().any(|(n, _)| n == "identity"));

    // ca.sqlite3 keeps the outbox row without its body: the code is nowhere in it.
    let (rows, bodies): (i64, i64) = db
        .query_row("SELECT count(*), sum(length(body)) FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(rows >= 1);
    assert_eq!(bodies, 0, "message bodies are not kept outside the sandbox");
    // Nor anywhere else in the store, in any text column of any table.
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in &tables {
        let cols: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{t}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for col in cols {
            let n: i64 = db
                .query_row(
                    &format!(
                        "SELECT count(*) FROM \"{t}\" WHERE instr(CAST(\"{col}\" AS TEXT), ?1) > 0"
                    ),
                    [&code],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 0, "the one-time code is in {t}.{col} in clear");
        }
    }
}

#[tokio::test]
async fn sandbox_face_results_are_signed_with_the_published_sandbox_key() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(crate::common::seed()).await;
    let (_, face) = face_check_started(&c, &p).await;
    let body = br#"{"pass":false}"#;
    let post = |sig: &str| {
        ca.http()
            .post(format!("{}/v1/face-checks/{}/result", ca.url, face.id))
            .header("content-type", "application/json")
            .header("x-provider-signature", sig.to_string())
            .body(body.to_vec())
    };
    raw(post("00")).await.assert_problem(401, "bad_signature");
    let sig = certdesk_ca_service::providers::sign("sandbox-face-secret", body);
    let r = raw(post(&sig)).await;
    assert_eq!(r.body["status"], "failed", "{}", r.body);
}

/// A new-organisation application of `p` whose enterprise verification passed, with the
/// legal representative's on-site face check started.
async fn face_check_started(
    c: &certdesk_ca_client::CaClient,
    p: &certdesk_ca_service::sandbox_flow::Persona,
) -> (
    certdesk_ca_api::application::Application,
    certdesk_ca_api::application::FaceCheck,
) {
    let app = c
        .create_application(&crate::common::new_org(p), None)
        .await
        .unwrap();
    c.verify_enterprise(&app.id).await.unwrap();
    let face = c
        .start_face_check(
            &app.id,
            certdesk_ca_api::application::Person::LegalRep,
            certdesk_ca_api::application::FaceMethod::OnSite,
        )
        .await
        .unwrap();
    (app, face)
}
