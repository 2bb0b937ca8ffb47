//! What the download fault suites share: the sandbox CA as a child process, the download
//! request for an approved order onto a SoftHSM2 token, the CA's issuance count, and the
//! check that every certificate on the token is paired with its key and nothing is orphaned.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use certdesk_core::enrollment::{DownloadRequest, TokenChoice};
use certdesk_testkit::ca::{self, ApprovedOrder, bin_dir, spawn_sandbox, spawn_sandbox_on};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::{SecretString, TokenRef, TokenService};

pub const PIN: &str = "13572468";

pub struct Ca {
    child: Child,
    pub url: String,
}

impl Ca {
    pub fn start(data: &Path) -> Ca {
        let (child, url) =
            spawn_sandbox(&bin_dir().unwrap().join("certdesk-ca"), data, Stdio::null()).unwrap();
        Ca { child, url }
    }
    /// With the channels of `channels` (e.g. [`sixty_day_channels`]).
    pub fn start_with_channels(data: &Path, channels: &Path) -> Ca {
        let (child, url) = spawn_sandbox_on(
            &bin_dir().unwrap().join("certdesk-ca"),
            data,
            "127.0.0.1:0",
            &["--channels".to_owned(), channels.display().to_string()],
            Stdio::null(),
        )
        .unwrap();
        Ca { child, url }
    }
    /// The process id, to stop it from a progress callback.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Ca {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The sandbox channels with certificates valid 60 days, written to `dir`.
pub fn sixty_day_channels(dir: &Path) -> PathBuf {
    certdesk_ca_service::sandbox_flow::sixty_day_channels(dir).unwrap()
}

pub fn approved_order(url: &str, channel: &str) -> ApprovedOrder {
    ca::approved_order(url, channel).unwrap()
}

pub fn request(url: &str, o: &ApprovedOrder, serial: &str) -> DownloadRequest {
    DownloadRequest {
        ca_url: url.to_string(),
        application_id: o.application_id.clone(),
        card_serial: o.card_serial.clone(),
        card_password: SecretString::from(o.card_password.clone()),
        phone: o.phone.clone(),
        org_code: o.org_code.clone(),
        pin: SecretString::from(PIN.to_string()),
        token: TokenChoice {
            modules: vec![SoftHsm::module().unwrap()],
            serial: Some(serial.to_string()),
        },
        confirm_final_pin_try: false,
        channel: None,
    }
}

pub fn issued_by_ca(data: &Path, application_id: &str) -> i64 {
    certdesk_testkit::ca::issued_for(data, application_id).unwrap()
}

/// Non-CA certificates on the token, every one paired with a key; no orphans.
pub async fn pairs(svc: &TokenService, token: &TokenRef, label: &str) -> usize {
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let keys = svc.list_keys(token.clone()).await.unwrap();
    let certs: Vec<_> = svc
        .list_certificates(token.clone())
        .await
        .unwrap()
        .into_iter()
        .filter(|c| !c.is_ca)
        .collect();
    let private = keys.iter().filter(|k| k.private).count();
    assert_eq!(private, certs.len(), "{label}: {keys:?} {certs:?}");
    assert!(
        certs.iter().all(|c| c.has_private_key == Some(true)),
        "{label}: {certs:?}"
    );
    let orphans = svc.find_orphans(token.clone()).await.unwrap();
    assert!(
        orphans.keys_without_certificate.is_empty() && orphans.certificates_without_key.is_empty(),
        "{label}: {orphans:?}"
    );
    svc.logout(token.clone()).await.unwrap();
    certs.len()
}
