//! Shared helpers of the certificate tests: openssl, pkilint, CSRs, card authorisation.

use std::path::Path;

use certdesk_ca_api::download::DownloadAuthorise;
use certdesk_ca_api::sandbox::ApprovedOrder;
use certdesk_ca_client::CaClient;
use secrecy::SecretString;

pub fn openssl(dir: &Path, args: &[&str]) -> String {
    certdesk_testkit::pkix::openssl(dir, args).unwrap()
}

/// A CSR made by openssl; the SAN it asks for must not reach the certificate.
pub fn csr(dir: &Path, name: &str, newkey: &[&str], extra: &[&str]) -> String {
    let key = format!("{name}.key");
    let out = format!("{name}.csr");
    let mut args = vec![
        "req",
        "-new",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &out,
        "-subj",
        "/CN=ignored/O=Evil",
    ];
    args.extend_from_slice(newkey);
    args.extend_from_slice(extra);
    openssl(dir, &args);
    std::fs::read_to_string(dir.join(out)).unwrap()
}

pub const RSA2048: &[&str] = &["-newkey", "rsa:2048"];
pub const P256: &[&str] = &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];

pub async fn captcha(c: &CaClient) -> (String, String) {
    let cap = c.captcha().await.unwrap();
    let ans = c.sandbox_captcha_answer(&cap.captcha_id).await.unwrap();
    (cap.captcha_id, ans)
}

/// An approved order on `channel`, a client of `ca`, and the enrollment the order's
/// password card authorises.
pub async fn enrolled_order(
    ca: &crate::common::Ca,
    channel: &str,
) -> (ApprovedOrder, CaClient, CaClient) {
    let o = certdesk_ca_service::sandbox_flow::approved_order(&ca.url, channel)
        .await
        .unwrap();
    let c = ca.client();
    let enr = authorise(&c, &o, &o.card_password, &o.org_code)
        .await
        .unwrap();
    (o, c, enr)
}

pub async fn authorise(
    c: &CaClient,
    o: &ApprovedOrder,
    password: &str,
    org_code: &str,
) -> Result<CaClient, certdesk_ca_client::ClientError> {
    let (id, ans) = captcha(c).await;
    let e = c
        .download_authorise(&DownloadAuthorise {
            card_serial: o.card_serial.clone(),
            card_password: password.into(),
            phone: o.phone.clone(),
            org_code: org_code.into(),
            captcha_id: id,
            captcha_answer: ans,
        })
        .await?;
    assert_eq!(e.application_id, o.application_id);
    Ok(CaClient::new(c.base_url())
        .unwrap()
        .with_token(SecretString::from(e.token)))
}

pub fn pkilint(file: &Path) {
    certdesk_testkit::pkix::pkilint(file).unwrap();
}

pub fn split_chain(chain: &str) -> (String, String) {
    let end = "-----END CERTIFICATE-----";
    let i = chain.find(end).unwrap() + end.len();
    (
        chain[..i].trim().to_string() + "\n",
        chain[i..].trim().to_string() + "\n",
    )
}
