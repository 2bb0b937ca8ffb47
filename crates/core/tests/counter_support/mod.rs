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

/// A gnome-keyring on a private session bus, answering before it is returned.
pub fn private_keyring() -> PrivateKeyring {
    let keyring = PrivateKeyring::start().unwrap();
    // SAFETY: set once, before this test starts any thread that reads the environment.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", keyring.bus_address()) };
    let probe = Keychain::new("certdesk-test-probe");
    for _ in 0..100 {
        if probe.set("probe", &SecretString::from("probe")).is_ok() {
            probe.delete("probe").unwrap();
            return keyring;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gnome-keyring never answered on the private bus");
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
