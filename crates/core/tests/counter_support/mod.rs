//! What the counter suites share: a private keyring for the operator session, the
//! `certdesk-ca` CLI against the test CA, points and operators bootstrapped with it and
//! their operator certificates downloaded onto their own SoftHSM2 tokens by the app's
//! own download, and a counter on the test CA.
#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

use certdesk_ca_api::operator::OperatorCreated;
use certdesk_core::counter::{Counter, CounterConfig};
use certdesk_core::enrollment::{DownloadRequest, Journal, SandboxCaptcha, TokenChoice, download};
use certdesk_core::keychain::Keychain;
use certdesk_testkit::ca::{CaService, ca_command};
use certdesk_testkit::keychain::PrivateKeyring;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{SecretString, TokenRef, TokenService};

pub const PIN: &str = "24681357";

/// A gnome-keyring on a private session bus, answering the keychain before it is
/// returned (a loaded machine's first start can take seconds: up to 30 s, then the last
/// error and the daemon's log).
pub fn private_keyring() -> PrivateKeyring {
    let keyring = PrivateKeyring::start().unwrap();
    // SAFETY: set once, before this test starts any thread that reads the environment.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", keyring.bus_address()) };
    let probe = Keychain::new("certdesk-test-probe");
    let secret = SecretString::from("probe");
    let mut last = None;
    for _ in 0..300 {
        match probe.set("probe", &secret) {
            Ok(()) => {
                probe.delete("probe").unwrap();
                return keyring;
            }
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "gnome-keyring never answered on the private bus: {last:?}; its log: {}",
        std::fs::read_to_string(keyring.home().join("keyring.log")).unwrap_or_default()
    );
}

pub fn ca_cli(ca: &CaService, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.extend(["--ca", ca.url(), "--data", ca.data_dir().to_str().unwrap()]);
    ca_command(&all).unwrap()
}

/// `certdesk-ca point add` for an acceptance point `id`.
pub fn add_point(ca: &CaService, id: &str, name: &str) {
    ca_cli(
        ca,
        &[
            "point",
            "add",
            "--id",
            id,
            "--name",
            name,
            "--province",
            "北京市",
            "--city",
            "北京市",
        ],
    );
}

/// `certdesk-ca operator add` at `point`, then the password card downloaded onto a fresh
/// token by the app's own certificate download. The operator id and the token.
#[allow(clippy::too_many_arguments)]
pub async fn operator_on_token(
    ca: &CaService,
    hsm: &SoftHsm,
    svc: &TokenService,
    journal: &mut Journal,
    point: &str,
    label: &str,
    name: &str,
    roles: &[&str],
) -> (String, TokenRef) {
    let phone = format!("139{:08}", rand_digits());
    let mut args = vec![
        "operator", "add", "--name", name, "--point", point, "--phone", &phone, "--json",
    ];
    for r in roles {
        args.extend(["--role", r]);
    }
    let created: OperatorCreated = serde_json::from_str(&ca_cli(ca, &args)).unwrap();
    let serial = hsm.init_token(label, "13579135", PIN).unwrap();
    let card = created.card;
    let req = DownloadRequest {
        ca_url: ca.url().to_owned(),
        application_id: card.application_id.clone(),
        card_serial: card.card_serial.clone(),
        card_password: SecretString::from(card.card_password.clone()),
        phone: card.phone.clone(),
        org_code: card.org_code.clone(),
        pin: SecretString::from(PIN.to_owned()),
        token: TokenChoice {
            modules: vec![SoftHsm::module().unwrap()],
            serial: Some(serial.clone()),
        },
        confirm_final_pin_try: false,
        channel: None,
    };
    download(svc, journal, &req, &SandboxCaptcha, &mut |_| {})
        .await
        .unwrap();
    let token = TokenRef {
        module: SoftHsm::module().unwrap(),
        serial,
    };
    svc.logout(token.clone()).await.unwrap();
    (created.operator.id, token)
}

pub fn rand_digits() -> u32 {
    rand::random::<u32>() % 100_000_000
}

pub fn pin(p: &str) -> SecretString {
    SecretString::from(p.to_owned())
}

/// A signed-out counter on the test CA whose session lives under `keychain`.
pub async fn open_counter(ca: &CaService, svc: &TokenService, keychain: &str) -> Counter {
    Counter::open(
        CounterConfig {
            ca_url: ca.url().to_owned(),
            client: Default::default(),
            keychain: Keychain::new(keychain),
            idle_minutes: 10,
        },
        svc.clone(),
    )
    .await
    .unwrap()
}

/// An applicant's online order for `channel`, walked in at `clerk`'s point: opened from
/// its number, one field checked, the handler's identity checked on site, paid by POS,
/// approved by `reviewer`. The approved case and the handler's phone.
pub async fn approved_walk_in(
    ca: &CaService,
    clerk: &Counter,
    reviewer: &Counter,
    channel: &str,
) -> (certdesk_ca_api::counter::Case, String) {
    use certdesk_ca_api::application::Person;
    use certdesk_ca_api::counter::{CaseStatus, IdDocument};
    use certdesk_ca_service::sandbox_flow::{self, Persona};
    use certdesk_core::counter::{CounterPaymentInput, FieldVerdict, IdentityCheckInput};

    let persona = Persona::new(rand::random::<u64>() % 1_000_000_000);
    let mut applicant = certdesk_ca_client::CaClient::new(ca.url()).unwrap();
    sandbox_flow::sign_in(&mut applicant, &persona.handler.phone)
        .await
        .unwrap();
    let order = sandbox_flow::submitted(&applicant, &persona, channel)
        .await
        .unwrap();
    let case = clerk.cases().open(&order.id, None).await.unwrap();
    clerk
        .cases()
        .check_field(&case.id, "enterprise.name", &FieldVerdict::Checked)
        .await
        .unwrap();
    let copy = handler_copy(&case);
    clerk
        .cases()
        .record_identity(
            &case.id,
            &IdentityCheckInput {
                person: Person::Handler,
                document: IdDocument::ResidentIdCard,
                id_number: SecretString::from(persona.handler.id_number.clone()),
                copy_document_id: copy,
                attested: true,
            },
        )
        .await
        .unwrap();
    clerk
        .cases()
        .record_payment(
            &case.id,
            &CounterPaymentInput::Pos {
                slip: format!("SLIP-{}", rand_digits()),
            },
            None,
        )
        .await
        .unwrap();
    let approved = reviewer.cases().approve(&case.id).await.unwrap();
    assert_eq!(approved.status, CaseStatus::Approved);
    // Scanned again (to make it), the order answers its approved case, not a new one.
    let again = clerk.cases().open(&order.id, None).await.unwrap();
    assert_eq!(
        (again.id.as_str(), again.status),
        (case.id.as_str(), CaseStatus::Approved)
    );
    let phone = approved
        .application
        .input
        .contact_phone()
        .unwrap()
        .to_string();
    (approved, phone)
}

/// The id of the handler's ID-card copy among the case's uploads.
pub fn handler_copy(case: &certdesk_ca_api::counter::Case) -> String {
    use certdesk_ca_api::channel::DocumentKind;
    case.application
        .documents
        .iter()
        .find(|d| d.kind == DocumentKind::HandlerIdCard)
        .unwrap()
        .id
        .clone()
}

/// Keys and certificates (not CA) on `token`, each certificate paired with its private
/// key and no orphans; `pin` opens it.
pub async fn pairs_with(svc: &TokenService, token: &TokenRef, pin_: &str) -> (usize, usize) {
    svc.logout(token.clone()).await.ok();
    svc.login(token.clone(), pin(pin_), false).await.unwrap();
    let keys = svc.list_keys(token.clone()).await.unwrap();
    let certs: Vec<_> = svc
        .list_certificates(token.clone())
        .await
        .unwrap()
        .into_iter()
        .filter(|c| !c.is_ca)
        .collect();
    assert!(
        certs.iter().all(|c| c.has_private_key == Some(true)),
        "{certs:?}"
    );
    let orphans = svc.find_orphans(token.clone()).await.unwrap();
    assert!(
        orphans.keys_without_certificate.is_empty() && orphans.certificates_without_key.is_empty(),
        "{orphans:?}"
    );
    svc.logout(token.clone()).await.unwrap();
    (keys.iter().filter(|k| k.private).count(), certs.len())
}

/// A clerk and a reviewer of point BJ01 (added here), each with an operator token, each
/// signed in on a counter of their own (keychain entries under `keychain`).
pub struct Staffed {
    pub clerk: Counter,
    pub clerk_token: TokenRef,
    pub reviewer: Counter,
    pub reviewer_token: TokenRef,
}

pub async fn staffed(
    ca: &CaService,
    hsm: &SoftHsm,
    svc: &TokenService,
    journal: &mut Journal,
    keychain: &str,
) -> Staffed {
    add_point(ca, "BJ01", "北京受理点");
    let (_, clerk_token) =
        operator_on_token(ca, hsm, svc, journal, "BJ01", "CLERK", "王受理", &["clerk"]).await;
    let (_, reviewer_token) = operator_on_token(
        ca,
        hsm,
        svc,
        journal,
        "BJ01",
        "REVIEWER",
        "李审核",
        &["reviewer"],
    )
    .await;
    let clerk = open_counter(ca, svc, &format!("{keychain}-clerk")).await;
    let reviewer = open_counter(ca, svc, &format!("{keychain}-reviewer")).await;
    clerk
        .sign_in(clerk_token.clone(), pin(PIN), false)
        .await
        .unwrap();
    reviewer
        .sign_in(reviewer_token.clone(), pin(PIN), false)
        .await
        .unwrap();
    Staffed {
        clerk,
        clerk_token,
        reviewer,
        reviewer_token,
    }
}

/// Today in China (the counter's day), YYYY-MM-DD.
pub fn china_today() -> String {
    let now =
        time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}
