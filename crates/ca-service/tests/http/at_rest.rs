//! What a copy of the CA's data dir without `data-key` reveals: no resident identity
//! number of a legal representative or handler, anywhere in the database files.

use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::Business;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use secrecy::SecretString;

use crate::common::*;

fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    ["ca.sqlite3", "ca.sqlite3-wal", "ca.sqlite3-shm"]
        .iter()
        .flat_map(|f| std::fs::read(dir.join(f)).unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn identity_numbers_are_sealed_at_rest_and_survive_a_restart() {
    let mut ca = Ca::start();
    let p = Persona::new(seed());
    let order = sandbox_flow::approved_order_for(
        &ca.url,
        "sandbox-rsa",
        &p,
        Business::NewOrgCertificate,
        None,
    )
    .await
    .unwrap();
    let secrets = [
        p.company.legal_rep_id_number.as_str(),
        p.handler.id_number.as_str(),
    ];
    let bytes = database_bytes(&ca.dir);
    assert!(bytes.len() > 4096, "the database files were not found");
    for id in secrets {
        assert!(
            !bytes.windows(id.len()).any(|w| w == id.as_bytes()),
            "a resident identity number is in the database in clear"
        );
    }
    assert!(
        std::fs::metadata(ca.dir.join("data-key")).is_ok(),
        "the data key lives beside the database, not in it"
    );

    // The key on disk opens them again after a restart.
    assert!(ca.sigterm().success());
    let dir = ca.dir.clone();
    let again = Ca::start_in(&dir, &["--sandbox"]);
    let staff = CaClient::new(&again.url)
        .unwrap()
        .with_token(SecretString::from(again.staff_token()));
    let page = staff
        .staff_applications(ApplicationStatus::Approved, None, None)
        .await
        .unwrap();
    let app = page
        .items
        .iter()
        .find(|a| a.id == order.application_id)
        .expect("the approved application is listed after a restart");
    let handler = app.input.handler.as_ref().unwrap();
    assert_eq!(handler.id_number, p.handler.id_number);

    // Another install's key opens nothing: the service refuses to start on it.
    drop(again);
    std::fs::remove_file(dir.join("data-key")).unwrap();
    // `timeout`: a service that wrongly starts must not hang the test.
    let out = std::process::Command::new("timeout")
        .args([
            "20",
            bin(),
            "serve",
            "--sandbox",
            "--listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("data-key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
