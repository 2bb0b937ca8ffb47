//! Load bench: this process drives a `certdesk-ca serve` child process over loopback
//! and prints requests/s and p50/p99 latency for the main reads and writes.
//!
//! `cargo bench -p certdesk-ca-service --bench http` (env `BENCH_REQUESTS`, `BENCH_CONCURRENCY`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use certdesk_ca_api::application::{ApplicationInput, ListState, MailingInfo};
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Figures {
    name: &'static str,
    n: usize,
    wall: Duration,
    lat: Vec<Duration>,
}

impl Figures {
    fn print(&mut self) {
        self.lat.sort();
        let pct = |p: f64| self.lat[((self.lat.len() as f64 * p) as usize).min(self.lat.len() - 1)];
        println!(
            "{:<34} {:>6} req {:>9.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
            self.name,
            self.n,
            self.n as f64 / self.wall.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3
        );
    }
}

/// Runs `per_task` requests on each of `tasks` concurrent tasks.
async fn run<F, Fut>(name: &'static str, tasks: usize, per_task: usize, f: F) -> Figures
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let f = f.clone();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_task);
            for i in 0..per_task {
                let s = Instant::now();
                f(t, i).await;
                lat.push(s.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for h in handles {
        lat.extend(h.await.unwrap());
    }
    Figures {
        name,
        n: lat.len(),
        wall: start.elapsed(),
        lat,
    }
}

#[tokio::main]
async fn main() {
    let total = env_usize("BENCH_REQUESTS", 2000);
    let tasks = env_usize("BENCH_CONCURRENCY", 16);
    let per_task = (total / tasks).max(1);
    let dir = tempfile::TempDir::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk-ca"))
        .args(["serve", "--listen", "127.0.0.1:0", "--sandbox", "--data"])
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();
    println!(
        "certdesk-ca at {url}; {tasks} concurrent tasks, {} requests per workload",
        per_task * tasks
    );

    // One signed-in applicant per task, each with an application to read and edit.
    let mut clients = Vec::new();
    for t in 0..tasks {
        let p = Persona::new(1_000 + t as u64);
        let mut c = CaClient::new(&url).unwrap();
        sandbox_flow::sign_in(&mut c, &p.handler.phone)
            .await
            .unwrap();
        let app = c
            .create_application(&p.new_org_on("sandbox-rsa"), None)
            .await
            .unwrap();
        clients.push((c, p, app.id, tokio::sync::Mutex::new(app.etag)));
    }
    let clients = Arc::new(clients);

    let c0 = clients.clone();
    run("GET /healthz", tasks, per_task, move |t, _| {
        let c = c0.clone();
        async move {
            c[t].0.health().await.unwrap();
        }
    })
    .await
    .print();
    let c1 = clients.clone();
    run("GET /v1/applications/{id}", tasks, per_task, move |t, _| {
        let c = c1.clone();
        async move {
            c[t].0.application(&c[t].2).await.unwrap();
        }
    })
    .await
    .print();
    let c2 = clients.clone();
    run(
        "GET /v1/applications (list)",
        tasks,
        per_task,
        move |t, _| {
            let c = c2.clone();
            async move {
                c[t].0
                    .list_applications(ListState::Unfinished, Some(20), None)
                    .await
                    .unwrap();
            }
        },
    )
    .await
    .print();
    let c3 = clients.clone();
    run(
        "PATCH /v1/applications/{id}",
        tasks,
        per_task,
        move |t, i| {
            let c = c3.clone();
            async move {
                let (client, p, id, etag) = &c[t];
                let mut tag = etag.lock().await;
                let input = ApplicationInput {
                    mailing: Some(MailingInfo {
                        recipient: p.handler.name.clone(),
                        phone: p.handler.phone.clone(),
                        address: format!("北京市海淀区示例路{i}号"),
                        postcode: "100080".into(),
                    }),
                    ..Default::default()
                };
                let app = client.edit_application(id, &tag, &input).await.unwrap();
                *tag = app.etag;
            }
        },
    )
    .await
    .print();
    let c4 = clients.clone();
    run(
        "POST /v1/applications (create)",
        tasks,
        per_task,
        move |t, i| {
            let c = c4.clone();
            async move {
                let (client, p, _, _) = &c[t];
                let mut q = Persona::new(10_000_000 + (t * 1_000_000 + i) as u64);
                q.handler = p.handler.clone();
                let req = q.new_org_on("sandbox-p256");
                client.create_application(&req, None).await.unwrap();
            }
        },
    )
    .await
    .print();
    // Issuance over HTTP: each finalize is a first issuance for its own approved order.
    let issues = env_usize("BENCH_ISSUES", 64);
    let csr_dir = tempfile::TempDir::new().unwrap();
    for (label, channel, family, newkey) in [
        (
            "POST /v1/enrollments/finalize P-256",
            "sandbox-p256",
            "p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
        (
            "POST /v1/enrollments/finalize RSA-2048",
            "sandbox-rsa",
            "rsa",
            &["-newkey", "rsa:2048"][..],
        ),
    ] {
        let csr = Arc::new(support::openssl_csr(csr_dir.path(), newkey));
        // The CA hierarchy is created on first use; keep key generation out of the figures.
        CaClient::new(&url)
            .unwrap()
            .ca_file(family, "chain.pem")
            .await
            .unwrap();
        let mut enrollments = Vec::new();
        for _ in 0..issues {
            let o = sandbox_flow::approved_order(&url, channel).await.unwrap();
            enrollments.push(enroll(&url, &o).await);
        }
        let enrollments = Arc::new(enrollments);
        let per = (issues / tasks).max(1);
        let e = enrollments.clone();
        run(label, tasks.min(issues), per, move |t, i| {
            let (e, csr) = (e.clone(), csr.clone());
            async move {
                e[t * per + i].finalize(&csr).await.unwrap();
            }
        })
        .await
        .print();
    }
    let _ = child.kill();
    let _ = child.wait();
}

async fn enroll(url: &str, o: &certdesk_ca_api::sandbox::ApprovedOrder) -> CaClient {
    let c = CaClient::new(url).unwrap();
    let cap = c.captcha().await.unwrap();
    let ans = c.sandbox_captcha_answer(&cap.captcha_id).await.unwrap();
    let e = c
        .download_authorise(&certdesk_ca_api::download::DownloadAuthorise {
            card_serial: o.card_serial.clone(),
            card_password: o.card_password.clone(),
            phone: o.phone.clone(),
            org_code: o.org_code.clone(),
            captcha_id: cap.captcha_id,
            captcha_answer: ans,
        })
        .await
        .unwrap();
    CaClient::new(url)
        .unwrap()
        .with_token(secrecy::SecretString::from(e.token))
}
