use certdesk_ca_api::ProblemCode;
use certdesk_ca_service::sandbox_flow::latest_code;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn wrong_captcha_is_refused_and_captcha_is_single_use() {
    let ca = Ca::start();
    let c = ca.client();
    let phone = certdesk_ident::testing::mobile(seed());
    let cap = c.captcha().await.unwrap();
    assert!(cap.image.starts_with("data:image/svg+xml;base64,"));
    let answer = c.sandbox_captcha_answer(&cap.captcha_id).await.unwrap();
    let e = c
        .send_login_otp(&phone, &cap.captcha_id, "WRONG")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::CaptchaInvalid));
    // The right answer no longer works: the wrong try spent the captcha.
    let e = c
        .send_login_otp(&phone, &cap.captcha_id, &answer)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::CaptchaInvalid));
    // Bad phone → field error naming the field.
    let cap = c.captcha().await.unwrap();
    let e = c
        .send_login_otp("12345", &cap.captcha_id, "x")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::ValidationFailed));
    assert_eq!(e.field_errors()[0].field, "phone");
    assert_eq!(e.field_errors()[0].kind, "mobile_format");
}

async fn request_code(
    c: &certdesk_ca_client::CaClient,
    phone: &str,
) -> Result<certdesk_ca_api::auth::OtpSent, certdesk_ca_client::ClientError> {
    let cap = c.captcha().await.unwrap();
    let answer = c.sandbox_captcha_answer(&cap.captcha_id).await.unwrap();
    c.send_login_otp(phone, &cap.captcha_id, &answer).await
}

#[tokio::test]
async fn resend_storm_gets_429_with_retry_after() {
    let ca = Ca::start();
    let c = ca.client();
    let phone = certdesk_ident::testing::mobile(seed());
    let sent = request_code(&c, &phone).await.unwrap();
    assert_eq!(sent.resend_after, 60);
    let cap = c.captcha().await.unwrap();
    let answer = c.sandbox_captcha_answer(&cap.captcha_id).await.unwrap();
    let r = raw(ca
        .http()
        .post(format!("{}/v1/auth/otp", ca.url))
        .json(&json!({
            "phone": phone, "captcha_id": cap.captcha_id, "captcha_answer": answer
        })))
    .await;
    r.assert_problem(429, "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.body["retry_after"], retry);
}

#[tokio::test]
async fn sign_in_logout_and_wrong_codes_lock_out() {
    let ca = Ca::start();
    let mut c = ca.client();
    let phone = certdesk_ident::testing::mobile(seed());
    request_code(&c, &phone).await.unwrap();
    let code = latest_code(&c, &phone).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        let e = c.sign_in(&phone, wrong).await.unwrap_err();
        assert_eq!(e.code(), Some(ProblemCode::OtpInvalid));
    }
    let e = c.sign_in(&phone, wrong).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::LockedOut));
    // Locked: even the right code is refused now.
    let e = c.sign_in(&phone, &code).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::LockedOut));

    // Another phone signs in and out; the token dies with logout.
    let phone2 = certdesk_ident::testing::mobile(seed());
    request_code(&c, &phone2).await.unwrap();
    let code = latest_code(&c, &phone2).await.unwrap();
    c.sign_in(&phone2, &code).await.unwrap();
    let token = bearer(&c);
    let r = raw(ca
        .http()
        .get(format!("{}/v1/applications", ca.url))
        .header("authorization", &token))
    .await;
    assert_eq!(r.status, 200);
    c.logout().await.unwrap();
    let r = raw(ca
        .http()
        .get(format!("{}/v1/applications", ca.url))
        .header("authorization", &token))
    .await;
    r.assert_problem(401, "unauthorized");
    // A used code cannot be replayed.
    let e = c.sign_in(&phone2, &code).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::OtpInvalid));
}

#[tokio::test]
async fn expired_code_is_refused() {
    let ca = Ca::start_with(&["--sandbox", "--test-clock", "--otp-ttl-secs", "60"]);
    let mut c = ca.client();
    let phone = certdesk_ident::testing::mobile(seed());
    request_code(&c, &phone).await.unwrap();
    let code = latest_code(&c, &phone).await.unwrap();
    ca.advance_clock(61).await;
    let e = c.sign_in(&phone, &code).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::OtpExpired));
}

#[tokio::test]
async fn secrets_stay_out_of_the_log() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let code = latest_code(&c, &p.handler.phone).await.unwrap();
    let log = ca.log();
    assert!(log.contains("signed in"), "log: {log}");
    assert!(!log.contains(&code));
    assert!(!log.contains(&p.handler.phone));
    use secrecy::ExposeSecret;
    assert!(!log.contains(c.token().unwrap().expose_secret()));
    assert!(!format!("{c:?}").contains(c.token().unwrap().expose_secret()));
}
