//! Certificate download time (issue 7): `enrollment::download` from the call to "done"
//! for P-256 and RSA-2048 against the reference CA on loopback and a SoftHSM2 token,
//! next to the sum of the raw token operations (login, keygen, CSR, certificate write,
//! self-test) measured in the same run on a twin token. Prints figures; no assertion.
//!
//! `cargo build -p certdesk-ca-service && cargo bench -p certdesk-core --bench download`

use std::collections::HashMap;
use std::time::{Duration, Instant};

use certdesk_core::enrollment::{
    DownloadRequest, DownloadStep, Journal, Progress, SandboxCaptcha, StepPhase, TokenChoice,
    download,
};
use certdesk_testkit::ca::{CaService, ca_command};
use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;

const ROUNDS: usize = 5;
const PIN: &str = "11223344";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    certdesk_testkit::ca::use_built_ca_binary()?;
    let hsm = SoftHsm::new()?;
    // SAFETY: as above, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module()?;
    let cases = [
        ("P-256", "sandbox-p256", KeyAlgorithm::EcP256),
        ("RSA-2048", "sandbox-rsa", KeyAlgorithm::Rsa2048),
    ];
    let mut serials = Vec::new();
    for i in 0..cases.len() * ROUNDS * 2 {
        serials.push(hsm.init_token(&format!("B{i}"), "12345678", PIN)?);
    }
    let ca = CaService::start()?;
    let issuer = TestCa::new()?;
    let db = tempfile::tempdir()?;
    let mut journal = Journal::open(&db.path().join("workflow.sqlite"))?;
    let rt = tokio::runtime::Runtime::new()?;
    let svc = TokenService::start()?;
    println!(
        "download onto SoftHSM2 via the reference CA (loopback), {ROUNDS} rounds, medians in ms"
    );
    println!(
        "{:<9} {:>9} {:>11} {:>6} | in the download: per step",
        "algorithm", "download", "raw token", "ratio"
    );
    let mut next = 0;
    for (name, channel, alg) in cases {
        let mut totals = Vec::new();
        let mut raws = Vec::new();
        let mut per_step: HashMap<DownloadStep, Vec<Duration>> = HashMap::new();
        for _ in 0..ROUNDS {
            let out = ca_command(&[
                "sandbox",
                "approved-order",
                "--ca",
                ca.url(),
                "--channel",
                channel,
                "--json",
            ])?;
            let v: serde_json::Value = serde_json::from_str(&out)?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let req = DownloadRequest {
                ca_url: ca.url().to_string(),
                application_id: s("application_id"),
                card_serial: s("card_serial"),
                card_password: SecretString::from(s("card_password")),
                phone: s("phone"),
                org_code: s("org_code"),
                pin: SecretString::from(PIN.to_string()),
                token: TokenChoice {
                    modules: vec![module.clone()],
                    serial: Some(serials[next].clone()),
                },
                confirm_final_pin_try: false,
                channel: None,
            };
            let mut started: HashMap<DownloadStep, Instant> = HashMap::new();
            let mut steps: Vec<(DownloadStep, Duration)> = Vec::new();
            let t = Instant::now();
            let mut progress = |p: Progress| match p.phase {
                StepPhase::Started => {
                    started.insert(p.step, Instant::now());
                }
                StepPhase::Done => {
                    if let Some(s) = started.get(&p.step) {
                        steps.push((p.step, s.elapsed()));
                    }
                }
                StepPhase::Skipped => {}
            };
            rt.block_on(download(
                &svc,
                &mut journal,
                &req,
                &SandboxCaptcha,
                &mut progress,
            ))?;
            totals.push(t.elapsed());
            for (step, d) in steps {
                per_step.entry(step).or_default().push(d);
            }

            // The same token work, raw, on the twin token.
            let token = TokenRef {
                module: module.clone(),
                serial: serials[next + 1].clone(),
            };
            next += 2;
            let mut raw = Duration::ZERO;
            let t = Instant::now();
            rt.block_on(svc.login(token.clone(), SecretString::from(PIN.to_string()), false))?;
            let key = rt.block_on(svc.generate_key_pair(
                token.clone(),
                KeySpec {
                    algorithm: alg,
                    purpose: KeyPurpose::Signing,
                    label: "raw".into(),
                    subject: None,
                },
            ))?;
            let csr =
                rt.block_on(svc.create_csr(token.clone(), key.id.clone(), "CN=raw".into()))?;
            raw += t.elapsed();
            let cert = issuer.issue(&csr.der, Usage::Signing)?; // openssl: not counted
            let t = Instant::now();
            rt.block_on(svc.write_certificate(token.clone(), cert, vec![issuer.cert_der()?]))?;
            rt.block_on(svc.self_test(token.clone(), key.id.clone()))?;
            raw += t.elapsed();
            raws.push(raw);
        }
        let (total, raw) = (median(totals), median(raws));
        let mut detail = String::new();
        for step in DownloadStep::ALL {
            if let Some(v) = per_step.remove(&step) {
                detail.push_str(&format!("{step} {:.1}  ", ms(median(v))));
            }
        }
        println!(
            "{name:<9} {:>9.1} {:>11.1} {:>6.2} | {detail}",
            ms(total),
            ms(raw),
            total.as_secs_f64() / raw.as_secs_f64()
        );
    }
    rt.block_on(svc.close_sessions())?;
    Ok(())
}
