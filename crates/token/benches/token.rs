//! Figures for issue 5, printed as a table (run: `cargo bench -p certdesk-token --bench token`).
//!
//! 1. Keygen + CSR + certificate write on a SoftHSM2 token, through CertDesk and through
//!    `pkcs11-tool --keypairgen` + `openssl req -engine pkcs11` + `pkcs11-tool
//!    --write-object`, in the same run. Issuing the certificate (the test CA) is not
//!    timed on either side. Median of N runs.
//! 2. Presence event latency: from the virtual card's process start / kill to the
//!    `TokenInserted` / `TokenRemoved` event, against pcscd's reader polling period
//!    (400 ms, `PCSCLITE_STATUS_POLL_RATE` in pcsc-lite 1.9). Insertion includes the
//!    start-up of the Python `vicc` process.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::pcsc::{Pcscd, VirtualCard};
use certdesk_testkit::process::run;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;

const PIN: &str = "11223344";
const RUNS: usize = 7;
const PCSCD_POLL_MS: f64 = 400.0;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn certdesk_once(
    svc: &TokenService,
    token: &TokenRef,
    ca: &TestCa,
    alg: KeyAlgorithm,
    n: usize,
) -> Duration {
    let t0 = Instant::now();
    let key = svc
        .generate_key_pair(
            token.clone(),
            KeySpec {
                algorithm: alg,
                purpose: KeyPurpose::Signing,
                label: format!("cd-{n}"),
            },
        )
        .await
        .unwrap();
    let csr = svc
        .create_csr(token.clone(), key.id.clone(), format!("CN=bench {n},C=CN"))
        .await
        .unwrap();
    let timed = t0.elapsed();
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    let t1 = Instant::now();
    svc.write_certificate(token.clone(), leaf, vec![])
        .await
        .unwrap();
    timed + t1.elapsed()
}

fn baseline_once(
    hsm: &SoftHsm,
    ca: &TestCa,
    module: &str,
    conf: &std::path::Path,
    alg: KeyAlgorithm,
    n: usize,
) -> Duration {
    let id = format!("b{n:03}");
    let key_type = if alg == KeyAlgorithm::EcP256 {
        "EC:prime256v1"
    } else {
        "rsa:2048"
    };
    let csr = hsm.dir().join("baseline.csr");
    let t0 = Instant::now();
    run(pkcs11_tool(hsm, module).args([
        "--keypairgen",
        "--key-type",
        key_type,
        "--id",
        &id,
        "--label",
        &format!("tool-{n}"),
    ]))
    .unwrap();
    run(Command::new("openssl")
        .env(hsm.env().0, hsm.env().1)
        .env("OPENSSL_CONF", conf)
        .args([
            "req",
            "-new",
            "-engine",
            "pkcs11",
            "-keyform",
            "engine",
            "-outform",
            "DER",
            "-subj",
            &format!("/CN=bench {n}/C=CN"),
            "-key",
        ])
        .arg(format!(
            "pkcs11:token=BENCH;id={};type=private;pin-value={PIN}",
            percent(&id)
        ))
        .arg("-out")
        .arg(&csr))
    .unwrap();
    let timed = t0.elapsed();
    let leaf = ca
        .issue(&std::fs::read(&csr).unwrap(), Usage::Signing)
        .unwrap();
    let cert = hsm.dir().join("baseline.der");
    std::fs::write(&cert, leaf).unwrap();
    let t1 = Instant::now();
    run(pkcs11_tool(hsm, module)
        .args(["--write-object"])
        .arg(&cert)
        .args([
            "--type",
            "cert",
            "--id",
            &id,
            "--label",
            &format!("tool-{n}"),
        ]))
    .unwrap();
    timed + t1.elapsed()
}

/// `pkcs11-tool` logged in to the bench token.
fn pkcs11_tool(hsm: &SoftHsm, module: &str) -> Command {
    let mut c = Command::new("pkcs11-tool");
    c.env(hsm.env().0, hsm.env().1).args([
        "--module",
        module,
        "--token-label",
        "BENCH",
        "--login",
        "--pin",
        PIN,
    ]);
    c
}

/// pkcs11-tool takes the id as hex; the pkcs11 URI wants it percent-encoded.
fn percent(hex_id: &str) -> String {
    hex_id
        .as_bytes()
        .chunks(2)
        .map(|c| format!("%{}", String::from_utf8_lossy(c)))
        .collect()
}

async fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<PresenceEvent>,
    inserted: bool,
) -> Instant {
    wait_for_source(rx, inserted, |s| matches!(s, PresenceSource::Pcsc { .. })).await
}

async fn wait_for_source(
    rx: &mut tokio::sync::broadcast::Receiver<PresenceEvent>,
    inserted: bool,
    source: impl Fn(&PresenceSource) -> bool,
) -> Instant {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match (&e, inserted) {
            (PresenceEvent::TokenInserted(s), true) | (PresenceEvent::TokenRemoved(s), false)
                if source(s) =>
            {
                return Instant::now();
            }
            _ => {}
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let hsm = SoftHsm::new().unwrap();
    let pcscd = Pcscd::start().unwrap();
    // SAFETY: first statements of the program; no other threads use the environment.
    unsafe {
        hsm.install_env();
        pcscd.install_env();
    }
    let serial = hsm.init_token("BENCH", "12345678", PIN).unwrap();
    let module = SoftHsm::module().unwrap();
    let m = module.to_str().unwrap().to_string();
    let conf = hsm.dir().join("openssl.cnf");
    let engine = [
        "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .unwrap();
    std::fs::write(&conf, format!("openssl_conf = init\n[init]\nengines = engines\n[engines]\npkcs11 = p11\n[p11]\nengine_id = pkcs11\ndynamic_path = {engine}\nMODULE_PATH = {m}\ninit = 0\n")).unwrap();
    let ca = TestCa::new().unwrap();
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial,
    };
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();

    println!(
        "Token enrolment on SoftHSM2 2.6 (keygen + CSR + certificate write; issuing not timed), median of {RUNS}"
    );
    println!(
        "| algorithm | CertDesk (ms) | pkcs11-tool + openssl req (ms) | ratio tools/CertDesk |"
    );
    println!("|---|---:|---:|---:|");
    let mut n = 0;
    for (alg, name) in [
        (KeyAlgorithm::EcP256, "P-256"),
        (KeyAlgorithm::Rsa2048, "RSA-2048"),
    ] {
        let (mut cd, mut tool) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            n += 1;
            cd.push(certdesk_once(&svc, &token, &ca, alg, n).await);
            tool.push(baseline_once(&hsm, &ca, &m, &conf, alg, n));
        }
        let (c, t) = (median(cd), median(tool));
        println!(
            "| {name} | {:.1} | {:.1} | {:.2} |",
            ms(c),
            ms(t),
            t.as_secs_f64() / c.as_secs_f64()
        );
    }

    println!();
    println!(
        "Presence events, private pcscd 1.9.9 + vpcd + vicc (pcscd polls the reader every {PCSCD_POLL_MS:.0} ms), median of {RUNS}"
    );
    println!(
        "| debounce (ms) | insert: vicc start → TokenInserted (ms) | remove: vicc kill → TokenRemoved (ms) | remove / pcscd poll |"
    );
    println!("|---:|---:|---:|---:|");
    for debounce in [150u64, 0] {
        let mut rx = svc.subscribe();
        let w = svc
            .watch_pcsc(PresenceConfig {
                debounce: Duration::from_millis(debounce),
                ..Default::default()
            })
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (mut ins, mut rem) = (Vec::new(), Vec::new());
        for i in 0..RUNS {
            // Stagger the changes across pcscd's poll period; otherwise every change
            // lands right after a poll tick and all runs measure the same phase.
            let stagger = Duration::from_millis((i as u64 * 400) / RUNS as u64 + 37);
            tokio::time::sleep(stagger).await;
            let t0 = Instant::now();
            let card = VirtualCard::insert(pcscd.vpcd_port()).unwrap();
            ins.push(wait_for(&mut rx, true).await - t0);
            tokio::time::sleep(stagger).await;
            let t1 = Instant::now();
            drop(card);
            rem.push(wait_for(&mut rx, false).await - t1);
        }
        w.stop();
        let r = median(rem);
        println!(
            "| {debounce} | {:.0} | {:.0} | {:.2} |",
            ms(median(ins)),
            ms(r),
            ms(r) / PCSCD_POLL_MS
        );
    }

    // The PKCS#11 polling path (SoftHSM2: token directory moved away and back, module
    // re-initialised by the watcher), while logged in.
    const POLL_MS: u64 = 500;
    let cfg = PresenceConfig {
        poll_interval: Duration::from_millis(POLL_MS),
        ..Default::default()
    };
    println!();
    println!(
        "PKCS#11 polling path, SoftHSM2 (poll every {POLL_MS} ms, confirmed after {} ms), median of {RUNS}",
        cfg.debounce.as_millis()
    );
    println!("| change | → event (ms) | / poll period |");
    println!("|---|---:|---:|");
    let mut rx = svc.subscribe();
    let w = svc.watch_module(module.clone(), cfg).unwrap();
    let ours =
        |s: &PresenceSource| matches!(s, PresenceSource::Pkcs11 { token: t, .. } if *t == token);
    wait_for_source(&mut rx, true, ours).await;
    let (mut ins, mut rem) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let stagger = Duration::from_millis((i as u64 * POLL_MS) / RUNS as u64 + 37);
        tokio::time::sleep(stagger).await;
        let t0 = Instant::now();
        hsm.unplug().unwrap();
        rem.push(wait_for_source(&mut rx, false, ours).await - t0);
        tokio::time::sleep(stagger).await;
        let t1 = Instant::now();
        hsm.replug().unwrap();
        ins.push(wait_for_source(&mut rx, true, ours).await - t1);
    }
    w.stop();
    for (what, v) in [
        ("unplug → TokenRemoved", rem),
        ("replug → TokenInserted", ins),
    ] {
        let m = median(v);
        println!("| {what} | {:.0} | {:.2} |", ms(m), ms(m) / POLL_MS as f64);
    }
}
