//! What the My-certificates window tests share: a CA issuing 60-day certificates (inside
//! the 90-day renewal window at once), a certificate downloaded onto a SoftHSM2 token by
//! `certdesk-cli download`, and what the token holds as another program sees it.

use std::path::Path;

use certdesk_ca_api::sandbox::ApprovedOrder;
use certdesk_ca_service::sandbox_flow;
use certdesk_testkit::ca::CaService;
use certdesk_testkit::keychain::PrivateKeyring;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{SecretString, TokenRef, TokenService};
use tempfile::TempDir;

/// A certificate downloaded onto a fresh SoftHSM2 token from a 60-day CA, with what the
/// app and the test need to reach both.
pub struct OnToken {
    pub ca: CaService,
    pub keyring: PrivateKeyring,
    pub hsm: SoftHsm,
    /// The token layer in this process, to check the token beside the app.
    pub svc: TokenService,
    pub token: TokenRef,
    pub order: ApprovedOrder,
    /// Serial of the downloaded certificate.
    pub serial: String,
    pub tmp: TempDir,
}

impl OnToken {
    /// Token labelled `label` (SO PIN, user PIN), order downloaded onto it by the CLI.
    ///
    /// # Safety
    /// Points this process's SoftHSM2 at a new store: call first in the test binary's
    /// only SoftHSM2 test (see [`SoftHsm::install_env`]).
    pub async unsafe fn start(label: &str, so_pin: &str, pin: &str) -> OnToken {
        let tmp = tempfile::tempdir().unwrap();
        let ca = short_lived_ca(tmp.path());
        let keyring = PrivateKeyring::start().unwrap();
        let hsm = SoftHsm::new().unwrap();
        // SAFETY: per the caller's contract.
        unsafe { hsm.install_env() };
        let svc = TokenService::start().unwrap();
        let token = TokenRef {
            module: SoftHsm::module().unwrap(),
            serial: hsm.init_token(label, so_pin, pin).unwrap(),
        };
        let order = sandbox_flow::approved_order(ca.url(), "sandbox-p256")
            .await
            .unwrap();
        let cli_data = tmp.path().join("cli");
        std::fs::create_dir_all(&cli_data).unwrap();
        super::cli_download(&hsm, &cli_data, ca.url(), &order, &token.serial, pin);
        let (certs, _) = token_facts(&svc, &token, pin).await.unwrap();
        assert_eq!(certs.len(), 1, "{certs:?}");
        OnToken {
            serial: certs[0].clone(),
            ca,
            keyring,
            hsm,
            svc,
            token,
            order,
            tmp,
        }
    }

    /// The app's environment for this CA, keyring and token module.
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        let (conf_var, conf) = self.hsm.env();
        vec![
            ("CERTDESK_CA_URL", self.ca.url().to_string()),
            (
                "DBUS_SESSION_BUS_ADDRESS",
                self.keyring.bus_address().to_string(),
            ),
            (conf_var, conf.display().to_string()),
            (
                "CERTDESK_PKCS11_MODULE",
                self.token.module.display().to_string(),
            ),
        ]
    }
}

/// A sandbox CA whose certificates are valid 60 days (inside the 90-day renewal window).
pub fn short_lived_ca(dir: &Path) -> CaService {
    let path = sandbox_flow::sixty_day_channels(dir).unwrap();
    CaService::start_with(&["--channels", path.to_str().unwrap()]).unwrap()
}

/// Logs in through the token layer (in this process, beside the app, as another program
/// would) and lists the end-entity certificates' serials and the private keys. The
/// module is rescanned first, so it reads what the app wrote to the token store.
pub async fn token_facts(
    svc: &TokenService,
    token: &TokenRef,
    pin: &str,
) -> Result<(Vec<String>, usize), String> {
    svc.rescan(token.module.clone()).await.unwrap();
    let r = async {
        svc.login(token.clone(), SecretString::from(pin.to_string()), false)
            .await
            .map_err(|e| e.code().to_string())?;
        let certs = svc.list_certificates(token.clone()).await.unwrap();
        let keys = svc.list_keys(token.clone()).await.unwrap();
        Ok((
            certs
                .into_iter()
                .filter(|c| !c.is_ca)
                .map(|c| c.serial)
                .collect(),
            keys.iter().filter(|k| k.private).count(),
        ))
    }
    .await;
    svc.logout(token.clone()).await.unwrap();
    r
}
