use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::*;
use certdesk_ca_api::payment::{PaymentNotify, PaymentProvider, PaymentStatus};
use certdesk_ca_service::providers::sandbox::{sandbox_secret, sign};
use certdesk_ca_service::sandbox_flow;

use crate::common::*;

async fn notify(ca: &Ca, provider: &str, body: &[u8], sig: &str) -> Raw {
    raw(ca
        .http()
        .post(format!("{}/v1/payments/notify/{provider}", ca.url))
        .header("content-type", "application/json")
        .header("x-payment-signature", sig)
        .body(body.to_vec()))
    .await
}

#[tokio::test]
async fn signed_notify_pays_once_and_bad_signatures_are_rejected() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-rsa")
        .await
        .unwrap();
    let pay = c
        .create_payment(&app.id, PaymentProvider::Alipay, Some("pay-1"))
        .await
        .unwrap();
    assert_eq!(pay.amount_fen, 40000);
    assert_eq!(pay.status, PaymentStatus::Pending);
    assert!(pay.code_url.contains(&pay.id));
    // Same idempotency key → same payment.
    assert_eq!(
        c.create_payment(&app.id, PaymentProvider::Alipay, Some("pay-1"))
            .await
            .unwrap()
            .id,
        pay.id
    );

    let body = serde_json::to_vec(&PaymentNotify {
        payment_id: pay.id.clone(),
        amount_fen: pay.amount_fen,
        provider_transaction_id: "T1".into(),
    })
    .unwrap();
    // Signed with another provider's secret, or garbage: refused, nothing changes.
    notify(
        &ca,
        "alipay",
        &body,
        &sign(&sandbox_secret(PaymentProvider::Wechat), &body),
    )
    .await
    .assert_problem(401, "bad_signature");
    notify(&ca, "alipay", &body, "zz")
        .await
        .assert_problem(401, "bad_signature");
    assert_eq!(
        c.payment(&pay.id).await.unwrap().status,
        PaymentStatus::Pending
    );

    let sig = sign(&sandbox_secret(PaymentProvider::Alipay), &body);
    let r = notify(&ca, "alipay", &body, &sig).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = notify(&ca, "alipay", &body, &sig).await;
    assert_eq!(r.status, 200, "duplicate notify is harmless");
    let paid = c.payment(&pay.id).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Paid);
    let app = c.application(&app.id).await.unwrap();
    assert_eq!(app.status, ApplicationStatus::InReview);
    assert_eq!(app.actions, vec![Action::View]);
    // Exactly one "paid" SMS despite the duplicate notify.
    let sms = c.sandbox_outbox(Some(&p.handler.phone)).await.unwrap();
    assert_eq!(
        sms.items
            .iter()
            .filter(|m| m.body.contains("已支付"))
            .count(),
        1
    );
    // A paid application cannot be paid or cancelled again.
    let e = c
        .create_payment(&app.id, PaymentProvider::Wechat, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
    let e = c.cancel_application(&app.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
}

#[tokio::test]
async fn expired_payment_refuses_notify_until_renewed() {
    let ca = Ca::start_with(&["--sandbox", "--test-clock", "--payment-ttl-secs", "60"]);
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-p256")
        .await
        .unwrap();
    let pay = c
        .create_payment(&app.id, PaymentProvider::BankGateway, None)
        .await
        .unwrap();
    assert!(
        pay.code_url
            .starts_with(&format!("{}/sandbox/pay/", ca.url))
    );
    ca.advance_clock(61).await;
    assert_eq!(
        c.payment(&pay.id).await.unwrap().status,
        PaymentStatus::Expired
    );
    let e = c.sandbox_pay(&pay.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::PaymentExpired));
    let renewed = c.renew_payment(&pay.id).await.unwrap();
    assert_eq!(renewed.status, PaymentStatus::Pending);
    assert!(renewed.expires_at > pay.expires_at);
    c.sandbox_pay(&pay.id).await.unwrap();
    assert_eq!(
        c.application(&app.id).await.unwrap().status,
        ApplicationStatus::InReview
    );
}
