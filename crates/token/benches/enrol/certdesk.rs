//! CertDesk's way: `TokenService` key generation, CSR and certificate write.

use std::str::FromStr;
use std::time::Instant;

use der::Encode;
use x509_cert::name::Name;

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_token::*;

use super::Phases;

pub async fn once(
    svc: &TokenService,
    token: &TokenRef,
    ca: &TestCa,
    alg: KeyAlgorithm,
    n: usize,
) -> Phases {
    let subject = format!("CN=bench {n},C=CN");
    let (busy0, call0) = (svc.busy_time(), svc.keygen_call_time());
    let t0 = Instant::now();
    // The subject the certificate will have (the test CA copies the request's).
    let subject_der = Name::from_str(&subject).unwrap().to_der().unwrap();
    let key = svc
        .generate_key_pair(
            token.clone(),
            KeySpec {
                algorithm: alg,
                purpose: KeyPurpose::Signing,
                label: format!("cd-{n}"),
                subject: Some(subject_der),
            },
        )
        .await
        .unwrap();
    let keygen = t0.elapsed();
    let t1 = Instant::now();
    let csr = svc
        .create_csr(token.clone(), key.id.clone(), subject)
        .await
        .unwrap();
    let csr_time = t1.elapsed();
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    let t2 = Instant::now();
    svc.write_certificate(token.clone(), leaf, vec![])
        .await
        .unwrap();
    let write = t2.elapsed();
    let busy = svc.busy_time() - busy0;
    Phases {
        keygen,
        csr: csr_time,
        write,
        keygen_call: Some(svc.keygen_call_time() - call0),
        outside_worker: Some((keygen + csr_time + write).saturating_sub(busy)),
    }
}
