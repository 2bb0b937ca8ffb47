//! An interrupted renewal (更新) finished from 我的证书 through the real window: the app
//! is made to abort itself right after the CA issued the renewed certificate
//! (`CERTDESK_FAULT_AFTER=finalize`, the core's deliberate fault injector: like
//! `kill -9`), leaving the old certificate and a new key on the SoftHSM2 token and an
//! issued, unconfirmed certificate at the CA. The restarted app's card says the renewal
//! was interrupted (zh-CN and en), its button resumes it with the PIN asked again, and it
//! ends with exactly one key paired with the new certificate and one certificate issued
//! by the CA for the renewal.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use certdesk_e2e::{App, AppData};
use common::certs::{OnToken, token_facts};
use common::type_into;

const PIN: &str = "24681357";

/// (renewal applications, certificates issued for them) of the certificate `old`, read
/// from the CA's database.
fn renewals_at_ca(ca_data: &Path, old: &str) -> (i64, i64) {
    // The document itself is sealed at rest; these two columns are kept in clear.
    let renewal = format!("a.business = 'renewal' AND a.renews_serial = lower('{old}')");
    let count = |sql: String| -> i64 {
        let out = Command::new("sqlite3")
            .arg(ca_data.join("ca.sqlite3"))
            .arg(sql)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    (
        count(format!(
            "SELECT COUNT(*) FROM applications a WHERE {renewal};"
        )),
        count(format!(
            "SELECT COUNT(*) FROM certificates c JOIN applications a ON a.id = c.application_id WHERE {renewal};"
        )),
    )
}

#[tokio::test]
async fn a_renewal_killed_after_issuance_is_finished_from_my_certificates() {
    // SAFETY: this binary's only SoftHSM2 test, before any module is loaded.
    let on = unsafe { OnToken::start("企业证书Key", "12345678", PIN) }.await;
    let (svc, token, old, ca) = (&on.svc, &on.token, on.serial.clone(), &on.ca);
    let app_data = on.tmp.path().join("app");
    std::fs::create_dir_all(&app_data).unwrap();
    let launch = |fault: Option<&'static str>| {
        let mut env = on.app_env();
        if let Some(f) = fault {
            env.push(("CERTDESK_FAULT_AFTER", f.to_string()));
        }
        let data = AppData::Borrowed(app_data.clone());
        async move {
            let refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            App::launch_in(data, &refs).await.unwrap()
        }
    };
    let card = format!("cert-{old}");

    // ---- the app dies right after the CA issued the renewed certificate ----
    let app = launch(Some("finalize")).await;
    app.click("nav-certificates").await.unwrap();
    app.wait_for(&format!("[data-testid={card}][data-inserted=true]"))
        .await
        .unwrap();
    app.click(&format!("{card}-renew")).await.unwrap();
    type_into(&app, "renew-pin", PIN).await;
    app.click("renew-submit").await.unwrap();
    app.exited().await.unwrap();
    let (certs, keys) = token_facts(svc, token, PIN).await.unwrap();
    assert_eq!(
        (certs, keys),
        (vec![old.clone()], 2),
        "killed before the write: the old certificate and a new key"
    );
    assert_eq!(renewals_at_ca(ca.data_dir(), &old), (1, 1));

    // ---- restarted: the card says so, in Chinese and in English ----
    let app = launch(None).await;
    app.click("nav-certificates").await.unwrap();
    let notice = app
        .text(&format!("[data-testid={card}-renewal-interrupted]"))
        .await
        .unwrap();
    assert!(notice.contains("上次更新未完成"), "{notice}");
    assert_eq!(
        app.text(&format!("[data-testid={card}-renew]"))
            .await
            .unwrap(),
        "继续更新"
    );
    app.screenshot("renewal-resume-card-zh-CN").await.unwrap();
    app.click(&format!("{card}-renew")).await.unwrap();
    let intro = app.text("[data-testid=renew-intro]").await.unwrap();
    assert!(intro.contains("不会再申请一张证书"), "{intro}");
    app.screenshot("renewal-resume-dialog-zh-CN").await.unwrap();
    app.click("renew-cancel").await.unwrap();

    common::set_language(&app, "en").await;
    app.click("nav-certificates").await.unwrap();
    app.wait_text(&format!("[data-testid={card}-renewal-interrupted]"), |t| {
        t.contains("did not finish")
    })
    .await
    .unwrap();
    app.screenshot("renewal-resume-card-en").await.unwrap();

    // ---- resumed: the PIN asked again; the issued certificate is used ----
    app.click(&format!("{card}-renew")).await.unwrap();
    app.wait_text("[data-testid=renew-intro]", |t| {
        t.contains("no second certificate")
    })
    .await
    .unwrap();
    app.screenshot("renewal-resume-dialog-en").await.unwrap();
    type_into(&app, "renew-pin", PIN).await;
    app.click("renew-submit").await.unwrap();
    let outcome = app
        .text("[data-testid=renew-done], [data-testid=renew-error]")
        .await
        .unwrap();
    assert!(
        outcome.contains("unfinished renewal is complete"),
        "{outcome}"
    );
    app.screenshot("renewal-resume-done-en").await.unwrap();
    app.click("renew-close").await.unwrap();

    let (certs, keys) = token_facts(svc, token, PIN).await.unwrap();
    assert_eq!(certs.len(), 1, "{certs:?}");
    assert_ne!(certs[0], old);
    assert_eq!(keys, 1, "the old key is gone, no stray key");
    assert_eq!(
        renewals_at_ca(ca.data_dir(), &old),
        (1, 1),
        "one renewal, never a second certificate"
    );
    let new = certs[0].clone();
    app.wait_for(&format!("[data-testid=cert-{new}][data-inserted=true]"))
        .await
        .unwrap();
    assert!(
        app.by_testid(&format!("{card}-renewal-interrupted"))
            .await
            .is_err(),
        "nothing is left interrupted"
    );
    app.close().await.unwrap();
    svc.close_sessions().await.unwrap();
}
