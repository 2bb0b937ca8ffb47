//! The orders list (订单管理) with 10,000 applications at the reference CA: time to the
//! first page the app shows, and to walk every page. Prints p50/p99; no assertion.
//!
//! `cargo build -p certdesk-ca-service --release && cargo bench -p certdesk-core --bench orders`
//! (falls back to the debug `certdesk-ca` when no release one is built).

use std::time::{Duration, Instant};

use certdesk_ca_api::application::ListState;
use certdesk_ca_api::channel::Channel;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::workflow::stage;

const ORDERS: u64 = 10_000;
const PAGE: u32 = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    certdesk_testkit::ca::use_built_ca_binary()?;
    let ca = certdesk_testkit::ca::CaService::start()?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let applicant = Persona::new(77);
        let mut c = CaClient::new(ca.url())?;
        sandbox_flow::sign_in(&mut c, &applicant.handler.phone).await?;
        let channel: Channel = c.channel("sandbox-p256").await?;
        let t = Instant::now();
        // One applicant, 10,000 organisations (one unfinished application each).
        let mut tasks = tokio::task::JoinSet::new();
        for chunk in 0..8u64 {
            let c = c.clone();
            tasks.spawn(async move {
                for i in (chunk..ORDERS).step_by(8) {
                    let p = Persona::new(1_000_000 + i);
                    let mut req = p.new_org_on("sandbox-p256");
                    req.input.handler = None;
                    c.create_application(&req, None).await?;
                }
                Ok::<_, certdesk_ca_client::ClientError>(())
            });
        }
        while let Some(r) = tasks.join_next().await {
            r??;
        }
        println!("seeded {ORDERS} applications in {:.1?}", t.elapsed());
        let mut first = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            let page = c.list_applications(ListState::Unfinished, Some(PAGE), None).await?;
            // What the list shows per row: the stage and actions.
            let plans: Vec<_> = page.items.iter().map(|a| stage::plan(a, &channel)).collect();
            first.push(t.elapsed());
            assert_eq!(plans.len(), PAGE as usize);
        }
        first.sort();
        let t = Instant::now();
        let (mut n, mut cursor) = (0usize, None::<String>);
        loop {
            let page = c
                .list_applications(ListState::Unfinished, Some(100), cursor.as_deref())
                .await?;
            n += page.items.len();
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let all = t.elapsed();
        println!(
            "orders list, first page of {PAGE} with plans (of {ORDERS}): n={} p50={:.2?} p99={:.2?}",
            first.len(),
            percentile(&first, 0.50),
            percentile(&first, 0.99)
        );
        println!("orders list, all {n} in pages of 100: {all:.1?}");
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}
