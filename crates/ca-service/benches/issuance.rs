//! Issuance bench: certificates/s for P-256 and RSA-2048 CSRs (CSR vetting + building +
//! signing), sequential and concurrent, with p50/p99, next to the signing operation alone.
//!
//! `cargo bench -p certdesk-ca-service --bench issuance` (env `BENCH_CERTS`, default 200).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use certdesk_ca_service::clock::Clock;
use certdesk_ca_service::pki::csr::vet;
use certdesk_ca_service::pki::profile::Kind;
use certdesk_ca_service::pki::{Family, Pki, subscriber_name};

fn stats(name: &str, n: usize, wall: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "{name:<44} {n:>5} ops {:>9.1} /s   p50 {:>7.2} ms   p99 {:>7.2} ms",
        n as f64 / wall.as_secs_f64(),
        p(0.5),
        p(0.99)
    );
}

fn main() {
    let n: usize = std::env::var("BENCH_CERTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let threads = std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(2)
        .max(2);
    let tmp = tempfile::TempDir::new().unwrap();
    let pki = Arc::new(Pki::new(tmp.path(), "http://127.0.0.1:1", Clock::system()));
    let name = subscriber_name(
        "北京示例科技有限公司",
        "北京示例科技有限公司",
        "北京市",
        "北京市",
        &certdesk_ident::testing::uscc(1),
    )
    .unwrap();
    println!("{n} certificates per run; concurrent runs use {threads} threads");
    for (label, family, newkey) in [
        (
            "P-256",
            Family::P256,
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
        ("RSA-2048", Family::Rsa, &["-newkey", "rsa:2048"][..]),
    ] {
        let ca = pki.authority(family).unwrap();
        let req = Arc::new(support::openssl_csr(tmp.path(), newkey));
        let issue_one = {
            let (pki, ca, req, name) = (pki.clone(), ca.clone(), req.clone(), name.clone());
            move || {
                let v = vet(&req).unwrap();
                ca.issue(&pki, Kind::Signing, name.clone(), v.spki, 365)
                    .unwrap();
            }
        };
        // Sequential.
        let start = Instant::now();
        let mut lat = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            issue_one();
            lat.push(t.elapsed());
        }
        stats(
            &format!("issue {label} CSR, sequential"),
            n,
            start.elapsed(),
            lat,
        );
        // Concurrent.
        let start = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let f = issue_one.clone();
                let per = n / threads;
                std::thread::spawn(move || {
                    (0..per)
                        .map(|_| {
                            let t = Instant::now();
                            f();
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let lat: Vec<Duration> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        stats(
            &format!("issue {label} CSR, {threads} threads"),
            lat.len(),
            start.elapsed(),
            lat,
        );
        // The issuing CA's signature alone, over a certificate-sized message.
        let msg = vec![0x5au8; 900];
        let start = Instant::now();
        let mut lat = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            ca.sign_probe(&msg).unwrap();
            lat.push(t.elapsed());
        }
        stats(
            &format!("signature alone ({} issuing CA)", family.as_str()),
            n,
            start.elapsed(),
            lat,
        );
    }
}
