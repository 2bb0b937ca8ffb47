//! Counter-mode set-up shared by the counter window tests: the CA's own CLI for points
//! and operators, and an operator certificate downloaded onto a SoftHSM2 token with
//! `certdesk-cli download`, as a supervisor would bootstrap a point.

use certdesk_ca_api::application::{Application, ApplicationStatus};
use certdesk_ca_api::operator::OperatorCreated;
use certdesk_ca_api::sandbox::ApprovedOrder;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_testkit::ca::ca_command;
use certdesk_testkit::softhsm::SoftHsm;

use certdesk_e2e::{App, AppData};

use super::{Env, cli_download, seed};

/// The operator tokens' PIN.
pub const PIN: &str = "24681357";

/// `certdesk-ca ARGS` against the test CA's data.
pub fn ca_cli(env: &Env, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend([
        "--ca",
        env.ca.url(),
        "--data",
        env.ca.data_dir().to_str().unwrap(),
    ]);
    ca_command(&all).unwrap()
}

/// Acceptance point BJ01 (北京受理点).
pub fn add_point(env: &Env) {
    ca_cli(
        env,
        &[
            "point",
            "add",
            "--id",
            "BJ01",
            "--name",
            "北京受理点",
            "--province",
            "北京市",
            "--city",
            "北京市",
        ],
    );
}

/// An operator of BJ01 with `roles`, their certificate downloaded onto a new token of
/// `hsm` (PIN [`PIN`]); returns the operator's number.
pub fn operator_on_token(env: &Env, hsm: &SoftHsm, name: &str, roles: &[&str]) -> String {
    let phone = format!("139{:08}", seed() % 100_000_000);
    let mut args = vec![
        "operator", "add", "--name", name, "--point", "BJ01", "--phone", &phone,
    ];
    for r in roles {
        args.extend(["--role", r]);
    }
    args.push("--json");
    let created: OperatorCreated = serde_json::from_str(&ca_cli(env, &args)).unwrap();
    let serial = hsm.init_token("操作员Key", "13579135", PIN).unwrap();
    let card = created.card;
    let order = ApprovedOrder {
        application_id: card.application_id.clone(),
        uscc: String::new(),
        org_code: card.org_code.clone(),
        phone: card.phone.clone(),
        handler_id: String::new(),
        card_serial: card.card_serial.clone(),
        card_password: card.card_password.clone(),
        ca_url: env.ca.url().to_owned(),
    };
    let cli_data = tempfile::tempdir().unwrap();
    cli_download(hsm, cli_data.path(), env.ca.url(), &order, &serial, PIN);
    created.operator.id
}

/// The app on `hsm`'s tokens (SoftHSM2 as its PKCS#11 module), with fresh data.
pub async fn launch_on(env: &Env, hsm: &SoftHsm) -> App {
    launch_with_env(env, hsm, &[]).await
}

/// [`launch_on`] in `data` (what a closed app left: a restart).
pub async fn launch_on_in(env: &Env, hsm: &SoftHsm, data: AppData) -> App {
    launch_in_with_env(env, hsm, data, &[]).await
}

/// As [`launch_on`], with the files the app saves (receipts, forms) written to `saves`
/// instead of through the native dialog.
pub async fn launch_saving(env: &Env, hsm: &SoftHsm, saves: &std::path::Path) -> App {
    launch_with_env(
        env,
        hsm,
        &[("CERTDESK_TEST_SAVE_DIR", saves.to_str().unwrap())],
    )
    .await
}

async fn launch_with_env(env: &Env, hsm: &SoftHsm, extra: &[(&str, &str)]) -> App {
    let data = AppData::Owned(tempfile::tempdir().unwrap());
    launch_in_with_env(env, hsm, data, extra).await
}

pub async fn launch_in_with_env(
    env: &Env,
    hsm: &SoftHsm,
    data: AppData,
    extra: &[(&str, &str)],
) -> App {
    let module = SoftHsm::module().unwrap();
    let (conf_var, conf) = hsm.env();
    let mut vars = vec![
        (conf_var, conf.to_str().unwrap()),
        ("CERTDESK_PKCS11_MODULE", module.to_str().unwrap()),
    ];
    vars.extend_from_slice(extra);
    env.launch_with(data, &vars, &[]).await
}

const ENTER: &str = "\u{E007}";

/// An applicant's online order, submitted in the sandbox and awaiting payment (what a
/// walk-in brings to the counter): the applicant's client, who they are, the order.
pub async fn submitted_order(env: &Env) -> (CaClient, Persona, Application) {
    let persona = Persona::new(seed() % 1_000_000_000);
    let mut applicant = env.sandbox();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, "sandbox-rsa")
        .await
        .unwrap();
    assert_eq!(order.status, ApplicationStatus::AwaitingPayment);
    (applicant, persona, order)
}

/// Sends keys to whatever has the focus once it is `testid`.
pub async fn keys_to(app: &App, testid: &str, keys: &str) {
    let el = super::eventually_focused(app, testid).await;
    el.send_keys(keys).await.unwrap();
}

/// Settings → 受理台 on, then the counter page (its sign-in).
pub async fn counter_mode_on(app: &App) {
    app.click("nav-settings").await.unwrap();
    app.click("counter-mode").await.unwrap();
    app.click("counter-settings-save").await.unwrap();
    app.wait_for("[data-testid=counter-settings-saved]")
        .await
        .unwrap();
    app.click("nav-counter").await.unwrap();
}

/// Signs in the operator `name` whose token is in the reader, with [`PIN`].
pub async fn sign_in(app: &App, name: &str) {
    app.wait_text("[data-testid=counter-sign-in-token-owner]", |t| {
        t.contains(name)
    })
    .await
    .unwrap();
    keys_to(app, "counter-sign-in-pin", &format!("{PIN}{ENTER}")).await;
    app.wait_text("[data-testid=counter-header]", |t| t.contains(name))
        .await
        .unwrap();
}

/// Scrolls the element with `testid` to the top of the pane (for a screenshot).
pub async fn scroll_to(app: &App, testid: &str) {
    let js = format!(
        "document.querySelector('[data-testid={testid}]').scrollIntoView({{block: 'start'}})"
    );
    app.client.execute(&js, vec![]).await.unwrap();
}

/// The operator signs out and takes their USBKey (`from`); `to`'s token goes into the
/// app's store in its place, as a USBKey is handed over.
pub fn swap_tokens(from: &SoftHsm, to: &SoftHsm) {
    from.unplug().unwrap();
    to.unplug().unwrap();
    for e in std::fs::read_dir(to.dir().join("unplugged")).unwrap() {
        let e = e.unwrap();
        std::fs::rename(e.path(), from.dir().join("tokens").join(e.file_name())).unwrap();
    }
}

/// The customer-facing window, driven as the applicant would.
pub mod customer {
    use std::time::{Duration, Instant};

    use certdesk_e2e::App;
    use fantoccini::Locator;
    use fantoccini::wd::WindowHandle;

    const ENTER: &str = "\u{E007}";

    /// Switches the WebDriver session to the window whose page has `testid`, waiting for
    /// it to open; returns the handle of the window it was on.
    pub async fn switch_to_window_with(app: &App, testid: &str) -> WindowHandle {
        let from = app.client.window().await.unwrap();
        let css = format!("[data-testid={testid}]");
        let started = Instant::now();
        loop {
            for h in app.client.windows().await.unwrap() {
                if app.client.switch_to_window(h).await.is_ok()
                    && app.client.find(Locator::Css(&css)).await.is_ok()
                {
                    return from;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no window shows {testid}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn back_to(app: &App, h: WindowHandle) {
        app.client.switch_to_window(h).await.unwrap();
    }

    /// Types into the element with `testid` (the customer window's focus is not reported
    /// by the window system under Xvfb, so the element is addressed directly).
    pub async fn type_in(app: &App, testid: &str, keys: &str) {
        let css = format!("[data-testid={testid}]");
        app.wait_for(&css).await.unwrap();
        let el = app.client.find(Locator::Css(&css)).await.unwrap();
        el.send_keys(keys).await.unwrap();
    }

    /// Enter in `testid` when the answer closes the customer window (one display): the
    /// window may be gone before WebDriver answers, which is then no error.
    pub async fn submit_closing(app: &App, testid: &str) {
        let css = format!("[data-testid={testid}]");
        let el = app.client.find(Locator::Css(&css)).await.unwrap();
        let _ = el.send_keys(ENTER).await;
    }
}

/// Counter work done by the CA's operator API from the test itself (for cases a window
/// test needs ready, not the path it tests): an operator session signed in with the
/// operator's token in `hsm` — the challenge signed on the token, as the app does.
pub mod staff_api {
    use certdesk_ca_api::application::Person;
    use certdesk_ca_api::counter::{
        Case, CounterPaymentMethod, CounterPaymentRequest, FieldCheck, FieldOutcome, IdDocument,
        OnSiteIdentity,
    };
    use certdesk_ca_client::CaClient;
    use certdesk_testkit::softhsm::SoftHsm;
    use certdesk_token::{SecretString, TokenRef, TokenService};

    use super::PIN;
    use crate::common::Env;

    /// Signs the operator on token `serial` in; the client carries the session.
    pub async fn session(env: &Env, svc: &TokenService, serial: &str) -> CaClient {
        let token = TokenRef {
            module: SoftHsm::module().unwrap(),
            serial: serial.to_owned(),
        };
        // The CLI that wrote it was another process: look until this one sees it.
        let cert = certdesk_e2e::eventually(
            "the operator certificate",
            std::time::Duration::from_secs(10),
            || async {
                let _ = svc.rescan(token.module.clone()).await;
                let certs = svc.list_certificates(token.clone()).await.ok()?;
                certs.into_iter().find(|c| !c.is_ca)
            },
        )
        .await
        .unwrap();
        let ca = env.sandbox();
        let challenge = ca.operator_challenge().await.unwrap();
        svc.login(token.clone(), SecretString::from(PIN.to_owned()), false)
            .await
            .unwrap();
        let signed = svc
            .sign(token.clone(), cert.id.clone(), challenge.to_sign)
            .await
            .unwrap();
        svc.logout(token).await.unwrap();
        let s = ca
            .operator_sign_in(&challenge.challenge_id, &cert.serial, &signed.signature)
            .await
            .unwrap();
        env.sandbox().with_token(SecretString::from(s.token))
    }

    /// Every operator whose token is in `hsm` (its configuration installed in this
    /// process's environment), signed in, by name.
    pub async fn sessions_by_name(env: &Env) -> std::collections::HashMap<String, CaClient> {
        let svc = TokenService::start().unwrap();
        let tokens = svc.list_tokens(SoftHsm::module().unwrap()).await.unwrap();
        let mut by_name = std::collections::HashMap::new();
        for t in tokens.iter().filter(|t| t.token_initialized) {
            let s = session(env, &svc, &t.serial).await;
            by_name.insert(s.operator_me().await.unwrap().name, s);
        }
        svc.close_sessions().await.unwrap();
        by_name
    }

    /// The walk-in of `order` served by `clerk` (one field checked, the handler's
    /// identity seen on site with the order's own ID-card copy, paid by POS) and
    /// approved by `reviewer`.
    pub async fn approved_case(
        clerk: &CaClient,
        reviewer: &CaClient,
        order_id: &str,
        handler_id_number: &str,
    ) -> Case {
        use certdesk_ca_api::channel::DocumentKind;
        let case = clerk.open_case(order_id, None).await.unwrap();
        clerk
            .check_case_field(
                &case.id,
                &FieldCheck {
                    field: "enterprise.name".into(),
                    outcome: FieldOutcome::Checked,
                    value: None,
                },
            )
            .await
            .unwrap();
        let copy = case
            .application
            .documents
            .iter()
            .find(|d| d.kind == DocumentKind::HandlerIdCard)
            .unwrap()
            .id
            .clone();
        clerk
            .record_identity_check(
                &case.id,
                &OnSiteIdentity {
                    person: Person::Handler,
                    document: IdDocument::ResidentIdCard,
                    id_number: handler_id_number.to_owned(),
                    copy_document_id: copy,
                    attested: true,
                },
            )
            .await
            .unwrap();
        clerk
            .record_counter_payment(
                &case.id,
                &CounterPaymentRequest {
                    method: CounterPaymentMethod::Pos,
                    reference: Some(format!("POS-{}", &case.id[5..13])),
                },
                None,
            )
            .await
            .unwrap();
        reviewer.approve_case(&case.id).await.unwrap()
    }
}
